"""Harmony: Roman-numeral progressions turned into timed chords, coloured per style, with cadences."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from engine.compose.progressions import MODAL_POOLS, POOLS, Pool
from engine.compose.theory import scale_pcs
from engine.errors import EngineError
from engine.plan import Chord

_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_NUMERAL = re.compile(
    r"^(?P<acc>[b#]?)(?P<num>VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?P<suffix>[^/@]*)"
    r"(?:/(?P<of>[^@]+))?(?:@(?P<bass>.+))?$"
)
_UPPER = {"": "maj", "7": "7", "maj7": "maj7", "9": "9", "maj9": "maj9", "6": "6",
          "sus2": "sus2", "sus4": "sus4", "5": "5", "+": "aug"}  # fmt: skip
_LOWER = {"": "min", "7": "min7", "9": "min9", "6": "min6", "o": "dim", "o7": "dim7", "ø7": "hdim7"}
# Which section kinds borrow which pool: intros preview the chorus, outros close on it.
_POOL_KIND = {
    "verse": "verse", "chorus": "chorus", "bridge": "bridge", "pre-chorus": "bridge", "intro": "verse",
    "outro": "chorus", "build": "verse", "drop": "chorus", "breakdown": "bridge", "head": "verse",
    "solo": "verse", "theme": "verse", "episode": "bridge", "tune a": "verse", "tune b": "chorus",
    "drift": "verse", "swell": "chorus", "glow": "bridge",
}  # fmt: skip
# The chord before the final tonic, per cadence kind and mode.
_MODAL_CADENCE = {"major": "IV", "minor": "bVII", "dorian": "IV", "mixolydian": "bVII", "lydian": "II",
                  "phrygian": "bII", "locrian": "bII"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChordSymbol:
    """A parsed numeral: root pitch class, quality, optional slash bass, and whether the quality was spelled."""

    root: int
    quality: str
    explicit: bool
    bass: int | None


def _degree(accidental: str, numeral: str) -> int:
    shift = {"b": -1, "#": 1}.get(accidental, 0)
    return (_DEGREES[numeral.upper()] + shift) % 12


def parse_numeral(symbol: str, tonic_pc: int) -> ChordSymbol:
    """Parse 'bVII7', 'iiø7', 'V7/vi' or 'IV@I' relative to a tonic pitch class."""
    match = _NUMERAL.match(symbol)
    if match is None:
        raise EngineError(f"bad chord numeral {symbol!r}")
    numeral, suffix = match["num"], match["suffix"]
    table = _UPPER if numeral.isupper() else _LOWER
    if suffix not in table:
        raise EngineError(f"bad chord suffix in {symbol!r}")
    reference = tonic_pc
    if match["of"]:
        reference = parse_numeral(match["of"], tonic_pc).root
    root = (reference + _degree(match["acc"], numeral)) % 12
    bass = parse_numeral(match["bass"], tonic_pc).root if match["bass"] else None
    return ChordSymbol(root, table[suffix], bool(suffix) or bool(match["of"]), bass)


def colour(symbol: ChordSymbol, scale: tuple[int, ...], level: int) -> str:
    """The chord quality with diatonic sevenths (level 1) or ninths too (level 2) where the scale has them."""
    if symbol.explicit or level <= 0:
        return symbol.quality
    has = {(pc - symbol.root) % 12 for pc in scale}
    seventh = {
        "maj": "maj7" if 11 in has else "7" if 10 in has else "maj",
        "min": "min7" if 10 in has else "min",
        "dim": "hdim7" if 10 in has else "dim",
    }
    quality = seventh.get(symbol.quality, symbol.quality)
    if level >= 2 and 2 in has:
        quality = {"maj7": "maj9", "7": "9", "min7": "min9"}.get(quality, quality)
    return quality


def _bar_splits(count: int, beats_per_bar: float) -> list[tuple[float, float]]:
    """(offset, length) of `count` chords sharing a bar; odd bars put the longer share first."""
    if count == 1:
        return [(0.0, beats_per_bar)]
    if count == 2 and beats_per_bar in (3.0, 5.0, 3.5, 4.5):
        first = {3.0: 2.0, 5.0: 3.0, 3.5: 2.0, 4.5: 3.0}[beats_per_bar]
        return [(0.0, first), (first, beats_per_bar - first)]
    share = beats_per_bar / count
    return [(index * share, share) for index in range(count)]


def progression_chords(
    text: str, tonic_pc: int, mode: str, level: int, start_beat: float, bars: int, beats_per_bar: float
) -> list[Chord]:
    """Lay a progression over `bars` bars from `start_beat`, repeating it as often as needed."""
    pattern = [bar.split() for bar in text.split("|")]
    scale = scale_pcs(tonic_pc, mode)
    chords: list[Chord] = []
    for bar in range(bars):
        symbols = pattern[bar % len(pattern)]
        bar_start = start_beat + bar * beats_per_bar
        for (offset, length), symbol in zip(_bar_splits(len(symbols), beats_per_bar), symbols, strict=True):
            if symbol == "." and chords:
                last = chords[-1]
                chords[-1] = Chord(last.root, last.quality, last.start, last.duration + length, last.bass)
                continue
            parsed = parse_numeral("I" if symbol == "." else symbol, tonic_pc)
            quality = colour(parsed, scale, level)
            chords.append(Chord(parsed.root, quality, bar_start + offset, length, parsed.bass))
    return chords


def _pool(family: str, mode: str) -> Pool:
    if mode in MODAL_POOLS:
        return MODAL_POOLS[mode]
    return POOLS[family]["minor" if mode == "minor" else "major"]


def _darkness(text: str) -> float:
    numerals = [s for s in text.replace("|", " ").split() if s != "."]
    return sum(1 for s in numerals if s.lstrip("b#")[:1].islower()) / max(1, len(numerals))


def _starts_home(text: str) -> bool:
    first = text.split("|")[0].split()[0]
    return first != "." and parse_numeral(first, 0).root == 0


def choose_progression(
    family: str, mode: str, section: str, valence: float, rng: random.Random, establish: bool = False
) -> str:
    """Pick a progression for a section kind; sad requests lean to the darker ones, happy to the brighter.

    `establish` (the first section that carries the song) prefers progressions that start on the tonic,
    so the key is heard before the harmony travels.
    """
    pool = _pool(family, mode)
    kind = _POOL_KIND.get(section, "verse")
    options = list(pool.get(kind) or pool["verse"])
    if len(options) > 2 and abs(valence) >= 0.3:
        options.sort(key=_darkness, reverse=valence < 0)
        options = options[: (len(options) + 1) // 2]
    if establish:
        options = [text for text in options if _starts_home(text)] or options
    return rng.choice(options)


def cadence_chord(kind: str, mode: str, tonic_pc: int, level: int) -> Chord:
    """The chord that leads into the final tonic, for a style's cadence kind (timing filled in later)."""
    if mode not in ("major", "minor") or kind == "modal":
        numeral = _MODAL_CADENCE[mode]
    else:
        numeral = {"authentic": "V", "plagal": "IV" if mode == "major" else "iv", "rock": "bVII"}[kind]
    parsed = parse_numeral(numeral, tonic_pc)
    # The dominant is major even in minor: a real leading tone.
    dominant = "7" if level >= 1 else "maj"
    quality = dominant if numeral == "V" else colour(parsed, scale_pcs(tonic_pc, mode), level)
    return Chord(parsed.root, quality, 0.0, 0.0)


