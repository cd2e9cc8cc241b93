"""From lexicon mentions to a reading: which words were negated, added, swapped, compared or sized.

The reading says what the words asked for, independent of any spec; `request` turns it into a new
spec and `refine` into changes of an existing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.understanding.lexicon import Kind, Mention, scan, unknown_words
from bot.understanding.moods import MOODS
from bot.understanding.styles import GENRE_ADJECTIVES
from bot.understanding.text import Token

# Words allowed between an operator and what it acts on ("remove the piano", "add some strings").
_DETERMINERS = frozenset(
    """
the a an some any it its my that this those these all of el la los las un una unos unas le les des du
de der die das den dem ein eine einen o os as um uma do da dos del nice soft warm little big lovely
""".split()
)
# ... and between items of one list ("no drums, bass or piano").
_LIST_WORDS = _DETERMINERS | frozenset(", and or nor & y o ni et ou und oder e plus also too".split())
_SWAP_TARGET_OPS = frozenset({"to", "add"})
_MORE_WORDS = frozenset({"more", "mas", "plus", "mehr", "mais"})
# Readings that carry a size ("a bit", "much"), which may also come after them ("slow down a bit").
_SIZED = ("mood_shifts", "drum_shifts", "tempo_words", "tempo_shifts", "length_shifts", "energy_shifts")
_INSTRUMENTISH: tuple[Kind, ...] = ("instrument", "drums")


@dataclass
class Reading:
    """What the words of one message asked for, in the order they were said."""

    genres: list[str] = field(default_factory=list)
    genre_hints: list[str] = field(default_factory=list)  # from adjectives like "jazzy"
    styles: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    mood_shifts: list[tuple[str, str]] = field(default_factory=list)  # (mood, size)
    instruments: list[str] = field(default_factory=list)  # named without an operator
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    swaps: list[tuple[str, str]] = field(default_factory=list)  # (old or "" for the lead, new)
    only: bool = False
    drums: bool | None = None
    drum_shifts: list[tuple[str, str]] = field(default_factory=list)  # ("busy"|"sparse", size)
    kit: str | None = None
    tempo_words: list[tuple[str, str]] = field(default_factory=list)  # ("fast"|"slow", size)
    tempo_shifts: list[tuple[str, str]] = field(default_factory=list)  # ("faster"|…, size)
    length_words: list[str] = field(default_factory=list)
    length_shifts: list[tuple[str, str]] = field(default_factory=list)
    energy_words: list[str] = field(default_factory=list)  # "up" | "down"
    energy_shifts: list[tuple[str, str]] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    meters: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)  # every phrase recognised, as written (folded)

    @property
    def genre(self) -> str | None:
        """The genre the words name: the first noun ('lofi'), else the first adjective ('jazzy')."""
        return next(iter(self.genres + self.genre_hints), None)

    @property
    def describes(self) -> bool:
        """Whether the words say anything about the music (operators and sizes alone do not)."""
        return bool(
            self.genres
            or self.genre_hints
            or self.styles
            or self.moods
            or self.mood_shifts
            or self.instruments
            or self.added
            or self.removed
            or self.swaps
            or self.drums is not None
            or self.drum_shifts
            or self.kit
            or self.tempo_words
            or self.tempo_shifts
            or self.length_words
            or self.length_shifts
            or self.energy_words
            or self.energy_shifts
            or self.modes
            or self.meters
        )


def _gap(tokens: list[Token], start: int, end: int) -> list[str]:
    return [token.word for token in tokens[start:end]]


def _adjacent(tokens: list[Token], start: int, end: int, also: frozenset[str] = frozenset()) -> bool:
    return all(word in _DETERMINERS or word in also for word in _gap(tokens, start, end))


def _listed(tokens: list[Token], start: int, end: int) -> bool:
    return all(word in _LIST_WORDS for word in _gap(tokens, start, end))


def _find_swaps(mentions: list[Mention], tokens: list[Token]) -> tuple[list[tuple[str, str]], set[int]]:
    """Swaps in the mention sequence ('swap the piano for a guitar', 'guitar instead of piano')."""
    swaps: list[tuple[str, str]] = []
    used: set[int] = set()

    def instrument_at(index: int) -> str | None:
        return mentions[index].value("instrument") if 0 <= index < len(mentions) else None

    def op_at(index: int) -> str | None:
        return mentions[index].value("op") if 0 <= index < len(mentions) else None

    def joined(left: int, right: int) -> bool:
        return _adjacent(tokens, mentions[left].last, mentions[right].first)

    for index in range(len(mentions)):
        if used & {index, index + 1, index + 2, index + 3}:
            continue
        first, second = instrument_at(index + 1), instrument_at(index + 3)
        if (
            op_at(index) == "swap"
            and first
            and op_at(index + 2) in _SWAP_TARGET_OPS
            and second
            and joined(index, index + 1)
            and joined(index + 1, index + 2)
            and joined(index + 2, index + 3)
        ):
            swaps.append((first, second))
            used |= {index, index + 1, index + 2, index + 3}
        elif (
            op_at(index) == "swap"
            and op_at(index + 1) == "to"
            and instrument_at(index + 2)
            and joined(index, index + 1)
            and joined(index + 1, index + 2)
        ):
            swaps.append(("", instrument_at(index + 2) or ""))
            used |= {index, index + 1, index + 2}
        elif (
            instrument_at(index)
            and op_at(index + 1) in {"instead", "to"}
            and instrument_at(index + 2)
            and joined(index, index + 1)
            and joined(index + 1, index + 2)
        ):
            old, new = (index + 2, index) if op_at(index + 1) == "instead" else (index, index + 2)
            swaps.append((instrument_at(old) or "", instrument_at(new) or ""))
            used |= {index, index + 1, index + 2}
        elif op_at(index) == "instead" and instrument_at(index + 1) and joined(index, index + 1):
            later = next((k for k in range(index + 2, min(index + 4, len(mentions))) if instrument_at(k)), None)
            if later is not None and mentions[later].first - mentions[index + 1].last <= 4:
                swaps.append((instrument_at(index + 1) or "", instrument_at(later) or ""))
                used |= {index, index + 1, later, *range(index + 2, later)}
        elif (
            instrument_at(index)
            and mentions[index + 1 : index + 2]
            and mentions[index + 1].phrase == "instead"
            and joined(index, index + 1)
        ):
            swaps.append(("", instrument_at(index) or ""))
            used |= {index, index + 1}
    return swaps, used


def read(tokens: list[Token]) -> Reading:
    """The reading of a tokenised message."""
    mentions = scan(tokens)
    reading = Reading(unknown=unknown_words(tokens, mentions), phrases=[m.phrase for m in mentions])
    reading.swaps, used = _find_swaps(mentions, tokens)
    genre_named = any(m.has("genre") or m.has("style") for m in mentions)
    pending_op: tuple[str, str, int] | None = None  # (op, phrase, end token)
    pending_size: tuple[str, int] | None = None
    last_sized: tuple[str, int, int] | None = None  # (reading list, position, end token)
    chain_op: str | None = None
    previous_end = 0
    previous_instrument: Mention | None = None
    for index, mention in enumerate(mentions):
        if index in used:
            previous_end, chain_op, pending_op = mention.last, None, None
            continue
        op_value = mention.value("op")
        size_value = mention.value("size")
        if (
            op_value == "only"
            and previous_instrument is not None
            and _adjacent(tokens, previous_instrument.last, mention.first)
        ):
            # "piano only"; but "a guitar solo" in a rock song is a solo spot, not a solo piece.
            if mention.phrase != "solo" or not genre_named:
                reading.only = True
            previous_end = mention.last
            continue
        if op_value is not None and len(mention.meanings) == 1:
            pending_op = (op_value, mention.phrase, mention.last)
            previous_end = mention.last
            continue
        if size_value is not None and len(mention.meanings) == 1:
            following = mentions[index + 1] if index + 1 < len(mentions) else None
            sizes_next = following is not None and _adjacent(tokens, mention.last, following.first, _MORE_WORDS)
            if last_sized is not None and not sizes_next and _adjacent(tokens, last_sized[2], mention.first):
                entries = getattr(reading, last_sized[0])
                value, size = entries[last_sized[1]]
                if size == "normal":
                    entries[last_sized[1]] = (value, size_value)
            else:
                pending_size = (size_value, mention.last)
            previous_end = mention.last
            continue
        op: str | None = None
        if pending_op is not None and _adjacent(tokens, pending_op[2], mention.first):
            op = pending_op[0]
        elif (
            chain_op is not None
            and any(mention.has(k) for k in _INSTRUMENTISH)
            and _listed(tokens, previous_end, mention.first)
        ):
            op = chain_op
        size = "normal"
        if pending_size is not None and _adjacent(tokens, pending_size[1], mention.first, _MORE_WORDS):
            size = pending_size[0]
        before = [len(getattr(reading, name)) for name in _SIZED]
        _apply(reading, mention, op, size)
        grown = [name for name, length in zip(_SIZED, before, strict=True) if len(getattr(reading, name)) > length]
        last_sized = (grown[0], len(getattr(reading, grown[0])) - 1, mention.last) if grown else None
        if op == "only" and mention.has("instrument"):
            reading.only = True
        is_instrument = any(mention.has(k) for k in _INSTRUMENTISH)
        chain_op = op if is_instrument else None
        previous_instrument = mention if mention.has("instrument") else None
        pending_op, pending_size = None, None
        previous_end = mention.last
    return reading


def _apply(reading: Reading, mention: Mention, op: str | None, size: str) -> None:
    """Record what one mention means, given the operator and size that govern it."""
    negated = op == "remove"
    for meaning in mention.meanings:
        kind, value = meaning.kind, meaning.value
        if kind == "genre" and not negated:
            (reading.genre_hints if mention.phrase in GENRE_ADJECTIVES else reading.genres).append(value)
        elif kind == "style" and not negated:
            reading.styles.append(value)
        elif kind == "mood" and not negated:
            if op == "more":
                reading.mood_shifts.append((value, size))
            elif op == "less":
                reading.mood_shifts.append((MOODS[value].opposite, size))
            else:
                reading.moods.append(value)
        elif kind == "mood_more":
            target = MOODS[value].opposite if op == "less" else value
            reading.mood_shifts.append((target, size))
        elif kind == "instrument":
            if op in {"remove", "less"}:
                reading.removed.append(value)
            elif op in {"add", "more"}:
                reading.added.append(value)
            else:
                reading.instruments.append(value)
        elif kind == "drums":
            if negated:
                reading.drums = False
            elif op in {"more", "less"}:
                reading.drum_shifts.append(("busy" if op == "more" else "sparse", size))
            else:
                reading.drums = True
        elif kind == "drumless":
            reading.drums = False
        elif kind == "density" and not negated:
            reading.drum_shifts.append((value, size))
        elif kind == "kit" and not negated:
            reading.kit = value
        elif kind == "tempo" and not negated:
            if op in {"more", "less"}:
                faster = (value == "fast") == (op == "more")
                reading.tempo_shifts.append(("faster" if faster else "slower", size))
            else:
                reading.tempo_words.append((value, size))
        elif kind == "tempo_more":
            reading.tempo_shifts.append((value, size))
        elif kind == "length" and not negated:
            if op in {"more", "less"}:
                longer = value.endswith("long") == (op == "more")
                reading.length_shifts.append(("longer" if longer else "shorter", size))
            else:
                reading.length_words.append(value)
        elif kind == "length_more":
            reading.length_shifts.append((value, size))
        elif kind == "energy" and not negated:
            if op in {"more", "less"}:
                reading.energy_shifts.append(("up" if (value == "up") == (op == "more") else "down", size))
            else:
                reading.energy_words.append(value)
        elif kind == "energy_more":
            reading.energy_shifts.append((value, size))
        elif kind == "mode" and not negated:
            reading.modes.append(value)
        elif kind == "meter" and not negated:
            reading.meters.append(value)
        elif kind == "action" and not negated:
            reading.actions.append(value)
