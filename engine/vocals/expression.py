"""How the line is shaped beyond the notes: glides between pitches, vibrato on long notes, breaths."""

from __future__ import annotations

import numpy as np
from scipy import signal

from engine.vocals.lines import SungNote
from engine.vocals.voices import Voice

GLIDE_BEFORE_S = 0.015  # a legato pitch change starts just before the new note's vowel …
GLIDE_AFTER_S = 0.035  # … and settles shortly after it
VIBRATO_MIN_NOTE_S = 0.4  # shorter notes are sung straight
VIBRATO_DELAY_S = 0.22  # vibrato starts this long into a note (or 40 % of it, whichever is earlier) …
VIBRATO_FADE_S = 0.25  # … and grows to full depth over this
BREATH_MIN_GAP_S = 0.3  # a gap between lines at least this long gets a breath
BREATH_MAX_S = 0.4
BREATH_LEAD_S = 0.06  # a breath ends this long before the next line's first sound


def pitch_contour(notes: list[SungNote], times: np.ndarray, voice: Voice) -> np.ndarray:
    """The sung pitch (fractional MIDI) at each time: the written notes, glided legato, with vibrato."""
    starts = np.array([note.start for note in notes])
    ends = np.array([note.end for note in notes])
    pitches = np.array([float(note.pitch) for note in notes])
    index = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(notes) - 1)
    resting = (times >= ends[index] + 0.005) | (times < starts[index])
    upcoming = np.where(times < starts[0], 0, np.minimum(index + 1, len(notes) - 1))
    current = np.where(resting, upcoming, index)
    contour = pitches[current]
    for k in range(1, len(notes)):
        if pitches[k] == pitches[k - 1] or ends[k - 1] < starts[k] - 0.005:
            continue
        window = (times >= starts[k] - GLIDE_BEFORE_S) & (times < starts[k] + GLIDE_AFTER_S)
        phase = (times[window] - starts[k] + GLIDE_BEFORE_S) / (GLIDE_BEFORE_S + GLIDE_AFTER_S)
        contour[window] = pitches[k - 1] + (pitches[k] - pitches[k - 1]) * (0.5 - 0.5 * np.cos(np.pi * phase))
    for k, note in enumerate(notes):
        length = note.end - note.start
        if length < VIBRATO_MIN_NOTE_S:
            continue
        onset = note.start + min(VIBRATO_DELAY_S, 0.4 * length)
        window = (times >= onset) & (times < note.end) & (current == k)
        elapsed = times[window] - onset
        depth = voice.vibrato_cents / 100 * np.minimum(1.0, elapsed / VIBRATO_FADE_S)
        contour[window] += depth * np.sin(2 * np.pi * voice.vibrato_hz * elapsed)
    return contour


def midi_to_hz(pitch: np.ndarray) -> np.ndarray:
    """Frequency of a fractional MIDI pitch."""
    return np.asarray(440.0 * 2.0 ** ((pitch - 69.0) / 12.0))


def breath(seconds: float, sample_rate: int, seed: int) -> np.ndarray:
    """A short inhale: band-passed noise that swells and fades (unit peak; the caller sets its level)."""
    count = max(int(seconds * sample_rate), 16)
    noise = np.random.default_rng(seed).standard_normal(count)
    sos = signal.butter(2, [700, min(4500, sample_rate / 2 - 100)], btype="bandpass", fs=sample_rate, output="sos")
    shaped = signal.sosfilt(sos, noise)
    rise = int(count * 0.65)
    envelope = np.concatenate([np.sin(np.linspace(0, np.pi / 2, rise)) ** 2,
                               np.cos(np.linspace(0, np.pi / 2, count - rise)) ** 2])  # fmt: skip
    shaped *= envelope
    return (shaped / max(float(np.max(np.abs(shaped))), 1e-9)).astype(np.float32)
