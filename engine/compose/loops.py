"""Loop leads for club music: a 1–2-bar riff or a sixteenth arpeggio, repeated and moved with the chords.

Techno, house and trance are built from short loops rather than a sung tune: the same figure comes
round every bar or two, follows the harmony's root, and the arrangement builds by bringing it in
(it rests through the intro and thins out in a breakdown) instead of by a new melody.
"""

from __future__ import annotations

import random

from engine.compose.grid import chord_at, parse_grid, step_beats
from engine.compose.theory import bar_steps, nearest_with_pc
from engine.plan import Plan
from engine.score import Note

# Riff rhythms on the sixteenth grid (one 4/4 bar each): syncopated, leaving the kick room on the beat.
RIFF_RHYTHMS: tuple[str, ...] = (
    "x-.x-.x-..x-.x..",
    "..x-..x-..x-x-..",
    "x-.xx-.x..x.x-..",
    ".xx..x.x.xx..x.x",
    "x..x..x...x..x..",
)
# Chord-relative steps the riff's notes use: root, fifth, octave, the chord's third and seventh.
_RIFF_DEGREES = (0, 0, 7, 12, 1, 3)  # 1 and 3 index the chord's third and seventh when it has them
ARP_ORDER = (0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3)  # up-and-down sixteenths over the chord
_QUIET_SECTIONS = frozenset({"intro"})
_THIN_SECTIONS = frozenset({"breakdown", "bridge"})
_LAYER_IN_BARS = 2


def _riff(rng: random.Random, bars: int) -> list[tuple[int, int]]:
    """(sixteenth step from the riff's start, degree) pairs for a riff `bars` bars long."""
    figure: list[tuple[int, int]] = []
    for bar in range(bars):
        rhythm = rng.choice(RIFF_RHYTHMS)
        for hit in parse_grid(rhythm):
            figure.append((bar * 16 + hit.step, rng.choice(_RIFF_DEGREES)))
    return figure


def _pitch(degree: int, chord_pcs: tuple[int, ...], root_pitch: int) -> int:
    if degree in (1, 3):  # the chord's third, or its seventh when it has one (else its fifth)
        index = 1 if degree == 1 else min(3, len(chord_pcs) - 1)
        return root_pitch + (chord_pcs[index] - chord_pcs[0]) % 12
    return root_pitch + degree


def write_loop(
    plan: Plan, meter: str, kind: str, low: int, high: int, end_beat: float, rng: random.Random
) -> list[Note]:
    """A 'riff' (1–2 bars, repeated) or an 'arp' (sixteenths up and down the chord) over the whole plan."""
    steps = bar_steps(meter)
    riff_bars = rng.choice((1, 2, 2))
    figure = _riff(rng, riff_bars) if kind == "riff" else [(step, ARP_ORDER[step]) for step in range(16)]
    length = riff_bars if kind == "riff" else 1
    centre = low + (high - low) // 3  # loops sit low in the lead's range, under where a tune would go
    notes: list[Note] = []
    for section in plan.sections:
        if section.name in _QUIET_SECTIONS and len(plan.sections) > 1:
            continue
        velocity = round(70 + 30 * section.energy)
        for bar in range(section.bars):
            index = section.start_bar + bar
            if index < _LAYER_IN_BARS and plan.total_bars >= 4 * _LAYER_IN_BARS:
                continue  # no intro: the loop still layers in after the groove has started
            start = index * plan.beats_per_bar
            chord = chord_at(plan.chords, start)
            pcs = chord.pitch_classes
            root_pitch = nearest_with_pc(pcs[0], centre, low, high - 12)
            for step, degree in figure:
                offset = step - (index % length) * 16
                if not 0 <= offset < steps or (section.name in _THIN_SECTIONS and offset % 4):
                    continue
                onset = start + step_beats(offset)
                if onset >= end_beat:
                    continue
                if kind == "arp":
                    pitch = root_pitch + (pcs[degree % len(pcs)] - pcs[0]) % 12
                else:
                    pitch = _pitch(degree, pcs, root_pitch)
                notes.append(Note(onset, step_beats(1) * 0.8, min(high, pitch), velocity))
    return notes
