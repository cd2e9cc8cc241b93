"""Musicality metrics on a score, after MusPy (Dong et al. 2020) and Yang & Lerch (2020).

All metrics read only the notes (pitched tracks unless a metric says otherwise), so the same code
measures Bandmate's output and the POP909 reference songs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from engine.plan import Chord
from engine.score import Note, Score, Track

GRID = 12  # onset grid per quarter-note beat: sixteenths and triplets both land on it
MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)
INTERVAL_BINS = ("unison", "step", "third", "fourth-fifth", "sixth-octave", "over octave")


def pitched(score: Score) -> list[Track]:
    """The tracks with pitches (drums excluded)."""
    return [track for track in score.tracks if not track.is_drum]


def _notes(tracks: list[Track]) -> list[Note]:
    return [note for track in tracks for note in track.notes]


def pitch_class_entropy(score: Score) -> float:
    """Shannon entropy (bits) of the pitch-class histogram of note onsets; 0 for one pitch class, ≤ log2 12."""
    counts = Counter(note.pitch % 12 for note in _notes(pitched(score)))
    total = sum(counts.values())
    if total == 0:
        return 0.0
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def scale_consistency(score: Score) -> float:
    """The largest share of notes inside one major or natural-minor scale, over all 24 of them."""
    counts = Counter(note.pitch % 12 for note in _notes(pitched(score)))
    total = sum(counts.values())
    if total == 0:
        return 0.0
    best = 0
    for tonic in range(12):
        for steps in (MAJOR_STEPS, MINOR_STEPS):
            best = max(best, sum(counts[(tonic + s) % 12] for s in steps))
    return best / total


def bar_starts(score: Score) -> list[float]:
    """Bar start beats from the meter, over the piece's length."""
    top, bottom = (int(n) for n in score.meter.split("/"))
    bar = top * 4 / bottom
    count = max(1, math.ceil(score.length_beats / bar - 1e-9))
    return [index * bar for index in range(count)]


def _onset_rows(notes: list[Note], starts: list[float], length: float) -> list[np.ndarray]:
    """Per bar, which grid steps have a note onset."""
    ends = [*starts[1:], length]
    rows = [np.zeros(max(1, round((end - start) * GRID)), dtype=bool) for start, end in zip(starts, ends, strict=True)]
    for note in notes:
        index = int(np.searchsorted(starts, note.start + 1e-6, side="right")) - 1
        if 0 <= index < len(rows):
            step = round((note.start - starts[index]) * GRID)
            if step < len(rows[index]):
                rows[index][step] = True
    return rows


def groove_consistency(score: Score, starts: list[float] | None = None) -> float:
    """1 − the mean Hamming distance between consecutive bars' onset patterns (1 = the same groove throughout)."""
    starts = starts if starts is not None else bar_starts(score)
    rows = _onset_rows(_notes(pitched(score)), starts, score.length_beats)
    distances = [np.count_nonzero(a != b) / len(a) for a, b in pairwise(rows) if len(a) == len(b)]
    return 1.0 - float(np.mean(distances)) if distances else 1.0


def empty_beat_rate(score: Score) -> float:
    """Share of beats in which no pitched note starts."""
    notes = _notes(pitched(score))
    beats = max(1, math.ceil(score.length_beats - 1e-9))
    busy = {int(note.start + 1e-6) for note in notes if note.start < beats}
    return 1.0 - len(busy) / beats


def polyphony(score: Score) -> tuple[float, float]:
    """(mean pitches sounding where anything sounds, share of such time with more than one pitch)."""
    steps = max(1, math.ceil(score.length_beats * GRID))
    active = np.zeros(steps, dtype=np.int32)
    for note in _notes(pitched(score)):
        first = max(0, round(note.start * GRID))
        last = min(steps, max(first + 1, round((note.start + note.duration) * GRID)))
        active[first:last] += 1
    sounding = active[active > 0]
    if sounding.size == 0:
        return 0.0, 0.0
    return float(sounding.mean()), float(np.count_nonzero(sounding > 1) / sounding.size)


def melody_line(track: Track) -> list[Note]:
    """A monophonic line from a track: the top note of each onset (skyline)."""
    top: dict[float, Note] = {}
    for note in track.notes:
        key = round(note.start * GRID) / GRID
        if key not in top or note.pitch > top[key].pitch:
            top[key] = note
    return [top[key] for key in sorted(top)]


def interval_histogram(line: list[Note]) -> dict[str, float]:
    """Shares of melodic intervals by size: unison, step, third, fourth-fifth, sixth-octave, beyond."""
    edges = (0, 2, 4, 7, 12)
    counts: Counter[str] = Counter()
    for a, b in pairwise(line):
        size = abs(b.pitch - a.pitch)
        counts[next((INTERVAL_BINS[i] for i, edge in enumerate(edges) if size <= edge), INTERVAL_BINS[-1])] += 1
    total = sum(counts.values()) or 1
    return {name: counts[name] / total for name in INTERVAL_BINS}


