"""Mix effects as plain functions over float arrays: sidechain ducking, de-essing and the
"character" treatments a reply can ask for (lo-fi tape and vinyl, AM radio, telephone)."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

from engine.score import Score

KICK_PITCHES = frozenset({35, 36})
_ATTACK_S = 0.004


def kick_times(score: Score) -> np.ndarray:
    """Seconds at which a kick drum hits, sorted (the sidechain's trigger, read from the notes)."""
    beats = sorted({note.start for track in score.tracks if track.is_drum for note in track.notes
                    if note.pitch in KICK_PITCHES})  # fmt: skip
    return np.asarray(beats, dtype=np.float64) * score.seconds_per_beat


def duck_envelope(kicks_s: np.ndarray, frames: int, sample_rate: int, depth_db: float, release_s: float) -> np.ndarray:
    """Gain per frame that dips by `depth_db` at each kick (4 ms down) and recovers exponentially."""
    envelope = np.ones(frames, dtype=np.float32)
    if depth_db <= 0 or kicks_s.size == 0 or frames == 0:
        return envelope
    # One dip shape, laid at every kick; where dips overlap the deeper one wins.
    length = int((_ATTACK_S + 6 * release_s) * sample_rate) + 1
    since = np.arange(length, dtype=np.float32) / sample_rate
    attack = np.clip(since / _ATTACK_S, 0.0, 1.0)
    dip = 1 - (1 - 10 ** (-depth_db / 20)) * attack * np.exp(-np.maximum(since - _ATTACK_S, 0.0) / release_s)
    for start in np.round(kicks_s * sample_rate).astype(int):
        if 0 <= start < frames:
            span = min(length, frames - start)
            np.minimum(envelope[start : start + span], dip[:span], out=envelope[start : start + span])
    return envelope


def _filter(audio: np.ndarray, sample_rate: int, order: int, cutoff: float | list[float], kind: str) -> np.ndarray:
    sos = butter(order, cutoff, btype=kind, fs=sample_rate, output="sos")
    return sosfilt(sos, audio, axis=0).astype(np.float32)


def de_ess(audio: np.ndarray, sample_rate: int, band_hz: float = 5_500.0, ratio: float = 4.0) -> np.ndarray:
    """Turn down sibilant bursts: the band above `band_hz` is compressed where it jumps above its norm."""
    high = _filter(audio, sample_rate, 2, band_hz, "highpass")
    level = np.abs(high).max(axis=1)
    window = max(1, int(0.005 * sample_rate))
    envelope = np.convolve(level, np.ones(window, dtype=np.float32) / window, mode="same") + 1e-9
    active = envelope[envelope > 1e-6]
    threshold = 3.0 * float(np.median(active)) if active.size else 1.0
    gain = np.minimum(1.0, (threshold / envelope) ** (1 - 1 / ratio)).astype(np.float32)
    return audio - high * (1 - gain)[:, None]


def _saturate(audio: np.ndarray, drive: float) -> np.ndarray:
    # Soft clipping at a fixed operating level, so the colour does not depend on how loud the mix is.
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) or 1.0
    level = 0.125 / rms
    return (np.tanh(audio * level * drive) / (level * drive)).astype(np.float32)


def _wow_and_flutter(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    # A slowly wandering read position: 0.55 Hz wow and 6.5 Hz flutter, as a worn tape deck drifts.
    times = np.arange(len(audio), dtype=np.float64) / sample_rate
    drift = 0.0018 * np.sin(2 * np.pi * 0.55 * times) + 0.00025 * np.sin(2 * np.pi * 6.5 * times)
    read = np.clip(times + drift - 0.0021, 0.0, times[-1] if len(times) else 0.0) * sample_rate
    frames = np.arange(len(audio), dtype=np.float64)
    return np.stack([np.interp(read, frames, audio[:, c]) for c in range(2)], axis=1).astype(np.float32)


def _crackle(frames: int, sample_rate: int, level: float) -> np.ndarray:
    # Vinyl dust: sparse clicks with short decays over faint hiss, the same on both sides (mono, as a
    # groove's clicks are) and from a fixed seed so the same piece always crackles the same.
    rng = np.random.default_rng(frames)
    noise = rng.standard_normal(frames).astype(np.float32) * level * 0.04
    clicks = np.zeros(frames, dtype=np.float32)
    count = int(frames / sample_rate * 9)
    clicks[rng.integers(0, max(frames, 1), count)] = rng.uniform(-1, 1, count).astype(np.float32) * level
    decay = np.exp(-np.arange(int(0.002 * sample_rate)) / (0.0004 * sample_rate)).astype(np.float32)
    crackle = np.convolve(clicks, decay, mode="same")[:frames] + noise
    return np.repeat(crackle[:, None], 2, axis=1)


def lofi(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Tape and vinyl: band-limited to 90 Hz–5 kHz, saturated, wow and flutter, crackle."""
    limited = _filter(audio, sample_rate, 2, [90.0, 5_000.0], "bandpass")
    warm = _wow_and_flutter(_saturate(limited, 2.5), sample_rate)
    rms = float(np.sqrt(np.mean(warm.astype(np.float64) ** 2)))
    return warm + _crackle(len(warm), sample_rate, rms * 0.6)


def radio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """An AM-radio band (200 Hz–4.5 kHz), driven, nearly mono."""
    band = _saturate(_filter(audio, sample_rate, 3, [200.0, 4_500.0], "bandpass"), 3.0)
    mid = band.mean(axis=1, keepdims=True)
    return (mid + (band - mid) * 0.3).astype(np.float32)


def telephone(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """A phone line: 300 Hz–3.4 kHz, hard-driven, mono."""
    band = _saturate(_filter(audio, sample_rate, 4, [300.0, 3_400.0], "bandpass"), 4.0)
    return np.repeat(band.mean(axis=1, keepdims=True), 2, axis=1)


CHARACTERS = {"lofi": lofi, "radio": radio, "telephone": telephone}
