"""`python -m bench.model_speed`: the music model's latency for a 30-second piece and its token rate.

Measures (1) the model melody alone, (2) the model piano accompaniment alone and (3) the two together
(the issue's target: a 30-second melody + accompaniment in ≤ 1 s on 2 cores), (4) the whole composition
with the model writer (where the composer uses the accompaniment model: pianos in pop-style genres), all
for 30-second 4/4 pieces over the composer's own plans, and (5) raw tokens per second of the KV-cache
sampler at batch 1 and batch 8 for each network.
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


def token_rate(writer: ModelWriter, batch: int, part: str = "melody", bars: int = 16, seed: int = 0) -> float:
    """Sampled tokens per second (all rows counted) over `bars` bars of a fixed plan."""
    model, low, polyphonic = (writer.model, 55, False) if part == "melody" else (writer.piano_model, 36, True)
    if model is None:
        raise SystemExit(f"no {part} model in the checkpoint: nothing to measure")
    spec = spec_for("pop", "C", "major", 100, bars * 4 * 60 / 100, seed)
    plan = make_plan(spec)
    frames = [writer._frame(plan, bar, frozenset(range(12)), low, 84) for bar in range(min(bars, plan.total_bars))]
    prompt = prefix_tokens(writer.vocab, plan.tonic_pc, plan.mode, 2, writer.vocab.id("Tempo_100.0"))
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    rows = sample_bars(model, writer.vocab, writer.masks, prompt, frames, batch, generator, polyphonic=polyphonic)
    elapsed = time.perf_counter() - start
    tokens = sum(len(bar) for row in rows for bar in row)
    return tokens / elapsed


def run(seconds: float, pieces: int, repeats: int, threads: int, checkpoint: Path | None = None) -> dict[str, object]:
    """All figures as a dict."""
    torch.set_num_threads(threads)
    writer = load_writer(checkpoint)
    if not isinstance(writer, ModelWriter):
        raise SystemExit("no shipped model checkpoint: nothing to measure")
    melody_times, piano_times, both_times, compose_times, notes = [], [], [], [], []
    has_piano = writer.piano_model is not None
    for spec in measurement_specs(pieces, seconds):
        plan = make_plan(spec)
        writer.melody(plan, spec, 60, 84, seed=0)  # warm-up: first calls allocate
        for repeat in range(repeats):
            start = time.perf_counter()
            melody = writer.melody(plan, spec, 60, 84, seed=repeat + 1)
            melody_times.append(time.perf_counter() - start)
            notes.append(len(melody or []))
            if has_piano:
                start = time.perf_counter()
                writer.accompaniment(plan, spec, 36, 67, seed=repeat + 1)
                piano_times.append(time.perf_counter() - start)
                both_times.append(melody_times[-1] + piano_times[-1])
            start = time.perf_counter()
            compose(spec, writer=writer, plan=plan)
            compose_times.append(time.perf_counter() - start)
    rates = {f"{part}_batch_{batch}": round(statistics.median(token_rate(writer, batch, part, seed=s)
                                                              for s in range(3)))
             for part in ("melody", "piano")[: 1 + has_piano] for batch in (1, 8)}  # fmt: skip
    return {
        "machine": describe(),
        "torch_threads": threads,
        "torch": torch.__version__,
        "piece_seconds": seconds,
        "candidates_per_segment": writer.candidates,
        "melody_ms_median": _median_ms(melody_times),
        "melody_ms_max": round(max(melody_times) * 1000, 1),
        "piano_candidates_per_segment": writer.piano_candidates if has_piano else None,
        "accompaniment_ms_median": _median_ms(piano_times) if has_piano else None,
        "accompaniment_ms_max": round(max(piano_times) * 1000, 1) if has_piano else None,
        "melody_plus_accompaniment_ms_median": _median_ms(both_times) if has_piano else None,
        "melody_plus_accompaniment_ms_max": round(max(both_times) * 1000, 1) if has_piano else None,
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
    parser.add_argument("--checkpoint", type=Path, default=None, help="checkpoint root (default: the shipped one)")
    args = parser.parse_args()
    report = run(args.seconds, args.pieces, args.repeats, args.threads, args.checkpoint)
    for name, value in report.items():
        print(f"{name:32s} {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
