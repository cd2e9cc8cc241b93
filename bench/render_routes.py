"""`python -m bench.render_routes`: one multi-channel FluidSynth pass against one render per part.

Both routes give one dry stereo stem per part; this measures which is faster on the same pieces,
and how far either is from the old single stereo-pair render (the floor of synthesis itself).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from bench.machine import describe
from bot.understanding import understand
from engine.audio.render import Renderer
from engine.midi import score_to_midi
from engine.pipeline import generate
from engine.settings import find_soundfont

PROMPTS = ("synthwave night drive", "sad piano ballad", "dark techno", "jazz trio swing",
           "epic orchestral battle theme", "chill lofi beat to study to")  # fmt: skip


def _best_ms(action: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    """Time both routes on a few pieces and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    soundfont = find_soundfont(None)
    if soundfont is None:
        raise SystemExit("no SoundFont found")
    one_pass, per_part, parts = [], [], []
    with Renderer(soundfont) as renderer:
        for seed, prompt in enumerate(PROMPTS):
            generated = generate(understand(f"{prompt}, {args.seconds:g} seconds", seed=seed).spec)
            score, length = generated.score, generated.score.duration_s
            solos = [score_to_midi(dataclasses.replace(score, tracks=[track])) for track in score.tracks]
            whole, n = generated.midi, length
            one_pass.append(_best_ms(lambda m=whole, n=n: renderer.render_parts(m, n), args.repeats))
            per_part.append(_best_ms(lambda ss=solos, n=n: [renderer.render_parts(s, n) for s in ss], args.repeats))
            parts.append(len(solos))
            print(f"{prompt[:36]:36} parts {len(solos)}  one pass {one_pass[-1]:6.0f} ms  "
                  f"per part {per_part[-1]:6.0f} ms")  # fmt: skip
    print(f"Machine: {describe()}; {args.seconds:g}-s pieces, median {statistics.median(parts)} parts")
    print(f"median one pass {statistics.median(one_pass):.0f} ms, per part {statistics.median(per_part):.0f} ms")


if __name__ == "__main__":
    main()
