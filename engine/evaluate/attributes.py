"""Attribute estimates from the output alone: tempo from audio, key, mode and meter from notes, programs heard.

Nothing here reads the spec: each estimate comes from what was rendered or written, and the caller
compares it with what was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import symusic
from music21 import analysis, note, stream

from engine.errors import EngineError
from engine.score import Note, Score, Track

MODE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10), "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10), "lydian": (0, 2, 4, 6, 7, 9, 11), "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}  # fmt: skip
MINOR_FAMILY = frozenset({"minor", "dorian", "phrygian", "locrian"})
# Bar lengths in eighth notes of the meters a request can name.
METER_EIGHTHS = {"2/4": 4, "3/4": 6, "4/4": 8, "5/4": 10, "6/8": 6, "7/8": 7, "9/8": 9, "12/8": 12}
_KICKS, _CRASHES = frozenset({35, 36}), frozenset({49, 57})
TEMPO_TOLERANCE = 0.04


def tempo_from_audio(audio: np.ndarray, sample_rate: int) -> float:
    """Beats per minute found by librosa's beat tracker in the mixed-down audio."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    if mono.size < sample_rate:
        raise EngineError("too little audio to estimate a tempo")
    # The percussive part carries the pulse; sustained chords and pads only blur the onset envelope.
    percussive = librosa.effects.percussive(mono.astype(np.float32), margin=2.0)
    tempo, _beats = librosa.beat.beat_track(y=percussive, sr=sample_rate)
    return float(np.atleast_1d(tempo)[0])


def tempo_verdict(estimate: float, requested: float, meter: str = "4/4") -> str:
    """MIREX-style: 'exact' within 4 %, 'octave' at ×2, ×½, ×3 or ×⅓, 'metrical' at 3:2 or 2:3, else 'wrong'.

    In compound meters (6/8, 9/8, 12/8) the felt beat is the dotted quarter, so two thirds of the
    quarter-note tempo counts as exact too.
    """
    ratio = estimate / requested
    exact = (1.0, 2 / 3) if meter in ("6/8", "9/8", "12/8") else (1.0,)
    checks = (("exact", exact), ("octave", (2.0, 0.5, 3.0, 1 / 3)), ("metrical", (1.5, 2 / 3)))
    for verdict, factors in checks:
        if any(abs(ratio / factor - 1) <= TEMPO_TOLERANCE for factor in factors):
            return verdict
    return "wrong"


def _pitched_notes(score: Score) -> list[Note]:
    return [n for t in score.tracks if not t.is_drum for n in t.notes]


def pitch_class_weights(score: Score) -> list[float]:
    """Sounding time per pitch class (quarter notes), drums excluded."""
    weights = [0.0] * 12
    for item in _pitched_notes(score):
        weights[item.pitch % 12] += item.duration
    return weights


def key_from_notes(score: Score) -> tuple[int, str]:
    """(tonic pitch class, 'major' or 'minor') by music21's Krumhansl–Schmuckler key finder."""
    weights = pitch_class_weights(score)
    if sum(weights) == 0:
        raise EngineError("no pitched notes to find a key in")
    # The finder weighs pitch classes by duration, so one note per class with the summed length is exact.
    summary: stream.Stream[note.Note] = stream.Stream()
    for pitch_class, length in enumerate(weights):
        if length > 0:
            summary.append(note.Note(60 + pitch_class, quarterLength=length))
    found = analysis.discrete.KrumhanslSchmuckler().getSolution(summary)
    return found.tonic.pitchClass, found.mode


def final_bass(score: Score) -> int:
    """The pitch class of the lowest note sounding at the very end: the 'final' that names a mode's tonic."""
    notes = _pitched_notes(score)
    end = max(n.start + n.duration for n in notes)
    closing = [n for n in notes if n.start + n.duration >= end - 0.5] or notes
    return min(closing, key=lambda n: n.pitch).pitch % 12


def modal_key(score: Score) -> tuple[int, str]:
    """(tonic, mode) for modal music: the seven-note collection that holds the most sounding time, named
    by its final (the lowest note at the end), as modal theory names a mode.

    Dorian, Mixolydian and the other church modes share their notes with a major key, so a key finder
    alone names the relative major or minor; Krumhansl–Schmuckler answers when the final is foreign.
    """
    tonic, mode = key_from_notes(score)
    weights = pitch_class_weights(score)
    major_tonic = max(range(12), key=lambda t: sum(weights[(t + s) % 12] for s in MODE_STEPS["major"]))
    collection = {(major_tonic + step) % 12 for step in MODE_STEPS["major"]}
    final = final_bass(score)
    if final not in collection:
        return tonic, mode
    for name in ("major", "minor", "dorian", "mixolydian", "lydian", "phrygian", "locrian"):
        if {(final + step) % 12 for step in MODE_STEPS[name]} == collection:
            return final, name
    return tonic, mode


def _accents(score: Score) -> np.ndarray:
    """Accent strength per eighth note: loudness of onsets, more for bass, kicks, crashes and long notes."""
    slots = max(1, int(score.length_beats * 2))
    accents = np.zeros(slots)
    for track in score.tracks:
        for item in track.notes:
            position = item.start * 2
            slot = round(position)
            if abs(position - slot) > 0.2 or slot >= slots:
                continue
            weight = item.velocity / 127
            if track.is_drum:
                weight *= 3.0 if item.pitch in _CRASHES else 2.0 if item.pitch in _KICKS else 0.6
            else:
                weight *= (2.0 if item.pitch < 48 else 1.0) * (1.5 if item.duration >= 1.0 else 1.0)
            accents[slot] += weight
    return accents