def chord_tone_ratio(melody: list[Note], accompaniment: list[Note], strong_beats: list[float]) -> float | None:
    """Share of melody notes on strong beats whose pitch class sounds in the accompaniment in that beat.

    The accompaniment's pitch classes are those held over the onset or struck before the next beat
    (an oom-pah's chord answers its bass note); onsets over a silent accompaniment are not counted.
    """
    ordered = sorted(accompaniment, key=lambda n: n.start)
    starts = np.array([n.start for n in ordered])
    longest = max((n.duration for n in ordered), default=0.0)
    strong = {round(b * GRID) for b in strong_beats}
    hits = total = 0
    for note in melody:
        if round(note.start * GRID) not in strong:
            continue
        first = int(np.searchsorted(starts, note.start - longest, side="left"))
        last = int(np.searchsorted(starts, note.start + 1.0 + 1e-6, side="right"))
        harmony = {n.pitch % 12 for n in ordered[first:last] if n.start + n.duration > note.start + 0.01}
        if not harmony:
            continue
        total += 1
        hits += note.pitch % 12 in harmony
    return hits / total if total else None


def bass_on_root(notes: list[Note], chords: list[Chord]) -> float:
    """Share of chords whose lowest note in their first beat is the chord's root (or its slash bass)."""
    hits = counted = 0
    for chord in chords:
        opening = [note for note in notes if chord.start - 0.25 <= note.start < chord.start + 1.0]
        if not opening:
            continue
        counted += 1
        lowest = min(opening, key=lambda note: note.pitch).pitch % 12
        hits += lowest == (chord.bass if chord.bass is not None else chord.root) % 12
    return hits / counted if counted else 0.0


def strong_beats(score: Score, starts: list[float] | None = None) -> list[float]:
    """Downbeats, plus the middle of bars that split evenly in two halves of two or more beats."""
    starts = starts if starts is not None else bar_starts(score)
    beats: list[float] = []
    for start, end in zip(starts, [*starts[1:], score.length_beats], strict=True):
        beats.append(start)
        if end - start >= 4.0 and (end - start) % 2 == 0:
            beats.append(start + (end - start) / 2)
    return beats


def bar_features(notes: list[Note], starts: list[float]) -> list[frozenset[tuple[int, int]]]:
    """Per bar, the set of (onset sixteenth, pitch) pairs: what a listener would recognise as 'that bar again'."""
    bars: list[set[tuple[int, int]]] = [set() for _ in starts]
    for note in notes:
        index = int(np.searchsorted(starts, note.start + 1e-6, side="right")) - 1
        if 0 <= index < len(bars):
            bars[index].add((round((note.start - starts[index]) * 4), note.pitch))
    return [frozenset(bar) for bar in bars]


def self_similarity(features: list[frozenset[tuple[int, int]]]) -> np.ndarray:
    """Bar-by-bar Jaccard similarity matrix (1 on the diagonal; empty bars match nothing)."""
    size = len(features)
    matrix = np.zeros((size, size))
    for i in range(size):
        for j in range(i, size):
            union = len(features[i] | features[j])
            value = len(features[i] & features[j]) / union if union else 0.0
            matrix[i, j] = matrix[j, i] = value
    return matrix


def recurrence(matrix: np.ndarray, threshold: float = 0.5, lag: int = 4) -> float:
    """Share of bars (after the first `lag`) that closely repeat a bar at least `lag` bars earlier."""
    size = matrix.shape[0]
    if size <= lag:
        return 0.0
    repeats = sum(1 for i in range(lag, size) if matrix[i, : i - lag + 1].max() >= threshold)
    return repeats / (size - lag)


def longest_silence_bars(score: Score) -> float:
    """The longest stretch, in bars, where nothing at all sounds (drums included), up to the piece's end."""
    top, bottom = (int(n) for n in score.meter.split("/"))
    bar = top * 4 / bottom
    spans = sorted((n.start, n.start + n.duration) for t in score.tracks for n in t.notes)
    cursor, longest = 0.0, 0.0
    for start, end in spans:
        longest = max(longest, start - cursor)
        cursor = max(cursor, end)
    longest = max(longest, score.length_beats - cursor)
    return longest / bar


@dataclass(frozen=True, slots=True)
class Musicality:
    """Every musicality metric of one piece."""

    pitch_class_entropy: float
    scale_consistency: float
    groove_consistency: float
    empty_beat_rate: float
    polyphony: float
    polyphony_rate: float
    chord_tone_ratio: float | None
    melodic_range: int | None
    stepwise_ratio: float | None
    leap_ratio: float | None
    intervals: dict[str, float]
    recurrence: float
    longest_silence_bars: float


def measure(score: Score, melody: Track | None, starts: list[float] | None = None) -> Musicality:
    """All metrics for a score; `melody` is the track sung as the tune (None when there is none)."""
    starts = starts if starts is not None else bar_starts(score)
    mean_poly, poly_rate = polyphony(score)
    line = melody_line(melody) if melody is not None else []
    others = [n for t in pitched(score) if t is not melody for n in t.notes]
    histogram = interval_histogram(line) if len(line) > 1 else {}
    ratio = chord_tone_ratio(line, others, strong_beats(score, starts)) if line and others else None
    features = bar_features(_notes(pitched(score)), starts)
    return Musicality(
        pitch_class_entropy=pitch_class_entropy(score),
        scale_consistency=scale_consistency(score),
        groove_consistency=groove_consistency(score, starts),
        empty_beat_rate=empty_beat_rate(score),
        polyphony=mean_poly,
        polyphony_rate=poly_rate,
        chord_tone_ratio=ratio,
        melodic_range=(max(n.pitch for n in line) - min(n.pitch for n in line)) if line else None,
        stepwise_ratio=(histogram["unison"] + histogram["step"]) if histogram else None,
        leap_ratio=(histogram["sixth-octave"] + histogram["over octave"]) if histogram else None,
        intervals=histogram,
        recurrence=recurrence(self_similarity(features)),
        longest_silence_bars=longest_silence_bars(score),
    )
