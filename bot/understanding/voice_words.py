"""Words about the singing voice: "with vocals", "instrumental", "male voice", "sing it higher", lyrics.

`take_voice_words` pulls these phrases out of a message before the rest is read (so "vocals" is not
taken for a choir and "female" is not left unread), and keeps the lyrics with their line breaks, which
the general clean-up flattens. `voice_changes` turns them into spec fields; `fit_words` sizes the piece
to its words; `sung_lines` is what a reply shows of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.understanding.front import duration_label
from engine.compose.sung import sung_length_s, unsung_stanzas, voice_for
from engine.errors import UserError
from engine.lyrics.language import LANGUAGE_NAMES
from engine.lyrics.words import language_for, read_lyrics
from engine.spec import DURATION_RANGE, VOCAL_SHIFT_RANGE, MusicSpec, build_spec

SHIFT_STEP = 3  # semitones "sing it higher" moves the voice; "a bit" halves it, "much" doubles it
_VOICE = r"(?:vocals?|voice|voices|singer|singing|vox|voz|voix|stimme|gesang|cantante|chanteuse|chanteur)"
# "with a voice" stays the instrument (GM voice oohs) the request corpus expects; these mean a singer.
_SINGER = r"(?:vocals|vocal|singer|singing|vox|gesang|cantante|chanteuse|chanteur)"
_SIZE = r"(?:(a\s+(?:bit|little|touch)|slightly|much|way|a\s+lot)\s+)?"
# "with a" before a voice belongs to it, so a title is not left ending in "…with a".
_WITH = r"(?:(?:with|and|plus|by)\s+(?:a\s+|an\s+)?)?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "off",
        re.compile(
            rf"\b(?:instrumental(?:\s+only|\s+version)?|(?:no|without|drop\s+the|remove\s+the|"
            rf"sin|sans|ohne|sem)\s+{_VOICE}|(?:don'?t|do\s+not|stop)\s+sing(?:ing)?)\b",
            re.I,
        ),
    ),
    (
        "female",
        re.compile(
            rf"\b{_WITH}(?:female|woman'?s?|women'?s?|girl'?s?|feminine|soprano|high|femenina|"
            rf"feminina|féminine|weibliche?)\s+{_VOICE}|\b{_VOICE}\s+(?:femenina|feminina|"
            rf"féminine)\b|\bsung\s+by\s+a\s+(?:woman|girl)\b",
            re.I,
        ),
    ),
    (
        "deep",
        re.compile(
            rf"\b{_WITH}(?:deep|low|bass|baritone)\s+(?:male\s+|man'?s\s+)?{_VOICE}|\b{_VOICE}\s+(?:grave)\b", re.I
        ),
    ),
    (
        "male",
        re.compile(
            rf"\b{_WITH}(?:male|man'?s?|men'?s?|boy'?s?|masculine|tenor|masculina|masculine|männliche?)"
            rf"\s+{_VOICE}|\b{_VOICE}\s+(?:masculina|masculine)\b|\bsung\s+by\s+a\s+(?:man|guy)\b",
            re.I,
        ),
    ),
    (
        "up",
        re.compile(
            rf"\b(?:sing(?:s|ing)?\s+(?:it\s+|this\s+|that\s+)?{_SIZE}higher|{_SIZE}higher\s+"
            rf"{_VOICE}|(?:raise|lift)\s+the\s+{_VOICE})\b",
            re.I,
        ),
    ),
    (
        "down",
        re.compile(
            rf"\b(?:sing(?:s|ing)?\s+(?:it\s+|this\s+|that\s+)?{_SIZE}lower|{_SIZE}lower\s+"
            rf"{_VOICE}|lower\s+the\s+{_VOICE})\b",
            re.I,
        ),
    ),
    (
        "on",
        re.compile(
            rf"\b(?:(?:with|add|and|plus|con|avec|mit|com)\s+(?:a\s+|some\s+)?{_SINGER}|"
            rf"(?:sung|sing\s+it|sing\s+this|vocal\s+version|vocalise|"
            rf"cantad[oa]|chantée?|gesungen))\b",
            re.I,
        ),
    ),
)
_LYRICS_QUOTED = re.compile(
    r"\b(?:new\s+)?(?:lyrics?|letra|paroles|songtext|text)\s?[:=]?\s?[\"“]([^\"”]*)[\"”]?", re.I
)
_LYRICS_OPEN = re.compile(r"\b(?:new\s+)?(?:lyrics?|letra|paroles|songtext)\s?:\s?(.+)$", re.I | re.S)
MAX_LYRICS_CHARS = 1_500


@dataclass(frozen=True, slots=True)
class VoiceWords:
    """What a message says about singing; None/0 where it says nothing."""

    vocals: bool | None = None
    voice: str | None = None
    shift: int = 0
    deep: bool = False
    lyrics: str | None = None
    said: tuple[str, ...] = field(default_factory=tuple)  # the phrases, as written

    @property
    def anything(self) -> bool:
        """Whether the message said anything about the voice (lyrics aside)."""
        return bool(self.said)


def _size(match: re.Match[str]) -> float:
    size = next((group for group in match.groups() if group), "") if match.groups() else ""
    if not size:
        return 1.0
    return 2.0 if size.lower().startswith(("much", "way", "a lot")) else 0.5


def raw_lyrics(text: str) -> str | None:
    """The lyrics in a message with their line breaks and the writer's accents kept."""
    match = _LYRICS_QUOTED.search(text)
    if match and re.search(r"[\"“]", match[0]):
        return match[1].strip() or None
    match = _LYRICS_OPEN.search(text)
    return (match[1].strip() or None) if match else None


