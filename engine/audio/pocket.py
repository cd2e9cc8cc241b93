"""A vocal pocket: the accompaniment's presence band dipped while the voice sings, only as far as needed.

A voice is understood by its 1–4 kHz band (consonants, the upper formants). Distorted guitars and bright
chords fill the same band, and a level window cannot fix that without making the voice loud: in a rock
mix the sung lead sat 5 dB *under* the band there (docs/vocals.md). Mix engineers carve a pocket instead,
with a dynamic EQ keyed by the vocal. Here each short frame's dip is what brings the voice to
`POCKET_TARGET_DB` over the whole band in that band, capped per part, and zero where the voice is silent
or already clear, so a sparse ballad keeps its chords untouched.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import ndimage, signal

BAND_HZ = (1_000.0, 4_000.0)
POCKET_TARGET_DB = 3.0  # the voice over the band in its presence band, where it sings
FRAME_S = 0.025
HEARD_RANGE_DB = 60.0  # frames within this of the voice's loudest are where it sounds at all
VOICE_FLOOR_DB = 12.0  # frames this far under the voice's median level are its tails and breaths: no pocket
FIR_TAPS = 255  # odd, so the band lines up with the audio sample for sample; ~0.5 kHz transitions
SMOOTH_FRAMES = 9  # the dip moves over ~0.2 s: it follows phrases, not syllables, so it does not pump


def presence(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The presence band of `audio` (mono, or frames × channels), in time with it, so subtracting it is a clean dip.

    A linear-phase FIR, not a recursive filter run both ways: ringing down through a rest, a recursive filter
    reaches subnormal numbers and ran 30× slower (2.6 s for one 44-s stem with rests).
    """
    high = min(BAND_HZ[1], 0.45 * sample_rate)
    taps = signal.firwin(FIR_TAPS, [BAND_HZ[0], high], pass_zero=False, fs=sample_rate).astype(np.float32)
    kernel = taps if audio.ndim == 1 else taps[:, None]
    return np.asarray(signal.oaconvolve(audio.astype(np.float32, copy=False), kernel, mode="same", axes=0),
                      dtype=np.float32)  # fmt: skip


def _frame_db(band: np.ndarray, hop: int, frames: int) -> np.ndarray:
    """Mean power per frame of a mono band, in dB (the last frame may be short)."""
    whole = len(band) // hop
    rows = band[: whole * hop].reshape(whole, hop)
    power = np.einsum("ij,ij->i", rows, rows, dtype=np.float64) / hop
    if frames > whole:
        tail = band[whole * hop :].astype(np.float64)
        power = np.append(power, float(np.dot(tail, tail)) / max(len(tail), 1))
    return np.asarray(10 * np.log10(power + 1e-12))


def pocket_dips(voice_band: np.ndarray, band_band: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per frame, the dip (dB, ≥ 0) the band needs for the voice to stand POCKET_TARGET_DB over it."""
    hop = max(int(FRAME_S * sample_rate), 1)
    frames = -(-len(voice_band) // hop)
    voice, band = _frame_db(voice_band, hop, frames), _frame_db(band_band, hop, frames)
    heard = voice > voice.max() - HEARD_RANGE_DB
    body = float(np.median(voice[heard])) if heard.any() else 0.0
    sounding = heard & (voice > body - VOICE_FLOOR_DB)
    needed = np.where(sounding, np.clip(POCKET_TARGET_DB - (voice - band), 0.0, None), 0.0)
    # Hold each dip over its neighbours, then smooth: no dip opens and shuts inside a word.
    held = ndimage.maximum_filter1d(needed, SMOOTH_FRAMES)
    return np.asarray(ndimage.uniform_filter1d(held, SMOOTH_FRAMES))


def carve(stems: Mapping[str, np.ndarray], lead: str, depths_db: Mapping[str, float],
          sample_rate: int) -> dict[str, np.ndarray]:  # fmt: skip
    """The stems with a pocket carved for `lead` in each stem named in `depths_db` (its deepest dip, dB).

    The dip is the band's need, capped by each stem's depth; the stems not named and the lead are returned
    as they were.
    """
    carved = dict(stems)
    names = [name for name, depth in depths_db.items() if depth > 0 and name in stems and name != lead]
    if lead not in stems or not names:
        return carved
    rest = np.zeros(len(stems[lead]), dtype=np.float32)
    for name, audio in stems.items():
        if name != lead:
            rest += audio.mean(axis=1)
    voice = presence(stems[lead].mean(axis=1), sample_rate)
    dips = pocket_dips(voice, presence(rest, sample_rate), sample_rate)
    if not dips.any():  # the voice is clear everywhere: nothing is touched
        return carved
    hop = max(int(FRAME_S * sample_rate), 1)
    at = (np.arange(len(stems[lead])) + 0.5) / hop - 0.5
    per_sample = np.interp(at, np.arange(len(dips)), dips).astype(np.float32)
    for name in names:
        dip = np.minimum(per_sample, np.float32(depths_db[name]))
        removed = np.float32(1.0) - np.power(np.float32(10.0), -dip / np.float32(20.0))
        band = presence(stems[name], sample_rate)
        band *= removed[: len(band), None]
        carved[name] = np.subtract(stems[name], band, dtype=np.float32)
    return carved
