"""A MIDI file → its tune: the melody track (named, or found), the file's tempo, meter, key and chords."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import symusic
from symusic.core import ScoreQuarter

from engine.errors import UserError
from engine.plan import CHORD_INTERVALS
from engine.tune.audio_input import check_size
from engine.tune.key import SHARP_NAMES, detect_key
from engine.tune.tune import Tune, TuneChord, TuneNote

MAX_MIDI_NOTES = 20_000
MAX_BARS = 128
MIN_TUNE_NOTES = 4
_MELODY_NAMES = ("melody", "lead", "vocal", "voice", "tune", "melodie", "solo", "sing")
_CHORD_QUALITIES = ("maj", "min", "7", "min7", "maj7", "dim", "sus4")
_METERS = {(2, 4): "2/4", (3, 4): "3/4", (4, 4): "4/4", (5, 4): "5/4", (6, 8): "6/8", (7, 8): "7/8",
           (9, 8): "9/8", (12, 8): "12/8"}  # fmt: skip
_MODE_OF_TONALITY = {0: "major", 1: "minor"}


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    notes: list[tuple[float, float, int]]  # quarters: start, length, pitch


def is_midi(path: Path) -> bool:
    """Whether the file is a Standard MIDI File, by its header (a .mp3 named .mid is not)."""
    with path.open("rb") as handle:
        return handle.read(4) == b"MThd"


def _load(path: Path) -> ScoreQuarter:
    check_size(path)
    try:
        return cast(ScoreQuarter, symusic.Score.from_midi(path.read_bytes(), ttype="quarter"))
    except Exception as exc:  # symusic raises bare RuntimeErrors on a broken file
        raise UserError(f"{path.name} looks like MIDI but I can't read it; it may be damaged.") from exc


def _parts(score: ScoreQuarter) -> tuple[list[_Part], int]:
    parts, drums = [], 0
    for number, track in enumerate(score.tracks):
        if track.is_drum:
            drums += len(track.notes)
            continue
        notes = [(float(n.time), float(n.duration), int(n.pitch)) for n in track.notes if n.duration > 0]
        if notes:
            parts.append(_Part(track.name.strip() or f"track {number + 1}", sorted(notes)))
    return parts, drums


def _skyline(notes: list[tuple[float, float, int]]) -> list[tuple[float, float, int]]:
    """One note at a time: the highest at each onset, cut where the next one starts."""
    by_start: dict[float, tuple[float, float, int]] = {}
    for note in notes:
        if note[0] not in by_start or note[2] > by_start[note[0]][2]:
            by_start[note[0]] = note
    line = [by_start[start] for start in sorted(by_start)]
    return [(s, min(d, line[i + 1][0] - s) if i + 1 < len(line) else d, p) for i, (s, d, p) in enumerate(line)]


def _melody_score(part: _Part) -> float:
    """Higher for a singing line: high, mostly one note at a time, with enough notes."""
    starts = [n[0] for n in part.notes]
    monophony = len(set(starts)) / len(starts)
    return float(np.mean([n[2] for n in part.notes])) * monophony * min(1.0, len(part.notes) / 16)


def _choose(parts: list[_Part], wanted: str | None) -> _Part:
    if wanted:
        named = [p for p in parts if wanted.lower() in p.name.lower()]
        if not named:
            names = ", ".join(p.name for p in parts)
            raise UserError(f"There's no track called '{wanted}' in that file; its tracks are: {names}.")
        return named[0]
    named = [p for p in parts if any(word in p.name.lower() for word in _MELODY_NAMES)]
    return named[0] if named else max(parts, key=_melody_score)


def _chords(parts: list[_Part], melody: _Part, bar: float, bars: int, shift: float) -> tuple[TuneChord, ...]:
    """One chord per bar from the other tracks, by the pitch-class template that fits best; () if none."""
    others = [n for p in parts if p is not melody for n in p.notes]
    if not others:
        return ()
    chords: list[TuneChord] = []
    for number in range(bars):
        low, high = number * bar + shift, (number + 1) * bar + shift
        weights = np.zeros(12)
        for start, length, pitch in others:
            overlap = min(start + length, high) - max(start, low)
            if overlap > 0:
                weights[pitch % 12] += overlap * (1.5 if pitch < 55 else 1.0)  # the bass names the root
        if not weights.any():
            if chords:
                chords.append((number * bar, bar, chords[-1][2], chords[-1][3]))
            continue
        root, quality = max(((r, q) for r in range(12) for q in _CHORD_QUALITIES),
                            key=lambda rq: _fit(weights, *rq))  # fmt: skip
        chords.append((number * bar, bar, root, quality))
    return tuple(chords)


def _fit(weights: np.ndarray, root: int, quality: str) -> float:
    tones = {(root + step) % 12 for step in CHORD_INTERVALS[quality]}
    inside = sum(weights[pc] for pc in tones)
    return inside - 0.7 * (weights.sum() - inside) - 0.15 * len(tones) * weights.max() + 0.2 * weights[root]


def tune_from_midi(path: Path, track: str | None = None) -> Tune:
    """The tune in a MIDI file; UserError for one with no notes, drums only, or far too many notes."""
    score = _load(path)
    parts, drums = _parts(score)
    total = sum(len(p.notes) for p in parts) + drums
    if total > MAX_MIDI_NOTES:
        raise UserError(f"That MIDI file has {total:,} notes; I take tunes of up to {MAX_MIDI_NOTES:,}.")
    if not parts:
        raise UserError("That MIDI file has only drums: send one with a melody." if drums
                        else "That MIDI file has no notes in it.")  # fmt: skip
    melody = _choose(parts, track)
    line = _skyline(melody.notes)
    if len(line) < MIN_TUNE_NOTES:
        raise UserError(f"The melody in that MIDI file has only {len(line)} notes; send a longer tune.")
    signature = score.time_signatures[0] if len(score.time_signatures) else None
    meter = _METERS.get((signature.numerator, signature.denominator), "4/4") if signature else "4/4"
    top, bottom = (int(n) for n in meter.split("/"))
    bar = top * 4 / bottom
    shift = math.floor(line[0][0] / bar) * bar  # the tune starts in its first bar, pickup kept
    notes: list[TuneNote] = [(round(s - shift, 4), round(d, 4), p) for s, d, p in line]
    bars = math.ceil((notes[-1][0] + notes[-1][1]) / bar - 1e-6)
    if bars > MAX_BARS:
        raise UserError(f"That tune is {bars} bars long; I arrange tunes of up to {MAX_BARS} bars.")
    tempo = round(score.tempos[0].qpm) if len(score.tempos) else 120
    if len(score.key_signatures) and score.key_signatures[0].tonality in _MODE_OF_TONALITY:
        signature_key = score.key_signatures[0]
        mode = _MODE_OF_TONALITY[signature_key.tonality]
        tonic = (signature_key.key * 7 + (9 if mode == "minor" else 0)) % 12
        key = SHARP_NAMES[tonic]
    else:
        key, mode = detect_key([n[2] for n in notes], [n[1] for n in notes])
    return Tune(file=path.name, notes=tuple(notes), bars=max(1, bars), tempo_bpm=min(240, max(40, tempo)),
                key=key, mode=mode, meter=meter, chords=_chords(parts, melody, bar, bars, shift))  # fmt: skip
