"""`python -m bench.tune`: 10 s of a hummed voice (an OGG voice message) → an arranged 30-second piece.

Each run reads the file (ffmpeg), transcribes it (basic-pitch on onnxruntime), builds the spec around the
tune, composes (with the trained models when they load), renders, masters and encodes the MP3.
Target: p50 ≤ 4 s on 2 cores.
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

import soundfile

from bench.machine import describe
from engine.audio.render import Renderer
from engine.evaluate.tune_inputs import folk_melodies, generator, hum
from engine.pipeline import generate, render
from engine.queue.startup import load_writer
from engine.settings import find_soundfont
from engine.spec import build_spec
from engine.tune.arrange import with_tune
from engine.tune.listen import read_tune
from engine.tune.transcribe import Transcriber

STYLES = (
    ("bossa nova", [("flute", "melody"), ("nylon guitar", "chords"), ("acoustic bass", "bass")]),
    ("pop", [("piano", "melody"), ("electric bass", "bass"), ("strings", "pad")]),
    ("jazz", [("tenor sax", "melody"), ("piano", "chords"), ("acoustic bass", "bass")]),
    ("rock", [("electric guitar", "melody"), ("electric bass", "bass")]),
)  # fmt: skip
VOICE_SECONDS = 10.0


def _voice_files(folder: Path, count: int) -> list[Path]:
    """Hummed folk tunes cut to 10 s, encoded as Opus like a Telegram voice message."""
    files = []
    for index, melody in enumerate(folk_melodies(count)):
        notes = [n for n in melody.notes if n[1] <= VOICE_SECONDS]
        wav, ogg = folder / f"{index}.wav", folder / f"{index}.ogg"
        soundfile.write(wav, hum(notes, generator(index)), 22_050)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-c:a", "libopus", "-b:a", "32k", str(ogg)],
                       check=True)  # fmt: skip
        files.append(ogg)
    return files


def main() -> None:
    """Run the benchmark and print its table (and a JSON report with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    soundfont = find_soundfont(None)
    if soundfont is None:
        raise SystemExit("no SoundFont found")
    writer = load_writer(not args.no_model)
    transcriber = Transcriber()
    rows: list[dict[str, Any]] = []
    with Renderer(soundfont, 44_100) as renderer, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, voice in enumerate(_voice_files(folder, args.runs)):
            genre, parts = STYLES[index % len(STYLES)]
            base = build_spec({"genre": genre, "tempo_bpm": 100, "key": "C", "mode": "major", "meter": "4/4",
                               "parts": [{"name": n, "role": r} for n, r in parts], "drums": True,
                               "duration_s": 30.0, "seed": index})  # fmt: skip
            started = time.perf_counter()
            tune = read_tune(voice, transcriber)
            spec = with_tune(base, tune, frozenset({"duration_s"}))
            heard = time.perf_counter()
            rendered = render(generate(spec, writer=writer), renderer, folder / f"{index}.mp3")
            total = (time.perf_counter() - started) * 1000
            rows.append({"tune": index, "genre": genre, "heard": tune.heard(), "listen": (heard - started) * 1000,
                         **rendered.timings_ms, "total": total, "audio_s": rendered.duration_s})  # fmt: skip
    print(f"Machine: {describe()}")
    print(f"model: {getattr(writer, 'name', 'none')}; {VOICE_SECONDS:g} s of hummed voice (Opus) → 30 s piece")
    stages = ("listen", "compose", "render", "effects", "encode", "total")
    print(f"{'genre':12} {'heard':40} " + " ".join(f"{s:>8}" for s in stages))
    for row in rows:
        print(f"{row['genre']:12} {row['heard']:40} " + " ".join(f"{row[s]:8.0f}" for s in stages))
    totals = [row["total"] for row in rows]
    summary = {"p50_total_ms": statistics.median(totals), "max_total_ms": max(totals),
               "p50_listen_ms": statistics.median(row["listen"] for row in rows), "machine": describe()}  # fmt: skip
    print(f"total p50 {summary['p50_total_ms']:.0f} ms, max {summary['max_total_ms']:.0f} ms "
          f"(listen p50 {summary['p50_listen_ms']:.0f} ms); target p50 ≤ 4000 ms")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
