"""`python -m bench.vocals`: what singing adds to a 30-second piece (target: ≤ 1 s p50 on 2 cores).

Sings the fixed evaluation lyrics, cycled to fill 30 seconds at 96 bpm, in every voice and language of
the set, at the pipeline's 44.1 kHz, and prints p50/p95 per piece (wall clock, and CPU time of this
process plus its Festival or espeak-ng child, which is what a shared machine's load does not inflate) and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time

from bench.machine import describe
from engine.evaluate.vocals import TEMPO_BPM, load_lyrics, tune
from engine.score import Note
from engine.vocals import VOICE_NAMES, sing

PIECE_S = 30.0
SAMPLE_RATE = 44_100
TARGET_P50_S = 1.0


def thirty_seconds(lines: list[list[list[str]]]) -> list[Note]:
    """The lyric's tune repeated until it fills 30 seconds."""
    seconds_per_beat = 60.0 / TEMPO_BPM
    notes: list[Note] = []
    while True:
        offset = notes[-1].start + 2.0 if notes else 0.0
        for note in tune(lines):
            moved = Note(note.start + offset, note.duration, note.pitch, note.velocity, note.lyric)
            if (moved.start + moved.duration) * seconds_per_beat > PIECE_S:
                return notes
            notes.append(moved)


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark; exit 0 when the p50 meets the target."""
    parser = argparse.ArgumentParser(prog="python -m bench.vocals", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="times each piece is sung")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    timings: list[float] = []
    cpu: list[float] = []
    for item in load_lyrics():
        notes = thirty_seconds(item.lines)
        for voice in VOICE_NAMES:
            for _ in range(args.rounds):
                started, cpu_started = time.perf_counter(), _cpu_s()
                sing(notes, 60.0 / TEMPO_BPM, voice, item.language, SAMPLE_RATE)
                timings.append(time.perf_counter() - started)
                cpu.append(_cpu_s() - cpu_started)
    ordered = sorted(timings)
    p50, p95 = statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]
    figures = {"machine": describe(), "pieces": len(timings),
               "p50_s": round(p50, 3), "p95_s": round(p95, 3),
               "max_s": round(ordered[-1], 3), "cpu_p50_s": round(statistics.median(cpu), 3),
               "load_average": round(os.getloadavg()[0], 1), "target_p50_s": TARGET_P50_S}  # fmt: skip
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"machine: {figures['machine']}")
        print(f"vocals of a 30-s piece ({figures['pieces']} sung): p50 {figures['p50_s']} s, "
              f"p95 {figures['p95_s']} s, max {figures['max_s']} s (target p50 ≤ {TARGET_P50_S} s); "
              f"CPU p50 {figures['cpu_p50_s']} s; load average {figures['load_average']}")  # fmt: skip
    return 0 if p50 <= TARGET_P50_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
