"""`python -m engine.model.guard_rate --samples 500`: how often the model copies 8 steps before the guard."""

from __future__ import annotations

import argparse
import json
import time

import torch

from engine.compose import make_plan
from engine.model import load_writer
from engine.model.prompts import measurement_specs
from engine.model.writer import ModelWriter


def measure_rate(writer: ModelWriter, samples: int, seconds: float) -> dict[str, float]:
    """Generate `samples` melodies without the guard and count those sharing an 8-step run with POP909."""
    writer.use_guard = False
    copied, runs, notes, started = 0, 0, 0, time.perf_counter()
    try:
        for index, spec in enumerate(measurement_specs(samples, seconds)):
            melody = writer.melody(make_plan(spec), spec, 60, 84, seed=index) or []
            found = writer.index.copied_runs(melody)
            copied += found > 0
            runs += found
            notes += len(melody)
    finally:
        writer.use_guard = True
    return {
        "samples": samples,
        "piece_seconds": seconds,
        "melodies_with_a_copied_run": copied,
        "rate_before_guard": round(copied / samples, 4),
        "copied_runs_total": runs,
        "notes_total": notes,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    writer = load_writer()
    if not isinstance(writer, ModelWriter):
        raise SystemExit("no shipped model checkpoint")
    print(json.dumps(measure_rate(writer, args.samples, args.seconds), indent=2))


if __name__ == "__main__":
    main()
