"""Sampling with a KV cache (engine.model.decode): k candidates in lockstep, forced bar headers, masks.

Melodies are one note per position; piano parts stack notes upward at a position (as REMI orders them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import symusic
import torch

from engine.errors import EngineError
from engine.files import write_bytes_atomic
from engine.model.data import Song, prefix_tokens
from engine.model.decode import KVDecoder
from engine.model.tokenizer import BEATS_PER_BAR, POSITIONS_PER_BEAT, Vocab
from engine.score import Note

SLOTS_PER_BAR = BEATS_PER_BAR * POSITIONS_PER_BEAT
MAX_TOKENS_PER_BAR = 64  # a runaway melody bar is cut here; 16 notes × 3 tokens fit easily
MAX_CHORD_TOKENS_PER_BAR = 96  # piano bars: 99 % of POP909's hold at most 74 tokens


@dataclass(frozen=True, slots=True)
class BarFrame:
    """One bar to write: its forced header (Bar, chords) and the pitches the melody may use in it."""

    header: tuple[int, ...]
    pitches: frozenset[int]


@dataclass(frozen=True, slots=True)
class Masks:
    """Precomputed vocabulary masks for the REMI grammar."""

    positions_after: torch.Tensor  # [SLOTS_PER_BAR + 1, V]: Position > p (row p + 1) or Bar
    durations: torch.Tensor  # [V]
    pitch_ids: torch.Tensor  # [V] the MIDI pitch of each Pitch token, -1 elsewhere
    bar_id: int

    @classmethod
    def build(cls, vocab: Vocab) -> Masks:
        """Masks for one vocabulary (cheap; built once per writer)."""
        size = len(vocab)
        positions = torch.zeros((SLOTS_PER_BAR + 1, size), dtype=torch.bool)
        bar_id = vocab.id("Bar_None")
        for row in range(SLOTS_PER_BAR + 1):
            positions[row, bar_id] = True
            for slot in range(row, SLOTS_PER_BAR):
                positions[row, vocab.id(f"Position_{slot}")] = True
        durations = torch.tensor([vocab.duration_beats(index) is not None for index in range(size)])
        pitch_ids = torch.tensor([vocab.pitch_of(index) or -1 for index in range(size)])
        return cls(positions, durations, pitch_ids, bar_id)

    def pitch_mask(self, pitches: frozenset[int]) -> torch.Tensor:
        """Pitch tokens whose MIDI pitch is allowed."""
        allowed = torch.tensor(sorted(pitches), dtype=torch.long) if pitches else torch.empty(0, dtype=torch.long)
        return torch.isin(self.pitch_ids, allowed) & (self.pitch_ids >= 0)


@dataclass(slots=True)
class _Row:
    """One candidate's decoding state."""

    tokens: list[int]
    forced: list[int]
    bar: int = 0
    last_slot: int = -1
    last_pitch: int = -1  # the pitch just written at this position: a piano stacks upward from it
    expecting: str = "position"  # position | pitch | duration
    bar_tokens: int = 0
    done: bool = False


def _step_mask(row: _Row, masks: Masks, pitch_masks: list[torch.Tensor], size: int, polyphonic: bool) -> torch.Tensor:
    if row.expecting == "pitch":
        return pitch_masks[row.bar]
    if row.expecting == "duration":
        return masks.durations
    if row.bar_tokens >= (MAX_CHORD_TOKENS_PER_BAR if polyphonic else MAX_TOKENS_PER_BAR):
        mask = torch.zeros(size, dtype=torch.bool)
        mask[masks.bar_id] = True
        return mask
    moves = masks.positions_after[row.last_slot + 1]
    if polyphonic and row.last_pitch >= 0:
        return moves | (pitch_masks[row.bar] & (masks.pitch_ids > row.last_pitch))
    return moves


def _advance(row: _Row, token: int, vocab: Vocab, frames: list[BarFrame]) -> None:
    row.tokens.append(token)
    row.bar_tokens += 1
    if row.forced:
        return
    if token == vocab.ids["Bar_None"]:
        row.bar += 1
        row.last_slot, row.last_pitch, row.expecting, row.bar_tokens = -1, -1, "position", 0
        if row.bar >= len(frames):
            row.done = True
        else:
            row.forced = list(frames[row.bar].header[1:])
        return
    slot, pitch = vocab.position_of(token), vocab.pitch_of(token)
    if slot is not None:
        row.last_slot, row.last_pitch, row.expecting = slot, -1, "pitch"
    elif pitch is not None:
        row.last_pitch, row.expecting = pitch, "duration"
    else:
        row.expecting = "position"


