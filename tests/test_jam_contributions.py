"""Jam contributions change only what they name, and say who changed it."""

from __future__ import annotations

import pytest

from bot.jam.contributions import JamState, apply, start
from engine.errors import UserError
from engine.spec import build_spec


def _state() -> JamState:
    spec = build_spec({
        "genre": "lofi", "tempo_bpm": 85, "key": "F", "mode": "major", "meter": "4/4", "drums": True,
        "duration_s": 30, "seed": 11, "drum_kit": "standard",
        "parts": [{"name": "electric piano", "role": "melody"}, {"name": "piano", "role": "chords"}],
    })  # fmt: skip
    return start(spec, "Ana", 1)


def _apply(state: JamState, text: str, author: str = "Lee", author_id: int = 2) -> tuple[JamState, tuple[str, ...]]:
    return apply(state, text, author=author, author_id=author_id, new_seed=99)


def _others(state: JamState, name: str) -> dict:
    return {p.name: p for p in state.spec.parts if p.name != name}


def test_start_gives_every_part_to_the_starter_and_a_song_form() -> None:
    state = _state()
    assert {layer.author for layer in state.layers.values()} == {"Ana"}
    assert [s.name for s in state.spec.form] == ["intro", "verse", "chorus", "outro"]
    assert state.spec.duration_s == pytest.approx(24 * 4 * 60 / 85, abs=0.01)


def test_add_a_walking_bass_adds_one_part_in_jazz_style_by_its_author() -> None:
    before = _state()
    after, changes = _apply(before, "add a walking bass")
    added = [p for p in after.spec.parts if p.name not in before.spec.instruments]
    assert len(added) == 1 and added[0].role == "bass" and added[0].style == "jazz"
    assert after.layers[added[0].name].author == "Lee"
    assert changes == (f"+ walking {added[0].name} (Lee)",)
    assert _others(after, added[0].name) == _others(before, added[0].name)
    assert (after.spec.tempo_bpm, after.spec.key, after.spec.seed) == (85, "F", 11)


def test_drums_boom_bap_sets_the_groove_only() -> None:
    before = _state()
    after, changes = _apply(before, "drums: boom bap")
    assert after.spec.drums and after.spec.drum_style == "hip hop"
    assert after.spec.parts == before.spec.parts
    assert changes == ("drums → boom bap (Lee)",)


def test_give_the_melody_to_the_sax() -> None:
    after, _ = _apply(_state(), "give the melody to the sax")
    roles = {p.name: p.role for p in after.spec.parts}
    assert roles["alto sax"] == "melody" and roles["electric piano"] == "counter" and roles["piano"] == "chords"
    assert after.layers["alto sax"].author == "Lee"


def test_mute_and_unmute_keep_the_layer_and_its_author() -> None:
    muted, changes = _apply(_state(), "mute the piano")
    assert "piano" not in muted.spec.instruments and muted.layers["piano"].muted
    assert changes == ("muted piano (Lee)",)
    back, _ = _apply(muted, "unmute the piano", author="Kim", author_id=3)
    assert "piano" in back.spec.instruments and back.layers["piano"].author == "Ana"


def test_muting_the_last_part_is_refused() -> None:
    state, _ = _apply(_state(), "mute the piano")
    with pytest.raises(UserError, match="silent"):
        _apply(state, "mute the electric piano")


def test_next_section_goes_before_the_outro_with_more_energy_and_longer_piece() -> None:
    before = _state()
    after, changes = _apply(before, "next section: chorus, more energy")
    names = [s.name for s in after.spec.form]
    assert names == ["intro", "verse", "chorus", "chorus", "outro"]
    assert after.spec.form[3].energy is not None and after.spec.form[3].energy > before.spec.energy
    assert after.spec.duration_s > before.spec.duration_s
    assert after.spec.parts == before.spec.parts
    assert changes == ("+ chorus, more energy (Lee)",)


def test_make_the_bridge_darker_needs_a_bridge() -> None:
    with pytest.raises(UserError, match="no bridge"):
        _apply(_state(), "make the bridge darker")
    state, _ = _apply(_state(), "next section: bridge")
    darker, _ = _apply(state, "make the bridge darker")
    assert [s.mood for s in darker.spec.form if s.name == "bridge"] == ["dark"]
    assert [s for s in darker.spec.form if s.name != "bridge"] == [s for s in state.spec.form if s.name != "bridge"]


def test_regenerate_a_part_rerolls_only_that_part() -> None:
    before = _state()
    after, _ = _apply(before, "regenerate the piano")
    variants = {p.name: p.variant for p in after.spec.parts}
    assert variants == {"electric piano": 0, "piano": 1}


def test_global_changes_go_through_the_refinement_understanding() -> None:
    before = _state()
    after, changes = _apply(before, "a bit faster")
    assert after.spec.tempo_bpm > before.spec.tempo_bpm and after.spec.parts == before.spec.parts
    assert after.spec.duration_s < before.spec.duration_s  # same bars, faster
    assert changes and all(change.endswith("(Lee)") for change in changes)


def test_state_survives_a_database_round_trip() -> None:
    state, _ = _apply(_state(), "add a walking bass")
    assert JamState.from_json(*state.to_json()) == state


def test_a_mix_change_in_a_jam_keeps_every_part_and_names_its_author() -> None:
    before = _state()
    after, changes = _apply(before, "more reverb and louder drums")
    assert after.spec.mix.reverb == 1 and after.spec.mix.levels == {"drums": 1}
    assert after.spec.parts == before.spec.parts and after.spec.form == before.spec.form
    assert changes == ("reverb ↑ (Lee)", "drums ↑ (Lee)")
