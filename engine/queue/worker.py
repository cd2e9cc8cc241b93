"""The engine process: claim a job, generate, render, write media atomically, mark it done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from engine.audio.render import Renderer
from engine.errors import BandmateError, UserError
from engine.files import remove_stale_temps
from engine.partwriter import PartWriter
from engine.pipeline import generate, render
from engine.queue.contract import FileKind, JobResult
from engine.queue.db import open_database
from engine.queue.jobs import ClaimedJob, JobQueue
from engine.settings import EngineSettings

log = logging.getLogger("bandmate.engine")

FAILED_MESSAGE = "Something went wrong while making this piece. Please try again."


def load_writer(enabled: bool, threads: int = 2) -> PartWriter | None:
    """The learned part writer if enabled and shipped, else None (the rules compose alone)."""
    if not enabled:
        return None
    try:
        import torch

        from engine.model import load_writer as load_model_writer
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return load_model_writer()


def worker_name() -> str:
    """A lease owner id unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()):x}"


class Worker:
    """One engine worker over the shared queue; resources are opened by the caller and handed in."""

    def __init__(
        self,
        settings: EngineSettings,
        queue: JobQueue,
        renderer: Renderer,
        writer: PartWriter | None = None,
        owner: str | None = None,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.renderer = renderer
        self.writer = writer
        self.owner = owner or worker_name()
        self._in_flight: asyncio.Future[Any] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Work through the queue until `stop` is set, idling `poll_seconds` between empty polls."""
        while not stop.is_set():
            if not await self.run_once():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)

    async def run_once(self) -> bool:
        """Claim and process one job; False if the queue had none."""
        job = await self.queue.claim(self.owner, self.settings.lease_seconds, self.settings.max_attempts)
        if job is None:
            return False
        log.info("job %s claimed (attempt %s)", job.id, job.attempts)
        try:
            result = await self._make(job)
        except UserError as exc:
            await self.queue.fail(job, exc.message)
        except BandmateError:
            log.exception("job %s failed", job.id)
            await self.queue.fail(job, FAILED_MESSAGE)
        except Exception:  # one bad job must not stop the engine serving every chat
            log.exception("job %s crashed", job.id)
            await self.queue.fail(job, FAILED_MESSAGE)
        else:
            if not await self.queue.complete(job, result):
                log.warning("job %s finished after its lease was lost; another worker owns it", job.id)
        return True

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

    async def _make(self, job: ClaimedJob) -> JobResult:
        request = job.request
        target = request.target_path
        for written in request.written_paths():
            remove_stale_temps(written)  # a killed earlier attempt's leftovers; we hold the lease now
        progress = self._progress_reporter(job)
        generated = await self._in_thread(generate, request.spec, writer=self.writer, progress=progress)
        rendered = await self._in_thread(
            render,
            generated,
            self.renderer,
            target,
            bitrate=self.settings.mp3_bitrate,
            comment=request.comment,
            progress=progress,
            wav="wav" in request.extras,
            stems="stems" in request.extras,
        )
        files: dict[FileKind, str] = {"mp3": str(rendered.mp3_path), "midi": str(rendered.midi_path)}
        if rendered.stems_zip is not None:
            files["stems"] = str(rendered.stems_zip)
        if rendered.wav_path is not None:
            files["wav"] = str(rendered.wav_path)
        return JobResult(
            files=files,
            stems={name: str(path) for name, path in rendered.stem_paths.items()},
            duration_s=round(rendered.duration_s, 3),
            timings_ms=rendered.timings_ms,
            loudness_lufs=round(rendered.master.loudness_lufs, 2),
            true_peak_db=round(float(rendered.master.true_peak_db), 2),
        )

    def _progress_reporter(self, job: ClaimedJob) -> Callable[[str], None]:
        loop = asyncio.get_running_loop()

        def report(stage: str) -> None:
            # Called from the worker thread; each stage also renews the lease.
            asyncio.run_coroutine_threadsafe(
                self.queue.renew(job, stage, self.settings.lease_seconds), loop
            )

        return report


@contextlib.asynccontextmanager
async def open_worker(settings: EngineSettings, database: AsyncEngine) -> AsyncIterator[Worker]:
    """A worker with its synthesizer and part writer opened once, closed on exit."""
    with Renderer(settings.soundfont, settings.sample_rate) as renderer:
        writer = await asyncio.to_thread(load_writer, settings.use_model, settings.model_threads)
        worker = Worker(settings, JobQueue(database), renderer, writer)
        log.info("engine ready (soundfont %s, model %s)", settings.soundfont.name, getattr(writer, "name", "none"))
        try:
            yield worker
        finally:
            await worker.drain()


async def serve(settings: EngineSettings, stop: asyncio.Event) -> None:
    """Run an engine process: open the database and the synthesizer once, then work until stopped."""
    database = open_database(settings.database_url)
    try:
        async with open_worker(settings, database) as worker:
            await worker.run(stop)
    finally:
        await database.dispose()
