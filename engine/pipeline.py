"""The engine's two steps: `generate` (spec → plan → score → MIDI) and `render` (MIDI → stems → mix →
master → MP3, and on request WAV and per-part stems)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.audio.encode import write_mp3, write_wav
from engine.audio.master import MasterReport, master
from engine.audio.mix import MixReport, mix
from engine.audio.render import Renderer
from engine.audio.stems import write_stems, zip_stems
from engine.compose.sung import voice_for
from engine.files import write_bytes_atomic
from engine.lyrics.words import language_for
from engine.midi import score_to_midi
from engine.partwriter import PartWriter
from engine.score import Score
from engine.sectioned import compose_piece
from engine.spec import MusicSpec
from engine.vocals.track import split_vocals, sung_stem

Progress = Callable[[str], None]
"""Told each stage's name as it starts: composing, rendering, mixing, encoding."""


def _quiet(stage: str) -> None:
    del stage


@dataclass(frozen=True, slots=True)
class Generated:
    """The symbolic result: the score and its MIDI bytes."""

    spec: MusicSpec
    score: Score
    midi: bytes
    compose_ms: float


@dataclass(frozen=True, slots=True)
class Rendered:
    """The audio result on disk, with what mastering measured and how long each stage took."""

    mp3_path: Path
    midi_path: Path
    duration_s: float
    master: MasterReport
    mix: MixReport
    timings_ms: dict[str, float] = field(default_factory=dict)
    wav_path: Path | None = None
    stem_paths: dict[str, Path] = field(default_factory=dict)  # part name → MP3, in mix order
    stems_zip: Path | None = None


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def generate(spec: MusicSpec, *, writer: PartWriter | None = None, progress: Progress = _quiet) -> Generated:
    """Compose the spec into a score and encode it as MIDI; deterministic for the same spec and seed."""
    progress("composing")
    start = time.perf_counter()
    score = compose_piece(spec, writer=writer)
    midi = score_to_midi(score)
    return Generated(spec, score, midi, _ms_since(start))


def stems_folder(target: Path) -> Path:
    """Where a piece's per-part stems go: `<name>-stems/` beside its MP3."""
    return target.with_name(f"{target.stem}-stems")


def render(
    generated: Generated,
    renderer: Renderer,
    target: Path,
    *,
    bitrate: str = "192k",
    comment: str = "",
    progress: Progress = _quiet,
    voices: Mapping[str, np.ndarray] | None = None,
    wav: bool = False,
    stems: bool = False,
) -> Rendered:
    """Render, mix, master and encode; writes `target` (.mp3) and its .mid sibling, each all-or-nothing.

    `voices` supplies audio for tracks another renderer made (e.g. "vocals" from the singer), mono or
    stereo at the renderer's rate; the mixer treats them like any other stem. `wav` adds a lossless
    `.wav` beside the MP3; `stems` adds one MP3 per part in `stems_folder(target)` and a `.zip` of them.
    """
    spec = generated.spec
    timings: dict[str, float] = {"compose": generated.compose_ms}
    progress("rendering")
    start = time.perf_counter()
    played, vocals = split_vocals(generated.score)  # the vocals are sung, not played by FluidSynth
    midi = generated.midi if vocals is None else score_to_midi(played)
    dry = renderer.render_parts(midi, length_s=generated.score.duration_s)
    if vocals is not None:
        frames = max((len(audio) for audio in dry.values()), default=0)
        dry[vocals.name] = sung_stem(vocals, generated.score, renderer.sample_rate, frames,
                                     voice=voice_for(spec), language=language_for(spec))  # fmt: skip
    dry.update(voices or {})
    timings["render"] = _ms_since(start)
    progress("mixing")
    start = time.perf_counter()
    mixed = mix(dry, generated.score, spec.genre, spec.mix, renderer.sample_rate)
    mastered, report = master(mixed.bus, renderer.sample_rate)
    timings["effects"] = _ms_since(start)
    progress("encoding")
    start = time.perf_counter()
    midi_path = target.with_suffix(".mid")
    write_bytes_atomic(midi_path, generated.midi)
    tags = {"title": spec.title or spec.summary(), "artist": "Bandmate", "comment": comment}
    write_mp3(mastered, renderer.sample_rate, target, tags=tags, bitrate=bitrate)
    wav_path = write_wav(mastered, renderer.sample_rate, target.with_suffix(".wav")) if wav else None
    timings["encode"] = _ms_since(start)
    stem_paths: dict[str, Path] = {}
    stems_zip = None
    if stems:
        progress("stems")
        start = time.perf_counter()
        stem_paths = write_stems(mixed.stems, renderer.sample_rate, stems_folder(target),
                                 gain_db=report.gain_db, bitrate=bitrate)  # fmt: skip
        stems_zip = zip_stems(stem_paths, target.with_suffix(".zip"))
        timings["stems"] = _ms_since(start)
    duration = len(mastered) / renderer.sample_rate
    return Rendered(target, midi_path, duration, report, mixed.report, timings, wav_path, stem_paths, stems_zip)
