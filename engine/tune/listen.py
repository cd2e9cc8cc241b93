"""Any file a user brings → a Tune: MIDI is read, audio is transcribed; every bad input gets one line."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from engine.errors import UserError
from engine.tune.audio_input import check_size, load_audio
from engine.tune.key import detect_key
from engine.tune.line import LineNote, loudness, melodic_line
from engine.tune.meter import guess_meter
from engine.tune.midi_input import MIN_TUNE_NOTES, is_midi, tune_from_midi
from engine.tune.rhythm import find_pulse, quantise
from engine.tune.transcribe import Transcriber
from engine.tune.tune import Tune

SILENCE_RMS = 1e-3  # about −60 dBFS: nothing was recorded
NO_TUNE = "I couldn't hear a tune in that recording: hum, sing, whistle or play a few clear notes."
MAX_BARS = 64
# A tune holds steady pitches: at least this share of the recording is covered by the melodic line.
MIN_TUNE_COVERAGE = 0.25
MIN_PITCHES, MIN_SPAN = 3, 4


def read_tune(path: Path, transcriber: Transcriber | None = None, *, track: str | None = None) -> Tune:
    """The tune in a MIDI or audio file; UserError with one line for anything that holds none."""
    check_size(path)
    if is_midi(path):
        return tune_from_midi(path, track)
    audio = load_audio(path)
    return tune_from_audio(audio, transcriber or Transcriber(), name=path.name)


def heard_line(audio: np.ndarray, transcriber: Transcriber) -> list[LineNote]:
    """The melodic line in a recording, in seconds (before any rhythm is read into it)."""
    if float(np.sqrt(np.mean(audio**2))) < SILENCE_RMS:
        raise UserError("That recording is silent; hum or play the tune a little closer to the microphone.")
    line = melodic_line(transcriber.notes(audio), loudness(audio))
    seconds = len(audio) / 22_050
    covered = sum(note.end_s - note.start_s for note in line)
    pitches = {note.pitch for note in line}
    # Speech drifts around one or two pitches; even the plainest tune moves through a few.
    if (len(line) < MIN_TUNE_NOTES or covered < MIN_TUNE_COVERAGE * min(seconds, 8.0)
            or len(pitches) < MIN_PITCHES or max(pitches) - min(pitches) < MIN_SPAN):  # fmt: skip
        raise UserError(NO_TUNE)
    return line


def tune_from_audio(audio: np.ndarray, transcriber: Transcriber, *, name: str = "recording") -> Tune:
    """Transcribe a recording into a quantised tune with its tempo, meter and key."""
    line = heard_line(audio, transcriber)
    pulse = find_pulse([note.start_s for note in line])
    beats = quantise(line, pulse)
    meter = guess_meter([n[0] for n in beats], [n[1] for n in beats])
    per_bar = meter.beats_per_bar
    first_downbeat = meter.offset + per_bar * math.floor((beats[0][0] - meter.offset) / per_bar)
    notes = tuple((round(s - first_downbeat, 4), round(d, 4), p) for s, d, p in beats)
    bars = math.ceil((notes[-1][0] + notes[-1][1]) / per_bar - 1e-6)
    if bars > MAX_BARS:
        raise UserError(f"I heard {bars} bars; send a tune of at most {MAX_BARS} bars.")
    key, mode = detect_key([n[2] for n in notes], [n[1] for n in notes])
    tempo = min(240, max(40, round(pulse.bpm)))
    return Tune(file=name, notes=notes, bars=max(1, bars), tempo_bpm=tempo, key=key, mode=mode,
                meter=meter.meter)  # fmt: skip
