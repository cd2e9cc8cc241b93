"""A melodic line in seconds → beats: the tempo and beat phase, and a sixteenth grid (the meter: `meter.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.tune.line import LineNote

TEMPO_RANGE = (50.0, 200.0)
_PRIOR_CENTRE_BPM = 100.0  # hummed tunes cluster here; the prior settles double/half-tempo ties
_PRIOR_OCTAVES = 0.6
GRID = 0.25  # beats: the finest step a hummed rhythm is written on (a sixteenth)
_LEGATO_GAP = 0.5  # beats: a breath shorter than this is a sung legato, not a rest


@dataclass(frozen=True, slots=True)
class Pulse:
    """The beat found in a line: seconds per beat and the time of beat 0."""

    seconds_per_beat: float
    origin_s: float

    @property
    def bpm(self) -> float:
        """Beats per minute."""
        return 60.0 / self.seconds_per_beat

    def beats(self, seconds: float) -> float:
        """A time in seconds as beats from the origin."""
        return (seconds - self.origin_s) / self.seconds_per_beat


def _lock(onsets: np.ndarray, grid: float) -> tuple[float, float]:
    """How well onsets sit on a grid of `grid` seconds (resultant length 0–1) and the grid's phase."""
    angles = 2 * np.pi * onsets / grid
    resultant = np.mean(np.exp(1j * angles))
    return float(abs(resultant)), float(np.angle(resultant) / (2 * np.pi) * grid)


def _refine(onsets: np.ndarray, grid: float, phase: float) -> tuple[float, float]:
    """Least-squares grid step and phase once every onset has its grid index (corrects tempo drift)."""
    for _ in range(3):
        index = np.round((onsets - phase) / grid)
        if len(set(index.tolist())) < 2:
            break
        grid, phase = (float(v) for v in np.polyfit(index, onsets, 1))
    return grid, phase


def find_pulse(onsets_s: list[float]) -> Pulse:
    """The beat: the tempo whose sixteenth grid the onsets lock to best, near 100 bpm when in doubt."""
    onsets = np.asarray(onsets_s, dtype=float)
    if len(onsets) < 3:
        return Pulse(0.6, float(onsets[0]) if len(onsets) else 0.0)
    best = (-1.0, 0.6, 0.0)
    for bpm in np.arange(TEMPO_RANGE[0], TEMPO_RANGE[1], 0.5):
        beat = 60.0 / bpm
        sixteenth, phase = _lock(onsets, beat * GRID)
        eighth, _ = _lock(onsets, beat / 2)
        prior = np.exp(-0.5 * (np.log2(bpm / _PRIOR_CENTRE_BPM) / _PRIOR_OCTAVES) ** 2)
        score = (0.5 * sixteenth + 0.5 * eighth) * (0.6 + 0.4 * prior)
        if score > best[0]:
            best = (score, beat, phase)
    _, beat, phase = best
    sixteenth, phase = _refine(onsets, beat * GRID, phase)
    beat = sixteenth / GRID
    # Beat 0 is the grid point nearest the first onset on a beat (not between beats) where one is.
    positions = (onsets - phase) / beat
    on_beat = [p for p in positions if abs(p - round(p)) < 0.1] or [positions[0]]
    first = phase + np.floor(on_beat[0] + 0.1) * beat
    return Pulse(beat, float(first))


def quantise(line: list[LineNote], pulse: Pulse) -> list[tuple[float, float, int]]:
    """(start, length, pitch) in beats on the sixteenth grid; one note per grid point, breaths joined."""
    notes: list[tuple[float, float, int]] = []
    for note in line:
        start = round(pulse.beats(note.start_s) / GRID) * GRID
        end = max(start + GRID, round(pulse.beats(note.end_s) / GRID) * GRID)
        if notes and start <= notes[-1][0]:
            if note.end_s - note.start_s > notes[-1][1] * pulse.seconds_per_beat:
                notes[-1] = (notes[-1][0], end - notes[-1][0], note.pitch)  # the longer note wins the slot
            continue
        notes.append((start, end - start, note.pitch))
    joined: list[tuple[float, float, int]] = []
    for index, (start, length, pitch) in enumerate(notes):
        following = notes[index + 1][0] if index + 1 < len(notes) else None
        if following is not None and (start + length > following or following - start - length < _LEGATO_GAP):
            length = following - start
        joined.append((start, length, pitch))
    return joined
