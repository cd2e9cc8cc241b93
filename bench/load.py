"""`python -m bench.load`: simulated users against the real bot service and 1…N engine processes.

Users arrive in a burst: each asks for a piece, then one refinement of it, and a group in one chat jams
(several contributions, one debounced mix). Engines are real `bandmate engine` processes sharing the
queue. Measured per database (SQLite file, and a throwaway PostgreSQL cluster) and engine count:
throughput (pieces finished per minute), queue wait (claim − enqueue) and delivery latency (posted −
asked) at p50/p95. The figures depend on the cores: engines on one 2-core machine share those cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.machine import describe
from bench.servers import postgres
from bot.app import Runtime
from bot.messages import Command, Delivery, Origin, Posted, Progress, Request
from bot.settings import Settings

STYLES = ("lofi hip hop", "sad piano ballad", "upbeat pop", "bossa nova", "dark techno", "jazz trio", "folk song")
REFINEMENTS = ("make it faster", "in A minor", "more energy", "slower", "another version")


@dataclass(slots=True)
class TimingSink:
    """Records when each version was posted (a stand-in for a chat platform)."""

    platform: str = "console"
    posted_at: dict[int, float] = field(default_factory=dict)

    async def deliver(self, delivery: Delivery) -> Posted:
        """Note the time of the post."""
        self.posted_at[delivery.composition_id] = time.time()
        return Posted(f"m{delivery.composition_id}")

    async def progress(self, update: Progress) -> None:
        """Progress is not measured here."""
        del update


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.contextmanager
def _engines(count: int, settings: Settings, log_dir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    environment = os.environ | {
        "DATABASE_URL": settings.database_url, "MEDIA_DIR": str(settings.media_dir),
        "USE_MODEL": str(settings.use_model).lower(), "MODEL_THREADS": "1", "ENGINE_POLL_SECONDS": "0.1",
        "USE_TEXT_ENCODER": "false", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    processes = []
    for index in range(count):
        log = (log_dir / f"engine-{index}.log").open("wb")
        processes.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "engine"], env=environment,
                                          stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


async def _user(runtime: Runtime, index: int, seconds: int) -> list[int]:
    origin = Origin("console", f"chat-{index}", f"user-{index}", f"user {index}")
    made = []
    first = await runtime.service.handle(
        Request(origin, "compose", f"{STYLES[index % len(STYLES)]}, {seconds} seconds", message_id=f"{index}-a")
    )
    made.append(first.composition_id)
    change = await runtime.service.handle(
        Request(origin, "refine", REFINEMENTS[index % len(REFINEMENTS)], message_id=f"{index}-b")
    )
    made.append(change.composition_id)
    for reply in (first, change):
        if reply.composition_id is None:
            print(f"user {index}: {reply.text!r}", file=sys.stderr)
    return [composition for composition in made if composition is not None]


async def _jam(runtime: Runtime, seconds: int) -> list[int]:
    chat, made = "jam-room", []
    steps: list[tuple[str, Command | None, str]] = [
        ("host", "jam", f"start funky disco, {seconds} seconds"), ("lee", None, "add a walking bass"),
        ("kim", None, "more energy"), ("sam", None, "add strings")]  # fmt: skip
    for number, (person, command, text) in enumerate(steps):
        origin = Origin("console", chat, person, person)
        reply = await runtime.service.handle(Request(origin, command, text, message_id=f"jam-{number}"))
        if reply.composition_id is not None and reply.composition_id not in made:
            made.append(reply.composition_id)
    return made


async def _scenario(settings: Settings, engines: int, users: int, seconds: int, log_dir: Path) -> dict[str, Any]:
    runtime = await Runtime.open(settings)
    sink = TimingSink()
    delivery = runtime.delivery_loop([sink])
    try:
        with _engines(engines, settings, log_dir):
            warm = [await _user(runtime, 1000 + n, 5) for n in range(engines)]  # each engine loads once
            await _wait_posted(runtime, delivery, [c for pair in warm for c in pair])
            started = time.time()
            made = await asyncio.gather(*(_user(runtime, n, seconds) for n in range(users)), _jam(runtime, seconds))
            compositions = [c for group in made for c in group]
            await _wait_posted(runtime, delivery, compositions, sink=sink)
            finished = time.time()
        return await _measure(runtime, sink, compositions, started, finished)
    finally:
        await runtime.close()


async def _wait_posted(
    runtime: Runtime, delivery: Any, compositions: list[int], sink: TimingSink | None = None, timeout: float = 900
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await delivery.tick()
        versions = [await runtime.store.get(c) for c in compositions]
        if all(v is not None and v.delivered_at is not None for v in versions):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("pieces were not delivered in time")


async def _measure(
    runtime: Runtime, sink: TimingSink, compositions: list[int], started: float, finished: float
) -> dict[str, Any]:
    waits, latencies = [], []
    for composition_id in compositions:
        composition = await runtime.store.get(composition_id)
        job = await runtime.store.job_of(composition) if composition else None
        if composition is None or job is None or job.started_at is None:
            continue
        waits.append(job.started_at - job.created_at)
        latencies.append(sink.posted_at.get(composition_id, finished) - composition.created_at)
    minutes = (finished - started) / 60
    return {
        "pieces": len(compositions),
        "pieces_per_min": round(len(compositions) / minutes, 1) if minutes else None,
        "queue_wait_p50_s": round(_percentile(waits, 0.5), 2),
        "queue_wait_p95_s": round(_percentile(waits, 0.95), 2),
        "delivery_p50_s": round(_percentile(latencies, 0.5), 2),
        "delivery_p95_s": round(_percentile(latencies, 0.95), 2),
        "wall_s": round(finished - started, 1),
    }


async def _database_url(kind: str, folder: Path, server: Any, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{folder / f'{name}.db'}"
    return await server.create_database(name)


def main() -> None:
    """Run every database × engine-count scenario and print one table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=10, help="length of each piece")
    parser.add_argument("--rules-only", action="store_true", help="no trained model (faster, less realistic)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as temp, contextlib.ExitStack() as stack:
        folder = Path(temp)
        server = stack.enter_context(postgres()) if "postgresql" in args.databases else None
        for kind in args.databases:
            for engines in args.engines:
                name = f"load_{kind}_{engines}"
                url = asyncio.run(_database_url(kind, folder, server, name))
                settings = Settings(_env_file=None, database_url=url, media_dir=folder / name / "media",
                                    use_model=not args.rules_only, use_text_encoder=False, rate_limit_per_minute=10_000,
                                    jam_debounce_seconds=0.5, engine_poll_seconds=0.1)  # fmt: skip
                (folder / name).mkdir(exist_ok=True)
                result = asyncio.run(_scenario(settings, engines, args.users, args.seconds, folder / name))
                rows.append({"database": kind, "engines": engines, **result})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"machine": describe(), "rows": rows}, indent=2))
        return
    print(f"machine: {describe()}")
    print(f"{args.users} users × (compose + refine) + a 3-person jam, {args.seconds}-s pieces")
    print("| database | engines | pieces | pieces/min | queue wait p50 / p95 (s) | delivered p50 / p95 (s) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        waits = f"{row['queue_wait_p50_s']} / {row['queue_wait_p95_s']}"
        delivered = f"{row['delivery_p50_s']} / {row['delivery_p95_s']}"
        cells = (row["database"], row["engines"], row["pieces"], row["pieces_per_min"], waits, delivered)
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main()
