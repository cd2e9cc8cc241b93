"""A refinement changes only what it names, all the way to the notes the composer writes."""

from __future__ import annotations

import pytest

from bot.understanding import refine, understand
from engine.compose import compose
from engine.score import Score


def _tune(score: Score, name: str) -> list[tuple[float, int]]:
    track = next(track for track in score.tracks if track.name == name)
    return [(round(note.start * 4) / 4, note.pitch) for note in track.notes]


@pytest.mark.parametrize("change", ["make it faster", "a bit slower", "add strings", "no drums"])
def test_the_melody_stays_note_for_note(change: str) -> None:
    base = understand("happy pop song with piano and drums, 30 seconds", seed=7).spec
    refined = refine(base, change, new_seed=99).spec
    assert refined is not None
    lead = base.parts[0].name
    assert refined.parts[0].name == lead and refined.seed == base.seed
    before, after = _tune(compose(base), lead), _tune(compose(refined), lead)
    assert before and after == before  # every note, none added or lost


def test_another_version_writes_a_new_tune() -> None:
    base = understand("happy pop song with piano, 30 seconds", seed=7).spec
    other = refine(base, "another version", new_seed=99).spec
    assert other is not None and other.seed == 99
    lead = base.parts[0].name
    assert _tune(compose(base), lead) != _tune(compose(other), lead)
