"""What a listener would check in a sung stem: pitch on the notes, vowels on the beats, words understood."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import parselmouth
from scipy import signal

PITCH_TOLERANCE_CENTS = 50.0
ONSET_TOLERANCE_S = 0.05
FRAME_S = 0.005
ONSET_LOUDNESS_DB = 6.0  # a vowel is within this of the note's loudest; approximants (w, l, r) are below it
RECOGNISER_RATE = 16_000


@dataclass(frozen=True, slots=True)
class Written:
    """A written note in seconds at the pitch the voice sings it; `syllable` is False on a held note."""

    start: float
    end: float
    pitch: int
    syllable: bool = True


def track_pitch(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Praat's autocorrelation f0 every 5 ms: (times, Hz with 0 where unvoiced)."""
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=sample_rate)
    pitch = sound.to_pitch_ac(time_step=FRAME_S, pitch_floor=70.0, pitch_ceiling=900.0)
    return np.asarray(pitch.xs()), np.nan_to_num(np.asarray(pitch.selected_array["frequency"]))


def _cents(hz: np.ndarray, midi: np.ndarray) -> np.ndarray:
    reference = 440.0 * 2.0 ** ((midi - 69.0) / 12.0)
    with np.errstate(divide="ignore"):
        return np.asarray(1200.0 * np.log2(np.maximum(hz, 1e-9) / reference))


def _note_index(notes: Sequence[Written], times: np.ndarray) -> np.ndarray:
    """The note sounding at each time, −1 where none does."""
    index = np.full(len(times), -1)
    for k, note in enumerate(notes):
        index[(times >= note.start) & (times < note.end)] = k
    return index


def pitch_accuracy(audio: np.ndarray, sample_rate: int, notes: Sequence[Written]) -> tuple[float, int]:
    """Share of voiced frames inside a note whose f0 is within 50 cents of it, and how many frames."""
    times, hz = track_pitch(audio, sample_rate)
    index = _note_index(notes, times)
    voiced = (hz > 0) & (index >= 0)
    if not voiced.any():
        return 0.0, 0
    pitches = np.array([note.pitch for note in notes], dtype=float)[index[voiced]]
    within = np.abs(_cents(hz[voiced], pitches)) <= PITCH_TOLERANCE_CENTS
    return float(within.mean()), int(voiced.sum())


def _loudness_db(audio: np.ndarray, sample_rate: int, times: np.ndarray) -> np.ndarray:
    half = int(0.01 * sample_rate)
    energy = np.convolve(audio.astype(np.float64) ** 2, np.ones(2 * half) / (2 * half), mode="same")
    positions = np.clip((times * sample_rate).astype(int), 0, len(audio) - 1)
    return np.asarray(10 * np.log10(energy[positions] + 1e-12))


def vowel_onset_errors(audio: np.ndarray, sample_rate: int, notes: Sequence[Written]) -> list[float | None]:
    """Per syllable note: heard vowel onset minus written start (s); None where it cannot be told apart.

    The vowel is where the voice is voiced, on the note's pitch (±50 cents) and near its full loudness for
    20 ms, after something that was not (a consonant, a pitch change, a gap).
    """
    times, hz = track_pitch(audio, sample_rate)
    loud = _loudness_db(audio, sample_rate, times)
    errors: list[float | None] = []
    previous_start = None
    for note in notes:
        if not note.syllable:
            continue
        early = (
            note.start - 0.15 if previous_start is None else max(note.start - 0.15, (previous_start + note.start) / 2)
        )
        late = note.start + min(0.15, 0.6 * (note.end - note.start))
        previous_start = note.start
        body = (times >= note.start) & (times < note.start + min(0.3, note.end - note.start))
        window = np.flatnonzero((times >= early) & (times < late))
        if not body.any() or len(window) < 5:
            errors.append(None)
            continue
        plateau = float(loud[body].max())
        ok = (hz[window] > 0) & (np.abs(_cents(hz[window], np.full(len(window), float(note.pitch))))
                                 <= PITCH_TOLERANCE_CENTS) & (loud[window] >= plateau - ONSET_LOUDNESS_DB)  # fmt: skip
        onset = None
        broken = False
        for j in range(len(window) - 3):
            if not ok[j]:
                broken = True
            elif broken and ok[j : j + 4].all():
                onset = float(times[window[j]])
                break
        errors.append(None if onset is None else onset - note.start)
    return errors


