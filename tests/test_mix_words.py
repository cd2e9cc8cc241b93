"""Mix words in replies: each changes only the mix, says so, and leaves the musical words alone."""

from __future__ import annotations

import pytest

from bot.understanding import refine, understand
from engine.spec import MusicSpec


@pytest.fixture(scope="module")
def spec() -> MusicSpec:
    return understand("synthwave night drive", seed=1).spec


@pytest.mark.parametrize(
    ("reply", "field", "value", "note"),
    [
        ("more reverb", "reverb", 1, "reverb ↑"),
        ("drier please", "reverb", -1, "reverb ↓"),
        ("much more reverb", "reverb", 2, "reverb ↑↑"),
        ("wider", "width", 1, "width ↑"),
        ("make it mono", "mono", True, "mono"),
        ("brighter sound", "tone", 1, "brighter"),
        ("warmer", "tone", -1, "warmer"),
        ("a darker mix", "tone", -1, "warmer"),
        ("punchier", "punch", 1, "punch ↑"),
        ("lo-fi", "character", "lofi", "lo-fi (tape, vinyl)"),
        ("make it sound vintage", "character", "lofi", "lo-fi (tape, vinyl)"),
        ("vinyl crackle", "character", "lofi", "lo-fi (tape, vinyl)"),
        ("like an old radio", "character", "radio", "radio sound"),
        ("telephone", "character", "telephone", "telephone sound"),
    ],
)
def test_a_mix_word_changes_only_the_mix(spec: MusicSpec, reply: str, field: str, value: object, note: str) -> None:
    refinement = refine(spec, reply, new_seed=99)
    assert refinement.action == "update" and refinement.spec is not None
    assert getattr(refinement.spec.mix, field) == value
    assert refinement.changes == (note,)
    assert refinement.spec.model_dump(exclude={"mix"}) == spec.model_dump(exclude={"mix"})


@pytest.mark.parametrize(
    ("reply", "levels"),
    [
        ("louder drums", {"drums": 1}),
        ("quieter bass", {"bass": -1}),
        ("bring the melody forward", {"melody": 1}),
        ("turn up the synth bass", {"bass": 1}),
        ("drums much louder and the pads quieter", {"drums": 2, "pad": -1}),
    ],
)
def test_part_levels(spec: MusicSpec, reply: str, levels: dict[str, int]) -> None:
    refinement = refine(spec, reply, new_seed=99)
    assert refinement.spec is not None and refinement.spec.mix.levels == levels


def test_musical_words_keep_their_meaning_beside_mix_words(spec: MusicSpec) -> None:
    both = refine(spec, "more reverb and faster", new_seed=99)
    assert both.spec is not None and both.spec.mix.reverb == 1 and both.spec.tempo_bpm > spec.tempo_bpm
    assert both.changes[0] == "reverb ↑"
    darker = refine(spec, "darker", new_seed=99)  # a mood: it changes the harmony, as it always did
    assert darker.spec is not None and darker.spec.mood == "dark" and darker.spec.mix == spec.mix
    louder = refine(spec, "louder", new_seed=99)  # energy, as before
    assert louder.spec is not None and louder.spec.energy > spec.energy and louder.spec.mix == spec.mix


def test_mix_changes_accumulate_and_clamp(spec: MusicSpec) -> None:
    current = spec
    for _ in range(5):
        step = refine(current, "more reverb", new_seed=99).spec
        assert step is not None
        current = step
    assert current.mix.reverb == 3
    back = refine(current, "drier", new_seed=99).spec
    assert back is not None and back.mix.reverb == 2
