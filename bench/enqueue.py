"""`python -m bench.enqueue`: how long a chat request takes to be understood, stored and queued.

Several bot processes (each with its delivery loop polling, as `bandmate run` has) and one engine process
share one SQLite database; each bot sends requests (new pieces and changes to them) at a steady pace while
the engine composes. Every request is timed from `Bandmate.handle` to its reply, split into understanding
and each store call, so the table says where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import describe

# Half the requests name only lexicon words; the other half need the text encoder (MiniLM) to be understood.
PROMPTS = ("sad piano ballad, 6 seconds", "music for a rainy afternoon in a quiet cafe, 6 seconds",
           "jazz trio in D minor, 6 seconds", "something that feels like a sunrise over the sea, 6 seconds",
           "dark techno, 6 seconds", "the soundtrack of a long train journey at night, 6 seconds")  # fmt: skip
CHANGES = ("make it faster", "add strings", "in A minor", "no drums", "another version")
_parts: contextvars.ContextVar[dict[str, float]] = contextvars.ContextVar("parts")


def _timed(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    """`call`, adding its wall time to the current request's parts (async or run in a thread alike)."""

    if asyncio.iscoroutinefunction(call):

        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await call(*args, **kwargs)
            finally:
                parts = _parts.get(None)
                if parts is not None:
                    parts[name] = parts.get(name, 0.0) + (time.perf_counter() - started) * 1000

        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            parts = _parts.get(None)
            if parts is not None:
                parts[name] = parts.get(name, 0.0) + (time.perf_counter() - started) * 1000

    return timed


async def _bot(index: int, settings: Any, requests: int, interval_s: float, start_at: float) -> list[dict[str, Any]]:
    import bot.service
    from bot.app import opened
    from bot.delivery import DeliveryLoop
    from bot.messages import Origin, Posted, Request

    class Nowhere:  # the bench's chat: pieces are "posted" nowhere, as fast as possible
        platform = "console"

        async def deliver(self, delivery: object) -> Posted:
            return Posted(None)

        async def progress(self, update: object) -> None:
            return None

    bot.service.understand = _timed("understand", bot.service.understand)
    bot.service.refine = _timed("understand", bot.service.refine)
    async with opened(settings) as runtime:
        if runtime.service.encoder is not None:
            await asyncio.to_thread(runtime.service.encoder.warm)
        store = runtime.store
        for name in ("conversation", "user", "by_request_key", "latest", "get", "by_posted_message",
                     "requests_since", "add_version"):  # fmt: skip
            setattr(store, name, _timed(name, getattr(store, name)))
        loop = DeliveryLoop(store, runtime.queue, [Nowhere()], poll_seconds=settings.engine_poll_seconds)
        delivering = asyncio.create_task(loop.run())
        await asyncio.sleep(max(0.0, start_at - time.time()))
        results = []
        for number in range(requests):
            chat = f"bot{index}-chat{number % 4}"
            origin = Origin("console", chat, f"user{number % 3}", f"User {number % 3}")
            if number % 4 < 2:
                request = Request(origin, "compose", PROMPTS[number % len(PROMPTS)], message_id=f"{index}:{number}")
            else:
                request = Request(origin, None, CHANGES[number % len(CHANGES)], message_id=f"{index}:{number}")
            parts: dict[str, float] = {}
            _parts.set(parts)
            started = time.perf_counter()
            reply = await runtime.service.handle(request)
            total = (time.perf_counter() - started) * 1000
            results.append({"total": total, "parts": parts, "queued": reply.job_id is not None})
            await asyncio.sleep(interval_s)
        delivering.cancel()
        await asyncio.gather(delivering, return_exceptions=True)
    return results


def _settings(folder: Path, encoder: bool, model: bool) -> Any:
    from bot.settings import Settings

    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}",
                    media_dir=folder / "media", use_text_encoder=encoder, use_model=model,
                    rate_limit_per_minute=100_000)  # fmt: skip


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def main() -> None:
    """Run the bots and the engine, then print where a request's time goes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bots", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20, help="per bot")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between one bot's requests")
    parser.add_argument("--no-encoder", action="store_true", help="understand with the lexicon only")
    parser.add_argument("--no-model", action="store_true", help="the engine composes by rules only")
    parser.add_argument("--child", type=str, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:  # one bot process: folder, index, start time
        folder, index, start_at = args.child.split("|")
        settings = _settings(Path(folder), not args.no_encoder, not args.no_model)
        results = asyncio.run(_bot(int(index), settings, args.requests, args.interval, float(start_at)))
        print(json.dumps(results))
        return
    with tempfile.TemporaryDirectory(prefix="bandmate-bench-") as temp:
        folder = Path(temp)
        settings = _settings(folder, not args.no_encoder, not args.no_model)
        from bot.store import migrate

        asyncio.run(migrate.upgrade(settings.database_url))
        env = os.environ | {"DATABASE_URL": settings.database_url, "MEDIA_DIR": str(settings.media_dir),
                            "USE_MODEL": str(not args.no_model).lower()}  # fmt: skip
        engine = subprocess.Popen([sys.executable, "-m", "bot.cli", "engine"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        start_at = time.time() + 20 + (40 if not args.no_encoder else 0)  # every bot warm before the first request
        command = [sys.executable, "-m", "bench.enqueue", "--requests", str(args.requests), "--interval",
                   str(args.interval)] + (["--no-encoder"] if args.no_encoder else [])  # fmt: skip
        bots = [subprocess.Popen([*command, "--child", f"{folder}|{i}|{start_at}"], stdout=subprocess.PIPE, text=True)
                for i in range(args.bots)]  # fmt: skip
        outputs = [bot.communicate()[0] for bot in bots]
        engine.terminate()
        engine.wait()
    results = [item for output in outputs for item in json.loads(output.strip().splitlines()[-1])]
    _report(results, args)


def _report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    totals = [r["total"] for r in results]
    by_part: defaultdict[str, list[float]] = defaultdict(list)
    for result in results:
        for name, ms in result["parts"].items():
            by_part[name].append(ms)
    print(f"machine: {describe()}")
    print(f"{args.bots} bot processes × {args.requests} requests every {args.interval:g} s, 1 engine "
          f"(encoder {'off' if args.no_encoder else 'on'}, model {'off' if args.no_model else 'on'}); "
          f"{sum(r['queued'] for r in results)}/{len(results)} queued")  # fmt: skip
    print(f"enqueue ms: p50 {statistics.median(totals):.0f} · p95 {_percentile(totals, 0.95):.0f} · "
          f"max {max(totals):.0f}")  # fmt: skip
    print("where it goes (ms per request that made the call): part — mean · p95")
    for name, values in sorted(by_part.items(), key=lambda item: -statistics.mean(item[1])):
        print(f"  {name:<18} {statistics.mean(values):7.1f} · {_percentile(values, 0.95):7.1f}")


if __name__ == "__main__":
    main()
