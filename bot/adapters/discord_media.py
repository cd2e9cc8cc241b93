"""Keeping a piece's MP3 under Discord's upload limit: a lower bitrate first, a shorter excerpt last."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from engine.errors import EncodeError
from engine.files import atomic_path

UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024
LOWEST_BITRATE_KBPS = 48
EXCERPT_BITRATE_KBPS = 64
# Room for ID3 tags, the multipart envelope and VBR overshoot of ffmpeg's rate control.
SAFETY = 0.9


@dataclass(frozen=True, slots=True)
class Fitted:
    """The file to upload and, when it had to change, a note that says how."""

    path: Path
    note: str | None = None


def mp3_length_s(path: Path) -> float:
    """The playing time of an MP3 in seconds."""
    try:
        info = MP3(path).info
    except (MutagenError, OSError) as exc:
        raise EncodeError(f"cannot read {path.name}: {exc}") from exc
    if info is None:
        raise EncodeError(f"cannot read {path.name}: no MPEG audio found")
    return float(info.length)


def plan_fit(size_bytes: int, length_s: float, limit_bytes: int) -> tuple[int, float | None] | None:
    """None when the file fits; else (bitrate kbps, seconds to keep or None for the whole piece)."""
    if size_bytes <= limit_bytes:
        return None
    budget_bits = limit_bytes * 8 * SAFETY
    whole_kbps = int(budget_bits / max(length_s, 1.0) / 1000)
    if whole_kbps >= LOWEST_BITRATE_KBPS:
        return min(whole_kbps, 192), None
    return EXCERPT_BITRATE_KBPS, budget_bits / (EXCERPT_BITRATE_KBPS * 1000)


async def fit_mp3(path: Path, workdir: Path, limit_bytes: int = UPLOAD_LIMIT_BYTES, length_s: float = 0.0) -> Fitted:
    """The MP3 itself when it fits, else a re-encoded copy in `workdir` that does, with a note for the chat."""
    plan = await asyncio.to_thread(_plan_for, path, limit_bytes, length_s)
    if plan is None:
        return Fitted(path)
    kbps, keep_s = plan
    target = workdir / f"{path.stem}.fitted.mp3"  # never the source itself
    await _reencode(path, target, kbps, keep_s)
    if await asyncio.to_thread(lambda: target.stat().st_size) > limit_bytes:
        raise EncodeError(f"{path.name} is still over {limit_bytes} bytes after re-encoding")
    limit_mib = limit_bytes / (1024 * 1024)
    if keep_s is None:
        return Fitted(target, f"Sent at {kbps} kbps to stay under Discord's {limit_mib:g} MiB upload limit.")
    minutes, seconds = divmod(int(keep_s), 60)
    return Fitted(target, f"Only the first {minutes}:{seconds:02d} fits Discord's {limit_mib:g} MiB upload "
                          "limit; press MIDI for the whole piece.")  # fmt: skip


def _plan_for(path: Path, limit_bytes: int, length_s: float) -> tuple[int, float | None] | None:
    return plan_fit(path.stat().st_size, length_s or mp3_length_s(path), limit_bytes)


async def _reencode(source: Path, target: Path, kbps: int, keep_s: float | None) -> None:
    with atomic_path(target) as temp:
        args = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source)]
        if keep_s is not None:
            fade_start = max(0.0, keep_s - 2.0)
            args += ["-t", f"{keep_s:.2f}", "-af", f"afade=t=out:st={fade_start:.2f}:d=2"]
        args += ["-map_metadata", "0", "-codec:a", "libmp3lame", "-b:a", f"{kbps}k", "-f", "mp3", str(temp)]
        try:
            process = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            _, errors = await process.communicate()
        except OSError as exc:
            raise EncodeError(f"ffmpeg could not start: {exc}") from exc
        if process.returncode != 0:
            raise EncodeError(f"ffmpeg could not shrink {source.name}: {errors.decode(errors='replace')[-300:]}")