def too_long(text: str, max_chars: int) -> str:
    """The one line for a message over the length limit; lyrics get told how much fits."""
    lyrics = raw_lyrics(text)
    if lyrics is None:
        return f"That's too long: please keep requests under {max_chars} characters."
    return (
        f"Those lyrics are {len(lyrics):,} characters; I can set up to about {max_chars} characters "
        "at a time — send a verse and a chorus."
    )


def take_voice_words(text: str, max_chars: int) -> tuple[VoiceWords, str]:
    """The voice words of a message and the message without them (lyrics stay for the explicit reader)."""
    lyrics = raw_lyrics(text)
    if lyrics is not None and len(text) > max_chars:
        raise UserError(too_long(text, max_chars))
    match = (_LYRICS_QUOTED.search(text) or _LYRICS_OPEN.search(text)) if lyrics is not None else None
    cut = match.start() if match else len(text)
    head, tail = text[:cut], text[cut:]  # voice words are read before the lyrics, never inside them
    found: dict[str, Any] = {"vocals": None, "voice": None, "shift": 0.0, "deep": False}
    said: list[str] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(head):
            said.append(match[0])
            head = head.replace(match[0], " " * len(match[0]), 1)
            if kind == "off":
                found["vocals"] = False
            elif kind in ("female", "male"):
                found.update(voice=kind, vocals=True)
            elif kind == "deep":
                found.update(voice="male", vocals=True, deep=True)
            elif kind in ("up", "down"):
                found["shift"] += (1 if kind == "up" else -1) * SHIFT_STEP * _size(match)
            elif found["vocals"] is None:
                found["vocals"] = True
    rest = head + tail
    if lyrics is not None and found["vocals"] is None:
        found["vocals"] = True
    words = VoiceWords(found["vocals"], found["voice"], round(found["shift"]), found["deep"], lyrics, tuple(said))
    return words, rest


