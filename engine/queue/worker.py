"""The engine process: claim a job, make its files in the attempt's own folder, publish them and mark it done."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.audio.render import Renderer
from engine.errors import BandmateError, ConfigError, EngineError, SheetError, UserError
from engine.files import publish, remove_stale_temps
from engine.lifeline import die_with_parent, watch_parent
from engine.media import LocalMediaStore, MediaStore, open_media_store
from engine.partwriter import PartWriter
from engine.pipeline import generate, render, stems_folder
from engine.queue import workspace
from engine.queue.contract import FileKind, JobResult
from engine.queue.db import open_database
from engine.queue.jobs import ClaimedJob, JobQueue
from engine.queue.startup import UNAVAILABLE_MESSAGE, Startup, load, warm
from engine.settings import EngineSettings, soundfont_problem
from engine.sheet import sheet_beside

log = logging.getLogger("bandmate.engine")

FAILED_MESSAGE = "Something went wrong while making this piece. Please try again."
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 10.0  # backoff for database writes that fail (disk full, locked too long)


class LeaseLost(EngineError):
    """Another engine took this job over; this attempt stops and writes nothing more."""


def worker_name() -> str:
    """A lease owner id unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()):x}"


@dataclass(frozen=True, slots=True)
class Made:
    """An attempt's finished work: the result to store and its files, still in the attempt's folder."""

    result: JobResult
    staged: dict[Path, Path]  # file in the attempt's folder → where it is published

    def publish(self) -> None:
        """Move every file into place; a file already moved by an earlier try of this commit is left as it is."""
        for staged, final in self.staged.items():
            if staged.exists():
                publish(staged, final)
            elif not final.exists():
                raise EngineError(f"{staged.name} vanished before it was published")


async def persist(operation: Callable[[], Awaitable[bool]], what: str) -> bool:
    """Run a database write until the database takes it: a full disk or a long lock makes the engine wait, not die."""
    delay = RETRY_FIRST_S
    while True:
        try:
            return await operation()
        except OperationalError as exc:
            log.warning("%s: the database refused the write (%s); retrying in %.1f s", what, exc.orig, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)


