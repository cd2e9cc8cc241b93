"""`python -m bench.parse`: how fast requests and replies are understood, with and without the text encoder.

Prints p50/p95 parse latency over the request corpus (tests/data/requests.tsv) and the refinement corpus,
lexicon only and with the MiniLM encoder, the encoder's one-time load, and the machine. Target: p95 ≤ 30 ms
per request once the encoder is loaded. Also how the time grows with the length of a run of digits
(it must grow linearly: a quadratic parser once took 6 s for 16,000 digits).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.machine import describe
from bot.understanding import TextEncoder, refine, understand
from bot.understanding.encoder import Guess
from engine.errors import UserError

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TARGET_P95_MS = 30.0
FALLBACK_REQUESTS = (
    "sad piano ballad",
    "chill lofi beat to study to",
    "night drive",
    "underwater level",
    "epic orchestral battle theme 140bpm in D minor, 2 minutes",
    "8-bit boss fight",
)
FALLBACK_REPLIES = ("make it faster", "add strings", "no drums", "in A minor", "another version", "undo")


class CountingEncoder(TextEncoder):
    """The real encoder, counting and timing the lookups it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.guess_ms: list[float] = []

    def guess(self, phrase: str) -> Guess | None:
        """Time one lookup."""
        started = time.perf_counter()
        result = super().guess(phrase)
        self.guess_ms.append((time.perf_counter() - started) * 1000)
        self.calls += 1
        return result


def _column(name: str, column: int, fallback: tuple[str, ...]) -> list[str]:
    path = DATA / name
    if not path.is_file():
        return list(fallback)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [cells[column] for cells in (line.split("\t") for line in lines[1:]) if len(cells) > column]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(texts: list[str], parse: Callable[[str], object], rounds: int) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            with contextlib.suppress(UserError):  # refusing a message takes time too, and counts
                parse(text)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(_percentile(times, 0.95), 3),
        "max_ms": round(max(times), 3),
    }


def _digit_runs(lengths: tuple[int, ...] = (1_000, 4_000, 16_000, 64_000)) -> dict[str, float]:
    """Milliseconds to understand (or refuse) a request and a reply that are one long run of digits."""
    base = understand("sad piano ballad", seed=1).spec
    figures: dict[str, float] = {}
    for length in lengths:
        text = "jazz " + "9" * length + " seconds"
        started = time.perf_counter()
        with contextlib.suppress(UserError):
            understand(text, max_chars=len(text))
        with contextlib.suppress(UserError):
            refine(base, text, new_seed=2, max_chars=len(text))
        figures[str(length)] = round((time.perf_counter() - started) * 1000, 1)
    return figures


def main() -> None:
    """Run the benchmark, print the table, and optionally write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the corpus (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    requests = _column("requests.tsv", 0, FALLBACK_REQUESTS)
    replies = _column("refinements.tsv", 1, FALLBACK_REPLIES)
    base = understand("sad piano ballad", seed=1).spec

    figures: dict[str, object] = {"machine": describe(), "requests": len(requests), "replies": len(replies)}
    figures["lexicon_requests"] = _summary(_timed(requests, lambda text: understand(text), args.rounds))
    figures["lexicon_replies"] = _summary(_timed(replies, lambda text: refine(base, text, new_seed=2), args.rounds))

    figures["digit_run_ms"] = _digit_runs()

    encoder = CountingEncoder()
    encoder.warm()
    figures["encoder_load_s"] = round(encoder.load_seconds or 0.0, 2)
    figures["encoder_available"] = encoder.available
    if encoder.available:
        import torch

        figures["torch_threads"] = torch.get_num_threads()
        encoder.guess("warm-up")  # the first forward pass allocates; a served bot has done it long before
        encoder.calls, encoder.guess_ms = 0, []
        consulted: list[float] = []

        def understand_noting_lookups(text: str) -> None:
            calls, started = encoder.calls, time.perf_counter()
            try:
                understand(text, encoder=encoder)
            finally:
                if encoder.calls > calls:
                    consulted.append((time.perf_counter() - started) * 1000)

        with_encoder = _timed(requests, understand_noting_lookups, args.rounds)
        figures["encoder_requests"] = _summary(with_encoder)
        figures["encoder_consulted"] = _summary(consulted) if consulted else None
        figures["encoder_lookups"] = encoder.calls
        figures["encoder_lookup"] = _summary(encoder.guess_ms) if encoder.guess_ms else None
        figures["encoder_replies"] = _summary(
            _timed(replies, lambda text: refine(base, text, new_seed=2, encoder=encoder), args.rounds)
        )
    worst = max(
        summary["p95_ms"]
        for key, summary in figures.items()
        if key.endswith(("requests", "replies", "consulted")) and isinstance(summary, dict)
    )
    figures["target_p95_ms"] = TARGET_P95_MS
    figures["meets_target"] = worst <= TARGET_P95_MS

    print(f"machine: {figures['machine']}")
    print(f"corpus: {len(requests)} requests, {len(replies)} replies, {args.rounds} rounds")
    print(f"encoder load: {figures['encoder_load_s']} s (available: {encoder.available})")
    for key in (
        "lexicon_requests",
        "lexicon_replies",
        "encoder_requests",
        "encoder_consulted",
        "encoder_replies",
        "encoder_lookup",
    ):
        summary = figures.get(key)
        if isinstance(summary, dict):
            print(
                f"{key:17s} n={summary['n']:5d}  p50 {summary['p50_ms']:7.2f} ms  p95 {summary['p95_ms']:7.2f} ms"
                f"  max {summary['max_ms']:7.2f} ms"
            )
    runs = figures["digit_run_ms"]
    assert isinstance(runs, dict)
    print("digit runs (request + reply): " + ", ".join(f"{length} digits {ms} ms" for length, ms in runs.items()))
    if "encoder_lookups" in figures:
        print(f"encoder consulted for {figures['encoder_lookups']} of {len(requests) * args.rounds} requests")
    print(
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if figures['meets_target'] else 'NOT met'} "
        f"(worst p95 {worst:.2f} ms)"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