def tonic_chord(chords: list[Chord], mode: str, tonic_pc: int, level: int) -> Chord:
    """The home chord to end on: as the piece itself spells it (I7 in a blues), else the coloured tonic."""
    for chord in chords:
        if chord.root == tonic_pc and chord.bass is None:
            return Chord(tonic_pc, chord.quality, 0.0, 0.0)
    parsed = parse_numeral("I" if mode not in ("minor", "dorian", "phrygian", "locrian") else "i", tonic_pc)
    if mode == "locrian":
        parsed = ChordSymbol(tonic_pc, "dim", True, None)
    return Chord(tonic_pc, colour(parsed, scale_pcs(tonic_pc, mode), min(level, 1)), 0.0, 0.0)


def _replace_span(chords: list[Chord], start: float, end: float, new: Chord) -> list[Chord]:
    """Overwrite [start, end) of a chord list with `new`, trimming the chords it overlaps."""
    out: list[Chord] = []
    for chord in chords:
        chord_end = chord.start + chord.duration
        if chord_end <= start or chord.start >= end:
            out.append(chord)
            continue
        if chord.start < start:
            out.append(Chord(chord.root, chord.quality, chord.start, start - chord.start, chord.bass))
        if chord_end > end:
            out.append(Chord(chord.root, chord.quality, end, chord_end - end, chord.bass))
    out.append(Chord(new.root, new.quality, start, end - start, new.bass))
    return sorted(out, key=lambda chord: chord.start)


def with_cadence(
    chords: list[Chord],
    *,
    final: bool,
    leads_to_peak: bool,
    cadence: str,
    mode: str,
    tonic_pc: int,
    level: int,
    beats_per_bar: float,
) -> list[Chord]:
    """End a section on a cadence: the last one resolves home and holds; one before a chorus ends on V."""
    if not chords:
        return chords
    end = chords[-1].start + chords[-1].duration
    bars = round((end - chords[0].start) / beats_per_bar)
    lead_in = cadence_chord(cadence, mode, tonic_pc, level)
    if final:
        home = tonic_chord(chords, mode, tonic_pc, level)
        last_bar = end - beats_per_bar
        chords = _replace_span(chords, last_bar, end, home)
        if bars >= 2:
            # Long bars take the lead-in chord for their second half, short bars for the whole bar.
            span = beats_per_bar / 2 if beats_per_bar >= 4 else beats_per_bar
            chords = _replace_span(chords, last_bar - span, last_bar, lead_in)
        return chords
    if leads_to_peak and (cadence != "modal" and mode in ("major", "minor")):
        last = chords[-1]
        if last.root != lead_in.root:
            start = max(last.start, end - beats_per_bar)
            chords = _replace_span(chords, start, end, lead_in)
    return chords
