"""`python -m bench.model_speed`: the music model's latency for a 30-second piece and its token rate.

Measures (1) the model melody alone, (2) the whole composition with the model writer (melody from the
model, accompaniment from whichever writer measures better), both for 30-second 4/4 pieces over the
composer's own plans, and (3) raw tokens per second of the KV-cache sampler at batch 1 and batch 8.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from bench.machine import describe
from engine.compose import compose, make_plan
from engine.model import load_writer
from engine.model.data import prefix_tokens
from engine.model.prompts import measurement_specs, spec_for
from engine.model.sample import sample_bars
from engine.model.writer import ModelWriter


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def token_rate(writer: ModelWriter, batch: int, bars: int = 16, seed: int = 0) -> float:
    """Sampled tokens per second (all rows counted) over `bars` bars of a fixed plan."""
    spec = spec_for("pop", "C", "major", 100, bars * 4 * 60 / 100, seed)
    plan = make_plan(spec)
    frames = [writer._frame(plan, bar, frozenset(range(12)), 55, 84) for bar in range(min(bars, plan.total_bars))]
    prompt = prefix_tokens(writer.vocab, plan.tonic_pc, plan.mode, 2, writer.vocab.id("Tempo_100.0"))
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    rows = sample_bars(writer.model, writer.vocab, writer.masks, prompt, frames, batch, generator)
    elapsed = time.perf_counter() - start
    tokens = sum(len(bar) for row in rows for bar in row)
    return tokens / elapsed


def run(seconds: float, pieces: int, repeats: int, threads: int) -> dict[str, object]:
    """All figures as a dict."""
    torch.set_num_threads(threads)
    writer = load_writer()
    if not isinstance(writer, ModelWriter):
        raise SystemExit("no shipped model checkpoint: nothing to measure")
    melody_times, compose_times, notes = [], [], []
    for spec in measurement_specs(pieces, seconds):
        plan = make_plan(spec)
        writer.melody(plan, spec, 60, 84, seed=0)  # warm-up: first calls allocate
        for repeat in range(repeats):
            start = time.perf_counter()
            melody = writer.melody(plan, spec, 60, 84, seed=repeat + 1)
            melody_times.append(time.perf_counter() - start)
            notes.append(len(melody or []))
            start = time.perf_counter()
            compose(spec, writer=writer, plan=plan)
            compose_times.append(time.perf_counter() - start)
    rates = {f"batch_{batch}": round(statistics.median(token_rate(writer, batch, seed=s) for s in range(3)))
             for batch in (1, 8)}  # fmt: skip
    return {
        "machine": describe(),
        "torch_threads": threads,
        "torch": torch.__version__,
        "piece_seconds": seconds,
        "candidates_per_segment": writer.candidates,
        "melody_ms_median": _median_ms(melody_times),
        "melody_ms_max": round(max(melody_times) * 1000, 1),
        "compose_with_model_ms_median": _median_ms(compose_times),
        "compose_with_model_ms_max": round(max(compose_times) * 1000, 1),
        "melody_notes_median": statistics.median(notes),
        "tokens_per_second": rates,
    }


def main() -> None:
    """Print the figures (and write them as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pieces", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    report = run(args.seconds, args.pieces, args.repeats, args.threads)
    for name, value in report.items():
        print(f"{name:32s} {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
