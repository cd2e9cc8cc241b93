"""Ensemble words ("jazz piano trio", "string quartet", "three guitars") → exactly these players.

An ensemble is obeyed exactly: the players it names and nobody else. A named ensemble ("string quartet")
has a fixed line-up; a size word ("trio") seats that many players, the named instruments first, then
the genre's own band in the order a real group of that size is formed (rhythm section before horns).
The drum kit counts as a player. A count ("three guitars") maps onto distinct members of the family
(electric, acoustic, nylon guitar), because a piece has one part per instrument; asking for more than
the family has is answered in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.arrange import Part, add_part, arrange
from bot.understanding.instrument_words import instrument_phrases, resolve
from bot.understanding.styles import genre_phrases
from bot.understanding.text import fold, fold_phrase, tokens
from engine.errors import UserError
from engine.genres import GENRES
from engine.instruments import INSTRUMENTS
from engine.spec import MAX_PARTS

# Size words in five languages → players.
SIZE_WORDS: dict[int, tuple[str, ...]] = {
    1: ("solo", "unaccompanied"),
    2: ("duo", "duet", "duett", "dueto", "duetto"),
    3: ("trio", "trios", "terzett"),
    4: ("quartet", "quartets", "cuarteto", "quatuor", "quartett", "quarteto"),
    5: ("quintet", "quintets", "quinteto", "quintette", "quintett"),
    6: ("sextet", "sexteto", "sextuor", "sextett"),
    7: ("septet", "septeto", "septuor", "septett"),
    8: ("octet", "octeto", "octuor", "oktett"),
}

# Named ensembles: the exact line-up (instrument:role), whether drums play, and the genre they imply
# when the request names none (drums None: as the genre has them). Big ensembles keep MAX_PARTS representative chairs.
FIXED: dict[str, tuple[str, bool | None, str]] = {
    "string quartet": ("violin:melody, second violin:counter, viola:chords, cello:bass", False, "classical"),
    "brass quintet": (
        "trumpet:melody, second trumpet:counter, french horn:chords, trombone:counter, tuba:bass",
        False,
        "classical",
    ),
    "wind quintet": ("flute:melody, oboe:counter, clarinet:chords, french horn:pad, bassoon:bass", False, "classical"),
    "classical piano trio": ("violin:melody, piano:chords, cello:bass", False, "classical"),
    "jazz piano trio": ("piano:melody, acoustic bass:bass", True, "jazz"),
    "power trio": ("guitar:melody, bass:bass", True, "rock"),
    "big band": (
        "trumpet:melody, alto sax:melody, tenor sax:counter, trombone:chords, piano:chords, acoustic bass:bass",
        True,
        "jazz",
    ),
    "chamber orchestra": (
        "violin:melody, flute:melody, second violin:counter, oboe:counter, viola:chords, "
        "french horn:pad, cello:counter, contrabass:bass",
        False,
        "classical",
    ),
    "orchestra": (
        "violin:melody, flute:melody, strings:chords, french horn:counter, trombone:counter, "
        "cello:counter, contrabass:bass",
        None,
        "cinematic",
    ),
    "a cappella": ("voice:melody, choir:chords, bass voice:bass", False, "gospel"),
}
FIXED_WORDS: dict[str, tuple[str, ...]] = {
    "string quartet": (
        "string quartet",
        "quatuor a cordes",
        "streichquartett",
        "cuarteto de cuerdas",
        "quarteto de cordas",
    ),
    "brass quintet": ("brass quintet", "quinteto de metales", "quintette de cuivres", "blechblaserquintett"),
    "wind quintet": ("wind quintet", "woodwind quintet", "quinteto de viento", "quintette a vent", "blaserquintett"),
    "piano trio": ("piano trio", "trio de piano", "klaviertrio", "trio con piano"),
    "power trio": ("power trio",),
    "big band": ("big band", "bigband", "jazz orchestra"),
    "chamber orchestra": (
        "chamber orchestra",
        "orquesta de camara",
        "orchestre de chambre",
        "kammerorchester",
        "string orchestra",
    ),
    "orchestra": (
        "orchestra",
        "full orchestra",
        "symphony orchestra",
        "orquesta",
        "orchestre",
        "orchester",
        "orquestra",
        "sinfonieorchester",
    ),
    "a cappella": ("a cappella", "acapella", "a capella", "acappella", "voices only", "only voices"),
}
# Genres whose band has a rhythm section: there a piano trio is piano, bass and drums.
_CHAMBER_GENRES = frozenset({"classical", "baroque", "waltz", "lullaby", "tango", "ambient", "march"})
# Distinct members a count maps onto, most idiomatic first (the genre's own member is moved up front).
FAMILIES: dict[str, tuple[str, ...]] = {
    "guitar": (
        "electric guitar",
        "acoustic guitar",
        "nylon guitar",
        "jazz guitar",
        "overdriven guitar",
        "distorted guitar",
        "muted guitar",
    ),
    "violin": ("violin", "second violin", "fiddle"),
    "trumpet": ("trumpet", "second trumpet", "muted trumpet"),
    "sax": ("alto sax", "tenor sax", "soprano sax", "baritone sax"),
    "piano": ("piano", "electric piano", "bright piano", "electric grand"),
    "voice": ("voice", "choir", "bass voice"),
    "bass": ("electric bass", "acoustic bass", "synth bass"),
    "flute": ("flute", "piccolo", "pan flute"),
}
# A fifth or later player when the genre's band is exhausted, by genre; anything else takes _EXTRA_DEFAULT.
_EXTRAS: dict[str, tuple[str, ...]] = {
    "jazz": ("trumpet", "tenor sax", "vibraphone", "jazz guitar", "trombone"),
    "blues": ("tenor sax", "piano", "organ"),
    "rock": ("organ", "acoustic guitar", "piano"),
    "classical": ("viola", "flute", "clarinet", "french horn"),
    "funk": ("tenor sax", "trumpet", "organ"),
}
_EXTRA_DEFAULT = ("strings", "acoustic guitar", "flute", "piano", "organ", "vibraphone")
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "dos": 2,
            "tres": 3, "cuatro": 4, "cinco": 5, "deux": 2, "trois": 3, "quatre": 4, "zwei": 2, "drei": 3,
            "vier": 4, "funf": 5, "dois": 2, "duas": 2, "quatro": 4, "nine": 9, "ten": 10, "twelve": 12}  # fmt: skip
_SELF_ACCOMPANYING = frozenset(
    {
        "piano",
        "bright piano",
        "electric grand",
        "electric piano",
        "fm piano",
        "harpsichord",
        "organ",
        "nylon guitar",
        "acoustic guitar",
        "jazz guitar",
        "electric guitar",
        "harp",
        "honky-tonk piano",
        "clavinet",
        "marimba",
    }
)


@dataclass(frozen=True, slots=True)
class Ensemble:
    """An ensemble found in a request: its name, its size or fixed line-up, and the words it covered."""

    name: str
    players: int  # how many players, the drum kit included
    fixed: str | None  # key of FIXED, or None for a size word
    words: tuple[str, ...]  # the folded words the ensemble phrase covered
    genre: str | None  # the genre it implies when none is named


@dataclass(frozen=True, slots=True)
class Count:
    """'three guitars': a family asked for a number of times."""

    family: str
    number: int
    words: tuple[str, ...]


def _folded_words(text: str) -> str:
    return " ".join(token.word for token in tokens(fold(text)) if token.word.isalnum() or token.word == "&")


def _find(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text) is not None


def find_ensemble(text: str, genre_named: str | None) -> Ensemble | None:
    """The ensemble a request names, if any ('jazz piano trio' → the jazz piano trio)."""
    folded = _folded_words(text)
    for name, phrases in FIXED_WORDS.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if not _find(phrase, folded):
                continue
            key, genre = name, FIXED[name][2] if name in FIXED else None
            if name == "piano trio" or (name == "orchestra" and _find("chamber", folded)):
                key = _piano_trio(genre_named, folded) if name == "piano trio" else "chamber orchestra"
                genre = FIXED[key][2]
            line_up = FIXED[key][0]
            players = len(line_up.split(",")) + (1 if FIXED[key][1] or FIXED[key][1] is None else 0)
            return Ensemble(key.replace("classical ", ""), players, key, tuple(phrase.split()), genre)
    for players, words in SIZE_WORDS.items():
        for word in words:
            if _find(word, folded) and not _solo_spot(word, folded):
                return Ensemble(word if players > 1 else "solo", players, None, tuple(word.split()), None)
    return None


def genre_only_in_ensemble(text: str, ensemble: Ensemble) -> bool:
    """Whether every genre word lies inside the ensemble's own phrase ('orchestra' in 'chamber orchestra')."""
    rest = _folded_words(text).replace(" ".join(ensemble.words), " ")
    return not any(_find(fold_phrase(phrase), rest) for phrase in genre_phrases())


