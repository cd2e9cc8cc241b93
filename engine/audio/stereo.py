"""Stereo image: L/R correlation, mono fold-down loss, mid/side narrowing and panning."""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.signal import butter, sosfilt

_SILENT = 1e-12


def correlation(audio: np.ndarray) -> float:
    """L/R correlation of a stereo signal (n, 2): 1 mono, 0 unrelated, −1 out of phase; 1 when silent.

    Sums over samples, so silent stretches add nothing: this is the correlation of the active frames.
    """
    left, right = np.ascontiguousarray(audio[:, 0]), np.ascontiguousarray(audio[:, 1])
    power = float(np.sqrt(float(np.dot(left, left)) * float(np.dot(right, right))))
    return 1.0 if power < _SILENT else float(np.dot(left, right)) / power


def mono_loss_db(audio: np.ndarray, sample_rate: int) -> float:
    """Loudness lost when a phone or a single speaker plays (L+R)/2, in LU (0 for a mono signal)."""
    meter = pyloudnorm.Meter(sample_rate)
    folded = np.repeat(audio.mean(axis=1, keepdims=True), 2, axis=1)
    try:
        stereo, mono = meter.integrated_loudness(audio), meter.integrated_loudness(folded)
    except ValueError:  # shorter than one gating block
        return 0.0
    if not np.isfinite(stereo):
        return 0.0
    return float(stereo - mono) if np.isfinite(mono) else 60.0


def mid_side(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid (L+R)/2 and side (L−R)/2 of a stereo signal."""
    return (audio[:, 0] + audio[:, 1]) * 0.5, (audio[:, 0] - audio[:, 1]) * 0.5


def from_mid_side(mid: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Stereo (n, 2) from mid and side."""
    return np.stack([mid + side, mid - side], axis=1).astype(np.float32)


def _correlation_at(width: float, mid_power: float, side_power: float, cross: float) -> float:
    # L = M + wS, R = M − wS: every sum follows from three scalars, so no audio is touched while searching.
    left = mid_power + width * width * side_power + 2 * width * cross
    right = mid_power + width * width * side_power - 2 * width * cross
    denominator = np.sqrt(max(left * right, 0.0))
    return 1.0 if denominator < _SILENT else float((mid_power - width * width * side_power) / denominator)


def width_for(mid: np.ndarray, side: np.ndarray, min_correlation: float, max_width: float = 1.0) -> float:
    """The largest side gain ≤ `max_width` that keeps the L/R correlation at or above `min_correlation`."""
    powers = float(np.dot(mid, mid)), float(np.dot(side, side)), float(np.dot(mid, side))
    if _correlation_at(max_width, *powers) >= min_correlation:
        return max_width
    low, high = 0.0, max_width  # correlation falls as the side grows: bisect on the scalars
    for _ in range(30):
        middle = (low + high) / 2
        if _correlation_at(middle, *powers) >= min_correlation:
            low = middle
        else:
            high = middle
    return low


def mono_below(side: np.ndarray, sample_rate: int, cutoff_hz: float) -> np.ndarray:
    """The side signal without its lows: everything under `cutoff_hz` is left in the centre."""
    sos = butter(2, cutoff_hz, btype="highpass", fs=sample_rate, output="sos")
    return sosfilt(sos, side).astype(np.float32)


def pan(audio: np.ndarray, position: float) -> np.ndarray:
    """Constant-power balance: position −1 hard left, 0 centre (unchanged), +1 hard right."""
    if position == 0:
        return audio
    angle = (min(1.0, max(-1.0, position)) + 1) * np.pi / 4
    gains = np.array([np.cos(angle), np.sin(angle)], dtype=np.float32) * np.float32(np.sqrt(2))
    return audio * gains
