"""`bandmate compose` and `refine`: one request, checked first, worked in this process, its files copied out.

Everything a user can get wrong is checked before the database is opened, so a mistake writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.messages import Origin, Request
from bot.settings import Settings
from engine.errors import BandmateError, ConfigError, UserError

if TYPE_CHECKING:
    from bot.store.models import Composition
    from bot.understanding import TextEncoder
    from engine.queue.contract import Extra, JobResult

CLI_ORIGIN = Origin(platform="cli", chat_id="cli", user_id="local", user_name="local")
NOTHING_YET = 'There is no piece yet: start one with bandmate compose, e.g. bandmate compose "sad piano ballad".'


def writable_folder(folder: Path, what: str) -> None:
    """Prove a file can be written in `folder` without leaving anything behind; ConfigError naming why if not.

    Writing a probe is the real test: permission bits say nothing for root, and a read-only filesystem or a
    full inode table only answer a write. Folders made for the probe are removed again.
    """
    made = [place for place in (folder, *folder.parents) if not place.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bandmate-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{what} {folder} is not writable: {exc.strerror or exc}") from exc
    finally:
        for place in made:  # innermost first
            with contextlib.suppress(OSError):
                place.rmdir()


def _check_out(out: Path) -> None:
    try:
        writable_folder(out, "the --out folder")
    except ConfigError as exc:
        raise UserError(str(exc)) from exc  # the user chose --out: their mistake to fix, exit status 2


def _encoder(settings: Settings) -> TextEncoder | None:
    if not settings.use_text_encoder:
        return None
    from bot.understanding import TextEncoder

    return TextEncoder()


def dry_run(settings: Settings, text: str, seed: int | None, as_json: bool) -> None:
    """Print what `text` would make (the spec and what was understood); compose and write nothing."""
    from bot.understanding import understand

    understanding = understand(text, seed=seed or 0, encoder=_encoder(settings), max_chars=settings.max_prompt_chars)
    if as_json:
        print(json.dumps({"spec": understanding.spec.public_dict(), "understood": list(understanding.understood),
                          "guessed": list(understanding.guessed)}, ensure_ascii=False))  # fmt: skip
        return
    print(understanding.spec.summary())
    for note in (*understanding.understood, *understanding.guessed):
        print(f"  {note}")


async def compose(
    settings: Settings,
    text: str,
    seed: int | None,
    out: Path,
    *,
    extras: frozenset[Extra] = frozenset(),
    tune_file: Path | None = None,
    tune_track: str | None = None,
) -> dict[str, Any]:
    """Compose a new piece into `out` (with the extra files asked for, around a brought tune if given)."""
    from bot.tune_input import DEFAULT_STYLE
    from bot.understanding import understand

    encoder = _encoder(settings)
    words = DEFAULT_STYLE if tune_file is not None and not text.strip() else text
    understand(words, seed=seed or 0, encoder=encoder, max_chars=settings.max_prompt_chars)  # mistakes end here
    settings.engine()  # no SoundFont: refuse now, not after the job is queued
    _check_out(out)
    request = Request(CLI_ORIGIN, "compose", text, seed=seed, extras=extras, tune_file=tune_file,
                      tune_track=tune_track)  # fmt: skip
    return await _make(settings, request, out, encoder)


async def refine(
    settings: Settings, piece: str, text: str, out: Path, *, extras: frozenset[Extra] = frozenset()
) -> dict[str, Any]:
    """Make the next version of piece `piece` (an id or 'last') into `out`, with the extra files asked for."""
    from engine.queue.db import sqlite_file

    if piece != "last" and not piece.isdigit():
        raise UserError(f"'{piece}' is not a piece id: use a number from compose --json, or 'last'.")
    database = sqlite_file(settings.database_url)
    if database is not None and not database.exists():
        raise UserError(NOTHING_YET)  # and do not create the database (or --out) just to say so
    settings.engine()
    _check_out(out)
    request = Request(CLI_ORIGIN, "refine", text, composition_id=None if piece == "last" else int(piece),
                      extras=extras)  # fmt: skip
    return await _make(settings, request, out, _encoder(settings))


async def _make(settings: Settings, request: Request, out: Path, encoder: TextEncoder | None) -> dict[str, Any]:
    """Queue the request, work the queue in this process until it is done, copy the files out."""
    from bot.app import opened
    from bot.media import local_outcome
    from engine.queue.worker import open_worker

    writable_folder(settings.media_dir, "MEDIA_DIR")
    async with opened(settings, encoder=encoder) as runtime:
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
        outcome = await local_outcome(runtime.store.media, job)
        composition = await runtime.store.get(reply.composition_id)
        if job is None or outcome is None or composition is None:
            raise BandmateError((job.error if job else None) or "the piece could not be made")
        name = f"{job.request.name}-v{composition.version}"
        taken = await asyncio.to_thread(lambda: any(out.glob(f"{name}.*")))
        if taken:  # versions count per piece: another piece's v1 keeps its file
            name = f"{job.request.name}-{composition.piece_id}-v{composition.version}"
        kinds = ("mp3", "midi", "sheet", "sheet_pdf", *(("wav",) if "wav" in request.extras else ()))
        files: dict[str, Any] = {
            kind: str(_copy_out(path, out / f"{name}{path.suffix}"))
            for kind in kinds if (path := outcome.path(kind)) is not None
        }  # fmt: skip
        if "stems" in request.extras:  # part name → its audio, in a folder beside the MP3
            files["stems"] = {part: str(_copy_out(Path(source), out / f"{name}-stems" / Path(source).name))
                              for part, source in outcome.stems.items()}  # fmt: skip
        if "sheet" in request.extras and "sheet" not in files:
            raise BandmateError("the lead sheet could not be engraved (is LilyPond installed?)")
        # Only now has the user got the files: a failed copy above leaves the piece undelivered.
        if await runtime.store.claim_delivery(reply.composition_id, 60):
            await runtime.store.mark_delivered(reply.composition_id, None)
        total_ms = (time.perf_counter() - started) * 1000 - startup_ms
        return _result(composition, outcome, files, total_ms, startup_ms)


def _copy_out(source: Path, target: Path) -> Path:
    from engine.files import atomic_path

    try:
        with atomic_path(target) as temp, source.open("rb") as reading, temp.open("wb") as writing:
            while chunk := reading.read(1 << 20):
                writing.write(chunk)
            writing.flush()
            os.fsync(writing.fileno())  # a full disk must fail here, not after we said the file is there
    except OSError as exc:
        raise BandmateError(f"could not write {target}: {exc.strerror or exc}") from exc
    return target


def _result(
    composition: Composition, outcome: JobResult, files: dict[str, Any], total_ms: float, startup_ms: float
) -> dict[str, Any]:
    from engine.spec import build_spec

    spec = build_spec(composition.spec).public_dict()
    timings = {**(composition.timings or {}), **outcome.timings_ms}
    ordered = {name: float(timings.get(name, 0.0)) for name in ("parse", "compose", "render", "effects", "encode")}
    ordered["total"] = round(total_ms, 1)
    ordered["engine_start"] = round(startup_ms, 1)  # outside "total": paid once per engine process
    result = {"id": composition.id, "version": composition.version, "summary": composition.summary,
              "spec": spec, "files": files, "timings_ms": ordered}  # fmt: skip
    if spec.get("melody_source"):
        result["melody_source"] = spec["melody_source"]
    return result


def print_result(result: dict[str, Any], as_json: bool) -> None:
    """The result as one JSON object, or as a summary line and the file paths."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"v{result['version']} (id {result['id']}): {result['summary']}")
    print("\n".join(f"  {path}" for path in result["files"].values()))
