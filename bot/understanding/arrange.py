"""Arrangement: which instruments play and in which role, when the user names, adds, drops or swaps them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.understanding.instrument_words import GENERIC_WORDS, resolve
from engine.errors import UserError
from engine.instruments import INSTRUMENTS, Role
from engine.spec import MAX_PARTS

Part = tuple[str, Role]

_ROLE_ORDER: dict[str, int] = {"melody": 0, "counter": 1, "chords": 2, "pad": 3, "bass": 4}
_ONE_ONLY: frozenset[str] = frozenset({"melody", "bass"})  # two leads or two bass lines fight
_STAND_IN_LEADS = ("piano", "synth lead", "strings", "flute")
_KEYBOARDS = frozenset(
    {
        "piano",
        "bright piano",
        "electric grand",
        "honky-tonk piano",
        "electric piano",
        "fm piano",
        "organ",
        "rock organ",
        "harpsichord",
        "clavinet",
        "polysynth",
    }
)


def ordered(parts: Iterable[Part]) -> tuple[Part, ...]:
    """Parts melody first, then counter-melody, chords, pads and bass; ties keep their order."""
    return tuple(sorted(parts, key=lambda part: _ROLE_ORDER[part[1]]))


def _free_role(name: str, wanted: Role, parts: list[Part]) -> Role | None:
    """The role this instrument can take next to `parts`: wanted, its usual one, or counter."""
    taken = {role for _, role in parts}
    for role in (wanted, INSTRUMENTS[name].role):
        if role not in _ONE_ONLY or role not in taken:
            return role
    return "counter" if INSTRUMENTS[name].role != "bass" else None


def _lead(named: list[str]) -> str | None:
    """The named instrument that should carry the tune: a melody instrument, else a chordal one."""
    for wanted in (("melody",), ("chords", "counter")):
        lead = next((name for name in named if INSTRUMENTS[name].role in wanted), None)
        if lead is not None:
            return lead
    return None


def arrange(
    defaults: Iterable[tuple[str, str]],
    named: Iterable[str],
    *,
    only: bool = False,
    removed: Iterable[str] = (),
) -> tuple[Part, ...]:
    """Parts for a new piece: named instruments lead, the genre's defaults fill the remaining roles."""
    dropped = set(removed)
    wanted = list(dict.fromkeys(name for name in named if name not in dropped))
    lead = _lead(wanted)
    parts: list[Part] = []
    for name in wanted:
        role = _free_role(name, "melody" if name == lead else INSTRUMENTS[name].role, parts)
        if role is not None:
            parts.append((name, role))
    if not only:
        displaced: list[Part] = []
        for name, default_role in defaults:
            if name in dropped or any(name == existing for existing, _ in parts):
                continue
            if default_role in _ONE_ONLY and any(role == default_role for _, role in parts):
                displaced.append((name, INSTRUMENTS[name].role))
                continue
            parts.append((name, default_role))  # type: ignore[arg-type]
        for name, usual in displaced:
            if usual not in _ONE_ONLY and not any(role == usual for _, role in parts):
                parts.append((name, usual))
    if not parts:
        raise UserError("That leaves no instruments at all — name at least one to play.")
    if not only and all(role == "bass" for _, role in parts):
        # Everything tuneful was taken away ("rock without guitars"): a plain lead keeps it music.
        stand_in = next(name for name in _STAND_IN_LEADS if name not in dropped and name not in names(parts))
        parts.insert(0, (stand_in, "melody"))
    return with_melody(ordered(parts[:MAX_PARTS]))


def with_melody(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """The parts with a melody: if none has it, the most tuneful one takes it over."""
    if any(role == "melody" for _, role in parts):
        return parts
    for candidate_role in ("counter", "chords", "pad", "bass"):
        for index, (name, role) in enumerate(parts):
            if role == candidate_role:
                promoted = (*parts[:index], (name, "melody"), *parts[index + 1 :])
                return ordered(promoted)
    return parts


def add_part(parts: tuple[Part, ...], name: str) -> tuple[Part, ...]:
    """The parts with one more instrument in its usual role (a second lead becomes a counter-melody)."""
    if any(existing == name for existing, _ in parts):
        return parts
    if len(parts) >= MAX_PARTS:
        raise UserError(f"A piece can have at most {MAX_PARTS} instruments — remove one first.")
    role = _free_role(name, INSTRUMENTS[name].role, list(parts))
    if role is None:  # a second bass line: it replaces the first
        parts = tuple(part for part in parts if part[1] != "bass")
        role = "bass"
    return ordered((*parts, (name, role)))


def remove_part(parts: tuple[Part, ...], name: str) -> tuple[Part, ...]:
    """The parts without one instrument; the tune moves to another part if the lead leaves."""
    kept = tuple(part for part in parts if part[0] != name)
    if not kept:
        raise UserError("That would leave no instruments at all — swap it for another one instead.")
    return with_melody(kept)


def swap_part(parts: tuple[Part, ...], old: str, new: str) -> tuple[Part, ...]:
    """The parts with `new` playing `old`'s role (old '' means whoever plays the melody)."""
    if not old:
        old = next((name for name, role in parts if role == "melody"), parts[0][0])
    if any(name == new for name, _ in parts):
        return remove_part(parts, old) if new != old else parts
    return tuple((new if name == old else name, role) for name, role in parts)


def matching(parts: Iterable[tuple[str, str]], word: str, genre: str) -> list[str]:
    """The parts a word refers to: the exact instrument, else its family ('guitar', 'bass', 'keys')."""
    parts = list(parts)
    present = [name for name, _ in parts]
    canonical = resolve(word, genre)
    if canonical in present and word not in GENERIC_WORDS:
        return [canonical]
    if word == "bass":
        return [name for name, role in parts if role == "bass"]
    if word == "keys":
        return [name for name in present if name in _KEYBOARDS]
    family = word if word in GENERIC_WORDS else canonical.split()[-1]
    return [name for name in present if name.split()[-1] == family]


def names(parts: Iterable[Part]) -> list[str]:
    """Just the instrument names."""
    return [name for name, _ in parts]
