"""Which language the words are in: the script first, then common short words, deterministically."""

from __future__ import annotations

import re
import unicodedata

from engine.errors import UserError
from engine.spec import LANGUAGES

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese"}
# Frequent words that mostly belong to one language; a tie goes to the earlier language in LANGUAGES.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the a an and you i my is of to in it me your we on for with all this that love be are was what "
        "when down night day heart oh so just can will don't i'm it's at from by our they their she he "
        "her his not no while".split()
    ),
    "es": frozenset(
        "el la los las y de que en un una mi tu yo es por con para amor corazón no se del al noche como".split()
    ),
    "fr": frozenset(
        "le la les et de des que je tu est un une mon ma pas dans pour avec nous vous amour coeur cœur nuit".split()
    ),
    "de": frozenset(
        "der die das und ich du ist nicht ein eine mein dein mit zu auf im wir ihr liebe herz nacht".split()
    ),
    "pt": frozenset("o a os as e de que eu tu um uma meu minha não em com para por do da amor coração noite".split()),
}
_MARKS = {"es": "ñ¿¡", "pt": "ãõ", "fr": "çœèêùû", "de": "äöüß"}
_LETTER = re.compile(r"[^\W\d_]")


def check_script(text: str) -> None:
    """UserError when the words have no letters, or are in a script no voice here speaks."""
    letters = _LETTER.findall(text)
    if not letters:
        raise UserError(
            'The lyrics have no words to sing — write them in letters, e.g. lyrics: "walking down the road".'
        )
    latin = sum(1 for letter in letters if unicodedata.name(letter, "").startswith("LATIN"))
    if latin < len(letters) * 0.8:
        names = ", ".join(LANGUAGE_NAMES[code] for code in LANGUAGES)
        raise UserError(f"I can only sing words in the Latin alphabet ({names}); try the lyrics in one of those.")


def detect_language(text: str) -> str:
    """The most likely of the supported languages for these words; English when nothing tells."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {code: sum(word in _STOPWORDS[code] for word in words) for code in LANGUAGES}
    for code, marks in _MARKS.items():
        scores[code] += 2 * sum(text.lower().count(mark) for mark in marks)
    best = max(LANGUAGES, key=lambda code: scores[code])
    return best if scores[best] > 0 else "en"
