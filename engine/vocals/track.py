"""The sung part in a piece: the `vocals` track taken out of the FluidSynth render and sung as its own stem."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from engine.errors import ConfigError, UserError
from engine.score import Score, Track
from engine.vocals.sing import sing

VOCALS_TRACK = "vocals"
DEFAULT_VOICE = "female"
DEFAULT_LANGUAGE = "en"
SINGER_UNAVAILABLE = (
    "The singer is not available on this server right now; "
    'ask again with "instrumental" for the piece without the voice.'
)

log = logging.getLogger(__name__)


def split_vocals(score: Score) -> tuple[Score, Track | None]:
    """The score without its sung track (what FluidSynth plays), and that track (None if nothing is sung)."""
    sung = next((t for t in score.tracks if t.name == VOCALS_TRACK and any(n.lyric for n in t.notes)), None)
    if sung is None:
        return score, None
    return dataclasses.replace(score, tracks=[t for t in score.tracks if t is not sung]), sung


def sung_stem(track: Track, score: Score, sample_rate: int, frames: int, *,
              voice: str = DEFAULT_VOICE, language: str = DEFAULT_LANGUAGE) -> np.ndarray:  # fmt: skip
    """Sing `track` as a dry mono stem `frames` long, for the mixer to treat as the lead like any other part.

    A speaker missing from this server (Festival, a voice, espeak-ng) is a UserError: trying again cannot help,
    an instrumental can.
    """
    try:
        sung = sing(track.notes, score.seconds_per_beat, voice, language, sample_rate)
    except ConfigError as exc:
        log.error("cannot sing: %s", exc)
        raise UserError(SINGER_UNAVAILABLE) from exc
    return np.pad(sung, (0, max(0, frames - len(sung))))[:frames].astype(np.float32)