@torch.inference_mode()
def sample_bars(
    model: torch.nn.Module,
    vocab: Vocab,
    masks: Masks,
    prompt: list[int],
    frames: list[BarFrame],
    candidates: int,
    generator: torch.Generator,
    temperature: float = 0.95,
    polyphonic: bool = False,
) -> list[list[list[int]]]:
    """k continuations of `prompt` (which must end just before frame 0's header), each one token list per bar."""
    if not frames:
        return [[] for _ in range(candidates)]
    size = len(vocab)
    pitch_masks = [masks.pitch_mask(frame.pitches) for frame in frames]
    start = [*prompt, *frames[0].header]
    rows = [_Row(tokens=[], forced=[]) for _ in range(candidates)]
    budget = len(frames) * (MAX_CHORD_TOKENS_PER_BAR if polyphonic else MAX_TOKENS_PER_BAR) + 8
    decoder = KVDecoder(model, candidates, len(start) + budget + 1)
    logits = decoder(torch.tensor([start] * candidates, dtype=torch.long))
    for _ in range(budget):
        if all(row.done for row in rows):
            break
        mask = torch.stack([_step_mask(row, masks, pitch_masks, size, polyphonic) for row in rows])
        scores = (logits.float() / temperature).masked_fill(~mask, float("-inf"))
        probabilities = torch.softmax(scores, dim=-1).nan_to_num(0.0)
        probabilities[probabilities.sum(dim=-1) == 0, masks.bar_id] = 1.0  # dead end: close the bar
        drawn = torch.multinomial(probabilities, 1, generator=generator).squeeze(1)
        step_tokens = []
        for row, sampled in zip(rows, drawn.tolist(), strict=True):
            token = row.forced.pop(0) if row.forced else sampled
            if not row.done:
                _advance(row, token, vocab, frames)
            step_tokens.append(token)
        logits = decoder(torch.tensor(step_tokens).unsqueeze(1))
    return [_split_bars([*frames[0].header, *row.tokens], vocab, len(frames)) for row in rows]


def _split_bars(tokens: list[int], vocab: Vocab, bar_count: int) -> list[list[int]]:
    bars: list[list[int]] = []
    for token in tokens:
        if token == vocab.ids["Bar_None"]:
            bars.append([])
        if bars:
            bars[-1].append(token)
    return (bars + [[] for _ in range(bar_count)])[:bar_count]


def bars_to_notes(
    bars: list[list[int]], vocab: Vocab, first_beat: float, velocity: int = 90, polyphonic: bool = False
) -> list[Note]:
    """Decode bar token lists to notes (times in beats from `first_beat`); a melody is made monophonic."""
    notes: list[Note] = []
    for index, tokens in enumerate(bars):
        bar_start = first_beat + index * BEATS_PER_BAR
        onset, pitch = None, None
        for token in tokens:
            slot, midi, length = vocab.position_of(token), vocab.pitch_of(token), vocab.duration_beats(token)
            if slot is not None:
                onset = bar_start + slot / POSITIONS_PER_BEAT
            elif midi is not None:
                pitch = midi
            elif length is not None and onset is not None and pitch is not None:
                notes.append(Note(onset, length, pitch, velocity))
                pitch = None
    return sorted(notes, key=lambda note: (note.start, note.pitch)) if polyphonic else monophonic(notes)


def monophonic(notes: list[Note]) -> list[Note]:
    """Sort by onset, keep one note per onset and end each note where the next begins."""
    ordered = sorted({note.start: note for note in notes}.values(), key=lambda note: note.start)
    clipped = []
    for index, note in enumerate(ordered):
        limit = ordered[index + 1].start - note.start if index + 1 < len(ordered) else note.duration
        clipped.append(Note(note.start, min(note.duration, limit), note.pitch, note.velocity))
    return clipped


def notes_to_midi(
    notes: list[Note], tempo_bpm: float, path: Path, ticks_per_beat: int = 480, name: str = "melody"
) -> Path:
    """Write notes as a one-track MIDI file, atomically."""
    score = symusic.Score(ticks_per_beat)
    score.tempos.append(symusic.Tempo(0, tempo_bpm))
    score.time_signatures.append(symusic.TimeSignature(0, BEATS_PER_BAR, 4))
    track = symusic.Track(name=name, program=0)
    for note in notes:
        start, length = round(note.start * ticks_per_beat), max(1, round(note.duration * ticks_per_beat))
        track.notes.append(symusic.Note(start, length, note.pitch, note.velocity))
    score.tracks.append(track)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = score.dumps_midi()
    except (RuntimeError, ValueError) as exc:
        raise EngineError(f"cannot write sample MIDI {path}: {exc}") from exc
    write_bytes_atomic(path, bytes(data))
    return path


SAMPLE_RANGES = {"melody": range(55, 85), "piano": range(36, 85)}


def sample_song_midi(model: torch.nn.Module, vocab: Vocab, song: Song, path: Path, seed: int, bars: int = 8) -> Path:
    """A training-time sample: the song's part written over the first `bars` bars of a held-out song's chords."""
    frames = [BarFrame(bar.header, frozenset(SAMPLE_RANGES[song.part])) for bar in song.bars[:bars]]
    first = song.bars[0]
    prompt = prefix_tokens(vocab, first.tonic_pc, first.mode, 1, song.tempo_token)
    generator = torch.Generator().manual_seed(seed)
    polyphonic = song.part != "melody"
    chosen = sample_bars(model, vocab, Masks.build(vocab), prompt, frames, 1, generator, polyphonic=polyphonic)[0]
    tempo = float(vocab.names[song.tempo_token][6:])
    notes = bars_to_notes(chosen, vocab, 0.0, polyphonic=polyphonic)
    return notes_to_midi(notes, tempo, path, name=song.part)