def _harmonic_changes(score: Score, slots: int) -> np.ndarray:
    """Per eighth note, how much the harmony heard changes there.

    Above the bass register: how the set of sounding pitch classes differs from the eighth before. In
    the bass: a new pitch class on a note held a beat or more (a walking bass moves every beat within
    one chord, so short bass notes are left out).
    """
    sounding: list[set[int]] = [set() for _ in range(slots)]
    bass: dict[int, int] = {}
    for item in _pitched_notes(score):
        first, last = round(item.start * 2), round((item.start + item.duration) * 2)
        if item.pitch < 48:
            if item.duration >= 0.95 and 0 <= first < slots:
                bass[first] = min(bass.get(first, item.pitch), item.pitch)
            continue
        for slot in range(max(0, first), min(slots, max(first + 1, last))):
            sounding[slot].add(item.pitch % 12)
    changes = np.zeros(slots)
    previous_bass: int | None = None
    for slot in range(slots):
        if slot and sounding[slot] and sounding[slot - 1]:
            changes[slot] = 1 - len(sounding[slot] & sounding[slot - 1]) / len(sounding[slot] | sounding[slot - 1])
        if slot in bass:
            if previous_bass is not None and bass[slot] % 12 != previous_bass:
                changes[slot] += 1.0
            previous_bass = bass[slot] % 12
    return changes


def _salience(accents: np.ndarray, eighths: int) -> tuple[float, np.ndarray]:
    bars = len(accents) // eighths
    if bars < 2:
        return 0.0, np.zeros(eighths)
    profile = accents[: bars * eighths].reshape(bars, eighths).mean(axis=0)
    return float(profile[0] - profile.mean()), profile


def meter_from_notes(score: Score) -> str:
    """The meter whose bar length makes the downbeat stand out most (bars assumed to start at zero).

    A meter whose bar is a multiple of another's wins only if its downbeats are clearly stronger; 3/4
    and 6/8 (same length) are told apart by accents on quarter-note or dotted-quarter beats.
    """
    accents = _accents(score)
    changes = _harmonic_changes(score, len(accents))
    # Harmony changes at bar lines: the strongest cue to where a bar starts, weighed above loudness.
    accents = accents / max(1e-9, accents.mean()) + 1.5 * changes / max(1e-9, changes.mean())
    scores = {eighths: _salience(accents, eighths) for eighths in sorted(set(METER_EIGHTHS.values()))}
    best = max(scores, key=lambda e: scores[e][0])
    for shorter in sorted(scores):
        if shorter < best and best % shorter == 0 and scores[shorter][0] >= 0.85 * scores[best][0]:
            best = shorter
            break
    if best == 6:
        profile = scores[6][1]
        # 6/8 accents its second dotted quarter above every other eighth; 3/4 its quarter beats.
        return "6/8" if profile[3] > max(profile[1], profile[2], profile[4], profile[5]) else "3/4"
    return next(meter for meter, eighths in METER_EIGHTHS.items() if eighths == best)


@dataclass(frozen=True, slots=True)
class Heard:
    """What a MIDI file contains: pitched programs with audible notes, drums, and its end in seconds."""

    programs: frozenset[int]
    drums: bool
    end_s: float


def heard_in_midi(midi: bytes, floor: int = 40) -> Heard:
    """Programs with at least one note at velocity ≥ `floor`, whether drums play, and the last note-off."""
    try:
        score = symusic.Score.from_midi(midi).to("second")
    except (RuntimeError, ValueError) as exc:
        raise EngineError(f"unreadable MIDI: {exc}") from exc
    programs = frozenset(t.program for t in score.tracks if not t.is_drum and any(n.velocity >= floor for n in t.notes))
    drums = any(t.is_drum and len(t.notes) > 0 for t in score.tracks)
    end = max((n.time + n.duration for t in score.tracks for n in t.notes), default=0.0)
    return Heard(programs, drums, float(end))


def score_from_midi(midi: bytes, roles: dict[str, str] | None = None) -> Score:
    """Read MIDI bytes back into a Score in beats (the first tempo and meter), for measuring what was written."""
    try:
        source = symusic.Score.from_midi(midi)
    except (RuntimeError, ValueError) as exc:
        raise EngineError(f"unreadable MIDI: {exc}") from exc
    tpq = source.ticks_per_quarter
    tempo = source.tempos[0].qpm if len(source.tempos) else 120.0
    meter = (
        f"{source.time_signatures[0].numerator}/{source.time_signatures[0].denominator}"
        if len(source.time_signatures)
        else "4/4"
    )
    tracks = [
        Track(
            t.name,
            t.program,
            (roles or {}).get(t.name, "drums" if t.is_drum else "chords"),
            [Note(n.time / tpq, n.duration / tpq, n.pitch, n.velocity) for n in t.notes],
            is_drum=t.is_drum,
        )
        for t in source.tracks
    ]
    length = max((n.start + n.duration for t in tracks for n in t.notes), default=0.0)
    return Score(float(tempo), meter, "C", "major", tracks, length)
