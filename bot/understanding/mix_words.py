"""Mix words: replies that change only how the piece is mixed ("more reverb", "louder drums", "mono",
"lo-fi", "telephone"), read before the musical words so that they never touch the notes.

Bare "darker"/"brighter" stay moods (they change the harmony, as they always did, and jam sections
use them); with a sound word ("a darker sound", "brighter mix") or as "warmer", "more treble" they
are tone. Bare "louder"/"quieter" stay energy; with a part ("louder drums") they are its level.
Bare "lofi" names the genre; "lo-fi", "vintage", "vinyl", "tape" are the character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.spec import MixSpec, MusicSpec

_MUCH_WORDS = r"(?:much|way|a lot|lots|far)"
_MUCH = rf"(?:{_MUCH_WORDS}\s+)?"
_SOUND = r"(?:sound(?:ing)?|mix|tone|eq|timbre|sounding)"
_THE = r"(?:the\s+)?"

# Part words → the level key they move; an instrument named in the piece also finds its role.
PART_WORDS: dict[str, str] = {
    "drums": "drums", "drum": "drums", "beat": "drums", "percussion": "drums", "kick": "drums",
    "snare": "drums", "hats": "drums", "bass": "bass", "bassline": "bass", "low end": "bass",
    "melody": "melody", "lead": "melody", "tune": "melody", "chords": "chords", "keys": "chords",
    "comping": "chords", "pads": "pad", "pad": "pad", "vocals": "vocals", "vocal": "vocals",
    "voice": "vocals", "singing": "vocals", "singer": "vocals", "counter melody": "counter",
}  # fmt: skip
_UP = r"(?:louder|turn up|boost|raise|pump up|up)"  # not "more": "more drums" is the groove's business
_DOWN = r"(?:quieter|softer|turn down|lower|reduce|down)"
_AFTER_UP = r"(?:louder|up|higher|more prominent|forward|up front)"
_AFTER_DOWN = r"(?:quieter|softer|down|lower|back|further back|in the background)"

# (pattern, field, value): value is a step (+1/−1) for the step fields, else what the field becomes.
_RULES: tuple[tuple[str, str, Any], ...] = (
    (rf"{_MUCH}more (?:reverb|space|room|ambience|echo)|{_MUCH}wetter|roomier|more spacious|reverb up|"
     rf"bigger (?:room|space|hall)", "reverb", 1),
    (rf"{_MUCH}less (?:reverb|echo|room|space|ambience)|{_MUCH}drier|{_MUCH}dryer|reverb down|"
     rf"no (?:reverb|echo)|(?:more )?dry(?: mix| sound)?\b", "reverb", -1),
    (rf"{_MUCH}wider|more stereo|(?:wide|wider) stereo|spread (?:it )?out|more spread", "width", 1),
    (rf"{_MUCH}narrower|less wide|less stereo", "width", -1),
    (r"(?:in |to |make it |)mono\b|mono ?(?:mix|sound)|single speaker", "mono", True),
    (r"(?:back )?(?:in |to )?stereo\b", "mono", False),
    (rf"{_MUCH}brighter {_SOUND}|{_SOUND} brighter|more (?:treble|highs|air|sparkle|presence)|crisper|airier|"
     rf"less (?:muddy|muffled|dull)", "tone", 1),
    (rf"{_MUCH}(?:darker|warmer) {_SOUND}|{_SOUND} (?:darker|warmer)|{_MUCH}warmer|less (?:treble|harsh|bright)|"
     rf"more (?:warmth|bottom)|mellower {_SOUND}|softer {_SOUND}|less tinny", "tone", -1),
    (rf"{_MUCH}punchier|more punch(?:y)?|hit harder|more impact", "punch", 1),
    (r"less punch(?:y)?|softer hits", "punch", -1),
    (r"lo-fi|lo fi|vintage|vinyl|tape|cassette|old record|dusty|crackl(?:e|y|ing)|record player|"
     r"lofi (?:sound|mix|effect|filter)", "character", "lofi"),
    (r"(?:(?:old|am|on the|an old|over the) )?radio|transistor", "character", "radio"),
    (r"(?:tele)?phone(?: line| call)?|walkie[- ]talkie", "character", "telephone"),
    (r"clean(?:er)? (?:sound|mix)|hi-?fi|no (?:lo-?fi|effects?)|without (?:the )?(?:crackle|effects?)",
     "character", "clean"),
)  # fmt: skip
_FILLER = re.compile(
    r"\b(?:make|makes|it|its|it's|the|a|an|bit|little|lot|please|can|could|would|you|just|and|with|but|"
    r"some|slightly|now|mix|sound|give|me|more|less|much|way|to|in|on|of|too|also|then|thanks|thank|"
    r"let's|lets|try|do|bring|put|be|should|i|want|like|everything|overall|whole|track|song|piece)\b|[,.;:!?&+]"
)


@dataclass(frozen=True, slots=True)
class MixReading:
    """The mix a reply asks for, what to tell the user, and the words left for the musical reading."""

    mix: MixSpec
    notes: tuple[str, ...]
    rest: str

    @property
    def only_mix(self) -> bool:
        """True when the reply asked for mix changes and nothing else."""
        return bool(self.notes) and not _FILLER.sub(" ", self.rest).strip()


def _size(words: str) -> int:
    return 2 if re.search(rf"\b{_MUCH_WORDS}\b", words) else 1


def _arrow(steps: int) -> str:
    return "↑" if steps > 0 else "↓"


def _part_key(word: str, spec: MusicSpec) -> str | None:
    word = word.strip().lower()
    if word in PART_WORDS:
        return PART_WORDS[word]
    named = [part for part in spec.parts if word and (word in part.name or part.name in word)]
    return named[0].role if named else None


def _level_rules(spec: MusicSpec) -> list[tuple[re.Pattern[str], int]]:
    words = sorted({*PART_WORDS, *(part.name for part in spec.parts)}, key=len, reverse=True)
    part = "(?P<part>" + "|".join(re.escape(word) for word in words) + ")"
    forward = rf"(?:bring|put|move) {_THE}{part} (?:forward|up front|to the front|up)"
    backward = rf"(?:push|put|move|sit) {_THE}{part} (?:back|further back|in the background|down)"
    up = (forward, rf"{_MUCH}{_UP} {_THE}{part}", rf"{_THE}{part} {_MUCH}{_AFTER_UP}")
    down = (backward, rf"{_MUCH}{_DOWN} {_THE}{part}", rf"{_THE}{part} {_MUCH}{_AFTER_DOWN}")
    return [(re.compile(rf"\b{form}\b"), step) for forms, step in ((up, 1), (down, -1)) for form in forms]


def read_mix(text: str, spec: MusicSpec) -> MixReading:
    """Find the mix words in a reply; the matched words are taken out of `rest`."""
    rest = f" {text.lower()} "
    fields: dict[str, Any] = spec.mix.model_dump()
    levels: dict[str, int] = dict(fields["levels"])
    found: list[tuple[int, str]] = []  # (where in the reply, note): notes come in the order they were said
    for pattern, step in _level_rules(spec):
        for match in list(pattern.finditer(rest)):
            key = _part_key(match.group("part"), spec)
            if key is None:
                continue
            size = _size(match.group(0))
            levels[key] = max(-4, min(4, levels.get(key, 0) + step * size))
            found.append((match.start(), f"{key} {_arrow(step) * size}"))
        rest = pattern.sub(_blank, rest)
    for source, field, value in _RULES:
        pattern = re.compile(rf"\b(?:{source})(?=\W)")
        for match in list(pattern.finditer(rest)):
            if isinstance(value, (bool, str)):
                fields[field] = value
                if field == "mono" and value:
                    fields["width"] = min(fields["width"], 0)
                found.append((match.start(), _label(field, value)))
                continue
            size = _size(match.group(0))
            low, high = _BOUNDS[field]
            fields[field] = max(low, min(high, fields[field] + value * size))
            if field == "width" and value > 0:
                fields["mono"] = False
            found.append((match.start(), _label(field, value * size)))
        rest = pattern.sub(_blank, rest)
    fields["levels"] = {key: steps for key, steps in levels.items() if steps}
    notes = tuple(dict.fromkeys(note for _, note in sorted(found)))
    return MixReading(MixSpec.model_validate(fields), notes, re.sub(r"\s+", " ", rest).strip())


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))  # keeps the positions of what is left


_BOUNDS = {"reverb": (-3, 3), "width": (-3, 2), "tone": (-3, 3), "punch": (0, 3)}
_NAMES = {"reverb": "reverb", "width": "width", "tone": "tone", "punch": "punch"}


def _label(field: str, value: Any) -> str:
    if field == "mono":
        return "mono" if value else "stereo"
    if field == "character":
        return {"lofi": "lo-fi (tape, vinyl)", "clean": "clean sound"}.get(value, f"{value} sound")
    if field == "tone":
        return ("much " if abs(value) > 1 else "") + ("brighter" if value > 0 else "warmer")
    return f"{_NAMES[field]} {_arrow(value) * abs(value)}"
