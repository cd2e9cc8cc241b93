"""Float audio → tagged MP3 (pydub + ffmpeg) or 16-bit WAV, each written all-or-nothing."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from pydub import AudioSegment
from pydub.exceptions import CouldntEncodeError

from engine.errors import EncodeError
from engine.files import atomic_path


def to_pcm16(audio: np.ndarray) -> bytes:
    """Interleaved little-endian 16-bit PCM from float audio in [-1, 1] (clipped, rounded)."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def write_mp3(
    audio: np.ndarray, sample_rate: int, target: Path, *, tags: dict[str, str], bitrate: str = "192k"
) -> Path:
    """Encode stereo float audio to an MP3 at `target` with ID3 tags; returns the path."""
    segment = AudioSegment(data=to_pcm16(audio), sample_width=2, frame_rate=sample_rate, channels=2)
    try:
        with atomic_path(target) as temp:
            handle = segment.export(temp, format="mp3", bitrate=bitrate, tags=tags, id3v2_version="3")
            handle.close()
    except (CouldntEncodeError, FileNotFoundError, OSError) as exc:
        raise EncodeError(f"ffmpeg could not write {target.name}: {exc}") from exc
    return target


def write_wav(audio: np.ndarray, sample_rate: int, target: Path) -> Path:
    """Write stereo float audio as a 16-bit PCM WAV (lossless delivery) at `target`; returns the path."""
    with atomic_path(target) as temp, wave.open(str(temp), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(to_pcm16(audio))
    return target
