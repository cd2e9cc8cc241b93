"""The meter of a heard tune: 4/4, 3/4 or 6/8, and where its bars start, from where its notes fall.

Each meter has a table, learned from Essen folk tunes (`engine/tune/meter_train.py`), of how likely a note
is at each sixteenth of the bar with each length (under a beat, a beat, a dotted beat, longer). Every meter
and every bar start on the eighth grid is tried; the tune's mean log-likelihood under it, plus the meter's
bias, picks the reading. A 6/8 tune is one whose long notes fall on the bar's two dotted-quarter beats (0
and 1.5) rather than on three quarters (0, 1, 2): the old rule (long notes on downbeats, 3 or 4 beats)
called every 6/8 tune 3/4. 2/4 and 2/2 tunes are read as 4/4, which changes nothing the band plays.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import EngineError

MODEL_FILE = Path(__file__).with_name("meter_model.json")
BAR_BEATS = {"4/4": 4.0, "3/4": 3.0, "6/8": 3.0}  # in quarter-note beats, as the rest of the engine counts
STEP = 0.25  # the grid a position in the bar is read on (a sixteenth)
OFFSET_STEP = 0.5  # bar starts tried on the eighth grid: a 6/8 tune often starts an eighth before a beat
LENGTH_EDGES = (0.99, 1.49, 1.99)  # beats: under a beat, a beat, a dotted beat, longer


@dataclass(frozen=True, slots=True)
class MeterModel:
    """Per meter, the log-probability of each (sixteenth in the bar, length class), and the meter's bias."""

    log_probs: dict[str, np.ndarray]
    bias: dict[str, float]


@dataclass(frozen=True, slots=True)
class MeterGuess:
    """A reading of a tune: its meter, beats (quarters) per bar, and the beat its first bar line falls on."""

    meter: str
    beats_per_bar: float
    offset: float


def note_classes(starts: np.ndarray, lengths: np.ndarray, bar: float, offset: float) -> np.ndarray:
    """Each note's class in a bar of `bar` beats starting at `offset`: position index × 4 + length class."""
    positions = np.rint(np.mod(starts - offset, bar) / STEP).astype(int) % round(bar / STEP)
    return positions * (len(LENGTH_EDGES) + 1) + np.searchsorted(LENGTH_EDGES, lengths)


def classes_per_meter(meter: str) -> int:
    """How many (position, length) classes a bar of this meter has."""
    return round(BAR_BEATS[meter] / STEP) * (len(LENGTH_EDGES) + 1)


@functools.cache
def load_model(path: Path = MODEL_FILE) -> MeterModel:
    """The fitted meter model shipped with the engine (read once; it never changes while running)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        log_probs = {meter: np.asarray(data["log_probs"][meter], dtype=float) for meter in BAR_BEATS}
        bias = {meter: float(data["bias"].get(meter, 0.0)) for meter in BAR_BEATS}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"the meter model {path} cannot be read: {exc!r}") from exc
    if any(len(log_probs[meter]) != classes_per_meter(meter) for meter in BAR_BEATS):
        raise EngineError(f"the meter model {path} does not match this engine's grid")
    return MeterModel(log_probs, bias)


_TIE = 1e-12  # scores this close are equal: the earlier reading (4/4 first, the earliest bar line) stays


def best_readings(
    starts: list[float], lengths: list[float], log_probs: dict[str, np.ndarray]
) -> dict[str, tuple[float, float]]:
    """Per meter, the best unbiased (mean log-likelihood, first bar line) over bar lines on the eighth grid."""
    onsets, durations = np.asarray(starts, dtype=float), np.asarray(lengths, dtype=float)
    readings = {}
    for meter, bar in BAR_BEATS.items():
        best = (-np.inf, 0.0)
        for offset in np.arange(0.0, bar, OFFSET_STEP):
            score = float(log_probs[meter][note_classes(onsets, durations, bar, offset)].mean())
            if score > best[0] + _TIE:
                best = (score, float(offset))
        readings[meter] = best
    return readings


def guess_meter(starts: list[float], lengths: list[float], model: MeterModel | None = None) -> MeterGuess:
    """The most likely meter and first bar line of notes given as (start, length) in quarter-note beats."""
    if not starts:
        return MeterGuess("4/4", 4.0, 0.0)
    chosen = model or load_model()
    best = (-np.inf, "4/4", 0.0)
    for meter, (score, offset) in best_readings(starts, lengths, chosen.log_probs).items():
        if score + chosen.bias[meter] > best[0] + _TIE:
            best = (score + chosen.bias[meter], meter, offset)
    return MeterGuess(best[1], BAR_BEATS[best[1]], best[2])
