"""`python -m engine.tune.meter_train`: fit the meter model on Essen folk tunes and report held-out accuracy.

The tunes come from music21's corpus (installed with music21, nothing downloaded). Tables and biases are
fitted on one group of Essen collections and the accuracy is reported on another, never seen in fitting;
the model is written to engine/tune/meter_model.json (temp file, then rename).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import ToolError, answers_errors
from engine.files import write_bytes_atomic
from engine.tune.meter import (
    BAR_BEATS,
    MODEL_FILE,
    MeterModel,
    best_readings,
    classes_per_meter,
    guess_meter,
    note_classes,
)

FIT_COLLECTIONS = ("ballad10", "ballad20", "erk10", "fink0")
HELD_OUT_COLLECTIONS = ("ballad30", "ballad40", "erk20", "dva0", "irl")
# Written meter → the reading that counts as right, and its bar in quarter beats (2/4 is read as 4/4).
READINGS = {"4/4": ("4/4", 4.0), "2/4": ("4/4", 2.0), "2/2": ("4/4", 4.0), "3/4": ("3/4", 3.0),
            "6/8": ("6/8", 3.0), "3/8": ("6/8", 1.5)}  # fmt: skip
BIASES = np.round(np.arange(-0.6, 0.61, 0.1), 2)


@dataclass(frozen=True, slots=True)
class WrittenTune:
    """A corpus tune: notes as (start, length) in beats from its first note, its written meter and bar line."""

    name: str
    starts: list[float]
    lengths: list[float]
    meter: str
    first_bar_line: float  # beats after the first note (0 when it starts on a downbeat)


def corpus_tunes(collections: tuple[str, ...]) -> list[WrittenTune]:
    """Every tune in these Essen collections with one written meter that the model reads, ties joined."""
    from music21 import corpus, stream

    tunes = []
    for collection in collections:
        for score in corpus.parse(f"essenFolksong/{collection}").scores:
            signatures = {s.ratioString for s in score.recurse().getElementsByClass("TimeSignature")}
            notes = list(score.stripTies().flatten().notes)
            if len(signatures) != 1 or (meter := signatures.pop()) not in READINGS or len(notes) < 12:
                continue
            measure = notes[0].getContextByClass(stream.Measure)
            beat_in_bar = float(measure.paddingLeft) + float(notes[0].getOffsetInHierarchy(measure)) if measure else 0.0
            bar = READINGS[meter][1]
            first = float(notes[0].offset)
            starts, lengths = [float(n.offset) - first for n in notes], [float(n.quarterLength) for n in notes]
            tunes.append(WrittenTune(f"{collection}#{score.metadata.number}", starts, lengths, meter,
                                     (bar - beat_in_bar) % bar))  # fmt: skip
    return tunes


def fit(tunes: list[WrittenTune]) -> dict[str, np.ndarray]:
    """Per meter, log-probabilities of note classes at the written bar lines (add-one smoothed)."""
    tables = {}
    for meter, bar in BAR_BEATS.items():
        counts = np.ones(classes_per_meter(meter))
        for tune in tunes:
            if READINGS[tune.meter][0] == meter:
                classes = note_classes(np.array(tune.starts), np.array(tune.lengths), bar, tune.first_bar_line % bar)
                counts += np.bincount(classes, minlength=len(counts))
        tables[meter] = np.log(counts / counts.sum())
    return tables


def score(tunes: list[WrittenTune], model: MeterModel) -> tuple[float, float, Counter[tuple[str, str]]]:
    """Share read in the right meter, share also with a right bar line, and the confusion counts."""
    confusion: Counter[tuple[str, str]] = Counter()
    bar_lines = 0
    for tune in tunes:
        guess = guess_meter(tune.starts, tune.lengths, model)
        wanted, bar = READINGS[tune.meter]
        confusion[wanted, guess.meter] += 1
        shift = (tune.first_bar_line - guess.offset) / bar
        bar_lines += guess.meter == wanted and abs(shift - round(shift)) < 1e-6
    right = sum(confusion[meter, meter] for meter in BAR_BEATS)
    return right / max(len(tunes), 1), bar_lines / max(len(tunes), 1), confusion


def _best_biases(tunes: list[WrittenTune], tables: dict[str, np.ndarray]) -> MeterModel:
    """The 3/4 and 6/8 biases (4/4 at 0) that read the most fitting tunes right, from a grid."""
    # Each tune's best unbiased score per meter: a bias shifts a whole meter, so these decide every candidate.
    best = np.array([[score for score, _ in best_readings(tune.starts, tune.lengths, tables).values()]
                     for tune in tunes])  # fmt: skip
    wanted = np.array([list(BAR_BEATS).index(READINGS[tune.meter][0]) for tune in tunes])
    pairs = list(itertools.product(BIASES, repeat=2))
    right = [int((np.argmax(best + np.array([0.0, b3, b6]), axis=1) == wanted).sum()) for b3, b6 in pairs]
    b3, b6 = pairs[int(np.argmax(right))]
    return MeterModel(tables, {"4/4": 0.0, "3/4": float(b3), "6/8": float(b6)})


def _report(label: str, tunes: list[WrittenTune], model: MeterModel) -> None:
    accuracy, bar_lines, confusion = score(tunes, model)
    print(f"{label}: {len(tunes)} tunes, meter right {accuracy:.1%}, meter and bar line right {bar_lines:.1%}")
    for wanted in BAR_BEATS:
        print(f"  written {wanted}: " + ", ".join(f"{got} {confusion[wanted, got]}" for got in BAR_BEATS))


@answers_errors
def main(argv: list[str] | None = None) -> None:
    """Fit on the fitting collections, choose the biases there, report both groups, write the model."""
    parser = argparse.ArgumentParser(prog="python -m engine.tune.meter_train", description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    args = parser.parse_args(argv)
    fitting, held_out = corpus_tunes(FIT_COLLECTIONS), corpus_tunes(HELD_OUT_COLLECTIONS)
    if not fitting or not held_out:
        raise ToolError("music21's Essen corpus gave no tunes; is music21 installed with its corpus?")
    tables = fit(fitting)
    model = _best_biases(fitting, tables)
    _report("fitting collections", fitting, model)
    _report("held-out collections", held_out, model)
    data = {"fitted_on": list(FIT_COLLECTIONS), "log_probs": {m: t.round(5).tolist() for m, t in tables.items()},
            "bias": model.bias}  # fmt: skip
    write_bytes_atomic(args.out, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
