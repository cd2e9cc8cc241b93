"""The pattern language every part writer reads: one character per sixteenth note.

A grid holds one or more bars. A symbol starts a note ('x', 'X' accented, digits, letters), '-' holds
the note before it, '.' is silence. Patterns are listed quiet to busy; a section's energy picks one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from engine.compose.theory import METER_GROUPS, STEPS_PER_BEAT, bar_steps, group_starts
from engine.plan import Chord

HOLD, REST = "-", "."


@dataclass(frozen=True, slots=True)
class Hit:
    """One onset in a grid: its step, its symbol and how many steps it sounds."""

    step: int
    symbol: str
    length: int


def parse_grid(grid: str) -> list[Hit]:
    """The onsets of a grid with their lengths (a note lasts through the '-' that follow it)."""
    hits: list[Hit] = []
    for step, symbol in enumerate(grid):
        if symbol in (HOLD, REST):
            continue
        length = 1
        while step + length < len(grid) and grid[step + length] == HOLD:
            length += 1
        hits.append(Hit(step, symbol, length))
    return hits


def pick(options: tuple[str, ...], energy: float, shift: int = 0) -> str:
    """The pattern for this energy (quiet sections take the first, the loudest the last), moved by `shift`."""
    index = min(len(options) - 1, int(max(0.0, energy) * len(options)))
    if shift and not 0 <= index + shift < len(options):
        shift = -shift  # at either end of the list a variation goes the other way
    return options[max(0, min(len(options) - 1, index + shift))]


def variation(bar: int, roll: float) -> int:
    """How far a bar's pattern moves from the section's own: the fourth bar of a phrase and some even bars.

    Players thin out or push at the end of a phrase; that bar-to-bar change is what keeps a groove alive.
    """
    if bar % 4 == 3:
        return -1
    return 1 if bar % 2 == 1 and roll < 0.5 else 0


def bar_slice(grid: str, meter: str, bar_index: int) -> str:
    """The part of a one- or multi-bar grid that a given bar plays."""
    steps = bar_steps(meter)
    bars = max(1, len(grid) // steps)
    start = (bar_index % bars) * steps
    return grid[start : start + steps]


def generic_grid(meter: str, kind: str) -> str:
    """A plain pattern for a meter no style spells out: block chords, arpeggio, off-beats or sustain."""
    steps = bar_steps(meter)
    starts = group_starts(meter)
    cells = ["."] * steps
    if kind == "sustain":
        return "x" + HOLD * (steps - 1)
    if kind == "arp":
        for index, step in enumerate(range(0, steps, 2)):
            cells[step] = str(index % 4)
            cells[step + 1] = HOLD
        return "".join(cells)
    for start, eighths in zip(starts, METER_GROUPS[meter], strict=True):
        if kind == "offbeat":
            cells[start + 2] = "x"
            if eighths == 3:
                cells[start + 4] = "x"
        else:
            cells[start] = "x"
            for step in range(start + 1, start + eighths * 2):
                cells[step] = HOLD
    return "".join(cells)


def step_beats(step: int) -> float:
    """A step count in quarter-note beats."""
    return step / STEPS_PER_BEAT


def chord_at(chords: tuple[Chord, ...] | list[Chord], beat: float) -> Chord:
    """The chord sounding at a beat (the first one before the piece starts, the last one after it ends)."""
    starts = [chord.start for chord in chords]
    index = bisect.bisect_right(starts, beat + 1e-9) - 1
    return chords[max(0, min(index, len(chords) - 1))]


def next_chord(chords: tuple[Chord, ...] | list[Chord], chord: Chord) -> Chord:
    """The chord after this one (the same chord at the very end)."""
    starts = [c.start for c in chords]
    index = bisect.bisect_right(starts, chord.start + 1e-9)
    return chords[min(index, len(chords) - 1)]
