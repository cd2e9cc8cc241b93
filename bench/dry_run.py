"""`python -m bench.dry_run`: how long `bandmate compose --dry-run` takes from process start to exit.

Runs the real entry point in fresh subprocesses (a temp folder, the lexicon alone, and with the text encoder
package present but not loaded) and prints the median and worst wall time, plus which heavy modules a
dry run imports. Target: median ≤ 1 s on the development machine (2 shared cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe

TARGET_S = 1.0
HEAVY = ("torch", "transformers", "sentence_transformers", "fluidsynth", "pydub", "pedalboard", "scipy",
         "sqlalchemy", "alembic", "music21", "symusic", "discord", "telegram")  # fmt: skip
PROMPT = "epic orchestral battle theme 140bpm in D minor, 2 minutes"
IMPORTED = (
    "import runpy, sys, json; sys.argv = ['bandmate', 'compose', {prompt!r}, '--dry-run'];"
    "code = 0\ntry: runpy.run_module('bot.cli', run_name='__main__')\nexcept SystemExit as e: code = e.code\n"
    "print(json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)"
)


def _environment(folder: Path, encoder: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    return env | {"DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bandmate.db'}", "MEDIA_DIR": str(folder / "media"),
                  "USE_TEXT_ENCODER": "true" if encoder else "false"}  # fmt: skip


def time_dry_runs(runs: int, encoder: bool) -> list[float]:
    """Wall seconds of `runs` dry runs, each in a new process."""
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(Path(folder), encoder)
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot.cli", "compose", PROMPT, "--dry-run"], cwd=folder, env=env,
                           check=True, capture_output=True)  # fmt: skip
            seconds.append(time.perf_counter() - started)
    return seconds


def heavy_imports() -> list[str]:
    """The heavy modules a dry run imports (none is the goal)."""
    with tempfile.TemporaryDirectory() as folder:
        code = IMPORTED.format(prompt=PROMPT, heavy=HEAVY)
        done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=_environment(Path(folder), True),
                              check=True, capture_output=True, text=True)  # fmt: skip
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def main() -> None:
    """Print the figures and whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(describe())
    for encoder in (False, True):
        seconds = time_dry_runs(args.runs, encoder)
        median = statistics.median(seconds)
        verdict = "meets" if median <= TARGET_S else "misses"
        print(f"dry run, text encoder {'on ' if encoder else 'off'}: median {median:.2f} s, max {max(seconds):.2f} s "
              f"over {args.runs} runs ({verdict} the {TARGET_S:.0f} s target)")  # fmt: skip
    print(f"heavy modules imported by a dry run: {', '.join(heavy_imports()) or 'none'}")


if __name__ == "__main__":
    main()
