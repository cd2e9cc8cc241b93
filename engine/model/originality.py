"""Originality guard: hashed runs of 8 (interval, onset-gap) steps from every POP909 melody."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import EngineError, answers_errors
from engine.files import atomic_path
from engine.score import Note

INDEX_FILE = "originality.npy"
RUN_LENGTH = 8
MAX_GAP_STEPS = 63  # onset gaps are 16ths, capped so a long rest is one symbol
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def steps_from_onsets(pitches: list[int], onsets_16th: list[int]) -> np.ndarray:
    """(interval to the next note, onset gap in 16ths) per note pair, packed into one integer each."""
    if len(pitches) < 2:
        return np.zeros(0, dtype=np.uint64)
    pitch = np.asarray(pitches, dtype=np.int64)
    onset = np.asarray(onsets_16th, dtype=np.int64)
    interval = np.clip(np.diff(pitch), -63, 63) + 64
    gap = np.clip(np.diff(onset), 0, MAX_GAP_STEPS)
    return (interval * 64 + gap).astype(np.uint64) + np.uint64(1)


def steps_from_notes(notes: list[Note]) -> np.ndarray:
    """Steps of a melody given as notes (beats → 16ths)."""
    ordered = sorted(notes, key=lambda note: note.start)
    return steps_from_onsets([note.pitch for note in ordered], [round(note.start * 4) for note in ordered])


def run_hashes(steps: np.ndarray, run_length: int = RUN_LENGTH) -> np.ndarray:
    """A 64-bit hash of every window of `run_length` consecutive steps."""
    if len(steps) < run_length:
        return np.zeros(0, dtype=np.uint64)
    windows = np.lib.stride_tricks.sliding_window_view(steps, run_length)
    hashes = np.zeros(len(windows), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(run_length):
            hashes = (hashes ^ windows[:, column]) * _MULTIPLIER
            hashes ^= hashes >> np.uint64(29)
    return hashes


@dataclass(frozen=True, slots=True)
class OriginalityIndex:
    """Sorted unique hashes of every 8-step run in the reference melodies."""

    hashes: np.ndarray

    @classmethod
    def from_melodies(cls, melodies: list[tuple[list[int], list[int]]]) -> OriginalityIndex:
        """Index melodies given as (pitches, onsets in 16ths)."""
        parts = [run_hashes(steps_from_onsets(pitches, onsets)) for pitches, onsets in melodies]
        return cls(np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64))

    def copied_runs(self, notes: list[Note]) -> int:
        """How many 8-step runs of this melody occur in a reference melody."""
        hashes = run_hashes(steps_from_notes(notes))
        if not len(hashes) or not len(self.hashes):
            return 0
        positions = np.searchsorted(self.hashes, hashes).clip(0, len(self.hashes) - 1)
        return int((self.hashes[positions] == hashes).sum())

    def is_original(self, notes: list[Note]) -> bool:
        """True when no run of 8 consecutive (interval, gap) steps is copied from the references."""
        return self.copied_runs(notes) == 0

    def save(self, directory: Path) -> Path:
        """Write the index atomically beside the weights."""
        target = directory / INDEX_FILE
        with atomic_path(target) as temp, temp.open("wb") as stream:
            np.save(stream, self.hashes)
        return target

    @classmethod
    def load(cls, directory: Path) -> OriginalityIndex:
        """Load the shipped index; EngineError when it is missing or unreadable."""
        try:
            hashes = np.load(directory / INDEX_FILE, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot load the originality index from {directory}: {exc}") from exc
        return cls(hashes.astype(np.uint64))


def build_index(pop909: Path | None = None, cache: Path | None = None) -> OriginalityIndex:
    """Index every POP909 melody (all splits: the guard is stricter than the training split)."""
    from engine.model.data import default_cache, load_corpus  # only needed to build, not to check
    from engine.model.tokenizer import build_vocab

    songs = load_corpus(build_vocab(), pop909, cache or default_cache("melody"), part="melody")
    melodies = [([step[0] for step in song.steps], [step[1] for step in song.steps]) for song in songs]
    return OriginalityIndex.from_melodies(melodies)


@answers_errors
def main(argv: list[str] | None = None) -> None:
    """`python -m engine.model.originality --out DIR`: build and save the index."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None, help="token cache (default runs/pop909_melody.pkl)")
    args = parser.parse_args(argv)
    index = build_index(args.data, args.cache)
    path = index.save(args.out)
    print(f"{len(index.hashes)} runs indexed → {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
