"""The engine's two steps: `generate` (spec → plan → score → MIDI) and `render` (MIDI → MP3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.audio.encode import write_mp3
from engine.audio.master import MasterReport, master
from engine.audio.render import Renderer
from engine.compose.sung import voice_for
from engine.files import write_bytes_atomic
from engine.lyrics.words import language_for
from engine.midi import score_to_midi
from engine.partwriter import PartWriter
from engine.score import Score
from engine.sectioned import compose_piece
from engine.spec import MusicSpec
from engine.vocals.track import mix_lead, split_vocals

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
    timings_ms: dict[str, float] = field(default_factory=dict)


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def generate(spec: MusicSpec, *, writer: PartWriter | None = None, progress: Progress = _quiet) -> Generated:
    """Compose the spec into a score and encode it as MIDI; deterministic for the same spec and seed."""
    progress("composing")
    start = time.perf_counter()
    score = compose_piece(spec, writer=writer)
    midi = score_to_midi(score)
    return Generated(spec, score, midi, _ms_since(start))


def render(
    generated: Generated,
    renderer: Renderer,
    target: Path,
    *,
    bitrate: str = "192k",
    comment: str = "",
    progress: Progress = _quiet,
) -> Rendered:
    """Render, master and encode; writes `target` (.mp3) and its .mid sibling, each all-or-nothing."""
    spec = generated.spec
    timings: dict[str, float] = {"compose": generated.compose_ms}
    progress("rendering")
    start = time.perf_counter()
    played, vocals = split_vocals(generated.score)  # the vocals are sung, not played by FluidSynth
    midi = generated.midi if vocals is None else score_to_midi(played)
    audio = renderer.render(midi, length_s=generated.score.duration_s)
    if vocals is not None:
        audio = mix_lead(audio, vocals, generated.score, renderer.sample_rate,
                         voice=voice_for(spec), language=language_for(spec))  # fmt: skip
    timings["render"] = _ms_since(start)
    progress("mixing")
    start = time.perf_counter()
    mastered, report = master(audio, renderer.sample_rate)
    timings["effects"] = _ms_since(start)
    progress("encoding")
    start = time.perf_counter()
    midi_path = target.with_suffix(".mid")
    write_bytes_atomic(midi_path, generated.midi)
    tags = {"title": spec.title or spec.summary(), "artist": "Bandmate", "comment": comment}
    write_mp3(mastered, renderer.sample_rate, target, tags=tags, bitrate=bitrate)
    timings["encode"] = _ms_since(start)
    duration = len(mastered) / renderer.sample_rate
    return Rendered(target, midi_path, duration, report, timings)