def _piano_trio(genre_named: str | None, folded: str) -> str:
    """A piano trio is piano, bass and drums in a genre with a rhythm section, else piano, violin, cello."""
    if genre_named is not None and genre_named not in _CHAMBER_GENRES:
        return "jazz piano trio"
    return "jazz piano trio" if _find("jazz", folded) else "classical piano trio"


def _solo_spot(word: str, folded: str) -> bool:
    """'a guitar solo' in a band is a solo spot; 'solo piano' / 'piano solo' alone is a solo piece."""
    return word == "solo" and _find("with", folded)


def find_counts(text: str) -> list[Count]:
    """Counted instruments: 'three guitars', '2 violins', 'four saxophones'."""
    folded = _folded_words(text)
    phrases = instrument_phrases()
    counts: list[Count] = []
    pattern = r"\b(\d{1,2}|" + "|".join(_NUMBERS) + r")\s+([a-z0-9 ]+)"
    for match in re.finditer(pattern, folded):
        number = int(match.group(1)) if match.group(1).isdigit() else _NUMBERS[match.group(1)]
        rest = match.group(2).split()
        for size in range(min(3, len(rest)), 0, -1):
            phrase = " ".join(rest[:size])
            name = phrases.get(phrase) or phrases.get(phrase.removesuffix("s"))
            if phrases.get(f"{match.group(1)} {phrase}") is not None:
                break  # the number is part of the instrument's name ("808 bass"), not a count
            if name is not None and number >= 2:
                family = _family_of(name)
                counts.append(Count(family, number, (match.group(1), *rest[:size])))
                break
    return counts


