"""The key of a melody: Krumhansl–Kessler profiles against its duration-weighted pitch classes."""

from __future__ import annotations

import numpy as np

_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
SHARP_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_FINAL_BONUS = 0.08  # a tune usually ends on its tonic: this tips a relative major/minor tie


def detect_key(pitches: list[int], lengths: list[float]) -> tuple[str, str]:
    """(tonic name, 'major' or 'minor') of a melody; its last note breaks near ties."""
    weights = np.zeros(12)
    for pitch, length in zip(pitches, lengths, strict=True):
        weights[pitch % 12] += max(length, 0.05)
    if not weights.any():
        return "C", "major"
    final = pitches[-1] % 12
    best: tuple[float, int, str] = (-2.0, 0, "major")
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR), ("minor", _MINOR)):
            score = float(np.nan_to_num(np.corrcoef(weights, np.roll(profile, tonic))[0, 1]))
            score += _FINAL_BONUS if tonic == final else 0.0
            if score > best[0]:
                best = (score, tonic, mode)
    return SHARP_NAMES[best[1]], best[2]
