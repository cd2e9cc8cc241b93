"""The real engine worker under stress: leases shorter than its stages, and a database that refuses writes."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.settings import Settings
from bot.store import migrate
from engine.queue import workspace
from engine.queue.contract import JobRequest
from engine.queue.db import open_database
from engine.queue.jobs import JobQueue
from engine.queue.worker import open_worker
from engine.spec import build_spec
from tests.helpers import eventually


def _request(n: int, media: Path, seconds: float) -> JobRequest:
    spec = build_spec({"genre": "pop", "tempo_bpm": 110, "key": "C", "mode": "major", "meter": "4/4",
                       "parts": [{"name": "piano", "role": "melody"}, {"name": "strings", "role": "pad"}],
                       "drums": True, "duration_s": seconds, "seed": n})  # fmt: skip
    return JobRequest(spec=spec, target=str(media / "c1" / f"v{n}.mp3"), name=f"piece-{n}")


def _mp3_seconds(path: Path) -> float:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(path)], capture_output=True, text=True, check=True)  # fmt: skip
    return float(probe.stdout)


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[JobQueue]:
    await migrate.upgrade(settings.database_url)
    database = open_database(settings.database_url)
    try:
        yield JobQueue(database)
    finally:
        await database.dispose()


@pytest.mark.settings(job_lease_seconds=0.6)
async def test_two_engines_with_a_lease_shorter_than_a_stage_never_duplicate_or_falsely_fail(
    settings: Settings, queue: JobQueue
) -> None:
    # 60-second pieces: mastering and encoding each take longer than the 0.6-s lease, so only the
    # heartbeat keeps a job with its engine (before it, the other engine took jobs mid-stage).
    engine_settings = settings.engine()
    ids = [await queue.enqueue(_request(n, settings.media_dir, 60)) for n in range(4)]
    stop = asyncio.Event()
    databases = [open_database(settings.database_url) for _ in range(2)]
    try:
        async with (
            open_worker(engine_settings, databases[0]) as first,
            open_worker(engine_settings, databases[1]) as second,
        ):
            tasks = [asyncio.create_task(worker.run(stop)) for worker in (first, second)]

            async def all_finished() -> bool:
                jobs = [await queue.get(job_id) for job_id in ids]
                return all(job is not None and job.status in ("done", "failed") for job in jobs)

            await eventually(all_finished, timeout=240)
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        for database in databases:
            await database.dispose()
    longest_stage_ms = 0.0
    for job_id in ids:
        job = await queue.get(job_id)
        assert job is not None and job.status == "done", (job_id, job and job.error)
        assert job.attempts == 1, f"job {job_id} was claimed {job.attempts} times"
        outcome = job.outcome
        assert outcome is not None
        mp3 = outcome.path("mp3")
        assert mp3 is not None and abs(_mp3_seconds(mp3) - 60) < 1.0
        longest_stage_ms = max(longest_stage_ms, *outcome.timings_ms.values())
    assert longest_stage_ms > 600, "the test needs a stage longer than the lease to mean anything"
    hidden = [p for p in settings.media_dir.rglob(".*") if p.name != workspace.TEMP_FOLDER]
    assert hidden == [] and list(workspace.temp_root(settings.media_dir).iterdir()) == []


async def test_a_database_that_refuses_writes_mid_job_is_waited_out_and_the_job_completes(
    settings: Settings, queue: JobQueue
) -> None:
    # "database or disk is full" on every write to the jobs table, from just after the claim until we
    # lift it: the engine must neither die nor give up, and must finish the job once writes work again.
    full = False

    def disk_full(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if full and statement.lstrip().upper().startswith("UPDATE JOBS"):
            raise sqlite3.OperationalError("database or disk is full")

    job_id = await queue.enqueue(_request(1, settings.media_dir, 10))
    database = open_database(settings.database_url)
    event.listen(database.sync_engine, "before_cursor_execute", disk_full)
    stop = asyncio.Event()
    try:
        async with open_worker(settings.engine(), database) as worker:
            task = asyncio.create_task(worker.run(stop))

            async def claimed() -> bool:
                job = await queue.get(job_id)
                return job is not None and job.status == "running"

            await eventually(claimed, timeout=60)
            full = True
            await asyncio.sleep(4)  # long enough to make the piece and try to complete it several times
            job = await queue.get(job_id)
            assert job is not None and job.status == "running" and not task.done()
            full = False
            await eventually(lambda: task.done() or _done(queue, job_id), timeout=60)
            assert not task.done(), "the engine stopped"
            stop.set()
            await task
    finally:
        await database.dispose()
    job = await queue.get(job_id)
    assert job is not None and job.status == "done" and job.attempts == 1
    mp3 = job.outcome.path("mp3") if job.outcome else None
    assert mp3 is not None and mp3.is_file() and abs(_mp3_seconds(mp3) - 10) < 1.0


async def _done(queue: JobQueue, job_id: int) -> bool:
    job = await queue.get(job_id)
    return job is not None and job.status == "done"


@pytest.mark.settings(mp3_bitrate="not-a-bitrate")
async def test_a_job_that_fails_leaves_no_files_in_the_media_dir(settings: Settings, queue: JobQueue) -> None:
    # ffmpeg refuses the bitrate after the MIDI was written: before attempt folders, that MIDI and a
    # hidden 0-byte temp stayed beside the media of a piece that never came.
    job_id = await queue.enqueue(_request(1, settings.media_dir, 5))
    database = open_database(settings.database_url)
    try:
        async with open_worker(settings.engine(), database) as worker:
            assert await worker.run_once()
    finally:
        await database.dispose()
    job = await queue.get(job_id)
    assert job is not None and job.status == "failed" and job.error
    assert [p for p in settings.media_dir.rglob("*") if p != workspace.temp_root(settings.media_dir)] == []
