"""`bandmate`: compose and refine from the shell, chat in the console, run the engine or the bot.

Whatever happens, the user sees one line on stderr (or one {"error": …} object with --json); exit status 2
means the user can fix it, 1 that something failed inside; tracebacks go to the log file, never the terminal.
Heavy modules (torch, FluidSynth, the database) are imported by the commands that use them, so
`compose --dry-run` starts quickly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot import logs
from bot.settings import Settings
from engine.errors import BandmateError, ConfigError, UserError
from engine.queue.contract import Extra

EXIT_USER_ERROR, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130
OPERATOR_COMMANDS = ("run", "engine", "migrate")  # these log to stderr too (one line a record)
log = logging.getLogger("bandmate.cli")


class _UsageError(Exception):
    """A command line argparse cannot read."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line, not a usage block (and JSON with --json)."""

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing usage and exiting."""
        raise _UsageError(f"{message} (see bandmate --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bandmate", description="Original music from plain words.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    compose = commands.add_parser("compose", help="compose a piece from a description")
    compose.add_argument("text")
    compose.add_argument("--seed", type=int, default=None)
    compose.add_argument("--out", type=Path, default=Path("out"))
    compose.add_argument("--json", action="store_true", help="print exactly one JSON object")
    compose.add_argument("--dry-run", action="store_true", help="print the understood spec, compose nothing")
    compose.add_argument("--sheet", action="store_true", help="also write the lead sheet (PNG and PDF)")
    tune_help = "a tune to arrange: a recording (wav, ogg, opus, mp3, m4a, flac) or a MIDI file"
    compose.add_argument("--melody", type=Path, default=None, help=tune_help)
    compose.add_argument("--melody-track", default=None, help="the MIDI track that holds the tune (default: found)")
    compose.add_argument("--stems", action="store_true", help="also write one MP3 per part")
    compose.add_argument("--wav", action="store_true", help="also write the lossless WAV")
    refine = commands.add_parser("refine", help="make a new version of an earlier piece")
    refine.add_argument("id", help="a piece id from compose --json, or 'last'")
    refine.add_argument("text")
    refine.add_argument("--out", type=Path, default=Path("out"))
    refine.add_argument("--json", action="store_true")
    refine.add_argument("--sheet", action="store_true", help="also write the lead sheet (PNG and PDF)")
    refine.add_argument("--stems", action="store_true", help="also write one MP3 per part")
    refine.add_argument("--wav", action="store_true", help="also write the lossless WAV")
    commands.add_parser("chat", help="a conversation in this terminal")
    engine = commands.add_parser("engine", help="run the engine process")
    engine.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)  # `run` ties its child
    run = commands.add_parser("run", help="run the engine and the configured chat adapters")
    run.add_argument("--no-engine", action="store_true", help="only the chat adapters; engines run elsewhere")
    commands.add_parser("migrate", help="apply database migrations and exit")
    return parser


async def _compose(settings: Settings, args: argparse.Namespace) -> dict[str, Any] | None:
    from bot import oneshot

    if args.dry_run:
        oneshot.dry_run(settings, args.text, args.seed, args.json)
        return None
    return await oneshot.compose(
        settings,
        args.text,
        args.seed,
        args.out,
        extras=_wanted(args),
        tune_file=args.melody,
        tune_track=args.melody_track,
    )


async def _refine(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    from bot import oneshot

    return await oneshot.refine(settings, args.id, args.text, args.out, extras=_wanted(args))


def _wanted(args: argparse.Namespace) -> frozenset[Extra]:
    """The files besides MP3 and MIDI the command line asks for: --sheet, --stems, --wav."""
    flags: tuple[Extra, ...] = ("sheet", "stems", "wav")
    return frozenset(flag for flag in flags if getattr(args, flag))


async def _engine(settings: Settings, parent_pid: int | None = None) -> None:
    from engine.queue.worker import refuse_queued, serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        engine_settings = settings.engine()
    except ConfigError as exc:  # no SoundFont at all: what is queued can never be made here
        await refuse_queued(settings.database_url, str(exc))
        raise
    await serve(engine_settings, stop, parent_pid=parent_pid)


async def _chat(settings: Settings) -> None:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import opened
    from bot.oneshot import writable_folder
    from engine.queue.worker import open_worker

    engine_settings = settings.engine()  # a missing SoundFont is refused before the first request
    writable_folder(settings.media_dir, "MEDIA_DIR")
    async with opened(settings) as runtime, open_worker(engine_settings, runtime.database) as worker:
        console = ConsoleAdapter(runtime.service)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(worker.run(stop)), asyncio.create_task(runtime.delivery_loop([console]).run())]
        await console.start()
        await console.done()  # let piped conversations hear their last piece
        stop.set()
        await tasks[0]  # the worker finishes the piece in hand; cancelling it mid-render would lose it
        tasks[1].cancel()
        await asyncio.gather(tasks[1], return_exceptions=True)


async def _run(settings: Settings, args: argparse.Namespace) -> None:
    from bot.app import run
    from bot.oneshot import writable_folder

    if not args.no_engine:  # a chat-only machine needs no SoundFont
        settings.engine()
    writable_folder(settings.media_dir, "MEDIA_DIR")
    await run(settings, with_engine=not args.no_engine)


async def _migrate(settings: Settings) -> None:
    from bot.app import opened

    async with opened(settings):
        pass


def _answer(message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"bandmate: {message}", file=sys.stderr)


def _failure(error: Exception) -> str:
    """One line for something that failed inside: what it was, in words where we know them."""
    if isinstance(error, BandmateError):
        return str(error)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"could not use a file{where}: {error.strerror or error}"
    reason = getattr(error, "orig", None)  # SQLAlchemy wraps the database's own words
    if type(error).__module__.startswith("sqlalchemy") and reason is not None:
        return f"the database failed: {' '.join(str(reason).split())}"
    return f"internal error ({logs.one_line(error)})"


def _dispatch(settings: Settings, args: argparse.Namespace) -> None:
    if args.command in ("compose", "refine"):
        result = asyncio.run((_compose if args.command == "compose" else _refine)(settings, args))
        if result is not None:
            from bot.oneshot import print_result

            print_result(result, args.json)
        return
    if args.command == "run":
        asyncio.run(_run(settings, args))
        return
    engine = functools.partial(_engine, parent_pid=getattr(args, "parent_pid", None))
    runners: dict[str, Callable[[Settings], Coroutine[Any, Any, None]]] = {
        "engine": engine, "chat": _chat, "migrate": _migrate,
    }  # fmt: skip
    runner = runners[args.command]
    asyncio.run(runner(settings))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bandmate` command."""
    arguments = sys.argv[1:] if argv is None else argv
    as_json = "--json" in arguments
    try:
        args = _parser().parse_args(arguments)
    except _UsageError as exc:
        _answer(str(exc), as_json)
        return EXIT_USER_ERROR
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        _answer(f"bad configuration: {problems}", as_json)
        return EXIT_FAILED
    log_file = logs.configure(settings.log_path(), settings.log_level, stderr_too=args.command in OPERATOR_COMMANDS)
    try:
        _dispatch(settings, args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): nobody is left to tell
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit-time flush is quiet too
        return EXIT_FAILED
    except UserError as exc:
        log.info("refused: %s", exc.message)
        _answer(exc.message, as_json)
        return EXIT_USER_ERROR
    except Exception as exc:  # the last line of defence: one line to the user, the traceback to the log
        log.error("bandmate %s failed", args.command, exc_info=exc, extra=logs.FILE_ONLY)
        details = f" (details in {log_file})" if log_file is not None and not isinstance(exc, ConfigError) else ""
        _answer(_failure(exc) + details, as_json)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
