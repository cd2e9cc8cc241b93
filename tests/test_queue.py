"""The durable queue: claims are exclusive, leases expire, lost leases cannot finish a job."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import Settings
from engine.queue.contract import JobRequest, JobResult
from engine.queue.db import open_database
from engine.queue.jobs import JobQueue
from engine.spec import build_spec


def request(n: int) -> JobRequest:
    """A job request numbered by its seed, so claims can be told apart."""
    spec = build_spec(
        {
            "genre": "pop",
            "tempo_bpm": 100,
            "key": "C",
            "mode": "major",
            "meter": "4/4",
            "parts": [{"name": "piano", "role": "melody"}],
            "drums": False,
            "duration_s": 10,
            "seed": n,
        }
    )
    return JobRequest(spec=spec, target=f"/tmp/never-written/v{n}.mp3", name=f"piece-{n}")


DONE = JobResult(files={"mp3": "/tmp/a.mp3", "midi": "/tmp/a.mid"}, duration_s=10.0)

pytestmark = pytest.mark.both_databases


async def test_jobs_are_claimed_oldest_first_and_only_once(queue: JobQueue) -> None:
    first = await queue.enqueue(request(1))
    second = await queue.enqueue(request(2))
    claims = await asyncio.gather(*(queue.claim(f"w{i}", 30, 3) for i in range(4)))
    claimed = sorted(job.id for job in claims if job is not None)
    assert claimed == [first, second]
    assert await queue.claim("late", 30, 3) is None


async def test_queue_position_counts_jobs_ahead(queue: JobQueue) -> None:
    ids = [await queue.enqueue(request(n)) for n in range(3)]
    assert [await queue.position(job_id) for job_id in ids] == [1, 2, 3]
    await queue.claim("w", 30, 3)
    assert [await queue.position(job_id) for job_id in ids] == [0, 1, 2]
    assert await queue.queued_ids() == ids[1:]


async def test_expired_lease_is_claimed_again_and_the_old_owner_cannot_finish(queue: JobQueue) -> None:
    job_id = await queue.enqueue(request(1))
    dead = await queue.claim("dead", 1.0, 3)
    assert dead is not None and dead.id == job_id
    assert await queue.claim("other", 30, 3) is None  # lease still valid
    await asyncio.sleep(1.1)
    alive = await queue.claim("alive", 30, 3)
    assert alive is not None and alive.id == job_id and alive.attempts == 2
    assert not await queue.complete(dead, DONE.model_copy(update={"duration_s": 1.0}))
    assert not await queue.renew(dead, "rendering", 30)
    assert await queue.complete(alive, DONE)
    job = await queue.get(job_id)
    assert job is not None and job.status == "done" and job.outcome == DONE


async def test_a_job_that_keeps_killing_workers_fails_after_max_attempts(queue: JobQueue) -> None:
    job_id = await queue.enqueue(request(1))
    for attempt in range(2):
        claimed = await queue.claim(f"w{attempt}", 0.01, 2)
        assert claimed is not None
        await asyncio.sleep(0.03)
    assert await queue.claim("w-last", 30, 2) is None
    job = await queue.get(job_id)
    assert job is not None and job.status == "failed" and job.error


async def test_renew_records_stage_and_extends_lease(queue: JobQueue) -> None:
    await queue.enqueue(request(1))
    claimed = await queue.claim("w", 0.05, 3)
    assert claimed is not None
    assert await queue.renew(claimed, "rendering", 30)
    await asyncio.sleep(0.1)
    assert await queue.claim("thief", 30, 3) is None
    job = await queue.get(claimed.id)
    assert job is not None and job.stage == "rendering"


async def test_a_debounced_job_waits_until_not_before(queue: JobQueue, settings: Settings) -> None:
    from sqlalchemy import update

    from engine.queue.db import now, open_database
    from engine.queue.jobs import Job

    job_id = await queue.enqueue(request(1))
    database = open_database(settings.database_url)
    async with database.begin() as connection:
        await connection.execute(update(Job).where(Job.id == job_id).values(not_before=now() + 0.3))
    await database.dispose()
    assert await queue.claim("w", 30, 3) is None
    await asyncio.sleep(0.35)
    claimed = await queue.claim("w", 30, 3)
    assert claimed is not None and claimed.id == job_id


async def test_a_claimed_job_carries_its_validated_request(queue: JobQueue) -> None:
    await queue.enqueue(request(7))
    claimed = await queue.claim("w", 30, 3)
    assert claimed is not None and claimed.request == request(7)


async def test_a_malformed_request_fails_at_claim_instead_of_looping(queue: JobQueue, settings: Settings) -> None:
    from sqlalchemy import update

    from engine.queue.jobs import Job

    job_id = await queue.enqueue(request(1))
    database = open_database(settings.database_url)
    async with database.begin() as connection:
        await connection.execute(update(Job).where(Job.id == job_id).values(payload={"spec": {"genre": "nope"}}))
    await database.dispose()
    assert await queue.claim("w", 30, 3) is None
    job = await queue.get(job_id)
    assert job is not None and job.status == "failed" and job.error and "could not be made" in job.error


async def test_concurrent_engines_each_claim_a_job_exactly_once(queue: JobQueue, settings: Settings) -> None:
    ids = [await queue.enqueue(request(n)) for n in range(30)]
    engines = [open_database(settings.database_url) for _ in range(6)]

    async def drain(index: int) -> list[int]:
        own, claimed = JobQueue(engines[index]), []
        while (job := await own.claim(f"engine-{index}", 30, 3)) is not None:
            claimed.append(job.id)
        return claimed

    try:
        claims = await asyncio.gather(*(drain(index) for index in range(len(engines))))
    finally:
        for engine in engines:
            await engine.dispose()
    every = [job_id for claimed in claims for job_id in claimed]
    assert sorted(every) == ids  # none twice, none missed
    jobs = [await queue.get(job_id) for job_id in ids]
    assert [job.attempts if job else None for job in jobs] == [1] * len(ids)


async def test_an_attempt_that_was_taken_over_cannot_renew_complete_or_publish(queue: JobQueue) -> None:
    # The same owner can lose a job and claim it again: only the attempt number tells the two apart.
    await queue.enqueue(request(1))
    first = await queue.claim("w", 0.05, 3)
    await asyncio.sleep(0.1)
    second = await queue.claim("w", 30, 3)
    assert first is not None and second is not None and (first.attempts, second.attempts) == (1, 2)
    published: list[int] = []
    assert not await queue.renew(first, "rendering", 30)
    assert not await queue.complete(first, DONE, publish=lambda: published.append(1))
    assert not await queue.fail(first, "stale")
    assert published == []  # a stale attempt never moves its files into place
    assert await queue.complete(second, DONE, publish=lambda: published.append(2))
    assert published == [2]
    job = await queue.get(second.id)
    assert job is not None and job.status == "done" and job.outcome == DONE


async def test_a_publish_that_fails_leaves_the_job_unfinished(queue: JobQueue) -> None:
    await queue.enqueue(request(1))
    claimed = await queue.claim("w", 30, 3)
    assert claimed is not None

    def broken_publish() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        await queue.complete(claimed, DONE, publish=broken_publish)
    job = await queue.get(claimed.id)
    assert job is not None and job.status == "running" and job.result is None
    assert await queue.complete(claimed, DONE)  # the lease still holds: a retry can finish it


async def test_fail_queued_fails_only_the_waiting_jobs(queue: JobQueue) -> None:
    running = await queue.enqueue(request(1))
    assert await queue.claim("w", 30, 3) is not None
    waiting = [await queue.enqueue(request(n)) for n in (2, 3)]
    assert await queue.fail_queued("no SoundFont") == waiting
    for job_id, status in ((running, "running"), (waiting[0], "failed"), (waiting[1], "failed")):
        job = await queue.get(job_id)
        assert job is not None and job.status == status
    assert await queue.live_attempts() == {(running, 1)}
