"""Polyphonic note events → one melodic line: the most salient voice, octave slips folded back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.tune.transcribe import FFT_HOP, NoteEvent

SINGABLE = (36, 96)  # C2–C7: what a voice, a whistle or a melody instrument plays as a tune
MIN_AMPLITUDE = 0.2  # fainter events are the model's echoes of harmonics and noise
MIN_SECONDS = 0.06


@dataclass(frozen=True, slots=True)
class LineNote:
    """A note of the melodic line in seconds."""

    start_s: float
    end_s: float
    pitch: int
    salience: float


def _salience(event: NoteEvent) -> float:
    # A longer, stronger note is more likely the tune; a blip on a harmonic is short and faint.
    return event.amplitude * min(1.0, event.end_s - event.start_s) ** 0.5


ENVELOPE_RATE = 22_050 / FFT_HOP  # loudness frames per second
_HELD_GAP_S = 0.04
_DIP_WINDOW_S = 0.03
_DIP_RATIO = 0.6  # a re-sung note dips below this share of the loudness around it; vibrato does not


def loudness(audio: np.ndarray) -> np.ndarray:
    """RMS loudness in frames of FFT_HOP samples."""
    frames = len(audio) // FFT_HOP
    return np.sqrt(np.mean(audio[: frames * FFT_HOP].reshape(frames, FFT_HOP) ** 2, axis=1) + 1e-12)


def join_held(line: list[LineNote], envelope: np.ndarray) -> list[LineNote]:
    """Join a note cut in two by vibrato: same pitch, no gap, no dip in loudness where it was cut."""
    joined: list[LineNote] = []
    for note in line:
        if joined and joined[-1].pitch == note.pitch and note.start_s - joined[-1].end_s < _HELD_GAP_S:
            previous = joined[-1]
            around = envelope[int(previous.start_s * ENVELOPE_RATE) : int(note.end_s * ENVELOPE_RATE) + 1]
            near = envelope[int((note.start_s - _DIP_WINDOW_S) * ENVELOPE_RATE) :
                            int((note.start_s + _DIP_WINDOW_S) * ENVELOPE_RATE) + 1]  # fmt: skip
            before = envelope[max(0, int((note.start_s - 2 * _DIP_WINDOW_S) * ENVELOPE_RATE)) :
                              int(note.start_s * ENVELOPE_RATE) + 1]  # fmt: skip
            # A re-struck string or key rises out of the decay; a held voice neither dips nor rises.
            struck = len(before) and len(near) and near.max() > 1.5 * float(before.min())
            if len(around) and len(near) and not struck and near.min() > _DIP_RATIO * float(np.median(around)):
                joined[-1] = LineNote(previous.start_s, note.end_s, note.pitch, max(previous.salience, note.salience))
                continue
        joined.append(note)
    return joined


def melodic_line(events: list[NoteEvent], envelope: np.ndarray | None = None) -> list[LineNote]:
    """The single line a listener would sing back: one note at a time, most salient first; with the
    recording's loudness `envelope`, notes that vibrato cut in two are joined."""
    candidates = [
        LineNote(e.start_s, e.end_s, e.pitch, _salience(e))
        for e in events
        if e.amplitude >= MIN_AMPLITUDE and SINGABLE[0] <= e.pitch <= SINGABLE[1] and e.end_s - e.start_s >= MIN_SECONDS
    ]
    chosen: list[LineNote] = []
    # Strongest first: a note is kept where it does not mostly overlap a stronger kept note.
    for note in sorted(candidates, key=lambda n: -n.salience):
        length = note.end_s - note.start_s
        overlap = sum(max(0.0, min(note.end_s, k.end_s) - max(note.start_s, k.start_s)) for k in chosen)
        if overlap < 0.35 * length:
            chosen.append(note)
    chosen.sort(key=lambda n: n.start_s)
    line: list[LineNote] = []
    for note in chosen:  # monophonic: a note ends where the next one starts
        if line and line[-1].end_s > note.start_s:
            previous = line[-1]
            line[-1] = LineNote(previous.start_s, note.start_s, previous.pitch, previous.salience)
        line.append(note)
    line = fold_octaves([n for n in line if n.end_s - n.start_s >= MIN_SECONDS])
    return join_held(line, envelope) if envelope is not None else line


def fold_octaves(line: list[LineNote], span: int = 3) -> list[LineNote]:
    """Move notes an octave away from all their neighbours back next to them (a tracker's octave slip)."""
    folded = list(line)
    for index, note in enumerate(line):
        neighbours = [n.pitch for n in line[max(0, index - span) : index] + line[index + 1 : index + 1 + span]]
        if len(neighbours) < 2:
            continue
        centre = sorted(neighbours)[len(neighbours) // 2]
        for shift in (-12, 12):
            if abs(note.pitch - centre) > 9 and abs(note.pitch + shift - centre) <= 7:
                folded[index] = LineNote(note.start_s, note.end_s, note.pitch + shift, note.salience)
    return folded
