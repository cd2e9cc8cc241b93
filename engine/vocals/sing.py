"""The singer: a vocal part (notes with lyrics) → mono audio of a voice singing it."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Generator, Sequence
from fractions import Fraction

import numpy as np
from scipy import signal

from engine.errors import EngineError
from engine.score import Note
from engine.speech import Speech, word_offsets
from engine.vocals import expression
from engine.vocals.align import Segment, align, line_units
from engine.vocals.espeak import Utterance, speak_lines
from engine.vocals.festival import speak_english
from engine.vocals.lines import Line, octave_shift, read_lines
from engine.vocals.vocoder import resynthesize
from engine.vocals.voices import Language, Voice, language_named, voice_named

SPEECH_RATE_WPM = 130  # espeak-ng's rate: longer vowels need less stretching, consonants stay crisp
TAIL_S = 0.35  # after the last note, for the voice's release
PITCH_STEP_S = 0.01  # spacing of the pitch points handed to the vocoder
FADE_S = 0.004  # at a phrase's edges, so cuts in the speech do not click
TARGET_RMS = 0.1  # the stem's level where the voice sounds (−20 dBFS), leaving headroom for the mixer
PEAK_LIMIT = 0.95


def _phrases(segments: list[Segment]) -> list[list[Segment]]:
    """Segments split where the sung time has a gap (a rest): each run is resynthesized in one go."""
    runs = [[segments[0]]]
    for segment in segments[1:]:
        if segment.start - runs[-1][-1].end > 0.001:
            runs.append([])
        runs[-1].append(segment)
    return runs


def _fade(audio: np.ndarray, count: int) -> np.ndarray:
    count = min(count, len(audio) // 2)
    if count > 0:
        ramp = np.linspace(0.0, 1.0, count, dtype=np.float32)
        audio[:count] *= ramp
        audio[-count:] *= ramp[::-1]
    return audio


def _mix_in(out: np.ndarray, audio: np.ndarray, start_s: float, sample_rate: int) -> None:
    begin = max(round(start_s * sample_rate), 0)
    stop = min(begin + len(audio), len(out))
    if stop > begin:
        out[begin:stop] += audio[: stop - begin]


def _words(line: Line) -> tuple[str, list[int]]:
    """The line as the speaker reads it, and where each word starts in that text."""
    words = [word.text for word in line]
    return " ".join(words), word_offsets(words)


def _speak(lines: list[Line], voice: Voice, language: Language) -> Generator[Speech]:
    """Every lyric line spoken plainly, in one call of the language's speaker, line after line."""
    if language.festival:
        yield from speak_english([[word.text for word in line] for line in lines], voice.festival)
    else:
        yield from speak_lines([Utterance(_words(line)[0], f"{language.espeak}+{voice.variant}", SPEECH_RATE_WPM,
                                          voice.speech_pitch) for line in lines])  # fmt: skip


def _sing_line(line: Line, speech: Speech, line_index: int, voice: Voice, out: np.ndarray,
               earliest: float) -> float:  # fmt: skip
    """Sing one lyric line into `out` (at the speech's sample rate); returns when its last sound ends."""
    rate = speech.sample_rate
    text, starts = _words(line)
    units = line_units(line, speech, starts)
    if not units:
        raise EngineError(f"the speaker found nothing to say in {text!r}")
    segments = align(units, speech, earliest)
    notes = [note for unit in units for note in unit.notes]
    level = 0.6 + 0.4 * float(np.mean([note.velocity for note in notes])) / 127
    gap = segments[0].start - earliest
    if line_index > 0 and gap >= expression.BREATH_MIN_GAP_S:
        length = min(expression.BREATH_MAX_S, gap - 2 * expression.BREATH_LEAD_S)
        inhale = expression.breath(length, rate, seed=line_index) * voice.breath_level * TARGET_RMS * 3
        _mix_in(out, inhale, segments[0].start - expression.BREATH_LEAD_S - length, rate)
    for phrase in _phrases(segments):
        times = np.arange(phrase[0].start, phrase[-1].end, PITCH_STEP_S)
        hz = expression.midi_to_hz(expression.pitch_contour(notes, times, voice))
        sung = resynthesize(speech.audio, rate, phrase, list(zip(times.tolist(), hz.tolist(), strict=True)))
        _mix_in(out, _fade(sung * level, int(FADE_S * rate)), phrase[0].start, rate)
    return segments[-1].end


def sing(notes: Sequence[Note], seconds_per_beat: float, voice: str, language: str, sample_rate: int) -> np.ndarray:
    """Sing the notes' lyrics on their pitches: mono float32 from beat 0 to the last note's end plus a tail."""
    chosen, spoken = voice_named(voice), language_named(language)
    if seconds_per_beat <= 0 or sample_rate < 8000:
        raise EngineError(f"cannot sing at {seconds_per_beat} s per beat and {sample_rate} Hz")
    if not notes:
        raise EngineError("the vocal part has no notes to sing")
    lines = read_lines(notes, seconds_per_beat, octave_shift(notes, chosen), spoken)
    end_s = max(note.start + note.duration for note in notes) * seconds_per_beat + TAIL_S
    # Closed however singing ends, so a Festival still speaking later lines is stopped at once.
    with contextlib.closing(_speak(lines, chosen, spoken)) as speeches:
        first = next(speeches)
        rate = first.sample_rate
        out = np.zeros(int(end_s * rate) + 1, dtype=np.float32)
        earliest = 0.0
        for index, (line, speech) in enumerate(zip(lines, itertools.chain([first], speeches), strict=True)):
            earliest = _sing_line(line, speech, index, chosen, out, earliest)
    sounding = np.abs(out) > 1e-3
    if sounding.any():
        out *= TARGET_RMS / float(np.sqrt(np.mean(out[sounding] ** 2)))
        out *= min(1.0, PEAK_LIMIT / float(np.max(np.abs(out))))
    ratio = Fraction(sample_rate, rate).limit_denominator(1000)
    if ratio != 1:
        out = signal.resample_poly(out, ratio.numerator, ratio.denominator).astype(np.float32)
    length = round(end_s * sample_rate)
    return np.pad(out, (0, max(0, length - len(out))))[:length].astype(np.float32)
