"""Chords chosen to fit a tune: a Viterbi path over the key's chords, bar by bar, scoring the melody's notes."""

from __future__ import annotations

import random
from collections.abc import Sequence

from engine.compose.theory import scale_pcs
from engine.plan import CHORD_INTERVALS
from engine.tune.tune import TuneNote

# Diatonic chords by scale degree (0-based) in major and minor; minor adds the harmonic-minor dominant.
_MAJOR_CHORDS = ((0, "maj"), (2, "min"), (4, "min"), (5, "maj"), (7, "maj"), (9, "min"), (7, "7"))
_MINOR_CHORDS = ((0, "min"), (3, "maj"), (5, "min"), (7, "min"), (8, "maj"), (10, "maj"), (7, "maj"), (7, "7"))
# Preferred motions (steps of the root above the tonic → next): the pull of dominant to tonic and so on.
_MOTION_BONUS = {(7, 0): 0.6, (5, 7): 0.35, (2, 7): 0.35, (9, 2): 0.25, (9, 5): 0.25, (0, 5): 0.2, (0, 7): 0.2,
                 (8, 7): 0.35, (3, 8): 0.2, (10, 3): 0.25, (5, 0): 0.2}  # fmt: skip
_REPEAT_COST = 0.15  # the same chord again is fine, but a change is welcome where the tune allows


def candidates(mode: str) -> tuple[tuple[int, str], ...]:
    """(root above the tonic, quality) of the chords the harmoniser may use in this mode."""
    return _MINOR_CHORDS if mode in ("minor", "dorian", "phrygian", "locrian") else _MAJOR_CHORDS


def _fit(notes: Sequence[TuneNote], start: float, length: float, root: int, quality: str, scale: set[int],
         strong: float) -> float:  # fmt: skip
    tones = {(root + step) % 12 for step in CHORD_INTERVALS[quality]}
    score = 0.0
    for note_start, note_length, pitch in notes:
        overlap = min(note_start + note_length, start + length) - max(note_start, start)
        if overlap <= 0:
            continue
        position = (note_start - start) % strong if note_start >= start else 0.0
        weight = overlap * (2.0 if abs(position) < 1e-6 else 1.0)
        pc = pitch % 12
        score += weight * (1.0 if pc in tones else -0.4 if pc in scale else -1.0)
    return score


def harmonise(
    notes: Sequence[TuneNote], bars: int, beats_per_bar: float, tonic_pc: int, mode: str,
    variety: random.Random | None = None,
) -> list[tuple[float, float, int, str]]:  # fmt: skip
    """One chord per bar (start beat, length, root pitch class, quality), tonic at the ends where it fits;
    `variety` (a new take of the section) nudges the choices toward other chords that fit too."""
    chords = candidates(mode)
    scale = set(scale_pcs(tonic_pc, mode))
    strong = beats_per_bar / 2 if beats_per_bar in (4.0, 2.0) else beats_per_bar
    fits = [[_fit(notes, bar * beats_per_bar, beats_per_bar, (tonic_pc + r) % 12, q, scale, strong)
             for r, q in chords] for bar in range(bars)]  # fmt: skip
    # An empty bar (a rest, a held note's end) leans on the tonic so it does not wander.
    for bar, row in enumerate(fits):
        if variety is not None:
            row[:] = [fit + variety.uniform(0.0, 1.2) for fit in row]
        row[0] += 0.5 if bar in (0, bars - 1) else 0.1
        if bars > 2 and bar == bars - 2:
            for number, (root, _) in enumerate(chords):
                row[number] += 0.3 if root == 7 else 0.0
    best = [list(fits[0])]
    back: list[list[int]] = []
    for bar in range(1, bars):
        row_best, row_back = [], []
        for number, (root, quality) in enumerate(chords):
            options = [best[-1][prev] + _transition(chords[prev], (root, quality)) for prev in range(len(chords))]
            choice = max(range(len(chords)), key=lambda p: options[p])
            row_best.append(options[choice] + fits[bar][number])
            row_back.append(choice)
        best.append(row_best)
        back.append(row_back)
    path = [max(range(len(chords)), key=lambda c: best[-1][c])]
    for row_back in reversed(back):
        path.append(row_back[path[-1]])
    path.reverse()
    return [(bar * beats_per_bar, beats_per_bar, (tonic_pc + chords[c][0]) % 12, chords[c][1])
            for bar, c in enumerate(path)]  # fmt: skip


def _transition(previous: tuple[int, str], following: tuple[int, str]) -> float:
    if previous == following:
        return -_REPEAT_COST
    return _MOTION_BONUS.get((previous[0], following[0]), 0.0)
