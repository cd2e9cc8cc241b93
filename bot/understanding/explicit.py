"""Explicit values always win: tempo, key, meter, length, lyrics and version numbers written out.

Each finder returns its value and the character spans it used; the spans are blanked out of the
text before the lexicon reads the rest, so "in A minor" is never also read as the mood word "minor".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.understanding.text import fold_phrase
from engine.spec import PITCH_CLASS, TEMPO_RANGE

_ENHARMONIC = {"Cb": "B", "Fb": "E", "E#": "F", "B#": "C"}
_MODE_NAMES = {
    "major": "major", "maj": "major", "mayor": "major", "majeur": "major", "maior": "major", "dur": "major",
    "minor": "minor", "min": "minor", "m": "minor", "menor": "minor", "mineur": "minor", "moll": "minor",
    "dorian": "dorian", "phrygian": "phrygian", "lydian": "lydian", "mixolydian": "mixolydian",
    "locrian": "locrian",
}  # fmt: skip
_SOLFEGE = {"do": "C", "re": "D", "mi": "E", "fa": "F", "sol": "G", "la": "A", "si": "B"}
_MODE_ALT = "|".join(sorted((name for name in _MODE_NAMES if name != "m"), key=len, reverse=True))
_ACCIDENTAL = r"(#|b|\s?-?sharp|\s?-?flat|\s?sostenido|\s?bemol|\s?diese|\s?sustenido)?"

_GERMAN_KEY = re.compile(r"\b([a-h])(is|es|s)?\s?-?\s?(moll|dur)\b", re.I)
_GERMAN_H_KEY = re.compile(r"\b(h)\s?-?\s?(minor|major)\b", re.I)  # German H is B: "in H minor"
_SOLFEGE_KEY = re.compile(
    rf"\b(do|re|mi|fa|sol|la|si)\s?{_ACCIDENTAL}\s+(mayor|menor|majeur|mineur|maior|major|minor)\b", re.I
)
_LETTER_MODE_KEY = re.compile(rf"\b([A-Ga-g]){_ACCIDENTAL}\s?-?\s?({_MODE_ALT})\b", re.I)
_CHORD_SYMBOL_KEY = re.compile(r"(?<![\w#])([A-G])(#|b)?m(?![\w#&])")
# A key-like name that is no key: reported, never replaced by a random key. Each pattern gives the letter
# and its accidental; a lone letter counts only where the words say it is a key ("it's sharp" is not one).
_ODD_ACCIDENTAL = r"(#|b|\s?-?sharp|\s?-?flat)"
_ODD_KEYS = (
    re.compile(rf"(?<![\w#'])([j-zJ-Z])(#)(?:\s?-?\s?(?:{_MODE_ALT}))?(?![\w#&'])", re.I),  # "Z#", "x# minor"
    re.compile(rf"\b(?:in|key of|key)\s+([i-zI-Z]){_ODD_ACCIDENTAL}?\s?-?\s?(?:{_MODE_ALT})\b", re.I),  # "in X minor"
    re.compile(rf"\b(?:key of|key|tonart|tonalidad|tonalite)\s+([i-zI-Z]){_ODD_ACCIDENTAL}?(?![\w#&'])", re.I),
    re.compile(rf"\bin\s+([i-zI-Z]){_ODD_ACCIDENTAL}(?![\w#&'])", re.I),  # "in Jb"
)
_BARE_KEY = re.compile(
    r"(?i:\b(?:in|to|into|key of|key|en|em|tonart|tonalidad|tonalite|tom)\s+)([A-G])(#|b|\s?sharp|\s?flat)?(?![\w#&'])"
)

_METER = re.compile(r"(?<![\d/])(\d{1,2})\s?/\s?(\d{1,2})(?![\d/])")
# Words around a fraction that make it a time signature even when it is not one ("in 4/3", "7/0 time").
_METER_BEFORE = re.compile(r"\b(?:in|into|to|en|em|im)\s?$", re.I)
_METER_AFTER = re.compile(r"\s?(?:time|meter|metre|signature|takt|compas|tiempo|mesure)\b", re.I)
_TEMPO_UNIT = re.compile(
    r"(\d{1,4})\s?-?\s?(?:bpm|b\.p\.m\.?|beats? per minute|beats? a minute|ppm|pulsaciones|lpm|"
    r"schlage pro minute|batidas por minuto|bpms)(?![a-z])",
    re.I,
)
_TEMPO_PREFIX = re.compile(r"(?:\btempo|\bbpm|♩|=)\s?(?:of|de|=|:|at|a|auf|em)?\s?(\d{2,3})(?![\d%])", re.I)
_TEMPO_PERCENT = re.compile(
    r"(\d{1,3})\s?(?:%|percent|per cent|por ciento|pour cent|prozent|por cento)\s?"
    r"(faster|quicker|slower|mas rapido|mas lento|plus rapide|plus lent|schneller|langsamer|"
    r"mais rapido|mais lento)",
    re.I,
)
_TEMPO_DELTA = re.compile(
    r"(?:([+-])\s?(\d{1,3})\s?bpm\b)|(?:(\d{1,3})\s?bpm\s(faster|quicker|slower|more|less)\b)|"
    r"(?:(faster|quicker|slower)\sby\s(\d{1,3})\s?(bpm|%|percent)?)",
    re.I,
)
_BARE_NUMBER = re.compile(r"(?<![\w.,:/#+-])(\d{2,3})(?![\w.,:/%'-]|\s?(?:-|%|bit|x\b|th\b))")
_DECADE = re.compile(r"(?:(')|\b(19|20)|(?<![\d.,]))(\d0)s\b", re.I)
_DECADE_FOLLOWERS = re.compile(
    r"\s*(?:[a-z&-]+\s){0,2}?(?:music|style|vibe|vibes|era|song|songs|sound|feel|hits|kid|retro|rock|pop|"
    r"hip|rap|synth|synthwave|disco|funk|soul|r&b|rnb|house|techno|jazz|punk|metal|dance|anime|movie|"
    r"film|tv|cartoon|video|arcade|game|country|new|grunge|boy|girl|r'n'b|edm|trance|style)",
    re.I,
)

_NUMBER_WORDS = {
    fold_phrase(word): value
    for value, words in {
        1: "a an one un una uno une ein eine einer um uma",
        2: "two dos deux zwei dois duas couple",
        3: "three tres trois drei tres",
        4: "four cuatro quatre vier quatro",
        5: "five cinco cinq funf",
        6: "six seis sechs",
        7: "seven siete sept sieben sete",
        8: "eight ocho huit acht oito",
        9: "nine nueve neuf neun nove",
        10: "ten diez dix zehn dez",
        12: "twelve doce douze zwolf doze",
        15: "fifteen quince quinze funfzehn",
        20: "twenty veinte vingt zwanzig vinte",
        30: "thirty treinta trente dreissig dreisig trinta",
        40: "forty cuarenta quarante vierzig quarenta",
        45: "forty-five fortyfive cuarenta-y-cinco",
        60: "sixty sesenta soixante sechzig sessenta",
        90: "ninety noventa quatre-vingt-dix neunzig",
    }.items()
    for word in words.split()
}
_NUMBER = (
    r"(\d+(?:[.,]\d+)?|"
    + "|".join(re.escape(word).replace(r"\ ", r"[\s-]") for word in sorted(_NUMBER_WORDS, key=len, reverse=True))
    + ")"
)
_HALF = r"(\s(?:and a half|y medio|y media|et demie|et demi|und ein halb|und einhalb|e meio|e meia))?"
_MINUTES = r"(?:minutes?|mins?|minutos?|minuten|mn|m)"
_HOURS = r"(?:hours?|hrs?|horas?|heures?|stunden?|h)"
_SECONDS = r"(?:seconds?|secs?|segundos?|secondes?|sekunden|sekunde|segs?|s)"
_DURATION_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d)(?![\d:])")
_DURATION_MIN_SEC = re.compile(rf"(?<![\d.,])(\d{{1,4}})\s?{_MINUTES}\s?(?:and\s)?([0-5]?\d)\s?(?:{_SECONDS})?\b", re.I)
_LONG_UNITS = (
    r"(?:minutes?|mins?|minutos?|minuten|seconds?|secs?|segundos?|secondes?|sekunden|sekunde|"
    r"segs?|hours?|hrs?|horas?|heures?|stunden?)"
)
_DURATION = re.compile(
    rf"(?<![\w.,])(?:(half an?|half|medio|media|une demi|eine halbe|meio|anderthalb)\s)?"
    rf"{_NUMBER}?{_HALF}\s?-?\s?({_MINUTES}|{_SECONDS}|{_HOURS})\b{_HALF}",
    re.I,
)
_LYRICS = re.compile(r"\b(?:lyrics?|letra|paroles|songtext|text)\s?[:=]?\s?\"([^\"]*)\"?", re.I)
_LYRICS_OPEN = re.compile(r"\b(?:lyrics?|letra|paroles|songtext)\s?:\s?(.+)$", re.I)
_VERSION = re.compile(
    r"(?:\b(?:v|version|versions|take|ver|versao|version|nummer|numero|number)\s?#?|#)"
    r"(\d{1,4})\b|\bback\sto\s(\d{1,4})\b",
    re.I,
)
_ORDINAL_VERSION = re.compile(r"\b(first|original|second|third|fourth|fifth)\s(?:one|version|take)\b", re.I)
_DRUM_MACHINES = frozenset({"808", "909", "303", "707"})
# Lengths past this many seconds are all simply too long; capping keeps floats finite ("9" * 400 seconds).
_LONGEST_READ_S = 1e9
_ORDINALS = {"first": 1, "original": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}


@dataclass
class Explicit:
    """Values written out in the message, and the spans of text they came from."""

    tempo_bpm: int | None = None
    tempo_factor: float | None = None  # "10% faster" → 1.1
    tempo_delta: int | None = None  # "+10 bpm" → 10
    key: str | None = None
    mode: str | None = None
    meter: str | None = None
    duration_s: float | None = None
    lyrics: str | None = None
    version: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        """Whether any explicit value was found."""
        return any(
            value is not None
            for value in (
                self.tempo_bpm,
                self.tempo_factor,
                self.tempo_delta,
                self.key,
                self.mode,
                self.meter,
                self.duration_s,
                self.lyrics,
                self.version,
            )
        )


def plain(text: str) -> str:
    """The text without accents, same length, so spans found here also fit the original.

    The dotless ı becomes i: IGNORECASE lets it match an i in the patterns ("mı mayor"), and the
    tables it is then looked up in only know the i.
    """
    out = []
    for char in text:
        out.append("i" if char == "ı" else (unicodedata.normalize("NFKD", char)[:1] or char))
    return "".join(out)


def _key_name(letter: str, accidental: str | None) -> str | None:
    sign = (accidental or "").strip().lstrip("-").lower()
    suffix = "#" if sign in {"#", "sharp", "sostenido", "diese", "sustenido"} else ("b" if sign else "")
    name = letter.upper() + suffix
    name = _ENHARMONIC.get(name, name)
    return name if name in PITCH_CLASS else None


def _german_key(letter: str, suffix: str | None) -> str | None:
    letter, suffix = letter.lower(), (suffix or "").lower()
    if letter == "h":
        return "B"
    if letter == "b" and not suffix:
        return "Bb"
    accidental = "#" if suffix == "is" else ("b" if suffix in {"es", "s"} else "")
    return _key_name(letter, accidental)


def find_key(text: str, found: Explicit) -> None:
    """Key and mode: 'in Bb', 'F# minor', 'Am', 'a-Moll', 'ré mineur'."""
    finders = (
        (_GERMAN_KEY, lambda m: (_german_key(m[1], m[2]), "minor" if m[3].lower() == "moll" else "major")),
        (_GERMAN_H_KEY, lambda m: ("B", m[2].lower())),
        (_SOLFEGE_KEY, lambda m: (_key_name(_SOLFEGE.get(m[1].lower(), "?"), m[2]), _MODE_NAMES.get(m[3].lower()))),
        (_LETTER_MODE_KEY, lambda m: (_key_name(m[1], m[2]), _MODE_NAMES.get(m[3].lower()))),
        (_CHORD_SYMBOL_KEY, lambda m: (_key_name(m[1], m[2]), "minor")),
        (_BARE_KEY, lambda m: (_key_name(m[1], m[2]), None)),
    )
    for pattern, read in finders:
        for match in pattern.finditer(text):
            key, mode = read(match)
            if key is not None:
                found.key, found.mode = key, mode
                found.spans.append(match.span())
                return
    for pattern in _ODD_KEYS:
        odd = pattern.search(text)
        if odd:  # the spec refuses it in one line, naming what keys look like
            accidental = (odd[2] or "").strip().lstrip("-").lower()
            found.key = odd[1].upper() + ("#" if accidental in {"#", "sharp"} else ("b" if accidental else ""))
            found.spans.append(odd.span())
            return


def find_meter(text: str, found: Explicit) -> None:
    """A time signature like 3/4 or 7/8 (validity is the spec's business).

    A fraction that cannot be a meter is one only when the words say so ("in 4/3", "7/0 time"): then
    it is kept for the spec to refuse, while "24/7 lofi radio" stays a phrase.
    """
    for match in _METER.finditer(text):
        top, bottom = int(match[1]), int(match[2])
        plausible = top >= 2 and bottom in {2, 4, 8, 16}
        before = max(0, match.start() - 6)  # a short look back keeps a text full of fractions linear
        named = bool(_METER_BEFORE.search(text, before, match.start()) or _METER_AFTER.match(text, match.end()))
        if plausible or named:
            found.meter = f"{top}/{bottom}"
            found.spans.append(match.span())
            return


def find_tempo(text: str, found: Explicit) -> None:
    """Tempo: '140bpm', 'tempo 90', '10% faster', '+10 bpm', or a bare number in the tempo range."""
    for match in _TEMPO_PERCENT.finditer(text):
        percent = int(match[1]) / 100
        found.tempo_factor = 1 + percent if _is_faster(match[2]) else max(0.1, 1 - percent)
        found.spans.append(match.span())
    for match in _TEMPO_DELTA.finditer(text):
        if match[1]:
            found.tempo_delta = int(match[2]) * (1 if match[1] == "+" else -1)
        elif match[3]:
            found.tempo_delta = int(match[3]) * (1 if _is_faster(match[4]) else -1)
        elif match[7] in {"%", "percent"}:
            percent = int(match[6]) / 100
            found.tempo_factor = 1 + percent if _is_faster(match[5]) else max(0.1, 1 - percent)
        else:
            found.tempo_delta = int(match[6]) * (1 if _is_faster(match[5]) else -1)
        found.spans.append(match.span())
    text = _masked(text, found.spans)
    for pattern in (_TEMPO_UNIT, _TEMPO_PREFIX):
        stated = pattern.search(text)
        if stated:
            found.tempo_bpm = int(stated[1])
            found.spans.append(stated.span())
            return


def find_bare_tempo(text: str, found: Explicit) -> None:
    """A lone number inside the tempo range ('make it 120'), once nothing else claimed it."""
    if found.tempo_bpm is not None:
        return
    for match in _BARE_NUMBER.finditer(_masked(text, found.spans)):
        if TEMPO_RANGE[0] <= int(match[1]) <= TEMPO_RANGE[1]:
            found.tempo_bpm = int(match[1])
            found.spans.append(match.span())
            return


def _is_faster(word: str) -> bool:
    return word.lower() in {"faster", "quicker", "more", "mas rapido", "plus rapide", "schneller", "mais rapido"}


def find_duration(text: str, found: Explicit) -> None:
    """Length: '2 minutes', '90s', '1:30', 'a minute and a half', 'dos minutos' (decades skipped)."""
    for match in _DECADE.finditer(text):
        if match[1] or match[2] or _DECADE_FOLLOWERS.match(text, match.end()):
            found.spans.append(match.span())  # "80s synthwave" names an era, not a length
    masked = _masked(text, found.spans)
    for pattern in (_DURATION_CLOCK, _DURATION_MIN_SEC):
        clock = pattern.search(masked)
        if clock:
            found.duration_s = _signed(masked, clock.start(), int(clock[1]) * 60 + int(clock[2]))
            found.spans.append(clock.span())
            return
    for match in _DURATION.finditer(masked):
        half_before, number, half_mid, unit, half_after = match.groups()
        if number is None and half_before is None:
            continue
        if number in _DRUM_MACHINES:
            continue  # "808s" are drums, not thirteen minutes
        if number and not number[0].isdigit() and not re.fullmatch(_LONG_UNITS, unit, re.I):
            continue  # "as" is not "a" + "s": worded numbers need a spelled-out unit
        amount = _number(number) if number else 1.0
        if amount is None:
            continue
        if half_before:
            amount = 1.5 if half_before.lower() == "anderthalb" else amount * 0.5
        if half_mid or half_after:
            amount += 0.5
        scale = 60 if re.fullmatch(_MINUTES, unit, re.I) else (3600 if re.fullmatch(_HOURS, unit, re.I) else 1)
        found.duration_s = _signed(masked, match.start(), round(min(amount * scale, _LONGEST_READ_S), 1))
        found.spans.append(match.span())
        return


def _signed(text: str, start: int, seconds: float) -> float:
    """The length negative when a minus sign stands right before it ("-5 minutes", not "2-5 minutes")."""
    negative = start > 0 and text[start - 1] == "-" and (start == 1 or not text[start - 2].isalnum())
    return -seconds if negative else seconds


def _number(word: str) -> float | None:
    """A number written in digits or words; None for anything the tables do not know."""
    folded = fold_phrase(word)
    if folded in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[folded])
    if not word[:1].isdigit():
        return None
    return min(float(word.replace(",", ".")), _LONGEST_READ_S)


def find_lyrics(text: str, found: Explicit) -> None:
    """Lyrics given in quotes after 'lyrics:' (or to the end of the message without quotes)."""
    match = _LYRICS.search(text)
    if match and '"' in match[0]:
        found.lyrics = match[1].strip() or None
        found.spans.append(match.span())
        return
    match = _LYRICS_OPEN.search(text)
    if match:
        found.lyrics = match[1].strip() or None
        found.spans.append(match.span())


def find_version(text: str, found: Explicit) -> None:
    """A version reference: 'v2', 'version 3', 'back to 2', 'the first one'."""
    match = _VERSION.search(text)
    if match:
        found.version = int(match[1] or match[2])
        found.spans.append(match.span())
        return
    match = _ORDINAL_VERSION.search(text)
    if match:
        found.version = _ORDINALS.get(match[1].lower())
        found.spans.append(match.span())


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with spans overwritten by spaces (same length), so finders never reuse them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def find_all(text: str, *, versions: bool = False) -> Explicit:
    """Every explicit value in the (cleaned) text; `versions` also looks for 'v2'-style references."""
    found = Explicit()
    flat = plain(text)
    find_lyrics(flat, found)
    steps = [find_version] if versions else []
    steps += [find_key, find_tempo, find_meter, find_duration, find_bare_tempo]
    for step in steps:
        step(_masked(flat, found.spans), found)
    if found.lyrics is not None:
        match = _LYRICS.search(text) or _LYRICS_OPEN.search(text)
        if match:  # keep the user's accents in their own lyrics
            found.lyrics = (match[1] or "").strip() or found.lyrics
    return found
