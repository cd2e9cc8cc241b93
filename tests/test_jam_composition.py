"""A jam contribution changes only what it names: every other part stays note for note."""

from __future__ import annotations

import pytest

from bot.jam.contributions import JamState, apply, start
from engine.compose import compose
from engine.score import Score
from engine.spec import build_spec


def _state() -> JamState:
    spec = build_spec({
        "genre": "lofi", "tempo_bpm": 85, "key": "F", "mode": "major", "meter": "4/4", "drums": True,
        "duration_s": 30, "seed": 5,
        "parts": [{"name": "electric piano", "role": "melody"}, {"name": "piano", "role": "chords"},
                  {"name": "electric bass", "role": "bass"}],
    })  # fmt: skip
    return start(spec, "Ana", 1)


def _notes(score: Score) -> dict[str, list]:
    return {track.name: [(n.start, n.pitch, n.duration) for n in track.notes] for track in score.tracks}


@pytest.mark.parametrize(
    ("change", "touched"),
    [
        ("add a flute", {"flute"}),
        ("add a walking bass", {"electric bass"}),
        ("drums: boom bap", {"drums"}),
        ("mute the bass", {"electric bass"}),
        ("regenerate the bass", {"electric bass"}),
    ],
)
def test_only_the_named_part_changes(change: str, touched: set[str]) -> None:
    before = _state()
    after, _ = apply(before, change, author="Lee", author_id=2, new_seed=9)
    old, new = _notes(compose(before.spec)), _notes(compose(after.spec))
    drums = next((name for name in old if name not in before.spec.instruments), None)
    assert drums is not None, "the jam plays drums"
    names = {"drums" if name == drums else name for name in old} | {"drums" if name == drums else name for name in new}
    unchanged = names - touched
    assert unchanged, "something must stay"
    for name in unchanged:
        real = drums if name == "drums" else name
        assert old.get(real) == new.get(real), f"{name} changed after '{change}'"
    changed = [name for name in touched if old.get(name if name != "drums" else drums) !=
               new.get(name if name != "drums" else drums)]  # fmt: skip
    assert changed == sorted(touched), f"'{change}' did not change {touched}"


def test_muting_the_only_chords_part_keeps_the_tune_and_the_lead_takes_the_harmony() -> None:
    before = _state()
    after, _ = apply(before, "mute the piano", author="Lee", author_id=2, new_seed=9)
    old, new = _notes(compose(before.spec)), _notes(compose(after.spec))
    assert "piano" not in new and old["electric bass"] == new["electric bass"]

    # Humanised timing is drawn per note, so compare the tune on a sixteenth-note grid.
    def grid(notes: list) -> set:
        return {(round(start * 4) / 4, pitch) for start, pitch, _ in notes}

    tune = grid(old["electric piano"])
    assert len(tune - grid(new["electric piano"])) <= len(tune) // 20, "the melody itself is unchanged"
    assert len(new["electric piano"]) > len(tune), "a left hand now carries the harmony"