def _family_of(name: str) -> str:
    if name in FAMILIES:
        return name
    return next((family for family, members in FAMILIES.items() if name in members), name)


def counted_members(count: Count, genre: str) -> list[str]:
    """The distinct instruments `count` maps onto in this genre; UserError when the family is too small."""
    members = list(FAMILIES.get(count.family, ()))
    own = [name for name, _ in GENRES[genre].parts if name in members]  # the genre's own members come first
    preferred = [resolve(count.family, genre)] if count.family in ("guitar", "sax", "bass") else []
    members = list(dict.fromkeys(preferred + own + members))
    if count.number > len(members) or count.number > MAX_PARTS:
        family = count.family
        most = min(len(members), MAX_PARTS)
        if most <= 1:
            raise UserError(
                f"I can write one {family} part per piece, not {count.number} — ask for one {family} "
                "with other instruments."
            )
        raise UserError(
            f"I can write at most {most} different {family} parts ({', '.join(members[:most])}), not {count.number}."
        )
    return members[: count.number]


def seat(ensemble: Ensemble, genre: str, named: list[str], drums: bool | None) -> tuple[tuple[Part, ...], bool]:
    """Exactly the ensemble's players as (instrument, role) parts, and whether the drum kit plays."""
    if ensemble.fixed is not None:
        line_up, kit, _ = FIXED[ensemble.fixed]
        pairs = [(item.split(":")[0].strip(), item.split(":")[1].strip()) for item in line_up.split(",")]
        parts = tuple((resolve(name, genre), role) for name, role in pairs)
        if drums is not None:
            return parts, drums  # type: ignore[return-value]
        return parts, GENRES[genre].drums if kit is None else kit  # type: ignore[return-value]
    band = GENRES[genre]
    players = ensemble.players
    chosen = list(dict.fromkeys(named))
    kit = bool(drums)
    if not chosen:
        chosen = [_seed_player(genre)]
    wants_drums = band.drums and drums is not False
    order = _fill_order(genre)
    while len(chosen) + (1 if kit else 0) < players:
        if wants_drums and not kit and len(chosen) >= _drum_seat(players):
            kit = True
            continue
        candidate = next((name for name in order if name not in chosen), None)
        if candidate is None:
            raise UserError(f"I couldn't find {players} players for a {genre} {ensemble.name}.")
        chosen.append(candidate)
    if len(chosen) + (1 if kit else 0) > players:
        raise UserError(
            f"A {ensemble.name} has {players} player{'s' if players > 1 else ''}; "
            f"you named {len(chosen) + (1 if kit else 0)} — drop some or ask for a bigger group."
        )
    return arrange((), chosen, only=True), kit