def share_on_time(errors: Sequence[float | None]) -> tuple[float, int]:
    """Share of measured onsets within 50 ms; an onset not found in its window counts as a miss."""
    return (sum(1 for e in errors if e is not None and abs(e) <= ONSET_TOLERANCE_S) / len(errors) if errors
            else 0.0, len(errors))  # fmt: skip


def slowed(audio: np.ndarray, sample_rate: int, seconds: float) -> np.ndarray:
    """The audio made `seconds` long at its own pitch (Praat's overlap-add lengthening), for a slowed reference."""
    factor = min(max(seconds * sample_rate / max(len(audio), 1), 1.0), 10.0)  # Praat lengthens by at most 10×
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=sample_rate)
    # Overlap-add spaces the periods of unvoiced stretches at random: seeded, the diagnostic repeats exactly.
    parselmouth.praat.run("seeded = random_initializeWithSeedUnsafelyButPredictably (1)")
    longer = parselmouth.praat.call(sound, "Lengthen (overlap-add)", 75.0, 600.0, factor)
    return np.asarray(longer.values[0], dtype=np.float32)


@functools.cache
def _decoder() -> object:
    from pocketsphinx import Decoder  # its en-us acoustic model and language model ship in the wheel

    return Decoder(samprate=RECOGNISER_RATE, logfn="/dev/null")


def recognise(audio: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx (en-us) hears in the audio, lower case; each call is heard afresh."""
    decoder = _decoder()
    # The decoder's feature state (cepstral mean) carries over between utterances: without a reset a line's
    # result depended on the lines heard before it, so a sung line changed how its spoken twin was heard.
    decoder.reinit_feat()  # type: ignore[attr-defined]
    resampled = signal.resample_poly(audio.astype(np.float64), RECOGNISER_RATE, sample_rate)
    peak = max(float(np.max(np.abs(resampled))), 1e-9)
    pcm = (resampled / peak * 0.8 * 32767).astype(np.int16).tobytes()
    decoder.start_utt()  # type: ignore[attr-defined]
    decoder.process_raw(pcm, full_utt=True)  # type: ignore[attr-defined]
    decoder.end_utt()  # type: ignore[attr-defined]
    hypothesis = decoder.hyp()  # type: ignore[attr-defined]
    return hypothesis.hypstr.lower() if hypothesis is not None else ""


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation, for scoring."""
    return re.findall(r"[a-z']+", text.lower().replace("-", ""))


def word_errors(reference: Sequence[str], heard: Sequence[str]) -> int:
    """Word-level edit distance (substitutions + deletions + insertions)."""
    row = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]


def margin_interval(words: Sequence[int], sung_errors: Sequence[int], spoken_errors: Sequence[int],
                    draws: int = 5000, seed: int = 0) -> tuple[float, float]:  # fmt: skip
    """95 % bootstrap interval of the pooled WER margin (sung − spoken), lines resampled with their pairs.

    At a hundred-odd words one or two words decide a 0.15 margin; the interval says how far the recogniser's
    scatter over lines reaches.
    """
    table = np.array([words, sung_errors, spoken_errors], dtype=np.float64)
    picks = np.random.default_rng(seed).integers(0, table.shape[1], (draws, table.shape[1]))
    counts, sung, spoken = (table[row][picks].sum(axis=1) for row in range(3))
    margins = (sung - spoken) / np.maximum(counts, 1)
    low, high = np.percentile(margins, [2.5, 97.5])
    return float(low), float(high)
