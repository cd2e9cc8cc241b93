"""Per-part stems: the mixer's processed stems as MP3s beside the piece, and zipped for chats."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from engine.audio.encode import write_mp3
from engine.files import atomic_path

_STEM_PEAK = 0.89  # ≈ −1 dBFS: a stem alone may peak where the limited master did not


def stem_file_name(index: int, name: str) -> str:
    """'01-synth-lead.mp3': the order of the mix, then the part's name, safe on every file system."""
    return f"{index + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.mp3"


def write_stems(
    stems: Mapping[str, np.ndarray], sample_rate: int, folder: Path, *, gain_db: float, bitrate: str = "192k"
) -> dict[str, Path]:
    """Write every stem as an MP3 in `folder` at the master's gain; returns part name → path.

    One trim for all stems (never one per stem), so that the stems still add up to the mix.
    """
    gain = float(10 ** (gain_db / 20))
    peak = max((float(np.max(np.abs(audio))) for audio in stems.values() if audio.size), default=0.0)
    if peak * gain > _STEM_PEAK:
        gain = _STEM_PEAK / peak
    paths: dict[str, Path] = {}
    for index, (name, audio) in enumerate(stems.items()):
        tags = {"title": name, "artist": "Bandmate"}
        paths[name] = write_mp3(audio * np.float32(gain), sample_rate, folder / stem_file_name(index, name),
                                tags=tags, bitrate=bitrate)  # fmt: skip
    return paths


def zip_stems(paths: Mapping[str, Path], target: Path) -> Path:
    """Zip the stem files into `target` (all-or-nothing); returns the path."""
    with atomic_path(target) as temp, zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in paths.values():
            archive.write(path, arcname=path.name)
    return target
