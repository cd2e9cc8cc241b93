"""`python -m bench.engine_startup`: where an engine's start goes, and how long the first pieces take after it.

Each run is a fresh process. "before" starts the way engines did before (SoundFont, then the model, one
after the other; OpenMP threads left to spin; no warm-up); "after" is the engine's start today
(`engine.queue.startup`: both loaded side by side, sleeping OpenMP threads, then one tiny warm-up
piece). Both then make the same two 30-second pieces, timed; the first piece is what the first person
to ask after a start waits for.
"""

from __future__ import annotations

import time

_BEGAN = time.perf_counter()  # before any heavy import: imports are part of a start

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

PIECE: dict[str, object] = {
    "genre": "pop", "tempo_bpm": 96, "key": "A", "mode": "minor", "meter": "4/4", "drums": True,
    "parts": [{"name": "piano", "role": "melody"}, {"name": "strings", "role": "pad"},
              {"name": "electric bass", "role": "bass"}],
    "duration_s": 30,
}  # fmt: skip


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _load_writer_as_before(enabled: bool, threads: int) -> Any:
    # The engine's model loading before this change: OpenMP left to spin (its default), no warm-up.
    if not enabled:
        return None
    import torch

    from engine.model import load_writer

    torch.set_num_threads(threads)
    return load_writer()


def _child(mode: str, soundfont: Path, use_model: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {"mode": mode}
    begun = time.perf_counter()
    from bot.settings import Settings  # what `bandmate engine` reads its settings with
    from engine.audio.render import Renderer
    from engine.pipeline import generate, render
    from engine.queue import worker  # noqa: F401 - what `bandmate engine` imports before it starts
    from engine.queue.startup import Startup, load, warm
    from engine.spec import build_spec

    figures["imports_ms"] = _ms(begun)
    with tempfile.TemporaryDirectory() as folder:
        media = Path(folder)
        chosen = Settings(_env_file=None, database_url="sqlite://", media_dir=media, soundfont=soundfont,
                          use_model=use_model)  # fmt: skip
        settings = chosen.engine()  # the defaults live in bot.settings alone
        if mode == "before":
            begun = time.perf_counter()
            renderer = Renderer(soundfont, settings.sample_rate)
            figures["soundfont_ms"] = _ms(begun)
            begun = time.perf_counter()
            writer = _load_writer_as_before(use_model, settings.model_threads)
            figures["model_ms"] = _ms(begun)
        else:
            startup = Startup()
            renderer, writer = asyncio.run(load(settings, startup))
            figures["load_wall_ms"] = startup.total_ms
            asyncio.run(warm(renderer, writer, media, startup))
            figures |= {f"{step}_ms": ms for step, ms in startup.steps_ms.items()}
        figures["ready_ms"] = _ms(_BEGAN)  # from the process's first line to the first claim
        for index in (1, 2):
            begun = time.perf_counter()
            generated = generate(build_spec({**PIECE, "seed": index}), writer=writer)
            rendered = render(generated, renderer, media / f"piece{index}.mp3")
            figures[f"piece{index}_ms"] = _ms(begun)
            figures[f"piece{index}_compose_ms"] = rendered.timings_ms["compose"]
        figures["start_to_first_piece_ms"] = figures["ready_ms"] + figures["piece1_ms"]
        renderer.close()
    return figures


def _load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    """Run fresh engine starts in both modes, alternating, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="starts per mode")
    parser.add_argument("--soundfont", type=Path, default=None)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--child", choices=("before", "after"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    from engine.settings import find_soundfont

    soundfont = find_soundfont(args.soundfont)
    if soundfont is None:
        raise SystemExit("no SoundFont found")
    if args.child:
        print(json.dumps(_child(args.child, soundfont, not args.no_model)))
        return
    from bench.machine import describe

    rows: list[dict[str, Any]] = []
    for _ in range(args.runs):
        for mode in ("before", "after"):
            command = [sys.executable, "-m", "bench.engine_startup", "--child", mode, "--soundfont", str(soundfont)]
            command += ["--no-model"] if args.no_model else []
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]) | {"load_average": _load_average()})
            print(json.dumps(rows[-1]), flush=True)
    print(f"Machine: {describe()}; SoundFont {soundfont.name}; model {'off' if args.no_model else 'on'}")
    keys = ("imports_ms", "soundfont_ms", "model_ms", "load_wall_ms", "warm_up_ms", "ready_ms",
            "piece1_ms", "piece1_compose_ms", "piece2_ms", "piece2_compose_ms", "start_to_first_piece_ms")  # fmt: skip
    summary = {}
    for mode in ("before", "after"):
        mine = [row for row in rows if row["mode"] == mode]
        summary[mode] = {key: statistics.median(row[key] for row in mine) for key in keys if key in mine[0]}
        figures = ", ".join(f"{key.removesuffix('_ms')} {value:.0f}" for key, value in summary[mode].items())
        print(f"{mode:>6} (ms): {figures}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "median": summary, "machine": describe()}, indent=2))


if __name__ == "__main__":
    main()
