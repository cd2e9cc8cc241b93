"""POP909 → bar-by-bar token sequences (melody or piano over chords), split by song, with transposition windows."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import symusic

from engine.errors import EngineError, ToolError
from engine.files import atomic_path
from engine.model.tokenizer import (
    BEATS_PER_BAR,
    CHORD_SLOTS_PER_BEAT,
    ENERGY_BINS,
    PITCH_RANGE,
    POSITIONS_PER_BEAT,
    Vocab,
    mode_token,
)
from engine.plan import chord_class
from engine.settings import pop909_dir
from engine.spec import PITCH_CLASS

CACHE_VERSION = 4
TICKS_PER_BEAT = 480
MAX_DURATION_STEPS = 8 * POSITIONS_PER_BEAT
LEGATO_GAP_STEPS = 2 * POSITIONS_PER_BEAT
SPLITS = ("train", "valid", "test")
PARTS = ("melody", "piano")
# Notes per bar at the quartiles of each part in POP909: the energy bins' thresholds.
ENERGY_THRESHOLDS = {"melody": (3.0, 4.5, 6.0), "piano": (9.0, 13.0, 16.0)}

Step = tuple[int, int, int]  # pitch, onset and duration in 16ths


@dataclass(frozen=True, slots=True)
class BarTokens:
    """One bar: the key it is in, its chord header (Bar + chords) and its melody tokens."""

    tonic_pc: int
    mode: str
    header: tuple[int, ...]
    notes: tuple[int, ...]
    note_count: int


@dataclass(frozen=True, slots=True)
class Song:
    """One tokenized song part (melody or piano) plus its notes as steps (the originality index reads melodies)."""

    song_id: str
    tempo_token: int
    bars: tuple[BarTokens, ...]
    steps: tuple[Step, ...]  # the part's notes: pitch, onset and duration in 16ths
    part: str = "melody"


def default_cache(part: str) -> Path:
    """Where the CLIs keep a part's tokenized corpus between runs (relative to the working folder)."""
    return Path("runs") / f"pop909_{part}.pkl"


def trained_part(config: dict[str, object]) -> str:
    """The part a saved checkpoint's config was trained on (checkpoints from before parts are melody)."""
    train = config.get("train")
    return str(train.get("part", "melody")) if isinstance(train, dict) else "melody"


def split_of(song_id: str) -> str:
    """Deterministic split by song: 1 in 20 songs validation, 1 in 20 test, the rest train."""
    number = int(song_id)
    return "test" if number % 20 == 0 else "valid" if number % 20 == 1 else "train"


