"""What a listener's speaker hears, measured on the final MP3 and on the mixer's stems.

Targets (issue #14): L/R correlation ≥ 0.3 and mono fold-down loss ≤ 3 dB for every piece,
−14 ± 1 LUFS, true peak ≤ −1 dBTP, no clipped samples, and the lead audible.

Lead-to-accompaniment ratio (LU, the lead stem's integrated loudness minus that of every other
part summed, the effect returns left out): a lead more than about 8 LU under its band is masked
in a dense arrangement and heard only as colour; more than about 6 LU over it, the band sounds
thin, like a karaoke track. Ambient and cinematic pieces let the lead sit inside the texture, so
their floor is 12 LU down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
from pydub import AudioSegment
from scipy.signal import welch

from engine.audio.master import true_peak_db
from engine.audio.stereo import correlation, mono_loss_db

OCTAVE_CENTRES_HZ = (63, 125, 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000)
# The reference balance: octave-band energy relative to the 1 kHz band, roughly the long-term average
# of commercial pop and rock mixes (a little under pink noise above 1 kHz, fuller below 250 Hz).
TARGET_CURVE_DB = (6.0, 5.0, 3.0, 1.5, 0.0, -2.0, -4.5, -8.0, -15.0)
LEAD_RANGE_LU = {"default": (-8.0, 6.0), "ambient": (-12.0, 6.0), "cinematic": (-12.0, 6.0)}
CORRELATION_MIN, MONO_LOSS_MAX_DB, LUFS_RANGE, TRUE_PEAK_MAX_DB = 0.3, 3.0, (-15.0, -13.0), -1.0
_ACTIVE_DB = 40.0  # frames within this of the loudest 100 ms count as active


def read_mp3(path: Path) -> tuple[np.ndarray, int]:
    """Decode an MP3 to float stereo (n, 2) in [-1, 1] and its sample rate."""
    segment = AudioSegment.from_mp3(path)
    samples = np.asarray(segment.get_array_of_samples(), dtype=np.float32) / 32768.0
    audio = samples.reshape(-1, segment.channels)
    if segment.channels == 1:
        audio = np.repeat(audio, 2, axis=1)
    return audio, segment.frame_rate


def active_correlation(audio: np.ndarray, sample_rate: int) -> float:
    """L/R correlation over the active 100 ms frames (silence and fades below −40 dB left out)."""
    frame = max(1, sample_rate // 10)
    count = len(audio) // frame
    if count == 0:
        return correlation(audio)
    frames = audio[: count * frame].reshape(count, frame, 2)
    energy = np.mean(frames.astype(np.float64) ** 2, axis=(1, 2)) + 1e-20
    active = 10 * np.log10(energy / energy.max()) > -_ACTIVE_DB
    return correlation(frames[active].reshape(-1, 2))


def loudness_range(audio: np.ndarray, sample_rate: int) -> float:
    """Loudness range in LU (EBU Tech 3342): the 10th–95th percentile spread of 3 s short-term loudness."""
    meter = pyloudnorm.Meter(sample_rate, block_size=0.4)
    window, hop = 3 * sample_rate, sample_rate
    short_term = []
    for start in range(0, max(1, len(audio) - window + 1), hop):
        try:
            value = meter.integrated_loudness(audio[start : start + window])
        except ValueError:
            continue
        if np.isfinite(value) and value > -70:
            short_term.append(value)
    if len(short_term) < 2:
        return 0.0
    values = np.asarray(short_term)
    gated = values[values > 10 * np.log10(np.mean(10 ** (values / 10))) - 20]
    return float(np.percentile(gated, 95) - np.percentile(gated, 10))


def octave_bands_db(audio: np.ndarray, sample_rate: int) -> list[float]:
    """Energy per octave band (centres OCTAVE_CENTRES_HZ) relative to the 1 kHz band, in dB."""
    freqs, power = welch(audio.mean(axis=1), fs=sample_rate, nperseg=8192)
    bands = []
    for centre in OCTAVE_CENTRES_HZ:
        inside = (freqs >= centre / np.sqrt(2)) & (freqs < min(centre * np.sqrt(2), sample_rate / 2))
        bands.append(float(np.sum(power[inside])) + 1e-20)
    reference = bands[OCTAVE_CENTRES_HZ.index(1_000)]
    return [10 * np.log10(band / reference) for band in bands]


def curve_deviation_db(bands: list[float]) -> float:
    """RMS distance from the target curve in dB, after removing the overall offset (tilt and shape only)."""
    difference = np.asarray(bands) - np.asarray(TARGET_CURVE_DB)
    return float(np.sqrt(np.mean((difference - difference.mean()) ** 2)))


def lead_ratio_lu(stems: dict[str, np.ndarray], lead: str | None, sample_rate: int, skip: set[str]) -> float | None:
    """The lead stem's loudness minus the rest of the band's (effect returns left out); None without a lead."""
    if lead is None or lead not in stems:
        return None
    band = [audio for name, audio in stems.items() if name != lead and name not in skip]
    if not band:
        return None
    meter = pyloudnorm.Meter(sample_rate)
    try:
        lead_lufs = meter.integrated_loudness(stems[lead])
        band_lufs = meter.integrated_loudness(np.sum(band, axis=0))
    except ValueError:
        return None
    if not (np.isfinite(lead_lufs) and np.isfinite(band_lufs)):
        return None
    return float(lead_lufs - band_lufs)


def measure_mix(
    mp3: Path, stems: dict[str, np.ndarray], lead: str | None, stem_rate: int, skip: set[str]
) -> dict[str, Any]:
    """Every measure of one piece: on the decoded MP3, and the lead ratio on the stems."""
    audio, rate = read_mp3(mp3)
    bands = octave_bands_db(audio, rate)
    ratio = lead_ratio_lu(stems, lead, stem_rate, skip)
    return {
        "correlation": round(active_correlation(audio, rate), 3),
        "mono_loss_db": round(mono_loss_db(audio, rate), 2),
        "lufs": round(float(pyloudnorm.Meter(rate).integrated_loudness(audio)), 2),
        "true_peak_db": round(true_peak_db(audio), 2),
        "clipped": int(np.count_nonzero(np.abs(audio) >= 32767 / 32768)),
        "lra_lu": round(loudness_range(audio, rate), 1),
        "bands_db": [round(value, 1) for value in bands],
        "curve_deviation_db": round(curve_deviation_db(bands), 1),
        "lead_ratio_lu": None if ratio is None else round(ratio, 1),
    }


def verdicts(row: dict[str, Any], genre: str) -> dict[str, bool]:
    """Which targets one piece meets."""
    low, high = LEAD_RANGE_LU.get(genre, LEAD_RANGE_LU["default"])
    ratio = row["lead_ratio_lu"]
    return {
        "correlation": row["correlation"] >= CORRELATION_MIN,
        "mono_loss": row["mono_loss_db"] <= MONO_LOSS_MAX_DB,
        "loudness": LUFS_RANGE[0] <= row["lufs"] <= LUFS_RANGE[1],
        "true_peak": row["true_peak_db"] <= TRUE_PEAK_MAX_DB and row["clipped"] == 0,
        "lead": ratio is None or low <= ratio <= high,
    }
