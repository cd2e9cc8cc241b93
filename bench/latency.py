"""`python -m bench.latency`: per-stage times for 20 fixed 30-second prompts, against a measured floor.

The floor is the same MIDI rendered by the fluidsynth command-line program plus an ffmpeg MP3 encode,
measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe
from bot.understanding import TextEncoder, understand
from engine.audio.render import Renderer
from engine.pipeline import generate, render
from engine.queue.startup import load_writer
from engine.settings import find_soundfont

PROMPTS = (
    "sad piano ballad", "chill lofi beat to study to", "epic orchestral battle theme in D minor",
    "happy pop song with guitar", "four on the floor house groove 122 bpm", "jazz trio swing",
    "12 bar blues shuffle", "dark techno", "bossa nova with nylon guitar and flute", "reggae one drop",
    "8-bit chiptune boss fight", "celtic jig with tin whistle", "country song with fiddle",
    "dreamy ambient pads", "funky slap bass groove", "trap beat with 808", "synthwave night drive",
    "romantic waltz for strings", "gentle lullaby with music box", "punk rock anthem",
)  # fmt: skip
STAGES = ("parse", "compose", "render", "effects", "encode")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _floor_ms(midi: Path, soundfont: Path, sample_rate: int, workdir: Path) -> float:
    wav, mp3 = workdir / "floor.wav", workdir / "floor.mp3"
    start = time.perf_counter()
    subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", str(sample_rate), str(soundfont), str(midi)],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-b:a", "192k", str(mp3)],
                   check=True, capture_output=True)  # fmt: skip
    return (time.perf_counter() - start) * 1000


def main() -> None:
    """Run the benchmark and print its table (and a JSON report with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--soundfont", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    soundfont = find_soundfont(args.soundfont)
    if soundfont is None:
        raise SystemExit("no SoundFont found")
    writer = load_writer(not args.no_model)
    encoder = TextEncoder()
    understand("warm up", seed=0, encoder=encoder)
    rows: list[dict[str, Any]] = []  # the prompt and its figures, one row per printed line
    with Renderer(soundfont, 44_100) as renderer, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for index, prompt in enumerate(PROMPTS):
            started = time.perf_counter()
            spec = understand(f"{prompt}, {args.seconds:g} seconds", seed=index, encoder=encoder).spec
            parse_ms = (time.perf_counter() - started) * 1000
            generated = generate(spec, writer=writer)
            rendered = render(generated, renderer, workdir / f"{index}.mp3")
            total = (time.perf_counter() - started) * 1000
            stages = {"parse": parse_ms, **rendered.timings_ms}
            floor = _floor_ms(rendered.midi_path, soundfont, 44_100, workdir)
            rows.append({"prompt": prompt, **stages, "total": total, "floor": floor,
                         "audio_s": rendered.duration_s})  # fmt: skip
    print(f"Machine: {describe()}")
    print(f"SoundFont: {soundfont.name}; model: {getattr(writer, 'name', 'none')}; piece length {args.seconds:g} s")
    print(f"{'prompt':42} " + " ".join(f"{s:>8}" for s in (*STAGES, "total", "floor")))
    for row in rows:
        print(f"{row['prompt'][:42]:42} " + " ".join(f"{row[s]:8.0f}" for s in (*STAGES, "total", "floor")))
    totals = [row["total"] for row in rows]
    tail = [row["render"] + row["effects"] + row["encode"] for row in rows]
    floors = [row["floor"] for row in rows]
    audio = statistics.mean(row["audio_s"] for row in rows)
    summary = {
        "p50_total_ms": statistics.median(totals),
        "p95_total_ms": _percentile(totals, 0.95),
        "real_time_factor": statistics.median(totals) / 1000 / audio,
        "p50_render_effects_encode_ms": statistics.median(tail),
        "p50_floor_ms": statistics.median(floors),
        "ratio_to_floor": statistics.median(tail) / statistics.median(floors),
        "total_ratio_to_floor": statistics.median(totals) / statistics.median(floors),
        "machine": describe(),
    }
    print(f"total p50 {summary['p50_total_ms']:.0f} ms, p95 {summary['p95_total_ms']:.0f} ms, "
          f"real-time factor {summary['real_time_factor']:.3f} (target p50 ≤ 3000 ms)")  # fmt: skip
    print(f"render+mix+master+encode p50 {summary['p50_render_effects_encode_ms']:.0f} ms vs floor "
          f"(fluidsynth CLI + ffmpeg) p50 {summary['p50_floor_ms']:.0f} ms: "
          f"{summary['ratio_to_floor']:.2f}× (target ≤ 1.5×); total {summary['total_ratio_to_floor']:.2f}× "
          "(target ≤ 2×)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