def _read_table(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _beat_mapper(beat_times: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    step = float(np.median(np.diff(beat_times)))

    def to_beat(seconds: np.ndarray) -> np.ndarray:
        inside = np.interp(seconds, beat_times, np.arange(len(beat_times), dtype=float))
        before = (seconds - beat_times[0]) / step
        after = len(beat_times) - 1 + (seconds - beat_times[-1]) / step
        return np.where(seconds < beat_times[0], before, np.where(seconds > beat_times[-1], after, inside))

    return to_beat


def _four_beat_bars(beats: list[list[str]]) -> list[int]:
    """Start beats of the annotated bars that last four beats; odd-length bars are left out."""
    downbeats = [index for index, row in enumerate(beats) if float(row[2]) == 1.0]
    bounds = [*downbeats, downbeats[-1] + BEATS_PER_BAR] if downbeats else []
    return [a for a, b in itertools.pairwise(bounds) if b - a == BEATS_PER_BAR]


def _grid_notes(
    song_dir: Path, track_name: str, beat_of: Callable[[np.ndarray], np.ndarray], bar_starts: list[int]
) -> list[tuple[int, int, float]]:
    """One track's notes inside the kept bars on a 16th grid: (pitch, onset in 16ths, length in 16ths)."""
    score = symusic.Score(str(song_dir / f"{song_dir.name}.mid"), ttype="second")
    track = next((track for track in score.tracks if track.name.strip().upper() == track_name), None)
    if track is None or len(track.notes) == 0:
        return []
    starts = beat_of(np.array([note.start for note in track.notes]))
    lengths = beat_of(np.array([note.end for note in track.notes])) - starts
    bar_array = np.array(bar_starts)
    slots_per_bar = BEATS_PER_BAR * POSITIONS_PER_BEAT
    notes = []
    for note, start, length in zip(track.notes, starts, lengths, strict=True):
        bar = int(np.searchsorted(bar_array, start + 0.5 / POSITIONS_PER_BEAT, side="right")) - 1
        if bar < 0:
            continue
        slot = round((start - bar_array[bar]) * POSITIONS_PER_BEAT)
        if 0 <= slot < slots_per_bar:  # else inside a left-out odd-length bar
            notes.append((int(note.pitch), bar * slots_per_bar + slot, float(length * POSITIONS_PER_BEAT)))
    return notes


def _melody_steps(song_dir: Path, beat_of: Callable[[np.ndarray], np.ndarray], bar_starts: list[int]) -> list[Step]:
    """The MELODY track, one note per onset (the top one carries the tune), held legato within phrases."""
    by_onset: dict[int, tuple[int, int]] = {}
    for pitch, onset, length in _grid_notes(song_dir, "MELODY", beat_of, bar_starts):
        keep = by_onset.get(onset)
        if keep is None or pitch > keep[0]:
            by_onset[onset] = (pitch, max(1, round(length)))
    ordered = sorted(by_onset.items())
    steps = []
    for index, (onset, (pitch, length)) in enumerate(ordered):
        gap = ordered[index + 1][0] - onset if index + 1 < len(ordered) else length
        # POP909 sung notes are often clipped short; within a phrase they are heard legato
        held = gap if gap <= LEGATO_GAP_STEPS else length
        steps.append((pitch, onset, max(1, min(held, gap, MAX_DURATION_STEPS))))
    return steps


def _piano_steps(song_dir: Path, beat_of: Callable[[np.ndarray], np.ndarray], bar_starts: list[int]) -> list[Step]:
    """The PIANO track (the accompaniment), polyphonic; the few notes under the token range move up octaves."""
    steps: dict[tuple[int, int], int] = {}
    for pitch, onset, length in _grid_notes(song_dir, "PIANO", beat_of, bar_starts):
        while pitch < PITCH_RANGE[0]:
            pitch += 12
        if pitch < PITCH_RANGE[1]:
            held = max(1, min(round(length), MAX_DURATION_STEPS))
            steps[(onset, pitch)] = max(held, steps.get((onset, pitch), 0))
    return [(pitch, onset, length) for (onset, pitch), length in sorted(steps.items())]


PART_STEPS = {"melody": _melody_steps, "piano": _piano_steps}


def _chord_headers(
    rows: list[list[str]], beat_of: Callable[[np.ndarray], np.ndarray], bar_starts: list[int], vocab: Vocab
) -> list[list[int]]:
    """Bar + (ChordPos, Chord) pairs for every kept bar: the chord sounding at the downbeat, then changes."""
    changes: list[tuple[float, str | None]] = []
    for start, _end, label in rows:
        root, _, quality = label.partition(":")
        klass = chord_class(quality) if root in PITCH_CLASS else None
        beat = float(beat_of(np.array([float(start)]))[0])
        changes.append((beat, f"Chord_{PITCH_CLASS[root]}_{klass}" if klass else None))
    headers = []
    for bar_start in bar_starts:
        sounding = [name for beat, name in changes if beat <= bar_start + 0.25]
        current = sounding[-1] if sounding else None
        header = [vocab.id("Bar_None")]
        if current:
            header += [vocab.id("ChordPos_0"), vocab.id(current)]
        for beat, name in changes:
            slot = round((beat - bar_start) * CHORD_SLOTS_PER_BEAT)
            if bar_start + 0.25 < beat and 0 < slot < BEATS_PER_BAR * CHORD_SLOTS_PER_BEAT:
                if name and name != current:
                    header += [vocab.id(f"ChordPos_{slot}"), vocab.id(name)]
                current = name
        headers.append(header)
    return headers


def _key_at(rows: list[list[str]], seconds: float) -> tuple[int, str]:
    chosen = rows[0]
    for row in rows:
        if float(row[0]) <= seconds + 1e-6:
            chosen = row
    root, _, quality = chosen[2].partition(":")
    return PITCH_CLASS.get(root, 0), mode_token("minor" if quality.startswith("min") else "major")


def note_tokens(steps: list[Step], vocab: Vocab, tempo_bpm: float) -> list[list[int]]:
    """REMI tokens per bar (Bar/TimeSig/Tempo stripped) of 16th-grid steps, encoded by miditok."""
    score = symusic.Score(TICKS_PER_BEAT)
    score.tempos.append(symusic.Tempo(0, tempo_bpm))
    score.time_signatures.append(symusic.TimeSignature(0, BEATS_PER_BAR, 4))
    track = symusic.Track(program=0)
    tick = TICKS_PER_BEAT // POSITIONS_PER_BEAT
    for pitch, onset, length in steps:
        track.notes.append(symusic.Note(onset * tick, length * tick, pitch, 90))
    score.tracks.append(track)
    sequence = vocab.remi.encode(score)
    names = (sequence[0] if isinstance(sequence, list) else sequence).tokens
    bars: list[list[int]] = []
    for index, name in enumerate(names):
        if name == "Bar_None":
            bars.append([])
        elif name.startswith(("TimeSig_", "Tempo_")):
            continue
        elif name.startswith("Position_") and index + 1 < len(names) and names[index + 1].startswith("Tempo_"):
            following = names[index + 2] if index + 2 < len(names) else ""
            if not following.startswith("Pitch_"):
                continue  # this Position only carried the tempo, which lives in the prefix instead
            bars[-1].append(vocab.id(name))
        else:
            bars[-1].append(vocab.id(name))
    return bars


def load_song(song_dir: Path, vocab: Vocab, part: str = "melody") -> Song | None:
    """Tokenize one part of a POP909 song's four-beat bars; None when it has too few of them or no notes."""
    beats = _read_table(song_dir / "beat_midi.txt")
    beat_times = np.array([float(row[0]) for row in beats])
    bar_starts = _four_beat_bars(beats)
    if len(bar_starts) < 8:
        return None
    beat_of = _beat_mapper(beat_times)
    steps = PART_STEPS[part](song_dir, beat_of, bar_starts)
    if len(steps) < 16:
        return None
    tempo = 60.0 / float(np.median(np.diff(beat_times)))
    note_bars = note_tokens(steps, vocab, tempo)
    headers = _chord_headers(_read_table(song_dir / "chord_midi.txt"), beat_of, bar_starts, vocab)
    key_rows = _read_table(song_dir / "key_audio.txt")
    bars = []
    for bar_start, header, notes in zip(bar_starts, headers, note_bars, strict=False):
        seconds = float(np.interp(bar_start, np.arange(len(beat_times)), beat_times))
        tonic, mode = _key_at(key_rows, seconds)
        count = sum(1 for token in notes if vocab.pitch_of(token) is not None)
        bars.append(BarTokens(tonic, mode, tuple(header), tuple(notes), count))
    return Song(song_dir.name, vocab.id(vocab.tempo_token(tempo)), tuple(bars), tuple(steps), part)


def load_corpus(
    vocab: Vocab, root: Path | None = None, cache: Path | None = None, limit: int = 0, part: str = "melody"
) -> list[Song]:
    """One part of every usable POP909 song, tokenized once and cached (atomically) when `cache` is given."""
    if part not in PARTS:
        raise ToolError(f"unknown part {part!r}; the model learns {' or '.join(PARTS)}")
    directory = pop909_dir(root)
    if not directory.is_dir():
        raise ToolError(f"POP909 is not at {directory}; pass --data with its folder")
    if cache is not None and cache.is_file():
        with cache.open("rb") as stream:
            content = pickle.load(stream)
        songs = content[2] if content[:2] == (CACHE_VERSION, part) else []
        if songs and (not limit or len(songs) >= limit):
            return songs[:limit] if limit else songs
    song_dirs = sorted(path for path in directory.iterdir() if path.is_dir() and path.name.isdigit())
    songs = []
    for song_dir in song_dirs[:limit] if limit else song_dirs:
        try:
            song = load_song(song_dir, vocab, part)
        except (OSError, ValueError, IndexError) as exc:
            raise EngineError(f"cannot read POP909 song {song_dir}: {exc}") from exc
        if song is not None:
            songs.append(song)
    if cache is not None:
        with atomic_path(cache) as temp, temp.open("wb") as stream:
            pickle.dump((CACHE_VERSION, part, songs), stream)
    return songs


def energy_bin(notes_per_bar: float, part: str = "melody") -> int:
    """A part's density → energy bin (thresholds near POP909's quartiles of that part's notes per bar)."""
    return sum(notes_per_bar >= threshold for threshold in ENERGY_THRESHOLDS[part])


def energy_bin_for_level(energy: float) -> int:
    """A 0–1 energy level (spec or section) → energy bin."""
    return min(ENERGY_BINS - 1, max(0, int(energy * ENERGY_BINS)))


def prefix_tokens(vocab: Vocab, tonic_pc: int, mode: str, energy: int, tempo_token: int) -> list[int]:
    """The conditioning prefix every sequence starts with."""
    return [
        vocab.id("BOS_None"),
        vocab.id(f"Key_{tonic_pc % 12}"),
        vocab.id(f"Mode_{mode_token(mode)}"),
        vocab.id(f"Energy_{energy}"),
        tempo_token,
        vocab.id("TimeSig_4/4"),
    ]


def transpose_table(vocab: Vocab, shift: int) -> np.ndarray:
    """Id map for a transposition: pitches, keys and chord roots move; -1 where a pitch leaves the range."""
    table = np.arange(len(vocab), dtype=np.int64)
    for index, name in enumerate(vocab.names):
        kind, _, value = name.partition("_")
        if kind == "Pitch":
            table[index] = vocab.ids.get(f"Pitch_{int(value) + shift}", -1)
        elif kind == "Key":
            table[index] = vocab.id(f"Key_{(int(value) + shift) % 12}")
        elif kind == "Chord":
            root, quality = value.split("_", 1)
            table[index] = vocab.id(f"Chord_{(int(root) + shift) % 12}_{quality}")
    return table


def window(song: Song, start_bar: int, max_len: int, vocab: Vocab) -> list[int]:
    """Prefix + whole bars from `start_bar` while they fit in max_len, EOS when the song ends inside."""
    bars = song.bars
    first = bars[start_bar]
    body: list[int] = []
    end = start_bar
    budget = max_len - 7
    while end < len(bars) and len(body) + len(bars[end].header) + len(bars[end].notes) <= budget:
        body += [*bars[end].header, *bars[end].notes]
        end += 1
    span = max(1, end - start_bar)
    density = sum(bar.note_count for bar in bars[start_bar:end]) / span
    prefix = prefix_tokens(vocab, first.tonic_pc, first.mode, energy_bin(density, song.part), song.tempo_token)
    tail = [vocab.id("EOS_None")] if end == len(bars) else []
    return prefix + body + tail


def random_windows(
    songs: list[Song], vocab: Vocab, max_len: int, rng: np.random.Generator, tables: list[np.ndarray]
) -> Iterator[list[int]]:
    """Endless training windows: random song, random start bar, random transposition that keeps pitches."""
    while True:
        song = songs[int(rng.integers(len(songs)))]
        start = int(rng.integers(max(1, len(song.bars) - 4)))
        ids = np.array(window(song, start, max_len, vocab))
        for shift_index in rng.permutation(len(tables)):
            moved = tables[shift_index][ids]
            if (moved >= 0).all():
                yield moved.tolist()
                break


def fixed_windows(songs: list[Song], vocab: Vocab, max_len: int, every: int = 16) -> list[list[int]]:
    """Deterministic untransposed windows every `every` bars: the validation set."""
    return [
        window(song, start, max_len, vocab) for song in songs for start in range(0, max(1, len(song.bars) - 4), every)
    ]


def split_songs(songs: list[Song]) -> dict[str, list[Song]]:
    """Songs grouped by split."""
    grouped: dict[str, list[Song]] = {name: [] for name in SPLITS}
    for song in songs:
        grouped[split_of(song.song_id)].append(song)
    return grouped


def transposition_shifts() -> range:
    """All twelve keys: shifts −5 … +6 semitones."""
    return range(-5, 7)
