"""Performance: swing, small timing and velocity deviations, and tidy tick-exact note data."""

from __future__ import annotations

import math
import random

from engine.score import Note

TICKS = 480  # times are rounded to MIDI ticks so a score is exactly reproducible


def swing_time(beat: float, amount: float, unit: float) -> float:
    """Warp time so every second `unit` (eighth or sixteenth) lands late; 0.33 of a unit is full triplet swing."""
    if amount <= 0:
        return beat
    pair = 2 * unit
    origin = math.floor(beat / pair + 1e-9) * pair
    offset = beat - origin
    late = unit * (1 + amount)
    if offset <= unit:
        return origin + offset * late / unit
    return origin + late + (offset - unit) * (pair - late) / unit


def anticipate(notes: list[Note], bar_lines: list[float], early: float = 0.25) -> list[Note]:
    """Push the notes struck on these bar lines a sixteenth early (tied over), cutting what they overlap."""
    moved: list[Note] = []
    for note in notes:
        line = next((b for b in bar_lines if abs(note.start - b) < 1e-6), None)
        if line is not None:
            moved.append(Note(line - early, note.duration + early, note.pitch, note.velocity))
            continue
        cut = next((b - early for b in bar_lines if note.start < b - early < note.start + note.duration), None)
        moved.append(note if cut is None else Note(note.start, cut - note.start, note.pitch, note.velocity))
    return moved


def _tick(value: float) -> float:
    return round(value * TICKS) / TICKS


def perform(
    notes: list[Note],
    rng: random.Random,
    *,
    swing: float = 0.0,
    swing_unit: float = 0.5,
    timing: float = 0.008,
    velocity: float = 4.0,
    floor: int = 1,
    end_beat: float | None = None,
) -> list[Note]:
    """Apply swing, then jitter start times (in beats, std-dev `timing`) and velocities; clip to the end."""
    played: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, n.pitch, n.duration)):
        start = swing_time(note.start, swing, swing_unit)
        end = swing_time(note.start + note.duration, swing, swing_unit)
        if timing > 0 and start > 0:
            start = max(0.0, start + rng.gauss(0.0, timing))
        if end_beat is not None:
            if start >= end_beat - 1e-6:
                continue
            end = min(end, end_beat)
        start, end = _tick(start), _tick(end)
        loudness = note.velocity + (rng.gauss(0.0, velocity) if velocity > 0 else 0.0)
        played.append(
            Note(
                start, max(1 / TICKS, end - start), max(0, min(127, note.pitch)), max(floor, min(127, round(loudness)))
            )
        )
    return played
