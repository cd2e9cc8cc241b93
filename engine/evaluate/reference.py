"""Reference values of the musicality metrics on real music: a fixed sample of POP909 songs.

POP909 lives outside the repository (POP909_DIR, by default ../shared/datasets/pop909); the
summary (quartiles per metric) is committed as pop909_reference.json and recomputed on request.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from statistics import quantiles
from typing import Any

import numpy as np
import symusic

from engine.errors import EngineError
from engine.files import write_bytes_atomic
from engine.metrics import Musicality, measure
from engine.score import Note, Score, Track
from engine.settings import pop909_dir

REFERENCE_FILE = Path(__file__).resolve().parent / "pop909_reference.json"
SAMPLE_STEP = 9  # every 9th song: 101 songs spread over the whole collection
SUMMARY_METRICS = (
    "pitch_class_entropy", "scale_consistency", "groove_consistency", "empty_beat_rate", "polyphony",
    "polyphony_rate", "chord_tone_ratio", "melodic_range", "stepwise_ratio", "leap_ratio", "recurrence",
    "longest_silence_bars",
)  # fmt: skip
_ROLES = {"MELODY": "melody", "BRIDGE": "counter", "PIANO": "chords"}


def _beats(path: Path) -> tuple[np.ndarray, list[int]]:
    """Beat times (seconds) and the indices of downbeats from a POP909 beat_midi.txt."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    times = np.array([float(row[0]) for row in rows])
    downbeats = [index for index, row in enumerate(rows) if float(row[2]) == 1.0]
    return times, downbeats


def to_beats(seconds: np.ndarray, beat_times: np.ndarray) -> np.ndarray:
    """Seconds → beat positions along the annotated beats, extrapolating with the edge tempo."""
    index = np.arange(len(beat_times), dtype=float)
    inside = np.interp(seconds, beat_times, index)
    first_period = beat_times[1] - beat_times[0]
    last_period = beat_times[-1] - beat_times[-2]
    before = (seconds - beat_times[0]) / first_period
    after = len(beat_times) - 1 + (seconds - beat_times[-1]) / last_period
    return np.where(seconds < beat_times[0], before, np.where(seconds > beat_times[-1], after, inside))


def load_song(folder: Path) -> tuple[Score, Track | None, list[float]]:
    """A POP909 song as a Score in beats (from its beat annotation), its melody track and bar starts."""
    try:
        midi = symusic.Score(str(folder / f"{folder.name}.mid")).to("second")
        beat_times, downbeats = _beats(folder / "beat_midi.txt")
    except (OSError, RuntimeError, ValueError, IndexError) as exc:
        raise EngineError(f"unreadable POP909 song {folder.name}: {exc}") from exc
    if len(beat_times) < 4 or len(downbeats) < 2:
        raise EngineError(f"POP909 song {folder.name} has too few annotated beats")
    tracks: list[Track] = []
    for source in midi.tracks:
        starts = np.array([n.time for n in source.notes], dtype=float)
        ends = starts + np.array([n.duration for n in source.notes], dtype=float)
        begin, finish = to_beats(starts, beat_times), to_beats(ends, beat_times)
        notes = [
            Note(float(b), float(max(1 / 48, f - b)), n.pitch, n.velocity)
            for b, f, n in zip(begin, finish, source.notes, strict=True)
            if b >= 0
        ]
        tracks.append(Track(source.name, source.program, _ROLES.get(source.name.upper(), "chords"), notes))
    gaps = np.diff(downbeats)
    bar = int(np.median(gaps)) if len(gaps) else 4
    length = max((n.start + n.duration for t in tracks for n in t.notes), default=0.0)
    starts_beats = [float(b) for b in downbeats if b < length]
    score = Score(float(60 / np.median(np.diff(beat_times))), f"{bar}/4", "C", "major", tracks, length)
    melody = next((t for t in tracks if t.role == "melody"), None)
    return score, melody, starts_beats


def sample_folders(directory: Path | None = None, step: int = SAMPLE_STEP) -> list[Path]:
    """The fixed sample of song folders (every `step`-th, in name order)."""
    directory = pop909_dir(directory)
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and p.name.isdigit())
    return folders[::step]


def summarise(values: list[Musicality]) -> dict[str, dict[str, float]]:
    """Quartiles, median and mean per metric over a list of pieces (missing values skipped)."""
    summary: dict[str, dict[str, float]] = {}
    for name in SUMMARY_METRICS:
        column = [float(getattr(v, name)) for v in values if getattr(v, name) is not None]
        if len(column) < 2:
            continue
        q1, median, q3 = quantiles(column, n=4, method="inclusive")
        summary[name] = {"q1": q1, "median": median, "q3": q3, "mean": float(np.mean(column)), "n": len(column)}
    return summary


def compute_reference(directory: Path | None = None, step: int = SAMPLE_STEP) -> dict[str, Any]:
    """Measure the sample of POP909 songs and summarise the metrics."""
    directory = pop909_dir(directory)
    if not directory.is_dir():
        raise EngineError(f"POP909 not found at {directory}")
    measured: list[Musicality] = []
    songs: list[str] = []
    for folder in sample_folders(directory, step):
        score, melody, starts = load_song(folder)
        measured.append(measure(score, melody, starts))
        songs.append(folder.name)
    return {
        "dataset": "POP909 (Wang et al., ISMIR 2020), MELODY+BRIDGE+PIANO tracks, times from beat_midi.txt",
        "sample": f"every {step}th song in name order ({len(songs)} songs)",
        "songs": songs,
        "metrics": summarise(measured),
        "per_song": {song: asdict(m) for song, m in zip(songs, measured, strict=True)},
    }


def load_reference(path: Path = REFERENCE_FILE) -> dict[str, Any]:
    """The committed reference summary."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        hint = "run python -m engine.evaluate --recompute-reference"
        raise EngineError(f"no POP909 reference at {path}; {hint}") from exc


def save_reference(reference: dict[str, Any], path: Path = REFERENCE_FILE) -> None:
    """Write the reference summary atomically."""
    write_bytes_atomic(path, (json.dumps(reference, indent=1, sort_keys=True) + "\n").encode())
