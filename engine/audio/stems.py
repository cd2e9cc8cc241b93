"""Per-part stems: each track rendered alone at the mix's gain, as MP3s in one zip."""

from __future__ import annotations

import dataclasses
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from engine.audio.encode import write_mp3
from engine.audio.render import Renderer
from engine.files import atomic_path
from engine.midi import score_to_midi
from engine.score import Score


def _stem_name(index: int, name: str) -> str:
    return f"{index + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.mp3"


def render_stems(score: Score, renderer: Renderer, target: Path, *, gain_db: float, bitrate: str = "192k") -> Path:
    """Render every track of `score` solo and zip the MP3s to `target` (all-or-nothing)."""
    gain = np.float32(10 ** (gain_db / 20))
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=target.parent) as folder,  # beside the zip: the attempt's own folder
        atomic_path(target) as temp,
        zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        for index, track in enumerate(score.tracks):
            solo = dataclasses.replace(score, tracks=[track])
            audio = renderer.render(score_to_midi(solo), length_s=score.duration_s) * gain
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            if peak > 0.89:  # a stem alone may peak where the compressed mix did not
                audio *= np.float32(0.89 / peak)
            name = _stem_name(index, track.name)
            tags = {"title": track.name, "artist": "Bandmate"}
            archive.write(write_mp3(audio, renderer.sample_rate, Path(folder) / name, tags=tags, bitrate=bitrate),
                          arcname=name)  # fmt: skip
    return target
