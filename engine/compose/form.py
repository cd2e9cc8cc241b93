"""Song form: which sections, in what order and how many bars each, sized to the requested length."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

# Templates by how many phrase units the piece holds; longer pieces stretch each section instead.
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "song": ("V", "V C", "V C C", "V C V C", "V C V C C", "V C V C B C", "V P C V P C C", "V P C V P C B C"),
    "edm": ("D", "U D", "U D D", "U D K D", "U D K U D", "V U D K U D", "V U D K U D D", "V U D K V U D D"),
    "blues": ("H", "H H", "H S H", "H H S H", "H H S S H", "H H S S H H"),
    "aaba": ("A", "A A", "A A B", "A A B A", "A A B A A", "A A B A B A"),
    "ternary": ("A", "A B", "A B A", "A A B A", "A B A B A", "A A B A B A"),
    "tune": ("A", "A A", "A A B", "A A B B", "A A B B A", "A A B B A A", "A A B B A A B B"),
    "ambient": ("A", "A B", "A B A", "A B B A", "A B A B A", "A B A C A B"),
}
_NAMES: dict[str, dict[str, str]] = {
    "song": {"V": "verse", "P": "pre-chorus", "C": "chorus", "B": "bridge"},
    "edm": {"V": "verse", "U": "build", "D": "drop", "K": "breakdown"},
    "blues": {"H": "head", "S": "solo"},
    "aaba": {"A": "head", "B": "bridge"},
    "ternary": {"A": "theme", "B": "episode"},
    "tune": {"A": "tune a", "B": "tune b"},
    "ambient": {"A": "drift", "B": "swell", "C": "glow"},
}
# How intense each kind of section is before the request's overall energy is applied.
SECTION_LEVELS: dict[str, float] = {
    "intro": 0.3, "verse": 0.5, "pre-chorus": 0.62, "chorus": 0.8, "bridge": 0.55, "outro": 0.35,
    "build": 0.62, "drop": 0.95, "breakdown": 0.25, "head": 0.6, "solo": 0.75,
    "theme": 0.5, "episode": 0.65, "tune a": 0.55, "tune b": 0.7, "drift": 0.3, "swell": 0.5, "glow": 0.4,
}  # fmt: skip
# Sections whose later occurrences lift a little: the last chorus is the biggest.
_LIFTING = frozenset({"chorus", "drop", "head", "theme", "tune b"})


@dataclass(frozen=True, slots=True)
class FormSection:
    """One section of the form before harmony is added: name, length and intensity."""

    name: str
    bars: int
    level: float
    occurrence: int


def phrase_unit(kind: str, meter: str, total_bars: int) -> int:
    """Bars in one phrase unit: the 12-bar blues chorus, 8 short 2/4 bars, 2 in a very short piece, else 4.

    A piece under 12 bars still gets an intro, a verse, a chorus that comes back and an ending, in
    two-bar phrases.
    """
    if kind == "blues" and meter in ("4/4", "12/8") and total_bars >= 12:
        return 12
    if meter == "2/4" and total_bars >= 16:
        return 8
    if kind == "aaba" and total_bars >= 16:
        return 8
    return 4


def form_kind_for(kind: str, meter: str, total_bars: int) -> str:
    """The form kind actually used: a blues too short (or in the wrong meter) for 12 bars sings as a song."""
    if kind == "blues" and phrase_unit(kind, meter, total_bars) != 12:
        return "song"
    return kind


def _body(kind: str, units: int) -> tuple[list[str], int]:
    """Section letters for `units` phrase units and how many units each letter spans."""
    templates = _TEMPLATES[kind]
    scale = max(1, ceil(units / len(templates)))
    letters = templates[units // scale - 1].split()
    return letters, scale


def _short_form(total_bars: int) -> list[FormSection]:
    """Under 12 bars: still an intro, a verse and a chorus that comes back to end the piece, where they fit."""
    if total_bars < 6:
        return [FormSection("verse", total_bars, SECTION_LEVELS["verse"], 0)]
    intro = 2 if total_bars >= 8 else 0
    verse = 4 if total_bars >= 10 else 2
    first = (total_bars - intro - verse) // 2
    plan = [
        ("intro", intro, 0),
        ("verse", verse, 0),
        ("chorus", first, 0),
        ("chorus", total_bars - intro - verse - first, 1),
    ]
    return [
        FormSection(name, bars, SECTION_LEVELS[name] + 0.05 * occurrence, occurrence)
        for name, bars, occurrence in plan
        if bars
    ]


def song_form(total_bars: int, kind: str, meter: str) -> list[FormSection]:
    """The sections of a piece of `total_bars` bars in this form kind, intro and outro included."""
    total_bars = max(1, total_bars)
    if total_bars < 12:
        return _short_form(total_bars)
    kind = form_kind_for(kind, meter, total_bars)
    unit = phrase_unit(kind, meter, total_bars)
    units, spare = divmod(total_bars, unit)
    names = _NAMES[kind]
    if units == 0:
        return [FormSection(names[_TEMPLATES[kind][0]], total_bars, SECTION_LEVELS["verse"], 0)]
    letters, scale = _body(kind, units)
    spare += (units - len(letters) * scale) * unit
    if spare == 0 and len(letters) >= 4 and kind != "blues":
        # A full-length piece without leftovers still gets a short intro and ending.
        letters, scale = _body(kind, units - 1)
        spare = (units - 1 - len(letters) * scale) * unit + unit
    # One spare bar is an ending bar; two make an intro; more are shared, the ending taking the odd one.
    intro = (spare // 2 if spare >= 4 else 2 if spare >= 2 else 0) if len(letters) >= 2 else 0
    outro = spare - intro
    sections: list[FormSection] = []
    if intro:
        sections.append(FormSection("intro", intro, SECTION_LEVELS["intro"], 0))
    seen: dict[str, int] = {}
    for letter in letters:
        name = names[letter]
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        lift = 0.05 * occurrence if name in _LIFTING else 0.0
        sections.append(FormSection(name, unit * scale, min(1.0, SECTION_LEVELS[name] + lift), occurrence))
    if outro and len(letters) >= 2:
        sections.append(FormSection("outro", outro, SECTION_LEVELS["outro"], 0))
    elif outro:
        last = sections[-1]
        sections[-1] = FormSection(last.name, last.bars + outro, last.level, last.occurrence)
    return sections


def explicit_form(names_and_bars: list[tuple[str, int]]) -> list[FormSection]:
    """Sections given by the request (a jam builds its form by hand), with the usual levels and lifts."""
    seen: dict[str, int] = {}
    sections: list[FormSection] = []
    for name, bars in names_and_bars:
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        lift = 0.05 * occurrence if name in _LIFTING else 0.0
        sections.append(FormSection(name, max(1, bars), min(1.0, SECTION_LEVELS.get(name, 0.5) + lift), occurrence))
    return sections
