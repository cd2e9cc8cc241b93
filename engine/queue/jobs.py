"""The durable job queue in the shared database: enqueue, claim with an expiring lease, finish."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import JSON, Float, Integer, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from engine.errors import EngineError
from engine.queue.contract import JobRequest, JobResult, parse_request, parse_result
from engine.queue.db import Base, now, rows_changed, session_factory

log = logging.getLogger("bandmate.queue")

JobStatus = Literal["queued", "running", "done", "failed"]


class Job(Base):
    """One piece to make: the spec and where to write it, plus the lease of whoever works on it."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(16), default="queued")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    not_before: Mapped[float | None] = mapped_column(Float, nullable=True)  # debounced jobs wait until then
    created_at: Mapped[float] = mapped_column(Float, default=now)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)

    @property
    def request(self) -> JobRequest:
        """The validated request this job was queued with."""
        return parse_request(self.payload)

    @property
    def outcome(self) -> JobResult | None:
        """The validated result once the job is done (None before, or when it failed)."""
        return parse_result(self.result)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds the lease on; `attempts` is the fencing token every write is checked against."""

    id: int
    request: JobRequest
    attempts: int
    owner: str


class JobQueue:
    """Queue operations for both sides: the bot enqueues and watches, the engine claims and finishes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def enqueue(self, request: JobRequest, *, not_before: float | None = None) -> int:
        """Add a job in its own transaction and return its id."""
        async with self._sessions.begin() as session:
            return (await self.enqueue_in(session, request, not_before=not_before)).id

    @staticmethod
    async def enqueue_in(
        session: AsyncSession, request: JobRequest, *, not_before: float | None = None, done: JobResult | None = None
    ) -> Job:
        """Add a job inside the caller's transaction (so a version and its job are stored together).

        `done` records work that needs no engine (undo, go back to vN: the earlier files again).
        """
        job = Job(payload=request.model_dump(mode="json"), status="queued", stage="queued", not_before=not_before)
        if done is not None:
            job.status, job.stage, job.finished_at = "done", "done", now()
            job.result = done.model_dump(mode="json")
        session.add(job)
        await session.flush()
        return job

    @staticmethod
    async def reschedule_in(session: AsyncSession, job_id: int, request: JobRequest, not_before: float) -> bool:
        """Replace a still-queued job's request and start time; False if an engine already took it."""
        result = await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(payload=request.model_dump(mode="json"), not_before=not_before)
        )
        return rows_changed(result) == 1

    async def claim(self, owner: str, lease_seconds: float, max_attempts: int) -> ClaimedJob | None:
        """Take the oldest queued job, or one whose lease expired, for `lease_seconds`; None if idle."""
        moment = now()
        async with self._sessions.begin() as session:
            # A job that keeps killing its worker must not loop forever.
            await session.execute(
                update(Job)
                .where(Job.status == "running", Job.lease_expires_at < moment, Job.attempts >= max_attempts)
                .values(status="failed", stage="failed", finished_at=moment,
                        error="The engine stopped while making this piece, several times.")
            )  # fmt: skip
            claimable = (
                select(Job.id)
                .where(
                    ((Job.status == "queued") & (Job.not_before.is_(None) | (Job.not_before <= moment)))
                    | ((Job.status == "running") & (Job.lease_expires_at < moment))
                )
                .order_by(Job.id)
                .limit(1)
                # PostgreSQL: concurrent engines skip a row another one is claiming instead of taking it
                # too (SQLite, which has no row locks, serialises writers and ignores this).
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            row = (
                await session.execute(
                    update(Job)
                    .where(Job.id == claimable)
                    .values(
                        status="running",
                        stage="composing",
                        lease_owner=owner,
                        lease_expires_at=moment + lease_seconds,
                        attempts=Job.attempts + 1,
                        started_at=moment,
                    )
                    .returning(Job.id, Job.payload, Job.attempts)
                )
            ).first()
        if row is None:
            return None
        try:
            request = parse_request(row.payload)
        except EngineError:  # a request no engine can read fails now instead of being retried
            log.exception("job %s has a malformed request", row.id)
            error = "This piece could not be made: its request was damaged. Please ask again."
            await self._finish(row.id, owner, row.attempts, status="failed", result=None, error=error)
            return None
        return ClaimedJob(id=row.id, request=request, attempts=row.attempts, owner=owner)

    @staticmethod
    def _held(job_id: int, owner: str, attempt: int) -> Any:
        # The fence: the owner alone is not enough (an owner can lose a job and claim it again), so
        # every write names the attempt too; an attempt that was taken over matches nothing.
        return (Job.id == job_id) & (Job.lease_owner == owner) & (Job.attempts == attempt) & (Job.status == "running")

    async def renew(self, job: ClaimedJob, stage: str | None, lease_seconds: float) -> bool:
        """Extend the lease (and record the stage, if given); False if the lease was lost to another worker."""
        values: dict[str, Any] = {"lease_expires_at": now() + lease_seconds}
        if stage is not None:
            values["stage"] = stage
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Job).where(self._held(job.id, job.owner, job.attempts)).values(**values)
            )
            return rows_changed(result) == 1

    async def complete(self, job: ClaimedJob, result: JobResult, publish: Callable[[], None] | None = None) -> bool:
        """Mark the job done with its result; False (and nothing changed) if the lease was lost.

        `publish` (moving the attempt's files into place) runs inside the same write transaction, after
        the fence matched and before the commit: no other engine can take the job over in between, so a
        stale attempt never publishes, and a publish that fails leaves the job unfinished.
        """
        done = result.model_dump(mode="json")
        return await self._finish(
            job.id, job.owner, job.attempts, status="done", result=done, error=None, publish=publish
        )

    async def fail(self, job: ClaimedJob, error: str) -> bool:
        """Mark the job failed with a message for the user; False if the lease was lost."""
        return await self._finish(job.id, job.owner, job.attempts, status="failed", result=None, error=error)

    async def _finish(
        self,
        job_id: int,
        owner: str,
        attempt: int,
        *,
        status: JobStatus,
        result: dict[str, Any] | None,
        error: str | None,
        publish: Callable[[], None] | None = None,
    ) -> bool:
        async with self._sessions.begin() as session:
            outcome = await session.execute(
                update(Job)
                .where(self._held(job_id, owner, attempt))
                .values(status=status, stage=status, result=result, error=error, finished_at=now(),
                        lease_expires_at=None)
            )  # fmt: skip
            if rows_changed(outcome) != 1:
                return False
            if publish is not None:
                publish()  # SQLite holds the write lock from the UPDATE until this transaction commits
            return True

    async def fail_queued(self, error: str) -> list[int]:
        """Fail every queued job with `error` (no engine here can serve them); returns their ids."""
        async with self._sessions.begin() as session:
            rows = await session.execute(
                update(Job)
                .where(Job.status == "queued")
                .values(status="failed", stage="failed", error=error, finished_at=now())
                .returning(Job.id)
            )
            return sorted(rows.scalars())

    async def live_attempts(self) -> set[tuple[int, int]]:
        """(job id, attempt) of every attempt whose lease is still valid: their files must not be touched."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Job.id, Job.attempts).where(Job.status == "running", Job.lease_expires_at >= now())
            )
            return {(row.id, row.attempts) for row in rows}

    async def get(self, job_id: int) -> Job | None:
        """The job row, or None."""
        async with self._sessions() as session:
            return await session.get(Job, job_id)

    async def position(self, job_id: int) -> int:
        """1-based place in line among queued jobs (0 once it is being worked on or finished)."""
        async with self._sessions() as session:
            job = await session.get(Job, job_id)
            if job is None or job.status != "queued":
                return 0
            ahead = await session.scalar(
                select(func.count()).select_from(Job).where(Job.status == "queued", Job.id < job_id)
            )
            return int(ahead or 0) + 1

    async def queued_ids(self) -> list[int]:
        """Ids of every queued job in the order they will be claimed."""
        async with self._sessions() as session:
            return list(await session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id)))
