"""The yardstick: metrics on hand-built scores with known answers, attribute estimates, the report."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine import metrics
from engine.compose import compose
from engine.evaluate.attributes import (
    heard_in_midi,
    key_from_notes,
    meter_from_notes,
    modal_key,
    score_from_midi,
    tempo_from_audio,
    tempo_verdict,
)
from engine.evaluate.reference import load_reference, load_song, sample_folders
from engine.evaluate.report import piano_roll, piece_table, summary_table
from engine.evaluate.runner import ATTRIBUTES, TARGETED, evaluate_piece, load_prompts, summarise, targets_met
from engine.genres import GENRES
from engine.midi import score_to_midi
from engine.score import Note, Score, SectionMark, Track
from engine.settings import pop909_dir
from engine.spec import MusicSpec
from tests.test_compose import genre_spec

PROMPTS = Path(__file__).parent / "data" / "eval_prompts.jsonl"
C_MAJOR = [60, 62, 64, 65, 67, 69, 71]


def score_of(*tracks: Track, meter: str = "4/4", length: float | None = None) -> Score:
    end = max((n.start + n.duration for t in tracks for n in t.notes), default=0.0)
    return Score(120.0, meter, "C", "major", list(tracks), length if length is not None else end)


def line(pitches: list[int], step: float = 1.0, start: float = 0.0, role: str = "melody") -> Track:
    notes = [Note(start + i * step, step, p, 90) for i, p in enumerate(pitches)]
    return Track(role, 0, role, notes)


def test_pitch_class_entropy_counts_bits() -> None:
    assert metrics.pitch_class_entropy(score_of(line(C_MAJOR))) == pytest.approx(math.log2(7))
    assert metrics.pitch_class_entropy(score_of(line([60, 72, 48]))) == 0.0
    assert metrics.pitch_class_entropy(score_of(line(list(range(60, 72))))) == pytest.approx(math.log2(12))


def test_scale_consistency_of_a_scale_and_of_a_chromatic_note() -> None:
    assert metrics.scale_consistency(score_of(line(C_MAJOR))) == 1.0
    assert metrics.scale_consistency(score_of(line([*C_MAJOR, 61]))) == pytest.approx(7 / 8)


def test_groove_consistency_of_repeated_and_changing_bars() -> None:
    same = score_of(line([60] * 16, step=1.0))
    assert metrics.groove_consistency(same) == 1.0
    # Bar 1 quarters, bar 2 only its downbeat: 3 of 48 grid steps differ.
    changing = score_of(Track("m", 0, "melody", [Note(b, 1.0, 60, 90) for b in (0, 1, 2, 3, 4)]), length=8.0)
    assert metrics.groove_consistency(changing) == pytest.approx(1 - 3 / 48)


def test_empty_beats_and_polyphony() -> None:
    sparse = score_of(Track("m", 0, "melody", [Note(0, 1, 60, 90), Note(2, 1, 62, 90)]), length=4.0)
    assert metrics.empty_beat_rate(sparse) == 0.5
    triad = score_of(Track("c", 0, "chords", [Note(0, 4, p, 90) for p in (60, 64, 67)]))
    assert metrics.polyphony(triad) == (pytest.approx(3.0), pytest.approx(1.0))


def test_chord_tones_on_strong_beats() -> None:
    chords = [Note(0, 8, p, 70) for p in (48, 52, 55)]  # C major held for two bars
    tune = [Note(0, 1, 64, 90), Note(1, 1, 62, 90), Note(2, 1, 62, 90), Note(4, 1, 67, 90), Note(6, 1, 65, 90)]
    ratio = metrics.chord_tone_ratio(tune, chords, [0.0, 2.0, 4.0, 6.0])
    assert ratio == pytest.approx(2 / 4)  # E and G are chord tones, the D and F on strong beats are not


def test_intervals_range_recurrence_and_silence() -> None:
    scale = line(C_MAJOR)
    assert metrics.interval_histogram(metrics.melody_line(scale))["step"] == 1.0
    riff = [Note(bar * 4 + i, 1, p, 90) for bar in range(8) for i, p in enumerate((60, 64, 67, 64))]
    matrix = metrics.self_similarity(metrics.bar_features(riff, [b * 4.0 for b in range(8)]))
    assert matrix.shape == (8, 8) and metrics.recurrence(matrix) == 1.0
    gap = score_of(Track("m", 0, "melody", [Note(0, 1, 60, 90), Note(9, 1, 60, 90)]), length=12.0)
    assert metrics.longest_silence_bars(gap) == pytest.approx(2.0)
    measured = metrics.measure(score_of(scale, length=8.0), scale)
    assert measured.melodic_range == 11 and measured.stepwise_ratio == 1.0


def test_the_key_finder_names_major_minor_and_modes() -> None:
    c_major = score_of(line([48, 52, 55, 60, 64, 67, 65, 62, 59, 60], step=2.0))
    assert key_from_notes(c_major) == (0, "major")
    a_minor = score_of(line([45, 48, 52, 57, 60, 64, 62, 59, 56, 57], step=2.0))
    assert key_from_notes(a_minor) == (9, "minor")
    d_dorian = [50, 53, 57, 60, 59, 57, 53, 55, 59, 62, 64, 65, 62, 57, 50]
    assert modal_key(score_of(line(d_dorian, step=1.0), Track("b", 0, "bass", [Note(14, 2, 38, 90)]))) == (2, "dorian")


def test_the_meter_is_found_in_composed_waltzes_jigs_and_marches() -> None:
    for genre in ("waltz", "celtic", "march", "pop"):
        spec = _spec(genre, seconds=30.0)
        assert meter_from_notes(score_from_midi(score_to_midi(compose(spec)))) == GENRES[genre].meter


def test_tempo_verdicts_follow_mirex() -> None:
    assert tempo_verdict(121.0, 120) == "exact"
    assert tempo_verdict(60.5, 120) == "octave" and tempo_verdict(241.0, 120) == "octave"
    assert tempo_verdict(80.0, 120) == "metrical"
    assert tempo_verdict(80.0, 120, "6/8") == "exact"  # the dotted quarter is the felt beat
    assert tempo_verdict(100.0, 120) == "wrong"


@pytest.mark.slow
def test_the_tempo_of_a_click_track_is_heard() -> None:
    rate = 22_050
    audio = np.zeros((rate * 12, 2), dtype=np.float32)
    noise = np.random.default_rng(0).standard_normal(2_000).astype(np.float32)
    click = noise * np.exp(-np.arange(2_000) / 300).astype(np.float32)  # a short drum-like burst
    for beat in np.arange(0, 11.5, 0.5):  # 120 bpm
        start = int(beat * rate)
        audio[start : start + 2_000] += click[:, None] * (0.5 if beat % 2 == 0 else 0.3)
    assert tempo_verdict(tempo_from_audio(audio, rate), 120) in ("exact", "octave")


def test_reading_the_midi_back_gives_the_same_notes_and_programs() -> None:
    score = compose(_spec("funk", seconds=10.0))
    midi = score_to_midi(score)
    back = score_from_midi(midi)
    assert [len(t.notes) for t in back.tracks] == [len(t.notes) for t in score.tracks]
    heard = heard_in_midi(midi)
    assert heard.programs == {t.program for t in score.tracks if not t.is_drum} and heard.drums
    assert heard.end_s == pytest.approx(score.duration_s, abs=0.01)


def test_the_pop909_reference_summarises_the_targeted_metrics() -> None:
    reference = load_reference()
    for name in TARGETED:
        stats = reference["metrics"][name]
        assert stats["q1"] <= stats["median"] <= stats["q3"] and stats["n"] >= 100


@pytest.mark.skipif(not pop909_dir().is_dir(), reason="POP909 is not at POP909_DIR")
def test_a_pop909_song_loads_in_beats_with_its_bars() -> None:
    score, melody, starts = load_song(sample_folders()[0])
    assert melody is not None and len(melody.notes) > 50 and len(starts) > 8
    assert 0.8 < metrics.scale_consistency(score) <= 1.0


def test_the_prompt_set_covers_every_genre_with_explicit_requests() -> None:
    prompts = load_prompts(PROMPTS)
    assert {p.spec.genre for p in prompts} == set(GENRES)
    assert len({p.id for p in prompts}) == len(prompts)
    named = {attribute for p in prompts for attribute in p.explicit}
    assert named == set(ATTRIBUTES)


def test_a_few_prompts_evaluate_into_a_summary_and_a_report(tmp_path: Path) -> None:
    prompts = load_prompts(PROMPTS)[:3]
    pieces = [evaluate_piece(prompt, None, None) for prompt in prompts]
    rows = [row for row, _ in pieces]
    assert all(row["checks"]["instruments"] and row["checks"]["duration"] for row in rows)
    summary = summarise(rows, load_reference())
    assert summary["pieces"] == 3 and set(summary["accuracy"]) == set(ATTRIBUTES)
    targets = targets_met(summary)
    table = summary_table({"rules": summary}, {"rules": targets})
    assert "pitch_class_entropy" in table and "Targets" in table
    assert prompts[0].id in piece_table(rows)
    score = pieces[0][1]
    score.sections.append(SectionMark("coda", 4.0, 1))
    piano_roll(score, tmp_path / "roll.png", "test")
    assert (tmp_path / "roll.png").read_bytes()[:4] == b"\x89PNG"


def _spec(genre: str, seconds: float) -> MusicSpec:
    return genre_spec(genre, seconds=seconds)


def test_more_seeds_compose_each_prompt_again_with_another_seed() -> None:
    from engine.evaluate.__main__ import with_seeds

    prompts = load_prompts(PROMPTS)[:2]
    seeded = with_seeds(prompts, 3)
    assert [p.id for p in seeded] == ["p01", "p02", "p01+1", "p02+1", "p01+2", "p02+2"]
    assert len({p.spec.seed for p in seeded}) == 6 and seeded[2].spec.genre == prompts[0].spec.genre
