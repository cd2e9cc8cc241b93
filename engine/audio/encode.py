"""Float audio → tagged MP3 (ffmpeg fed through a pipe) or 16-bit WAV, each written all-or-nothing."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from engine.errors import EncodeError
from engine.files import atomic_path
from engine.lifeline import kill_with_parent


def to_pcm16(audio: np.ndarray) -> bytes:
    """Interleaved little-endian 16-bit PCM from float audio in [-1, 1] (clipped, rounded)."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def ffmpeg_mp3_command(sample_rate: int, target: Path, *, tags: dict[str, str], bitrate: str) -> list[str]:
    """The ffmpeg command that reads 16-bit stereo PCM on stdin and writes a tagged MP3 to `target`."""
    metadata = [arg for key, value in tags.items() for arg in ("-metadata", f"{key}={value}")]
    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "s16le", "-ar", str(sample_rate), "-ac", "2", "-i", "pipe:0",
            "-codec:a", "libmp3lame", "-b:a", bitrate, "-id3v2_version", "3", *metadata,
            "-f", "mp3", str(target)]  # fmt: skip


def write_mp3(
    audio: np.ndarray, sample_rate: int, target: Path, *, tags: dict[str, str], bitrate: str = "192k"
) -> Path:
    """Encode stereo float audio to an MP3 at `target` with ID3 tags; returns the path.

    The audio goes to ffmpeg through a pipe (no temp WAV anywhere), the only temp file is the MP3's
    own beside `target`, and ffmpeg is killed if the engine dies.
    """
    try:
        with atomic_path(target) as temp:
            _run_ffmpeg(ffmpeg_mp3_command(sample_rate, temp, tags=tags, bitrate=bitrate), to_pcm16(audio), target)
    except OSError as exc:
        raise EncodeError(f"could not write {target.name}: {exc}") from exc
    return target


def _run_ffmpeg(command: list[str], pcm: bytes, target: Path) -> None:
    try:
        done = subprocess.run(
            command,
            input=pcm,
            capture_output=True,
            preexec_fn=kill_with_parent,  # only sets the death signal: no locks, no imports
            check=False,
        )
    except FileNotFoundError as exc:
        raise EncodeError("ffmpeg is not installed (apt-get install ffmpeg)") from exc
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise EncodeError(f"ffmpeg could not write {target.name}: {reason[0]}")


def write_wav(audio: np.ndarray, sample_rate: int, target: Path) -> Path:
    """Write stereo float audio as a 16-bit PCM WAV (lossless delivery) at `target`; returns the path."""
    with atomic_path(target) as temp, wave.open(str(temp), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(to_pcm16(audio))
    return target
