"""Mastering: EQ, bus compression, loudness to −14 LUFS, true-peak limiting and fades."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pedalboard
import pyloudnorm

from engine.errors import EngineError

TARGET_LUFS = -14.0
TRUE_PEAK_CEILING_DB = -1.0
_SILENCE_LUFS = -70.0
# MP3 encoding lets inter-sample peaks grow by up to about half a dB (measured −0.8 dBTP on a hip hop
# piece mastered to −1.1): the master aims that much lower so the file people get stays under −1.
MP3_MARGIN_DB = 0.5
_PEAK_GOAL_DB = TRUE_PEAK_CEILING_DB - MP3_MARGIN_DB
# The MP3 encoder's low-pass takes about a quarter of a LU away (measured: −14.06 LUFS mastered, −14.30 in
# the MP3 at 44.1 kHz); aiming that much higher centres the file people get on −14.
MP3_LOUDNESS_LOSS_DB = 0.25
_LIMITER_LIFT_DB = 3.7
_LOUDNESS_TOLERANCE = 0.3  # LU: a third of the ±1 LU target, so that a pass is rarely spent on less


@dataclass(frozen=True, slots=True)
class MasterReport:
    """What mastering measured on the way out, for logs, tests and benchmarks."""

    loudness_lufs: float
    true_peak_db: float
    gain_db: float


def _db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def _fractional_delay_kernels(taps: int = 32, factor: int = 4) -> np.ndarray:
    # Windowed-sinc interpolators for the points between samples (¼, ½, ¾ at 4× oversampling).
    offsets = np.arange(taps) - (taps // 2 - 1)
    kernels = []
    for step in range(1, factor):
        kernel = np.sinc(offsets - step / factor) * np.kaiser(taps, 8.0)
        kernels.append(kernel / kernel.sum())
    return np.asarray(kernels, dtype=np.float32)


_KERNELS = _fractional_delay_kernels()
_CHUNK = 65_536


def true_peak_db(audio: np.ndarray) -> float:
    """True peak in dBTP, estimated by 4× oversampling as ITU-R BS.1770 describes."""
    if audio.size == 0:
        return -np.inf
    frames = audio.reshape(len(audio), -1)
    sample_peak = float(np.max(np.abs(frames)))
    if sample_peak == 0:
        return -np.inf
    # Inter-sample peaks sit within a few dB of the sample peak, so only the points between loud
    # samples (within 3 dB of it) are interpolated: 32-tap windowed sinc at ¼-sample steps, one matrix
    # product per chunk (measured within 0.05 dB of scipy's 4× resample_poly on music).
    taps = _KERNELS.shape[1]
    before = taps // 2 - 1
    peak = sample_peak
    for channel in frames.T:
        padded = np.pad(channel.astype(np.float32), (before, taps - before))
        loud = np.flatnonzero(np.abs(channel) > sample_peak * 0.7)
        for start in range(0, len(loud), _CHUNK):
            windows = padded[loud[start : start + _CHUNK, None] + np.arange(taps)]
            peak = max(peak, float(np.max(np.abs(windows @ _KERNELS.T))))
    return float(20 * np.log10(peak))


def _fades(audio: np.ndarray, sample_rate: int) -> None:
    fade_in = min(len(audio), int(0.01 * sample_rate))
    fade_out = min(len(audio), int(min(1.5, len(audio) / sample_rate * 0.1) * sample_rate))
    if fade_in:
        audio[:fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32)[:, None]
    if fade_out:
        audio[-fade_out:] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)[:, None] ** 2


def _tone_and_glue(sample_rate: int) -> pedalboard.Pedalboard:
    # Gentle, genre-neutral choices: clear rumble, tame boxiness, a little air, then 2:1 glue.
    return pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=30.0),
        pedalboard.PeakFilter(cutoff_frequency_hz=300.0, gain_db=-1.5, q=0.9),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=9_000.0, gain_db=1.5),
        pedalboard.Compressor(threshold_db=-20.0, ratio=2.0, attack_ms=20.0, release_ms=200.0),
    ])  # fmt: skip


def master(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, MasterReport]:
    """Master float stereo audio (n, 2) to −14 LUFS integrated with true peak ≤ −1 dBTP."""
    if audio.ndim != 2 or audio.shape[1] != 2:
        raise EngineError(f"expected stereo audio (n, 2), got shape {audio.shape}")
    processed = _tone_and_glue(sample_rate)(audio.T.astype(np.float32), sample_rate).T.copy()
    meter = pyloudnorm.Meter(sample_rate)
    loudness = _loudness(meter, processed)
    if not np.isfinite(loudness) or loudness <= _SILENCE_LUFS:
        _fades(processed, sample_rate)
        return processed, MasterReport(_SILENCE_LUFS, true_peak_db(processed), 0.0)
    # pedalboard's limiter (JUCE: a −10 dB 4:1 stage, then the ceiling, then make-up gain) leaves the
    # result louder than its input: start 3.7 dB lower (measured on 4 genres, the first pass then lands
    # within 0.1 LU of the target and one pass is enough).
    aim = TARGET_LUFS + MP3_LOUDNESS_LOSS_DB
    gain_db = aim - loudness - _LIMITER_LIFT_DB
    threshold_db = _PEAK_GOAL_DB - 1.0
    # Limiting takes a little loudness away and lets a little true peak through: each pass corrects
    # the gain toward −14 LUFS and lowers the limiter by any true-peak excess (at most three passes).
    for _ in range(3):
        limited = _limit(processed * _db_to_gain(gain_db), sample_rate, threshold_db)
        _fades(limited, sample_rate)  # measured with its fades: a short piece's fade-out costs loudness
        measured, peak = _loudness(meter, limited), true_peak_db(limited)
        correction, excess = aim - measured, peak - _PEAK_GOAL_DB
        if abs(correction) <= _LOUDNESS_TOLERANCE and excess <= 0:
            break
        # The limiter swallows part of any gain change, so the correction overshoots by a tenth.
        gain_db += 1.1 * correction if abs(correction) > _LOUDNESS_TOLERANCE else 0.0
        threshold_db -= max(excess, 0.0) + (0.1 if excess > 0 else 0.0)
    if peak > _PEAK_GOAL_DB:  # still over after three passes: trade a little loudness for the ceiling
        trim = _PEAK_GOAL_DB - peak
        limited *= _db_to_gain(trim)
        gain_db, measured = gain_db + trim, measured + trim
        peak = true_peak_db(limited)
    return limited, MasterReport(measured, peak, gain_db)


def _limit(audio: np.ndarray, sample_rate: int, threshold_db: float) -> np.ndarray:
    # pedalboard's Limiter normalises its threshold to 0 dBFS; scale back so peaks sit at the threshold.
    limiter = pedalboard.Limiter(threshold_db=threshold_db, release_ms=80.0)
    return limiter(np.ascontiguousarray(audio.T), sample_rate).T * np.float32(_db_to_gain(threshold_db))


def _loudness(meter: pyloudnorm.Meter, audio: np.ndarray) -> float:
    try:
        return float(meter.integrated_loudness(audio))
    except ValueError:  # shorter than one 400 ms gating block
        return _SILENCE_LUFS
