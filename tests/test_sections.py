"""Section edits and growth: only the named sections change; every other bar stays note for note."""

from __future__ import annotations

import pytest

from bot.understanding import refine, understand
from engine.errors import UserError
from engine.pipeline import generate
from engine.score import Score
from engine.section_edits import written_form
from engine.sectioned import compose_piece
from engine.spec import MusicSpec

LEAN = 1 / 16


@pytest.fixture(scope="module")
def piece() -> MusicSpec:
    return understand("upbeat pop song, 60 seconds", seed=5).spec


def sections(score: Score) -> list[tuple[str, frozenset[tuple[str, int, int, int]]]]:
    """Each section's notes relative to its start: (track, onset tick, pitch, length in ticks)."""
    found = []
    ends = [mark.start_beat for mark in score.sections[1:]] + [score.length_beats + 1]
    for mark, end in zip(score.sections, ends, strict=True):
        found.append(
            (
                mark.name,
                frozenset(
                    (track.name, round((n.start - mark.start_beat) * 480), n.pitch, round(n.duration * 480))
                    for track in score.tracks
                    for n in track.notes
                    if mark.start_beat - LEAN <= n.start < end - LEAN
                ),
            )
        )
    return found


def _edit(spec: MusicSpec, text: str) -> tuple[list, list, tuple[str, ...]]:
    change = refine(spec, text, new_seed=99)
    assert change.spec is not None
    return sections(generate(spec).score), sections(generate(change.spec).score), change.changes


@pytest.mark.parametrize(
    ("text", "edited"),
    [
        ("regenerate the chorus", {3, 6, 7}),
        ("a bigger last chorus", {7}),
        ("no drums in the intro", {0}),
        ("key change up a step for the last chorus", {7}),
        ("make the verse calmer", {1, 4}),
    ],
)
def test_a_section_edit_changes_that_section_only(piece: MusicSpec, text: str, edited: set[int]) -> None:
    before, after, changes = _edit(piece, text)
    assert [name for name, _ in before] == [name for name, _ in after]
    for index, ((_, old), (_, new)) in enumerate(zip(before, after, strict=True)):
        assert (old == new) == (index not in edited), (text, index)
    assert changes[-1] == "sections: intro · verse · pre-chorus · chorus · verse · pre-chorus · chorus · chorus · outro"


def test_no_drums_in_the_intro_and_a_key_change_do_what_they_say(piece: MusicSpec) -> None:
    without = refine(piece, "no drums in the intro", new_seed=1).spec
    assert without is not None
    quiet = generate(without).score
    intro_end = quiet.sections[1].start_beat
    assert not [n for t in quiet.tracks if t.is_drum for n in t.notes if n.start < intro_end - LEAN]
    _, after, _ = _edit(piece, "key change up a step for the last chorus")
    before = sections(generate(piece).score)
    lifted = {(t, s, p - 2, d) for t, s, p, d in after[7][1] if t != "drums"}  # ticks, not beats
    assert lifted == {note for note in before[7][1] if note[0] != "drums"}


@pytest.mark.parametrize(
    ("text", "added_at", "added"),
    [
        ("continue it", 8, 4),
        ("make it 30 seconds longer", 8, 4),
        ("add an intro", 0, 1),
        ("new bridge", 7, 1),
        ("add an outro", 8, 1),
    ],
)
def test_growing_the_piece_keeps_every_old_section_note_for_note(
    piece: MusicSpec, text: str, added_at: int, added: int
) -> None:
    if "intro" in text or "outro" in text:  # a piece without one, written as sections
        name = text.split()[-1]
        piece = piece.replace(
            form=[s for s in written_form(piece) if s.name != name],
            sectioned=True,
            duration_s=sum(s.bars for s in written_form(piece) if s.name != name) * 240 / 126,
        )
    before, after, changes = _edit(piece, text)
    assert len(after) == len(before) + added
    grown = after[:added_at] + after[added_at + added :]
    for (old_name, old), (new_name, new) in zip(before, grown, strict=True):
        assert old_name == new_name and old == new, text
    assert changes[-1].startswith("sections: ")


def test_adding_an_intro_to_a_piece_that_has_one_says_so(piece: MusicSpec) -> None:
    with pytest.raises(UserError, match="already has an intro; its sections are intro · verse"):
        refine(piece, "add an intro", new_seed=1)


def test_a_section_that_is_not_there_is_named_with_the_ones_that_are(piece: MusicSpec) -> None:
    with pytest.raises(UserError, match="no solo; its sections are intro · verse"):
        refine(piece, "regenerate the solo", new_seed=1)


def test_an_edit_on_an_edit_keeps_the_first_edit(piece: MusicSpec) -> None:
    first = refine(piece, "make the verse calmer", new_seed=1).spec
    assert first is not None
    second = refine(first, "continue it", new_seed=2).spec
    assert second is not None
    one, two = sections(compose_piece(first)), sections(compose_piece(second))
    assert two[: len(one) - 1] == one[:-1] and two[-1] == one[-1]  # the outro moved, unchanged
