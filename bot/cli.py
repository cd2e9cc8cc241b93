"""`bandmate`: compose and refine from the shell, chat in the console, run the engine or the bot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.app import opened, run
from bot.messages import Origin, Request
from bot.settings import Settings
from bot.store.models import Composition
from bot.understanding import understand
from engine.errors import BandmateError, ConfigError, UserError
from engine.files import atomic_path
from engine.queue.contract import JobResult
from engine.queue.worker import open_worker, serve
from engine.spec import build_spec

CLI_ORIGIN = Origin(platform="cli", chat_id="cli", user_id="local", user_name="local")
EXIT_USER_ERROR, EXIT_FAILED = 2, 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bandmate", description="Original music from plain words.")
    commands = parser.add_subparsers(dest="command", required=True)
    compose = commands.add_parser("compose", help="compose a piece from a description")
    compose.add_argument("text")
    compose.add_argument("--seed", type=int, default=None)
    compose.add_argument("--out", type=Path, default=Path("out"))
    compose.add_argument("--json", action="store_true", help="print exactly one JSON object")
    compose.add_argument("--dry-run", action="store_true", help="print the understood spec, compose nothing")
    compose.add_argument("--stems", action="store_true", help="also write one MP3 per part")
    compose.add_argument("--wav", action="store_true", help="also write the lossless WAV")
    refine = commands.add_parser("refine", help="make a new version of an earlier piece")
    refine.add_argument("id", help="a piece id from compose --json, or 'last'")
    refine.add_argument("text")
    refine.add_argument("--out", type=Path, default=Path("out"))
    refine.add_argument("--json", action="store_true")
    refine.add_argument("--stems", action="store_true", help="also write one MP3 per part")
    refine.add_argument("--wav", action="store_true", help="also write the lossless WAV")
    commands.add_parser("chat", help="a conversation in this terminal")
    commands.add_parser("engine", help="run the engine process")
    commands.add_parser("run", help="run the engine and the configured chat adapters")
    commands.add_parser("migrate", help="apply database migrations and exit")
    return parser


def _copy_out(source: Path, target: Path) -> Path:
    with atomic_path(target) as temp:
        shutil.copyfile(source, temp)
    return target


def _result(
    composition: Composition, outcome: JobResult, files: dict[str, Any], total_ms: float, startup_ms: float
) -> dict[str, Any]:
    spec = build_spec(composition.spec).public_dict()
    timings = {**(composition.timings or {}), **outcome.timings_ms}
    ordered = {name: float(timings.get(name, 0.0)) for name in ("parse", "compose", "render", "effects", "encode")}
    ordered["total"] = round(total_ms, 1)
    ordered["engine_start"] = round(startup_ms, 1)  # outside "total": paid once per engine process
    return {"id": composition.id, "version": composition.version, "summary": composition.summary,
            "spec": spec, "files": files, "timings_ms": ordered}  # fmt: skip


async def _make(settings: Settings, request: Request, out: Path, *, wav: bool = False) -> dict[str, Any]:
    """Handle one compose/refine request in this process: queue it, work the queue until it is done."""
    async with opened(settings) as runtime:
        started = time.perf_counter()
        reply = await runtime.service.handle(request)
        if reply.job_id is None or reply.composition_id is None:
            raise UserError(reply.text)
        job = await runtime.queue.get(reply.job_id)
        startup_ms = 0.0
        if job is not None and job.status in ("queued", "running"):
            opening = time.perf_counter()
            async with open_worker(settings.engine(), runtime.database) as worker:
                # Loading the SoundFont and the model is a once-per-process cost a running engine never pays.
                startup_ms = (time.perf_counter() - opening) * 1000
                while (job := await runtime.queue.get(reply.job_id)) and job.status in ("queued", "running"):
                    if not await worker.run_once():
                        await asyncio.sleep(0.2)  # another worker holds it; wait for its lease
        outcome = job.outcome if job is not None and job.status == "done" else None
        composition = await runtime.store.get(reply.composition_id)
        if job is None or outcome is None or composition is None:
            raise BandmateError((job.error if job else None) or "the piece could not be made")
        name = f"{job.request.name}-v{composition.version}"
        files = {
            kind: str(_copy_out(path, out / f"{name}{path.suffix}"))
            for kind in ("mp3", "midi", *(("wav",) if wav else ()))
            if (path := outcome.path(kind)) is not None
        }
        stems: dict[str, str] = {}
        if request.stems:
            for part, source in outcome.stems.items():
                path = Path(source)
                stems[part] = str(_copy_out(path, out / f"{name}-stems" / path.name))
        files_out: dict[str, Any] = {**files, **({"stems": stems} if request.stems else {})}
        if await runtime.store.claim_delivery(reply.composition_id, 60):
            await runtime.store.mark_delivered(reply.composition_id, None)
        return _result(composition, outcome, files_out, (time.perf_counter() - started) * 1000 - startup_ms,
                       startup_ms)  # fmt: skip


def _print_result(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"v{result['version']} (id {result['id']}): {result['summary']}")
    print(f"  {result['files']['mp3']}\n  {result['files']['midi']}")


async def _compose(settings: Settings, args: argparse.Namespace) -> dict[str, Any] | None:
    if args.dry_run:
        seed = args.seed if args.seed is not None else 0
        encoder = None
        if settings.use_text_encoder:
            from bot.understanding import TextEncoder

            encoder = TextEncoder()
        understanding = understand(args.text, seed=seed, encoder=encoder, max_chars=settings.max_prompt_chars)
        spec = understanding.spec.public_dict()
        if args.json:
            print(json.dumps({"spec": spec, "understood": list(understanding.understood),
                              "guessed": list(understanding.guessed)}, ensure_ascii=False))  # fmt: skip
        else:
            print(understanding.spec.summary())
            for note in (*understanding.understood, *understanding.guessed):
                print(f"  {note}")
        return None
    request = Request(CLI_ORIGIN, "compose", args.text, seed=args.seed, stems=args.stems)
    return await _make(settings, request, args.out, wav=args.wav)


async def _refine(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    if args.id == "last":
        composition_id = None
    elif args.id.isdigit():
        composition_id = int(args.id)
    else:
        raise UserError(f"'{args.id}' is not a piece id: use a number from compose --json, or 'last'.")
    request = Request(CLI_ORIGIN, "refine", args.text, composition_id=composition_id, stems=args.stems)
    return await _make(settings, request, args.out, wav=args.wav)


async def _engine(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await serve(settings.engine(), stop)


async def _chat(settings: Settings) -> None:
    from bot.adapters.console import ConsoleAdapter

    async with opened(settings) as runtime, open_worker(settings.engine(), runtime.database) as worker:
        console = ConsoleAdapter(runtime.service)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(worker.run(stop)), asyncio.create_task(runtime.delivery_loop([console]).run())]
        await console.start()
        await console.done()  # let piped conversations hear their last piece
        stop.set()
        await tasks[0]  # the worker finishes the piece in hand; cancelling it mid-render would lose it
        tasks[1].cancel()
        await asyncio.gather(tasks[1], return_exceptions=True)


async def _migrate(settings: Settings) -> None:
    async with opened(settings):
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bandmate` command."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"bandmate: bad configuration: {problems}", file=sys.stderr)
        return EXIT_FAILED
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Telegram long poll is noise
    if args.command in ("compose", "refine", "chat"):
        logging.getLogger().setLevel(logging.WARNING)  # keep the terminal for the conversation
    as_json = getattr(args, "json", False)
    try:
        if args.command == "compose":
            result = asyncio.run(_compose(settings, args))
        elif args.command == "refine":
            result = asyncio.run(_refine(settings, args))
        else:
            runner = {"engine": _engine, "chat": _chat, "run": run, "migrate": _migrate}[args.command]
            asyncio.run(runner(settings))
            return 0
    except KeyboardInterrupt:
        return 130
    except (UserError, ConfigError, BandmateError) as exc:
        message = exc.message if isinstance(exc, UserError) else str(exc)
        if as_json:
            print(json.dumps({"error": message}, ensure_ascii=False))
        else:
            print(f"bandmate: {message}", file=sys.stderr)
        return EXIT_USER_ERROR if isinstance(exc, UserError) else EXIT_FAILED
    if result is not None:
        _print_result(result, as_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
