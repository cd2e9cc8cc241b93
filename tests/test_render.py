"""MIDI → audio → mastered MP3, each stage alone, on hand-built scores."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import symusic
from pydub import AudioSegment

from engine.audio.encode import write_mp3
from engine.audio.master import TARGET_LUFS, TRUE_PEAK_CEILING_DB, master, true_peak_db
from engine.audio.render import Renderer
from engine.errors import RenderError
from engine.midi import score_to_midi
from engine.score import Note, Score, Track
from tests.conftest import TEST_SOUNDFONT

RATE = 22_050


def _score(tempo: float = 120, meter: str = "3/4", beats: float = 24) -> Score:
    melody = [Note(i * 0.5, 0.5, 60 + (i * 3) % 12, 90) for i in range(int(beats * 2))]
    bass = [Note(float(i), 1.0, 36 + (i % 3), 80) for i in range(int(beats))]
    drums = [Note(float(i), 0.25, 36 if i % 2 == 0 else 38, 100) for i in range(int(beats))]
    return Score(
        tempo_bpm=tempo, meter=meter, key="D", mode="minor", length_beats=beats,
        tracks=[Track("flute", 73, "melody", melody), Track("acoustic bass", 32, "bass", bass),
                Track("drums", 25, "drums", drums, is_drum=True, bank=128)],
    )  # fmt: skip


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    with Renderer(TEST_SOUNDFONT, RATE) as opened:
        yield opened


def test_midi_carries_tempo_meter_key_and_programs() -> None:
    midi = symusic.Score.from_midi(score_to_midi(_score(tempo=137, meter="3/4")))
    assert round(midi.tempos[0].qpm) == 137
    assert (midi.time_signatures[0].numerator, midi.time_signatures[0].denominator) == (3, 4)
    assert (midi.key_signatures[0].key, midi.key_signatures[0].tonality) == (-1, 1)  # D minor: one flat
    assert [(t.program, t.is_drum) for t in midi.tracks] == [(73, False), (32, False), (25, True)]
    assert midi.tracks[0].note_num() == 48


def test_same_score_gives_identical_midi_bytes() -> None:
    assert score_to_midi(_score()) == score_to_midi(_score())


def test_render_length_is_exact_and_every_track_sounds(renderer: Renderer) -> None:
    score = _score(tempo=120, beats=24)  # 12 s
    audio = renderer.render(score_to_midi(score), length_s=score.duration_s)
    assert audio.shape == (round(12.0 * RATE), 2)
    assert np.sqrt(np.mean(audio**2)) > 1e-3
    solo = Score(120, "4/4", "C", "major", [score.tracks[1]], 24)
    assert np.abs(renderer.render(score_to_midi(solo), 12.0)).max() > 1e-3


def test_render_rejects_garbage_midi(renderer: Renderer) -> None:
    with pytest.raises(RenderError):
        renderer.render(b"not a midi file")


def test_missing_soundfont_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="SoundFont not found"):
        Renderer(tmp_path / "missing.sf2")


def test_master_hits_loudness_and_true_peak_targets(renderer: Renderer) -> None:
    score = _score(beats=24)
    audio = renderer.render(score_to_midi(score), score.duration_s) * 0.05  # far too quiet on purpose
    mastered, report = master(audio, RATE)
    measured = pyloudnorm.Meter(RATE).integrated_loudness(mastered)
    assert abs(measured - TARGET_LUFS) < 0.6
    assert true_peak_db(mastered) <= TRUE_PEAK_CEILING_DB + 1e-6
    assert report.true_peak_db <= TRUE_PEAK_CEILING_DB + 1e-6
    assert np.abs(mastered).max() < 1.0  # no clipping
    assert abs(mastered[0]).max() < 1e-2  # faded in


def test_master_leaves_silence_silent() -> None:
    silent = np.zeros((RATE * 2, 2), dtype=np.float32)
    mastered, report = master(silent, RATE)
    assert not np.any(mastered) and report.gain_db == 0.0


def test_mp3_decodes_with_tags_and_length(renderer: Renderer, tmp_path: Path) -> None:
    score = _score(beats=20)  # 10 s
    mastered, _ = master(renderer.render(score_to_midi(score), score.duration_s), RATE)
    target = write_mp3(mastered, RATE, tmp_path / "piece.mp3", tags={"title": "T", "artist": "Bandmate",
                       "comment": "sad piano ballad | seed 7"})  # fmt: skip
    decoded = AudioSegment.from_mp3(target)
    assert abs(decoded.duration_seconds - 10.0) < 0.5
    probe = subprocess.run(["ffprobe", "-hide_banner", str(target)], capture_output=True, text=True).stderr
    assert "artist          : Bandmate" in probe and "seed 7" in probe
    assert [p.name for p in tmp_path.iterdir()] == ["piece.mp3"]  # no temp file left behind


def test_true_peak_finds_the_peak_between_samples() -> None:
    from scipy.signal import resample_poly

    times = np.arange(RATE) / RATE
    # A tone at a quarter of the rate, phased so every sample misses the crest by 45°: 3 dB between samples.
    tone = (0.5 * np.sin(2 * np.pi * RATE / 4 * times + np.pi / 4)).astype(np.float32)
    stereo = np.stack([tone, tone * 0.5], axis=1)
    reference = 20 * np.log10(np.max(np.abs(resample_poly(stereo, 4, 1, axis=0))))
    assert true_peak_db(stereo) == pytest.approx(reference, abs=0.1)
    assert true_peak_db(stereo) > 20 * np.log10(np.max(np.abs(stereo))) + 2.5
