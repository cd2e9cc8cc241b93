"""The sung part in a piece: the `vocals` track taken out of the FluidSynth render and sung as the lead."""

from __future__ import annotations

import dataclasses

import numpy as np

from engine.score import Score, Track
from engine.vocals.sing import sing

VOCALS_TRACK = "vocals"
DEFAULT_VOICE = "female"
DEFAULT_LANGUAGE = "en"
LEAD_OVER_MIX_DB = 3.0  # the voice sits this much above the accompaniment where it sings


def split_vocals(score: Score) -> tuple[Score, Track | None]:
    """The score without its sung track (what FluidSynth plays), and that track (None if nothing is sung)."""
    sung = next((t for t in score.tracks if t.name == VOCALS_TRACK and any(n.lyric for n in t.notes)), None)
    if sung is None:
        return score, None
    return dataclasses.replace(score, tracks=[t for t in score.tracks if t is not sung]), sung


def mix_lead(accompaniment: np.ndarray, track: Track, score: Score, sample_rate: int, *,
             voice: str = DEFAULT_VOICE, language: str = DEFAULT_LANGUAGE) -> np.ndarray:  # fmt: skip
    """Sing `track` and add it to the stereo accompaniment (n, 2), centred, level-matched as the lead."""
    sung = sing(track.notes, score.seconds_per_beat, voice, language, sample_rate)
    frames = len(accompaniment)
    sung = np.pad(sung, (0, max(0, frames - len(sung))))[:frames]
    sounding = np.abs(sung) > 1e-3
    if sounding.any():
        backing = float(np.sqrt(np.mean(accompaniment[sounding] ** 2)))
        voice_rms = float(np.sqrt(np.mean(sung[sounding] ** 2)))
        sung = sung * np.float32(max(backing, 0.02) / voice_rms * 10 ** (LEAD_OVER_MIX_DB / 20))
    return (accompaniment + sung[:, None]).astype(np.float32)