def _seed_player(genre: str) -> str:
    """Who plays when nobody is named: the chordal instrument that can carry a tune alone, else the lead."""
    parts = GENRES[genre].parts
    chordal = next((name for name, role in parts if role == "chords" and name in _SELF_ACCOMPANYING), None)
    return chordal or parts[0][0]


def _drum_seat(players: int) -> int:
    """How many pitched players sit before the drummer: a trio is tune-and-chords, bass, drums."""
    return 2 if players >= 3 else players


def _fill_order(genre: str) -> list[str]:
    """The genre's band in the order a group grows: bass, then the lead, chords, pads, then extras."""
    parts = GENRES[genre].parts
    rank = {"bass": 0, "melody": 1, "chords": 2, "counter": 3, "pad": 4}
    ordered_parts = [name for name, _ in sorted(parts, key=lambda part: rank[part[1]])]
    extras = [name for name in _EXTRAS.get(genre, _EXTRA_DEFAULT) if name in INSTRUMENTS]
    return list(dict.fromkeys(ordered_parts + extras + list(_EXTRA_DEFAULT)))


def only_rhythm(named: list[str]) -> bool:
    """'only drums and bass': every named instrument is a bass, so none should be turned into a tune."""
    return bool(named) and all(INSTRUMENTS[name].role == "bass" for name in named)


@dataclass(frozen=True, slots=True)
class Obeyed:
    """The parts and drums an ensemble or a count asks for, and the line that says so."""

    parts: tuple[Part, ...]
    drums: bool | None  # None: the ensemble leaves the drums as they were read
    note: str


def ensemble_words(text: str) -> frozenset[str]:
    """The folded words an ensemble or a count covers, so they are not reported as unknown."""
    found = find_ensemble(text, None)
    words = set(found.words) if found else set()
    for count in find_counts(text):
        words.update(count.words)
    return frozenset(words)


def obey(
    text: str, genre: str, named: list[str], defaults: tuple[tuple[str, str], ...], drums: bool | None, only: bool
) -> Obeyed | None:
    """Exactly the players the words ask for, or None when they name no ensemble, count or rhythm section."""
    counts = find_counts(text)
    named = list(dict.fromkeys(named))
    for count in counts:
        members = counted_members(count, genre)
        defaults = tuple(pair for pair in defaults if _family_of(pair[0]) != count.family)
        named = [name for name in named if _family_of(name) != count.family]
        named.extend(member for member in members if member not in named)
    ensemble = find_ensemble(text, genre)
    if ensemble is not None and ensemble.players == 1 and len(named) + (1 if drums else 0) > 1:
        ensemble = None  # "guitar solo, bass and drums": a solo spot in a band, not a solo piece
    if ensemble is not None:
        absorbed = _absorbed(ensemble, genre)
        extra = [name for name in named if name not in absorbed]
        seated, kit = seat(ensemble, genre, extra if ensemble.fixed is None else [], drums)
        if ensemble.fixed is not None:
            for name in extra:
                seated = add_part(seated, name)
        players = ", ".join(name for name, _ in seated) + (", drums" if kit else "")
        return Obeyed(seated, kit, f"ensemble: {ensemble.name} — {players}")
    if counts:
        only_these = (
            only
            or re.search(r"\b(only|just|solo|nothing but)\s+(\d+|" + "|".join(_NUMBERS) + r")\b", _folded_words(text))
            is not None
        )
        counted = arrange(defaults, named, only=only_these)
        counted_kit = False if only_these and drums is None else drums
        return Obeyed(counted, counted_kit, "counted: " + ", ".join(f"{c.number} {c.family}" for c in counts))
    if only and only_rhythm(named):
        return Obeyed(tuple((name, "bass") for name in named), True if drums is None else drums, "rhythm section only")
    return None


def _absorbed(ensemble: Ensemble, genre: str) -> set[str]:
    """Instruments the ensemble's own words name ('piano' in 'piano trio'): they are not extra players."""
    phrases = instrument_phrases()
    words = ensemble.words
    found: set[str] = set()
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            name = phrases.get(" ".join(words[start:end]))
            if name is not None:
                found.add(resolve(name, genre))
    return found
