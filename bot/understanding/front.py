"""The shared front end of requests and refinements: clean, pull out explicit values, read the words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.explicit import Explicit, find_all
from bot.understanding.grammar import Reading, read
from bot.understanding.lexicon import FILLERS
from bot.understanding.text import blank, clean, emoji_to_words, fold, strip_symbols, tokens
from engine.genres import WRITTEN_NAMES

SIZE_FACTOR = {"small": 0.5, "normal": 1.0, "large": 2.0}
_SMALL_TITLE_WORDS = frozenset(
    "a an the and or of to for in on at by with from de la el y et le les des du und der die das e o da do "
    "para en con".split()
)
_TRAILING_JUNK = frozenset("please pls plz thanks thank you for with and or in at by of but a an the".split())
_TITLE_CHARS = 48
# Filler words that still tell the encoder something ("underwater level", "love theme").
_ENCODER_CONTEXT = frozenset({"level", "theme", "scene", "background", "bg"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """A message taken apart: the cleaned text, the explicit values, and the reading of the rest."""

    cleaned: str
    rest: str  # cleaned text with explicit values blanked out
    explicit: Explicit
    reading: Reading


def parse(text: str, *, max_chars: int, versions: bool = False) -> Parsed:
    """Clean the text, find explicit values, and read what is left; UserError for unusable text."""
    cleaned = clean(text, max_chars)
    explicit = find_all(cleaned, versions=versions)
    rest = blank(cleaned, explicit.spans)
    reading = read(tokens(fold(emoji_to_words(rest))))
    return Parsed(cleaned, rest, explicit, reading)


def encoder_phrase(rest: str) -> str:
    """The descriptive part of a message for the encoder: folded words, fillers trimmed off the ends."""
    words = [token.word for token in tokens(fold(emoji_to_words(rest))) if token.word.isalnum()]
    trimmable = FILLERS - _ENCODER_CONTEXT
    while words and words[0] in trimmable:
        words.pop(0)
    while words and words[-1] in trimmable:
        words.pop()
    return " ".join(words)[:200]


def title_from(rest: str) -> str:
    """A title from the request's own words: 'make me a sad piano ballad' → 'Sad Piano Ballad'."""
    words: list[str] = []
    for clause in re.split(r"[;,.!?()\[\]{}\n]| - |:", strip_symbols(rest)):
        words = re.findall(r"[\w'&+#-]+", clause)
        while words and fold(words[0]) in FILLERS:
            words.pop(0)
        while words and fold(words[-1]) in _TRAILING_JUNK:
            words.pop()
        if words:
            break
    title_words: list[str] = []
    for index, word in enumerate(words):
        lower = word.lower()
        if any(char.isupper() for char in word) or any(char.isdigit() for char in word):
            title_words.append(word)
        elif index > 0 and lower in _SMALL_TITLE_WORDS:
            title_words.append(lower)
        elif lower in WRITTEN_NAMES:  # "edm" → "EDM", "lofi" → "Lo-fi"
            title_words.append(WRITTEN_NAMES[lower][:1].upper() + WRITTEN_NAMES[lower][1:])
        else:
            title_words.append(word[:1].upper() + word[1:])
    title = " ".join(title_words)
    if len(title) > _TITLE_CHARS:
        title = title[:_TITLE_CHARS].rsplit(" ", 1)[0]
    return title if any(char.isalpha() for char in title) else ""


def duration_label(seconds: float) -> str:
    """Seconds as m:ss."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
