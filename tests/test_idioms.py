"""Idiom features on hand-built scores with known answers, and the idiom evaluation on a small subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.understanding.request import understand
from engine.evaluate.__main__ import IDIOM_PROMPTS, main
from engine.evaluate.idiom_ranges import ranges_for
from engine.evaluate.idioms import load_idiom_prompts, measure_idiom, written_score
from engine.genres import GENRES
from engine.idiom_features import (
    four_on_the_floor,
    kicks_per_beat,
    lead_melody_share,
    offbeat_share,
    one_drop,
    ostinato_density,
    riff_repetition,
    rim_share,
    short_note_share,
    swing_ratio,
)
from engine.instruments import KICK, SIDE_STICK
from engine.score import Note, Score, Track

BARS = 4


def _score(*tracks: Track, meter: str = "4/4") -> Score:
    return Score(120.0, meter, "C", "minor", list(tracks), BARS * 4.0)


def _bass() -> Track:
    return Track("bass", 33, "bass", [Note(bar * 4.0, 4.0, 36, 90) for bar in range(BARS)])


def _riff(transpose_each_bar: bool) -> Track:
    figure = [(0.0, 0), (0.75, 7), (1.5, 12), (2.5, 3), (3.25, 7)]
    notes = [
        Note(bar * 4 + at, 0.25, 60 + step + (bar * 2 if transpose_each_bar else 0), 90)
        for bar in range(BARS)
        for at, step in figure
    ]
    return Track("lead", 81, "melody", notes)


def _drums(pattern: list[tuple[float, int]]) -> Track:
    return Track(
        "drums",
        0,
        "drums",
        [Note(bar * 4 + at, 0.1, pitch, 100) for bar in range(BARS) for at, pitch in pattern],
        is_drum=True,
    )


def test_a_repeated_riff_is_a_loop_not_a_tune_even_moved_to_new_roots() -> None:
    for moved in (False, True):
        score = _score(_riff(moved), _bass())
        assert riff_repetition(score) == 1.0
        assert lead_melody_share(score) == 1 / BARS  # only the first statement counts as a line


def test_a_through_composed_tune_does_not_repeat() -> None:
    bars = ((60, 62, 64, 65), (67, 65, 64, 62), (60, 64, 62, 67), (72, 71, 67, 69))  # four different contours
    tune = Track(
        "lead",
        0,
        "melody",
        [
            Note(bar * 4 + beat, 1.0, pitch, 90)
            for bar, pitches in enumerate(bars)
            for beat, pitch in enumerate(pitches)
        ],
    )
    score = _score(tune, _bass())
    assert riff_repetition(score) == 0.0 and lead_melody_share(score) == 1.0


def test_kick_patterns() -> None:
    floor = _score(_bass(), _drums([(beat, KICK) for beat in (0.0, 1.0, 2.0, 3.0)]))
    assert four_on_the_floor(floor) == 1.0 and kicks_per_beat(floor) == 1.0 and one_drop(floor) == 0.0
    drop = _score(_bass(), _drums([(2.0, KICK), (2.0, SIDE_STICK)]))
    assert one_drop(drop) == 1.0 and four_on_the_floor(drop) == 0.0 and rim_share(drop) == 0.5
    double = _score(_bass(), _drums([(step / 4, KICK) for step in range(16)]))
    assert kicks_per_beat(double) == 4.0


def test_comping_offbeats_and_chugs() -> None:
    def chords(onsets: list[float], length: float) -> Track:
        return Track(
            "keys",
            0,
            "chords",
            [Note(bar * 4 + at, length, pitch, 80) for bar in range(BARS) for at in onsets for pitch in (64, 67, 71)],
        )

    lead = Track("lead", 73, "melody", [Note(bar * 4.0, 4.0, 84, 90) for bar in range(BARS)])
    skank = _score(lead, chords([1.0, 3.0], 0.25), _bass())
    assert offbeat_share(skank) == 1.0 and short_note_share(skank) == 1.0
    block = _score(lead, chords([0.0, 2.0], 2.0), _bass())
    assert offbeat_share(block) == 0.0 and short_note_share(block) == 0.0
    sixteenths = _score(lead, chords([step / 4 for step in range(16)], 0.25), _bass())
    assert ostinato_density(sixteenths) == 4.0


def test_swing_ratio_reads_straight_and_triplet_eighths() -> None:
    def line(offbeat: float) -> Track:
        return Track(
            "ride",
            0,
            "melody",
            [
                Note(bar * 4 + beat + at, 0.2, 70, 80)
                for bar in range(BARS)
                for beat in range(4)
                for at in (0.0, offbeat)
            ],
        )

    assert swing_ratio(_score(line(0.5), _bass())) == pytest.approx(1.0)
    assert swing_ratio(_score(line(2 / 3), _bass())) == pytest.approx(2.0)


def test_every_genre_has_an_idiom_with_its_own_tempo_range() -> None:
    for genre in GENRES:
        judged = ranges_for(genre)
        assert len(judged) >= 4 and judged["tempo"].low == GENRES[genre].tempo[0]
        assert all(allowed.why for allowed in judged.values())


def test_the_idiom_prompts_are_what_the_understanding_reads() -> None:
    for number, prompt in enumerate(load_idiom_prompts(IDIOM_PROMPTS), start=1):
        spec = understand(prompt.text, seed=number).spec
        assert (spec.genre, spec.instruments, spec.tempo_bpm, spec.drums) == (
            prompt.spec.genre,
            prompt.spec.instruments,
            prompt.spec.tempo_bpm,
            prompt.spec.drums,
        ), prompt.text


@pytest.mark.parametrize("text", ["jazz piano trio, swing", "dark techno at 130 bpm", "epic orchestral battle theme"])
def test_the_three_pieces_of_the_issue_sound_like_their_words(text: str) -> None:
    prompt = next(p for p in load_idiom_prompts(IDIOM_PROMPTS) if p.text == text)
    for seed in (1, 1001, 2001):
        measured = measure_idiom(written_score(prompt.spec.replace(seed=seed)), prompt.idiom)
        assert all(inside for _, inside in measured.values()), (seed, measured)


def test_the_idiom_table_runs_on_a_small_subset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "--idioms",
            "--n",
            "3",
            "--seeds",
            "1",
            "--writers",
            "rules",
            "--out",
            str(tmp_path),
            "--sheets",
            str(tmp_path),
        ]
    )
    printed = capsys.readouterr().out
    assert status in (0, 1)
    assert "| pop | tempo |" in printed and "checks inside their range" in printed
    report = json.loads((tmp_path / "idioms.json").read_text())
    rules = report["writers"]["rules"]
    assert len(rules["pieces"]) == 3 and 0.0 <= rules["share_in_range"] <= 1.0
    assert (tmp_path / "pop.png").stat().st_size > 1000