def voice_changes(spec: MusicSpec | None, words: VoiceWords) -> tuple[dict[str, Any], list[str]]:
    """Spec fields and the notes a reply shows for what was said about the voice."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    if words.lyrics is not None:
        read_lyrics(words.lyrics)  # words no voice can sing get their one-line answer now
        changes.update(lyrics=words.lyrics, language=None)
        notes.append("new lyrics" if spec is not None and spec.lyrics else "lyrics")
    if words.vocals is not None and (spec is None or words.vocals != spec.vocals):
        changes["vocals"] = words.vocals
        notes.append("vocals" if words.vocals else "instrumental (no vocals)")
    if words.voice is not None and (spec is None or words.voice != spec.voice):
        changes["voice"] = words.voice
        notes.append(f"{'deep ' if words.deep else ''}{words.voice} voice")
    shift = words.shift - (2 if words.deep and (spec is None or spec.vocal_shift > -2) else 0)
    if shift:
        current = spec.vocal_shift if spec is not None else 0
        low, high = VOCAL_SHIFT_RANGE
        moved = min(max(current + shift, low), high)
        if moved == current:
            raise UserError(
                f"That's as {'high' if shift > 0 else 'low'} as this voice sings — try a "
                f"{'female' if shift > 0 else 'male'} voice instead."
            )
        changes["vocal_shift"] = moved
        if words.shift:
            notes.append(f"voice {'up' if moved > current else 'down'} {abs(moved - current)} semitones")
    return changes, notes


def sung_spec(fields: dict[str, Any], words: VoiceWords, asked: bool, understood: list[str]) -> MusicSpec:
    """A new request's spec with what it said about the voice, sized to its words; notes join `understood`."""
    changes, notes = voice_changes(None, words)
    if fields.get("lyrics") and words.vocals is None:
        changes["vocals"] = True  # words are there to be sung
    spec, note = fit_words(build_spec({**fields, **changes}), asked)
    understood.extend(item for item in (*notes, note) if item and item not in understood)
    return spec


def fit_words(spec: MusicSpec, asked: bool, previous: MusicSpec | None = None) -> tuple[MusicSpec, str | None]:
    """The spec sized to its words: their length when none was asked, longer when the asked one is too short."""
    if not spec.lyrics or not spec.vocals:
        return spec, None
    if spec.form:  # a form made by hand (a jam) keeps its length; the words go into its sections
        left = unsung_stanzas(spec)
        if left:
            raise UserError(
                f"{left} stanza{'s' if left > 1 else ''} of these words find no section to be sung "
                "in — add one with “next section: verse”, or send fewer."
            )
        return spec, None
    need = round(sung_length_s(spec), 1)
    if need > DURATION_RANGE[1]:
        raise UserError(
            f"These words need {duration_label(need)} to sing and a piece can be at most "
            f"{duration_label(DURATION_RANGE[1])} — send fewer verses."
        )
    # With no length asked now, the piece follows its words, unless an earlier version was asked longer.
    longer_before = (
        previous is not None
        and previous.vocals
        and previous.lyrics is not None
        and (previous.duration_s > sung_length_s(previous) + 0.5)
    )
    if not asked and not longer_before:
        return (spec if spec.duration_s == need else spec.replace(duration_s=need)), None
    if spec.duration_s + 0.5 < need:
        note = f"the words need {duration_label(need)}; made it {duration_label(need)}"
        return spec.replace(duration_s=need), note
    return spec, None


def sung_lines(spec: MusicSpec, limit: int = 240) -> str:
    """What a reply says about the singing: voice, language and the first words; empty when nobody sings."""
    if not spec.vocals:
        return ""
    voice = f"{voice_for(spec)} voice"
    if not spec.lyrics:
        return f"🎤 {voice}, a vocalise (ooh, la) on the melody"
    lines = [line.strip() for line in spec.lyrics.splitlines() if line.strip() and not line.strip().startswith("[")]
    text = " / ".join(lines)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " … (/lyrics for all)"
    return f"🎤 {voice}, {LANGUAGE_NAMES[language_for(spec)]}: {text}"


def lyrics_sheet(spec: MusicSpec, version: int) -> str:
    """The words of a piece for /lyrics, as written, with their section labels."""
    if not spec.lyrics:
        sung = "sings a vocalise (ooh, la) without words" if spec.vocals else "has no words"
        return f"v{version} {sung}. Reply “new lyrics: …” to give it some."
    heading = f"🎤 v{version} · {spec.title or spec.summary()}" + ("" if spec.vocals else " (instrumental now)")
    return f"{heading}\n{spec.lyrics}"
