"""Text clean-up shared by every parser: unicode hygiene, emoji to words, folding and tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.errors import UserError

# Emoji people put in requests, read as the words they stand for.
EMOJI_WORDS: dict[str, str] = {
    "🎹": "piano", "🎸": "guitar", "🎻": "violin", "🎺": "trumpet", "🎷": "saxophone",
    "🥁": "drums", "🪕": "banjo", "🪗": "accordion", "🪈": "flute", "🎤": "voice",
    "🔔": "bells", "🎮": "video game", "👾": "8 bit", "🕹": "8 bit", "🤘": "metal",
    "😢": "sad", "😭": "sad", "😞": "sad", "💔": "sad", "🥲": "sad",
    "😀": "happy", "😃": "happy", "😄": "happy", "😊": "happy", "🙂": "happy", "😁": "happy",
    "🥳": "happy", "🎉": "party", "☀": "happy", "🌞": "happy",
    "😔": "sad", "😥": "sad", "😿": "sad", "🥀": "sad", "🥺": "melancholic", "😪": "melancholic",
    "😂": "playful", "🤣": "playful", "😆": "playful", "😜": "playful", "🤪": "playful", "🤡": "playful",
    "😡": "angry", "🤬": "angry", "😠": "angry", "👻": "spooky", "🎃": "spooky", "💀": "spooky",
    "😨": "tense", "😰": "tense", "😬": "tense", "🖤": "dark", "🌑": "dark", "🦇": "spooky",
    "❤": "romantic", "💕": "romantic", "💘": "romantic", "😍": "romantic", "🥰": "romantic", "💖": "romantic",
    "😴": "calm", "💤": "calm", "😌": "calm", "🧘": "calm", "🌙": "dreamy", "✨": "dreamy",
    "🦄": "dreamy", "🌈": "hopeful", "🌅": "hopeful", "🌄": "hopeful", "🙏": "hopeful",
    "🏆": "triumphant", "🥇": "triumphant", "👑": "triumphant", "🔮": "mysterious", "🕵": "mysterious",
    # Fire is heat, not a mood: it turns the energy up and leaves the mood to the other words ("🎸🔥😢").
    "🔥": "intense", "💥": "intense", "⚡": "energetic", "🕺": "dance", "💃": "dance", "🪩": "dance",
    "💪": "epic", "⚔": "epic", "🗡": "epic", "😱": "tense",
    "🌧": "rainy", "🌊": "ocean", "🚀": "space", "🌃": "night", "🚗": "drive",
    "🎶": "music", "🎵": "music", "🎼": "music", "🎧": "music",
}  # fmt: skip

# Letters that Unicode does not decompose but that appear in the five supported languages.
# The dotless ı is how Turkish keyboards type i ("sıx mınutes"): read it as i.
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_ACCIDENTALS = str.maketrans(
    {
        "♯": "#",
        "♭": "b",
        "＃": "#",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "−": "-",
    }
)
_TOKEN = re.compile(r"[a-z0-9#&]+|[,;.!?→]")
BREAKS = frozenset(",;.!?")
SEPARATOR = " ; "


@dataclass(frozen=True, slots=True)
class Token:
    """One folded word (or clause-breaking punctuation mark) and where it sits in the folded text."""

    word: str
    start: int
    end: int


def clean(text: str, max_chars: int) -> str:
    """The request with control characters gone and unicode composed; UserError if unusable."""
    if len(text) > max_chars:
        raise UserError(_too_long(max_chars))
    composed = unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8"))
    if len(composed) > max_chars:  # NFKC can spell one character out as eighteen ("ﷺ")
        raise UserError(_too_long(max_chars))
    visible = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp", "Zs"} else char
        for char in composed
        if unicodedata.category(char) not in {"Cf", "Cs", "Co", "Cn"}
    )
    cleaned = re.sub(r"\s+", " ", visible.translate(_ACCIDENTALS)).strip()
    if not cleaned:
        raise UserError("Tell me what to compose — for example: sad piano ballad.")
    if not any(char.isalnum() or char in EMOJI_WORDS for char in cleaned):
        raise UserError("I couldn't read any words there — try something like: chill lofi beat.")
    return cleaned


def _too_long(max_chars: int) -> str:
    return f"That's a long message — please keep requests under {max_chars} characters."


def only_symbols(text: str) -> bool:
    """Whether the text is emoji or punctuation without a letter or digit ("👍", "?!"): a reaction, not words."""
    return any(unicodedata.category(char)[0] in "SP" for char in text) and not any(char.isalnum() for char in text)


def emoji_to_words(text: str) -> str:
    """Each known emoji replaced by its word (surrounded by spaces); other symbols left alone."""
    return "".join(f" {EMOJI_WORDS[char]} " if char in EMOJI_WORDS else char for char in text)


def strip_symbols(text: str) -> str:
    """The text without emoji and pictographs, for titles."""
    return "".join(
        char for char in text if unicodedata.category(char) not in {"So", "Sk", "Mn", "Me"} or char.isalnum()
    )


def fold(text: str) -> str:
    """Lower-case, accent-free text where only words, '#', '&' and clause punctuation survive."""
    lowered = text.casefold().translate(_SPECIAL_FOLDS)
    bare = "".join(char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char))
    bare = bare.replace("->", " → ").replace("=>", " → ")
    bare = re.sub(r"\s&\s", " and ", bare)
    return re.sub(r"[^a-z0-9#&,;.!?→]+", " ", bare).strip()


def tokens(folded: str) -> list[Token]:
    """The folded text as tokens with their offsets."""
    return [Token(match.group(), match.start(), match.end()) for match in _TOKEN.finditer(folded)]


def fold_phrase(phrase: str) -> str:
    """A lexicon phrase folded exactly like request text, so both meet in the middle."""
    return " ".join(token.word for token in tokens(fold(phrase)))


def blank(text: str, spans: list[tuple[int, int]], separator: str = SEPARATOR) -> str:
    """The text with each span replaced by a clause separator (so scopes never leap across it)."""
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        pieces.extend([text[cursor:start], separator])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
