"""Sustaining and supporting lines: pads, counter-melodies on guide tones, a second voice in thirds."""

from __future__ import annotations

import random

from engine.compose.grid import chord_at
from engine.compose.theory import fold_into, nearest_with_pc, scale_pcs, scale_pitches
from engine.compose.voicing import close_voicing
from engine.plan import Plan, Section
from engine.score import Note

HARMONY_SECTIONS = frozenset({"chorus", "drop", "tune b", "episode", "swell", "head", "theme"})


def _section_of(plan: Plan, beat: float) -> Section:
    bar = int(beat // plan.beats_per_bar)
    for section in plan.sections:
        if section.start_bar <= bar < section.start_bar + section.bars:
            return section
    return plan.sections[-1]


def write_pad(
    plan: Plan,
    low: int,
    high: int,
    end_beat: float,
    rng: random.Random,
    resting: frozenset[str] = frozenset(),
    ceiling: int | None = None,
) -> list[Note]:
    """Held chords, one voicing per chord led smoothly, soft under the band and held to the end.

    `ceiling` (the bottom of the tune's register) keeps the pad under the melody where its range allows.
    """
    window_low, window_high = max(low, 48), min(high, 79)
    if ceiling is not None and ceiling - max(low, 36) >= 12:
        window_high = min(window_high, ceiling)
        window_low = max(low, min(window_low, window_high - 14))
    if window_high - window_low < 12:
        window_low, window_high = low, high
    notes: list[Note] = []
    previous: list[int] | None = None
    chords = plan.chords
    for index, chord in enumerate(chords):
        section = _section_of(plan, chord.start)
        last = index == len(chords) - 1
        if section.name in resting and not last:
            continue
        voicing = close_voicing(chord, window_low, window_high, previous)
        previous = voicing
        length = end_beat - chord.start if last else chord.duration
        velocity = 50 + 30 * section.energy + rng.uniform(-2, 2)
        notes += [Note(chord.start, length, pitch, round(velocity)) for pitch in voicing]
    return notes


def write_counter(
    plan: Plan,
    low: int,
    high: int,
    end_beat: float,
    rng: random.Random,
    resting: frozenset[str] = frozenset(),
    sections: frozenset[str] | None = None,
) -> list[Note]:
    """A slow counter-line on each chord's third or seventh, moving by the smallest step it can."""
    window_low, window_high = low + 2, min(high, low + 22)
    previous = round((window_low + window_high) / 2)
    notes: list[Note] = []
    chords = plan.chords
    for index, chord in enumerate(chords):
        section = _section_of(plan, chord.start)
        last = index == len(chords) - 1
        if (section.name in resting or (sections is not None and section.name not in sections)) and not last:
            continue
        steps = [(pc - chord.root) % 12 for pc in chord.pitch_classes]
        guides = [(chord.root + s) % 12 for s in steps if s in (3, 4, 10, 11)] or [chord.root]
        if last:
            guides = [chord.root, *guides]
        pitch = min(
            (nearest_with_pc(pc, previous, window_low, window_high) for pc in guides),
            key=lambda p: (abs(p - previous), p),
        )
        velocity = 58 + 30 * section.energy + rng.uniform(-3, 3)
        length = end_beat - chord.start if last else chord.duration
        if not last and chord.duration >= 2 * plan.beats_per_bar:
            # A long chord gets a second note so the line keeps moving.
            half = chord.duration / 2
            other = min(
                (nearest_with_pc(pc, pitch + 3, window_low, window_high) for pc in chord.pitch_classes),
                key=lambda p: (abs(p - pitch - 3), p),
            )
            notes.append(Note(chord.start, half * 0.95, pitch, round(velocity)))
            notes.append(Note(chord.start + half, half * 0.95, other, round(velocity - 4)))
            previous = other
            continue
        notes.append(Note(chord.start, length * (1.0 if last else 0.95), pitch, round(velocity)))
        previous = pitch
    return notes


def write_second_voice(
    plan: Plan, lead: list[Note], low: int, high: int, end_beat: float, rng: random.Random
) -> list[Note]:
    """A second melody instrument: thirds under the lead in the peak sections, a counter-line elsewhere."""
    scale = scale_pitches(scale_pcs(plan.tonic_pc, plan.mode), 0, 127)
    harmony: list[Note] = []
    for note in lead:
        if _section_of(plan, note.start).name not in HARMONY_SECTIONS:
            continue
        chord = chord_at(plan.chords, note.start)
        below = [p for p in scale if 3 <= note.pitch - p <= 4]
        pitch = below[0] if below else note.pitch - 3
        if pitch % 12 not in chord.pitch_classes and note.duration >= 1.0:
            tones = [p for p in range(note.pitch - 9, note.pitch - 2) if p % 12 in chord.pitch_classes]
            pitch = tones[-1] if tones else pitch
        harmony.append(Note(note.start, note.duration, fold_into(pitch, low, high), max(40, note.velocity - 8)))
    counter = write_counter(plan, low, high, end_beat, rng, resting=HARMONY_SECTIONS)
    counter = [n for n in counter if _section_of(plan, n.start).name not in HARMONY_SECTIONS]
    return sorted(harmony + counter, key=lambda n: (n.start, n.pitch))