class Worker:
    """One engine worker over the shared queue; resources are opened by the caller and handed in."""

    def __init__(
        self,
        settings: EngineSettings,
        queue: JobQueue,
        renderer: Renderer,
        writer: PartWriter | None = None,
        owner: str | None = None,
        media: MediaStore | None = None,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.renderer = renderer
        self.writer = writer
        self.media = media or open_media_store(settings.media)
        self.owner = owner or worker_name()
        self._in_flight: asyncio.Future[Any] | None = None
        self.startup: Startup | None = None  # what opening this worker took, when `open_worker` made it

    async def run(self, stop: asyncio.Event) -> None:
        """Work through the queue until `stop` is set, idling `poll_seconds` between empty polls."""
        delay, swept = RETRY_FIRST_S, False
        while not stop.is_set():
            try:
                worked = await self.run_once()
                if not worked and not swept:  # idle again: clear what engines that died left behind
                    await self.sweep()
                swept = not worked
            except OperationalError as exc:  # the database cannot be read or written now; it may come back
                log.warning("the queue is unavailable (%s); trying again in %.1f s", exc.orig, delay)
                worked, delay = False, min(delay * 2, RETRY_MAX_S)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                continue
            delay = RETRY_FIRST_S
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)

    async def run_once(self) -> bool:
        """Claim and process one job; False if the queue had none."""
        job = await self.queue.claim(self.owner, self.settings.lease_seconds, self.settings.max_attempts)
        if job is None:
            return False
        log.info("job %s claimed (attempt %s)", job.id, job.attempts)
        if job.attempts > 1:
            self._clear_dead_attempts(job)
        folder = workspace.attempt_folder(self.settings.media_dir, job.id, job.attempts)
        lost = threading.Event()  # set by the heartbeat, read by the worker thread between stages
        heartbeat = asyncio.create_task(self._heartbeat(job, lost))
        try:
            await self._work(job, folder, lost)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            workspace.remove(folder)
        return True

    async def sweep(self) -> int:
        """Delete the attempt folders no live attempt owns (engines killed earlier); returns how many."""
        asked = time.time()
        try:
            live = await self.queue.live_attempts()
        except OperationalError as exc:  # no queue to ask (yet): leave every folder, the next sweep will
            log.warning("temp folders not swept: %s", exc.orig)
            return 0
        removed = workspace.sweep(self.settings.media_dir, live, changed_before=asked)
        if removed:
            log.info("removed %s temp folder(s) left by stopped engines", removed)
        return removed

    def _clear_dead_attempts(self, job: ClaimedJob) -> None:
        # A takeover: the earlier attempts' leases expired, so their folders are nobody's now.
        workspace.remove_earlier_attempts(self.settings.media_dir, job.id, job.attempts)
        for written in job.request.written_paths():
            remove_stale_temps(written)  # temp files beside the media, from engines older than attempt folders

    async def _work(self, job: ClaimedJob, folder: Path, lost: threading.Event) -> None:
        try:
            made = await self._in_thread(self._upload, await self._make(job, folder, lost))
            finish = functools.partial(self.queue.complete, job, made.result, publish=made.publish)
            if not await persist(finish, f"job {job.id}"):
                log.warning("job %s finished after its lease was lost; another worker owns it", job.id)
            return
        except LeaseLost:
            log.warning("job %s was taken over by another engine; this attempt stops", job.id)
            return
        except UserError as exc:
            message = exc.message
        except BandmateError:
            log.exception("job %s failed", job.id)
            message = FAILED_MESSAGE
        except Exception:  # one bad job must not stop the engine serving every chat
            log.exception("job %s crashed", job.id)
            message = FAILED_MESSAGE
        if await persist(functools.partial(self.queue.fail, job, message), f"job {job.id}"):
            for written in job.request.written_paths():  # nothing of a failed piece stays (we held its lease)
                written.unlink(missing_ok=True)
                if not isinstance(self.media, LocalMediaStore):
                    with contextlib.suppress(BandmateError):
                        await asyncio.to_thread(self.media.remove, self.media.reference_of(written))

    def _upload(self, made: Made) -> Made:
        """An object store gets each finished file under its final key before the fenced completion.

        The local folder publishes by rename inside the completion instead (Made.publish). An upload by an
        attempt that then loses its lease writes the same key the winner writes, so nothing is orphaned.
        """
        if isinstance(self.media, LocalMediaStore):
            return made
        for staged, final in made.staged.items():
            self.media.publish(staged, final)
        return Made(made.result, {})

    async def _heartbeat(self, job: ClaimedJob, lost: threading.Event) -> None:
        # Renews the lease while a stage runs in a thread, so a stage longer than the lease keeps the job.
        every = max(self.settings.lease_seconds / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            try:
                if not await self.queue.renew(job, None, self.settings.lease_seconds):
                    lost.set()
                    return
            except OperationalError as exc:
                log.warning("job %s: the lease could not be renewed (%s)", job.id, exc.orig)

    async def _in_thread(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Shielded so that a cancelled caller never leaves the synthesizer busy in a thread while
        # the renderer is being closed; `drain` waits for it instead.
        self._in_flight = asyncio.ensure_future(asyncio.to_thread(function, *args, **kwargs))
        try:
            return await asyncio.shield(self._in_flight)
        finally:
            if self._in_flight.done():
                self._in_flight = None

    async def drain(self) -> None:
        """Wait for work still running in a thread (after a cancellation), before resources close."""
        if self._in_flight is not None:
            await asyncio.wait([self._in_flight])

    async def _make(self, job: ClaimedJob, folder: Path, lost: threading.Event) -> Made:
        request = job.request
        target = request.target_path
        workspace.open_attempt(self.settings.media_dir, job.id, job.attempts)  # an unwritable media dir fails the job
        staged_mp3 = folder / target.name
        progress = self._progress_reporter(job, lost)
        generated = await self._in_thread(generate, request.spec, writer=self.writer, progress=progress)
        rendered = await self._in_thread(
            render,
            generated,
            self.renderer,
            staged_mp3,
            bitrate=self.settings.mp3_bitrate,
            comment=request.comment,
            progress=progress,
            wav="wav" in request.extras,
            stems="stems" in request.extras,
        )
        staged = {rendered.mp3_path: target, rendered.midi_path: target.with_suffix(".mid")}
        if rendered.wav_path is not None:
            staged[rendered.wav_path] = target.with_suffix(".wav")
        if rendered.stems_zip is not None:
            staged[rendered.stems_zip] = target.with_suffix(".zip")
        if "sheet" in request.extras:
            progress("sheet")
            try:
                png, pdf = await self._in_thread(sheet_beside, generated.score, request.spec, staged_mp3)
                staged.update({png: target.with_suffix(".png"), pdf: target.with_suffix(".pdf")})
            except SheetError:  # the piece itself is made; the result simply has no sheet, and says so
                log.exception("lead sheet of %s failed", target.name)
        kinds: dict[str, FileKind] = {".mp3": "mp3", ".mid": "midi", ".zip": "stems", ".wav": "wav", ".png": "sheet",
                                      ".pdf": "sheet_pdf"}  # fmt: skip
        files = {kinds[final.suffix]: self._reference(final) for final in staged.values()}
        # Each part's stem is published too, into the final stems folder beside the MP3.
        stem_finals = {name: stems_folder(target) / path.name for name, path in rendered.stem_paths.items()}
        staged.update({rendered.stem_paths[name]: final for name, final in stem_finals.items()})
        if lost.is_set():
            raise LeaseLost(f"job {job.id}")
        return Made(
            JobResult(
                files=files,
                stems={name: self._reference(final) for name, final in stem_finals.items()},
                duration_s=round(rendered.duration_s, 3),
                timings_ms=rendered.timings_ms,
                loudness_lufs=round(rendered.master.loudness_lufs, 2),
                true_peak_db=round(float(rendered.master.true_peak_db), 2),
            ),
            staged,
        )

    def _reference(self, final: Path) -> str:
        # The local folder's references stay the paths jobs were always given; an object store's are s3:// URLs.
        return str(final) if isinstance(self.media, LocalMediaStore) else self.media.reference_of(final)

    def _progress_reporter(self, job: ClaimedJob, lost: threading.Event) -> Callable[[str], None]:
        loop = asyncio.get_running_loop()

        def report(stage: str) -> None:
            # Called from the worker thread as each stage starts: a lost lease stops the work here.
            if lost.is_set():
                raise LeaseLost(f"job {job.id}")
            asyncio.run_coroutine_threadsafe(self._record_stage(job, stage), loop)

        return report

    async def _record_stage(self, job: ClaimedJob, stage: str) -> None:
        with contextlib.suppress(OperationalError):  # the heartbeat keeps the lease; a stage name can wait
            await self.queue.renew(job, stage, self.settings.lease_seconds)


async def refuse(database: AsyncEngine, reason: str) -> NoReturn:
    """This engine cannot make music (no usable SoundFont): fail the queued jobs with a message, then raise."""
    try:
        failed = await JobQueue(database).fail_queued(UNAVAILABLE_MESSAGE)
    except OperationalError:  # no queue yet (never migrated) or unreachable: nothing to tell anyone
        failed = []
    if failed:
        log.error("failed %s queued job(s): %s", len(failed), reason)
    raise ConfigError(reason)


@contextlib.asynccontextmanager
async def open_worker(
    settings: EngineSettings, database: AsyncEngine, *, warm_up: bool = False
) -> AsyncIterator[Worker]:
    """A worker with its synthesizer and part writer opened once (and warmed, if asked), closed on exit."""
    startup = Startup()
    try:
        renderer, writer = await load(settings, startup)
    except ConfigError as exc:
        await refuse(database, str(exc))
    with renderer:
        if warm_up:
            await warm(renderer, writer, settings.media_dir, startup)
        media = open_media_store(settings.media)
        await asyncio.to_thread(media.prepare)  # the folder or the bucket, ensured once at start
        worker = Worker(settings, JobQueue(database), renderer, writer, media=media)
        await worker.sweep()
        steps = ", ".join(f"{step} {ms / 1000:.1f} s" for step, ms in startup.steps_ms.items())
        log.info("engine ready in %.1f s (%s; soundfont %s, model %s)", startup.total_ms / 1000, steps,
                 settings.soundfont.name, getattr(writer, "name", "none"))  # fmt: skip
        worker.startup = startup
        try:
            yield worker
        finally:
            await worker.drain()


async def refuse_queued(database_url: str, reason: str) -> NoReturn:
    """`refuse` for a process that has not opened the database yet."""
    database = open_database(database_url)
    try:
        await refuse(database, reason)
    finally:
        await database.dispose()


async def serve(settings: EngineSettings, stop: asyncio.Event, *, parent_pid: int | None = None) -> None:
    """Run an engine process: check and open its resources once, warm them, then work until stopped.

    With `parent_pid`, the engine stops (finishing the piece in hand) as soon as that parent dies.
    """
    watch: asyncio.Task[None] | None = None
    if parent_pid is not None:
        die_with_parent(signal.SIGTERM)  # the kernel's way; the watch below covers where it is missing
        watch = asyncio.create_task(watch_parent(parent_pid, stop.set))
    database = open_database(settings.database_url)
    try:
        if (problem := soundfont_problem(settings.soundfont)) is not None:
            await refuse(database, problem)
        async with open_worker(settings, database, warm_up=True) as worker:
            await worker.run(stop)
    finally:
        if watch is not None:
            watch.cancel()
        await database.dispose()
