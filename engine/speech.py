"""Speech with phoneme times: what a text-to-speech engine hands the singer, whichever engine it is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Phone:
    """One phoneme of the speech: its IPA name, where it lies in the audio, and which word it belongs to."""

    ipa: str
    start: int  # sample index into Speech.audio
    end: int
    text_position: int  # 0-based character offset of its word in the spoken text


@dataclass(frozen=True, slots=True)
class Speech:
    """A spoken text: mono float audio and its phonemes in order."""

    audio: np.ndarray
    sample_rate: int
    phones: list[Phone]


def word_offsets(words: list[str]) -> list[int]:
    """Where each word starts in the words joined by single spaces."""
    return [sum(len(word) + 1 for word in words[:k]) for k in range(len(words))]
