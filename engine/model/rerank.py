"""Musicality measures used to pick the best of k sampled melodies or accompaniments (chord tones, scale, shape)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from engine.compose.grid import chord_at
from engine.metrics import bass_on_root
from engine.metrics import chord_tone_ratio as strong_beat_chord_tones
from engine.plan import Chord
from engine.score import Note

STRONG_BEAT_WEIGHT = 2.0
IDEAL_SPAN = (12, 20)  # POP909 tunes span an octave to an octave and a half (median 18 semitones)
MAX_COMFORTABLE_LEAP = 9
MELODY_WEIGHTS = {"chord_tone_ratio": 0.2, "strong_chord_tones": 0.15, "scale_consistency": 0.2, "range_fit": 0.1,
                  "repetition": 0.15, "smoothness": 0.1, "density": 0.1}  # fmt: skip
ACCOMPANIMENT_WEIGHTS = {"chord_tone_ratio": 0.3, "scale_consistency": 0.1, "grounded": 0.25, "regularity": 0.15,
                         "density": 0.2}  # fmt: skip


def weighted(measures: object, weights: dict[str, float]) -> float:
    """The weighted sum of a measures record's fields."""
    return sum(weight * float(getattr(measures, name)) for name, weight in weights.items())


@dataclass(frozen=True, slots=True)
class Musicality:
    """The measures of one melody, each in 0–1 (higher is better), and their weighted total."""

    chord_tone_ratio: float
    strong_chord_tones: float
    scale_consistency: float
    range_fit: float
    repetition: float
    smoothness: float
    density: float

    @property
    def total(self) -> float:
        """The ranking score: harmony first, then scale, shape and form."""
        return weighted(self, MELODY_WEIGHTS)


def chord_tone_ratio(notes: list[Note], chords: tuple[Chord, ...] | list[Chord]) -> float:
    """Duration-weighted share of notes that belong to the chord under them; downbeat notes count double."""
    weighted = total = 0.0
    for note in notes:
        chord = chord_at(chords, note.start)
        weight = note.duration * (STRONG_BEAT_WEIGHT if note.start % 1 == 0 else 1.0)
        total += weight
        if chord is not None and note.pitch % 12 in chord.pitch_classes:
            weighted += weight
    return weighted / total if total else 0.0


def strong_chord_tone_ratio(notes: list[Note], chords: tuple[Chord, ...] | list[Chord], beats_per_bar: float) -> float:
    """The evaluation's chord-tone ratio (strong-beat notes in the harmony), with the plan's chords as harmony."""
    harmony = [Note(c.start, c.duration, 60 + pc, 80) for c in chords for pc in c.pitch_classes]
    end = max((note.start + note.duration for note in notes), default=0.0)
    half = beats_per_bar / 2 if beats_per_bar >= 4 and beats_per_bar % 2 == 0 else beats_per_bar
    strong = [index * half for index in range(int(end // half) + 1)]
    return strong_beat_chord_tones(notes, harmony, strong) or 0.0


def scale_consistency(notes: list[Note], scale: frozenset[int]) -> float:
    """Share of notes whose pitch class is in the scale."""
    return sum(note.pitch % 12 in scale for note in notes) / len(notes) if notes else 0.0


def range_fit(notes: list[Note]) -> float:
    """1 when the melody's span is in the singable window, falling off outside it."""
    if not notes:
        return 0.0
    span = max(note.pitch for note in notes) - min(note.pitch for note in notes)
    low, high = IDEAL_SPAN
    if low <= span <= high:
        return 1.0
    distance = low - span if span < low else span - high
    return max(0.0, 1.0 - distance / 12)


def repetition(notes: list[Note], beats_per_bar: float) -> float:
    """How much bar rhythms recur (songs repeat motifs), peaking at about half the bars repeating."""
    patterns = Counter[tuple[float, ...]]()
    for bar in {int(note.start // beats_per_bar) for note in notes}:
        patterns[
            tuple(round(note.start % beats_per_bar, 2) for note in notes if int(note.start // beats_per_bar) == bar)
        ] += 1
    bars = sum(patterns.values())
    if bars < 2:
        return 0.0
    repeated = sum(count for count in patterns.values() if count > 1) / bars
    return 1.0 - abs(repeated - 0.5) * 2


def smoothness(notes: list[Note]) -> float:
    """Share of melodic steps that are not awkward leaps."""
    if len(notes) < 2:
        return 0.0
    leaps = [abs(b.pitch - a.pitch) for a, b in itertools.pairwise(notes)]
    return sum(leap <= MAX_COMFORTABLE_LEAP for leap in leaps) / len(leaps)


def density(notes: list[Note], bars: int, target_per_bar: float, beats_per_bar: float) -> float:
    """1 when notes per bar is near the target and most bars sing, falling off otherwise."""
    if not notes or bars <= 0:
        return 0.0
    ratio = len(notes) / bars / max(0.5, target_per_bar)
    # POP909 songs open with silent intros the model learned too; the composer wants a tune in most bars
    sung = len({int(note.start // beats_per_bar) for note in notes}) / bars
    return min(ratio, 1 / ratio) * min(1.0, sung / 0.8)


def measure(
    notes: list[Note],
    chords: tuple[Chord, ...] | list[Chord],
    scale: frozenset[int],
    beats_per_bar: float,
    bars: int,
    target_per_bar: float,
) -> Musicality:
    """All measures of one melody over its chords."""
    return Musicality(
        chord_tone_ratio(notes, chords),
        strong_chord_tone_ratio(notes, chords, beats_per_bar),
        scale_consistency(notes, scale),
        range_fit(notes),
        repetition(notes, beats_per_bar),
        smoothness(notes),
        density(notes, bars, target_per_bar, beats_per_bar),
    )


@dataclass(frozen=True, slots=True)
class Accompaniment:
    """The measures of one piano accompaniment, each in 0–1 (higher is better), and their weighted total."""

    chord_tone_ratio: float
    scale_consistency: float
    grounded: float
    regularity: float
    density: float

    @property
    def total(self) -> float:
        """The ranking score: the harmony first, then a steady pattern at the section's density."""
        return weighted(self, ACCOMPANIMENT_WEIGHTS)


def regularity(notes: list[Note], beats_per_bar: float) -> float:
    """Share of bars whose onset pattern recurs in another bar: accompaniment keeps a figure going."""
    patterns = Counter[tuple[float, ...]]()
    for bar in {int(note.start // beats_per_bar) for note in notes}:
        onsets = {round(note.start % beats_per_bar, 2) for note in notes if int(note.start // beats_per_bar) == bar}
        patterns[tuple(sorted(onsets))] += 1
    bars = sum(patterns.values())
    return sum(count for count in patterns.values() if count > 1) / bars if bars > 1 else 0.0


def measure_accompaniment(
    notes: list[Note],
    chords: tuple[Chord, ...] | list[Chord],
    scale: frozenset[int],
    beats_per_bar: float,
    bars: int,
    target_per_bar: float,
) -> Accompaniment:
    """All measures of one accompaniment over its chords."""
    return Accompaniment(
        chord_tone_ratio(notes, chords),
        scale_consistency(notes, scale),
        bass_on_root(notes, list(chords)),
        regularity(notes, beats_per_bar),
        density(notes, bars, target_per_bar, beats_per_bar),
    )
