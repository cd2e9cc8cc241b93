"""The lexicon: every known phrase (folded) → what it means, and the scanner that finds them in text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from bot.understanding import controls
from bot.understanding.instrument_words import instrument_phrases
from bot.understanding.moods import MOOD_COMPARATIVES, MOOD_WORDS
from bot.understanding.styles import genre_phrases, style_phrases
from bot.understanding.text import BREAKS, Token, fold_phrase

Kind = Literal[
    "genre",
    "style",
    "mood",
    "mood_more",
    "instrument",
    "drums",
    "drumless",
    "density",
    "kit",
    "op",
    "size",
    "tempo",
    "tempo_more",
    "length",
    "length_more",
    "energy",
    "energy_more",
    "mode",
    "meter",
    "action",
]


@dataclass(frozen=True, slots=True)
class Meaning:
    """One thing a phrase can mean: a kind ('mood') and a value ('sad')."""

    kind: Kind
    value: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A lexicon phrase found in the text: its meanings and the tokens [first, last) it covers."""

    meanings: tuple[Meaning, ...]
    first: int
    last: int
    phrase: str

    def has(self, kind: Kind) -> bool:
        """Whether one of the meanings is of this kind."""
        return any(meaning.kind == kind for meaning in self.meanings)

    def value(self, kind: Kind) -> str | None:
        """The value of the meaning of this kind, if any."""
        return next((meaning.value for meaning in self.meanings if meaning.kind == kind), None)


def _entries() -> Iterable[tuple[str, Kind, str]]:
    """(phrase, kind, value) for every phrase, most specific sources first."""
    for phrase, name in style_phrases().items():
        yield phrase, "style", name
    for phrase, name in genre_phrases().items():
        yield phrase, "genre", name
    for phrase, name in instrument_phrases().items():
        yield phrase, "instrument", name
    tables: tuple[tuple[Kind, Mapping[str, tuple[str, ...]]], ...] = (
        ("mood", MOOD_WORDS),
        ("mood_more", MOOD_COMPARATIVES),
        ("op", controls.OPERATOR_WORDS),
        ("size", controls.SIZE_WORDS),
        ("tempo", controls.TEMPO_WORDS),
        ("tempo_more", controls.TEMPO_COMPARATIVES),
        ("length", controls.LENGTH_WORDS),
        ("length_more", controls.LENGTH_COMPARATIVES),
        ("energy", controls.ENERGY_WORDS),
        ("energy_more", controls.ENERGY_COMPARATIVES),
        ("density", controls.DENSITY_WORDS),
        ("kit", controls.KIT_WORDS),
        ("mode", controls.MODE_WORDS),
        ("meter", controls.METER_WORDS),
        ("action", controls.ACTION_WORDS),
    )
    for kind, table in tables:
        for value, phrases in table.items():
            for phrase in phrases:
                yield phrase, kind, value
    for phrase in controls.DRUM_WORDS:
        yield phrase, "drums", "on"
    for phrase in controls.DRUMLESS_WORDS:
        yield phrase, "drumless", "off"


def _build() -> tuple[dict[str, tuple[Meaning, ...]], tuple[str, ...]]:
    """The phrase table, plus a note for each phrase given two values of the same kind."""
    table: dict[str, dict[str, str]] = {}
    conflicts: list[str] = []
    for phrase, kind, value in _entries():
        key = fold_phrase(phrase)
        if not key:
            continue
        kinds = table.setdefault(key, {})
        if kinds.get(kind, value) != value:
            conflicts.append(f"{key!r}: {kind} {kinds[kind]!r} vs {value!r}")
            continue
        kinds[kind] = value
    lexicon = {
        key: tuple(Meaning(kind, value) for kind, value in kinds.items())  # type: ignore[arg-type]
        for key, kinds in table.items()
    }
    return lexicon, tuple(conflicts)


_TABLE, CONFLICTS = _build()
LEXICON: Mapping[str, tuple[Meaning, ...]] = MappingProxyType(_TABLE)
MAX_WORDS = max(len(key.split()) for key in LEXICON)
FILLERS = frozenset(fold_phrase(word) for word in controls.FILLER_WORDS)
CHATTER = frozenset(fold_phrase(word) for word in controls.CHATTER_WORDS)


def lookup(phrase: str) -> tuple[Meaning, ...]:
    """The meanings of a folded phrase, trying a singular for a plural last word ('trumpets')."""
    meanings = LEXICON.get(phrase)
    if meanings:
        return meanings
    # Plurals, and the endings German and Romance adjectives take ("epische", "trauriges").
    for suffix in ("es", "s", "en", "em", "er", "e"):
        if phrase.endswith(suffix) and len(phrase.rsplit(" ", 1)[-1]) - len(suffix) >= (3 if "s" in suffix else 4):
            meanings = LEXICON.get(phrase[: -len(suffix)])
            if meanings:
                return meanings
    return ()


def scan(tokens: list[Token]) -> list[Mention]:
    """The lexicon phrases in the tokens, left to right, longest match first, never overlapping."""
    mentions: list[Mention] = []
    index = 0
    while index < len(tokens):
        if tokens[index].word in BREAKS:
            index += 1
            continue
        for width in range(min(MAX_WORDS, len(tokens) - index), 0, -1):
            words = [token.word for token in tokens[index : index + width]]
            if any(word in BREAKS for word in words):
                continue
            phrase = " ".join(words)
            meanings = lookup(phrase)
            if meanings:
                mentions.append(Mention(meanings, index, index + width, phrase))
                index += width
                break
        else:
            index += 1
    return mentions


def unknown_words(tokens: list[Token], mentions: list[Mention]) -> list[str]:
    """Words that are neither lexicon phrases nor fillers: what the encoder may still make sense of."""
    covered = {index for mention in mentions for index in range(mention.first, mention.last)}
    return [
        token.word
        for index, token in enumerate(tokens)
        if index not in covered
        and token.word not in BREAKS
        and token.word not in FILLERS
        and len(token.word) > 1
        and not token.word.isdigit()
    ]
