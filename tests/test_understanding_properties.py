"""Property tests: no text crashes the parser, and a refinement changes only what it names."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.understanding import refine, understand
from bot.understanding.lexicon import LEXICON
from engine.errors import UserError
from engine.spec import MusicSpec

# CI replays the same examples every run (a red build is then about the change, not the dice);
# locally every run explores new ones.
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                             derandomize=bool(os.environ.get("CI")))
BASES = ("sad piano ballad", "chill lofi beat", "rock song in 7/8", "jazz with trumpet in Bb, 120 bpm",
         "epic orchestral battle theme 140bpm in D minor, 2 minutes", "waltz in A minor", "solo piano")
BASE_SPECS = tuple(understand(text, seed=11).spec for text in BASES)

any_unicode = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
                      max_size=300)
control_only = st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")), min_size=1, max_size=50)
known_phrases = st.sampled_from(sorted(LEXICON))
separators = st.sampled_from([" ", ", ", " and ", "; ", "! ", " but ", " 🎹 ", "\n", " - "])
lexicon_soup = st.lists(st.tuples(known_phrases, separators), max_size=7).map(
    lambda pairs: "".join(phrase + separator for phrase, separator in pairs)
)
# Words that carry no meaning, and scripts the lexicon does not read: noise around a real request.
noise = st.lists(
    st.one_of(st.sampled_from(["the", "please", "a", "it", "some", "ok", "thanks", "now", "x"]),
              st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=4),
              st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF), min_size=1, max_size=6)),
    max_size=4,
).map(" ".join)

# A reply, and every spec field it may change.
TARGETED = {
    "make it faster": {"tempo_bpm", "duration_s"},  # same bars at the new tempo
    "a bit slower": {"tempo_bpm", "duration_s"},
    "much faster": {"tempo_bpm", "duration_s"},
    "add strings": {"parts"},
    "add a cello": {"parts"},
    "no drums": {"drums"},
    "add drums": {"drums"},
    "more drums": {"drums", "drum_density"},
    "in 3/4": {"meter"},
    "in A minor": {"key", "mode"},
    "in Eb": {"key"},
    "longer": {"duration_s"},
    "shorter": {"duration_s"},
    "another version": {"seed"},
    "make it sadder": {"mood", "valence", "arousal", "mode", "energy", "tempo_bpm", "duration_s"},
    "louder": {"energy", "arousal"},
    "with brushes": {"drums", "drum_kit"},
}
# How each field's change shows up in the notes the user reads.
NOTE_WORDS = {
    "tempo_bpm": ("tempo", "genre"), "key": ("key",), "mode": ("key", "mood"), "meter": ("meter", "genre"),
    "duration_s": ("length",), "parts": ("+", "-", "→", "genre"), "drums": ("drums", "genre"),
    "drum_kit": ("drum kit", "genre"), "drum_density": ("drums",), "genre": ("genre",), "mood": ("mood",),
    "valence": ("mood",), "arousal": ("mood", "energy"), "energy": ("energy", "mood", "genre"),
    "seed": ("variation",), "lyrics": ("lyrics",),
    "mix": ("↑", "↓", "mono", "stereo", "brighter", "warmer", "lo-fi", "radio", "telephone", "clean"),
}  # fmt: skip


def changed(before: MusicSpec, after: MusicSpec) -> set[str]:
    return {name for name in type(before).model_fields if getattr(before, name) != getattr(after, name)}


@PROPERTY_SETTINGS
@given(text=any_unicode)
def test_no_text_crashes_the_request_parser(text: str) -> None:
    try:
        result = understand(text, seed=1)
    except UserError as error:
        assert error.message.strip()
    else:
        assert result.spec.parts and result.understood


@PROPERTY_SETTINGS
@given(text=lexicon_soup)
def test_any_mix_of_known_words_gives_a_valid_spec_or_a_clear_error(text: str) -> None:
    try:
        result = understand(text, seed=2)
    except UserError as error:
        assert error.message.strip() and "\n" not in error.message
    else:
        assert MusicSpec.model_validate(result.spec.model_dump()) == result.spec


@PROPERTY_SETTINGS
@given(text=control_only)
def test_control_characters_and_blank_text_are_refused(text: str) -> None:
    with pytest.raises(UserError):
        understand(text)
    with pytest.raises(UserError):
        refine(BASE_SPECS[0], text, new_seed=3)


@settings(max_examples=20, deadline=None)
@given(text=st.text(min_size=1001, max_size=3000))
def test_huge_text_is_refused_quickly(text: str) -> None:
    with pytest.raises(UserError, match="1000"):
        understand(text)
    with pytest.raises(UserError, match="1000"):
        refine(BASE_SPECS[0], text, new_seed=3)


@settings(max_examples=10, deadline=2000)
@given(words=st.lists(known_phrases, min_size=100, max_size=200))
def test_long_requests_within_the_limit_still_parse(words: list[str]) -> None:
    text = " ".join(words)[:5000]
    try:
        understand(text, max_chars=5000)
    except UserError as error:
        assert error.message.strip()


@PROPERTY_SETTINGS
@given(text=any_unicode, base=st.sampled_from(BASE_SPECS))
def test_no_text_crashes_a_refinement(text: str, base: MusicSpec) -> None:
    try:
        result = refine(base, text, new_seed=4)
    except UserError as error:
        assert error.message.strip()
    else:
        assert result.changes


@PROPERTY_SETTINGS
@given(reply=st.sampled_from(sorted(TARGETED)), before=noise, after=noise, base=st.sampled_from(BASE_SPECS))
def test_a_refinement_changes_only_what_it_names(reply: str, before: str, after: str, base: MusicSpec) -> None:
    try:
        result = refine(base, f"{before} {reply} {after}", new_seed=base.seed + 1)
    except UserError:
        assume(False)  # e.g. "add strings" to a piece that already has strings
        return
    assert result.spec is not None
    assert changed(base, result.spec) <= TARGETED[reply]


@PROPERTY_SETTINGS
@given(text=lexicon_soup, base=st.sampled_from(BASE_SPECS))
def test_every_change_is_reported_and_the_seed_only_moves_for_a_variation(text: str, base: MusicSpec) -> None:
    try:
        result = refine(base, text, new_seed=base.seed + 1)
    except UserError as error:
        assert error.message.strip()
        return
    if result.spec is None:
        assert result.action in {"undo", "goto"}
        return
    notes = " ".join(result.changes)
    for field in changed(base, result.spec):
        assert any(word in notes for word in NOTE_WORDS[field]), (field, result.changes)
    if result.action == "update":
        assert result.spec.seed == base.seed
