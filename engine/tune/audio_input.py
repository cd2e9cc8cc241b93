"""Any audio file a chat can send → mono float samples at the transcriber's rate (ffmpeg), with limits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

from engine.errors import UserError

SAMPLE_RATE = 22_050  # what basic-pitch's model was trained on
MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram bots may download 20 MB; no surface takes more
MAX_SECONDS = 90.0  # a tune, not a concert: longer recordings are refused before decoding
MIN_SECONDS = 0.5
_TIMEOUT_S = 30


def check_size(path: Path) -> None:
    """Refuse a missing, empty or oversized file with one line."""
    if not path.is_file():
        raise UserError(f"I can't find the file {path.name}.")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{path.name} is empty.")
    if size > MAX_FILE_BYTES:
        raise UserError(f"{path.name} is {size / 2**20:.0f} MB; send a tune under {MAX_FILE_BYTES // 2**20} MB.")


def probe_seconds(path: Path) -> float:
    """The file's duration by ffprobe; UserError when it holds no audio ffmpeg can read."""
    try:
        done = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "format=duration:stream=codec_type",
             "-of", "json", str(path)],
            capture_output=True, timeout=_TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"I couldn't read {path.name} as audio.") from exc
    info = json.loads(done.stdout or b"{}") if done.returncode == 0 else {}
    if not info.get("streams"):
        raise UserError(f"I couldn't read {path.name} as audio or MIDI; send a voice message, an audio file or a .mid.")
    try:
        return float(info.get("format", {}).get("duration", "nan"))
    except ValueError:
        return float("nan")


def load_audio(path: Path) -> np.ndarray:
    """Decode wav, ogg/opus, mp3, m4a, flac (anything ffmpeg reads) to mono float32 at SAMPLE_RATE."""
    check_size(path)
    seconds = probe_seconds(path)
    if seconds == seconds and seconds > MAX_SECONDS:  # NaN (unknown length) is checked after decoding
        raise UserError(f"That recording is {_clock(seconds)} long; send a tune of at most {_clock(MAX_SECONDS)}.")
    try:
        done = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-t", str(MAX_SECONDS + 1), "-vn", "-ac", "1",
             "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
            capture_output=True, timeout=_TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"I couldn't decode {path.name}.") from exc
    if done.returncode != 0 or not done.stdout:
        raise UserError(f"I couldn't decode {path.name}; it may be damaged or not really audio.")
    samples = np.frombuffer(done.stdout, dtype=np.float32).copy()
    if len(samples) > MAX_SECONDS * SAMPLE_RATE:
        raise UserError(f"That recording is over {_clock(MAX_SECONDS)} long; send a shorter tune.")
    if len(samples) < MIN_SECONDS * SAMPLE_RATE:
        raise UserError("That recording is too short to hold a tune; hum at least a few notes.")
    return np.nan_to_num(samples)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
