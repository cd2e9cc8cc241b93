"""The singer's voices and languages, as data: which voice speaks the words, in which register it sings."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from engine.errors import UserError


@dataclass(frozen=True, slots=True)
class Voice:
    """One singing voice: the speakers that give its timbre (Festival in English) and the register it sings in."""

    name: str
    festival: str  # Festival voice that speaks English lyrics
    variant: str  # espeak-ng voice variant (formants, breathiness) for other languages: "<language>+<variant>"
    speech_pitch: int  # espeak-ng base pitch 0..100 of the spoken source: its top, nearest the sung register
    low: int  # MIDI range the voice sings comfortably; a line is moved by octaves to sit in it
    high: int
    vibrato_cents: float  # depth (±) of the vibrato on long notes
    vibrato_hz: float
    breath_level: float  # breath noise level relative to the sung line's RMS


# English is spoken by Festival: slt (HTS, a US woman) and kal (diphones of a US man), the clearest of its
# Debian voices on the tuning lyrics (tests/data/tuning_lyrics.jsonl; docs/vocals.md). Other languages use
# espeak-ng: its f3 variant adds an echo and breath noise that get stretched into held vowels, so the female
# variant is "linda" (f4's formants, no echo, no breath).
VOICES: dict[str, Voice] = {
    "female": Voice("female", "cmu_us_slt_arctic_hts", "linda", 99, 57, 79, 40.0, 5.6, 0.12),
    "male": Voice("male", "kal_diphone", "m3", 99, 43, 62, 35.0, 5.3, 0.10),
}
VOICE_NAMES: tuple[str, ...] = tuple(VOICES)


@dataclass(frozen=True, slots=True)
class Language:
    """A language the singer reads: who pronounces it (Festival or an espeak-ng voice) and its script."""

    code: str
    espeak: str
    script: str  # Unicode character-name prefix every letter of a lyric must carry
    festival: bool = False  # spoken by the voice's Festival voice rather than by espeak-ng


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en-us", "LATIN", festival=True),
    "es": Language("es", "es", "LATIN"),
    "fr": Language("fr", "fr", "LATIN"),
    "de": Language("de", "de", "LATIN"),
    "pt": Language("pt", "pt-br", "LATIN"),
}
LANGUAGE_CODES: tuple[str, ...] = tuple(LANGUAGES)


def voice_named(name: str) -> Voice:
    """The voice preset called `name`, or a UserError listing the voices there are."""
    try:
        return VOICES[name]
    except KeyError:
        raise UserError(f"There is no voice '{name}'; the singer has {', '.join(VOICE_NAMES)}.") from None


def language_named(code: str) -> Language:
    """The language with ISO code `code`, or a UserError listing the languages the singer reads."""
    try:
        return LANGUAGES[code.lower()]
    except KeyError:
        raise UserError(f"The singer does not sing in '{code}'; it sings in {', '.join(LANGUAGE_CODES)}.") from None


def readable_syllable(lyric: str, language: Language) -> str:
    """The letters of one lyric syllable that espeak-ng should read (punctuation dropped).

    A letter outside the language's script, or a symbol such as an emoji, is a UserError naming it.
    """
    kept = []
    for char in lyric.strip():
        category = unicodedata.category(char)
        if category[0] == "L" or category == "Mn":
            if category[0] == "L" and not unicodedata.name(char, "").startswith(language.script):
                raise UserError(
                    f"The singer can't read '{char}' in \"{lyric.strip()}\": "
                    f"lyrics in '{language.code}' are sung from {language.script.title()} letters."
                )
            kept.append(char)
        elif category == "Nd" or char in "'’-":
            kept.append("'" if char == "’" else char)
        elif category[0] in "PZ":
            continue
        else:
            raise UserError(f"The singer can't sing '{char}' in \"{lyric.strip()}\": lyrics must be words.")
    text = "".join(kept).strip("-'")
    if not any(c.isalnum() for c in text):
        raise UserError(f'The syllable "{lyric.strip()}" has no letters to sing.')
    return text
