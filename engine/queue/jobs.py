"""The durable job queue in the shared database: enqueue, claim with an expiring lease, finish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import JSON, Float, Integer, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from engine.queue.db import Base, now, session_factory

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


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds the lease on."""

    id: int
    payload: dict[str, Any]
    attempts: int
    owner: str


class JobQueue:
    """Queue operations for both sides: the bot enqueues and watches, the engine claims and finishes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def enqueue(self, payload: dict[str, Any], *, status: JobStatus = "queued") -> int:
        """Add a job and return its id (status 'done' records work that needs no engine, e.g. undo)."""
        async with self._sessions.begin() as session:
            job = Job(payload=payload, status=status, stage="done" if status == "done" else "queued")
            if status == "done":
                job.result, job.finished_at = payload.get("result"), now()
            session.add(job)
            await session.flush()
            return job.id

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
                .scalar_subquery()
            )
            row = (
                await session.execute(
                    update(Job)
                    .where(Job.id == claimable)
                    .values(status="running", stage="composing", lease_owner=owner,
                            lease_expires_at=moment + lease_seconds, attempts=Job.attempts + 1,
                            started_at=moment)
                    .returning(Job.id, Job.payload, Job.attempts)
                )
            ).first()
        if row is None:
            return None
        return ClaimedJob(id=row.id, payload=row.payload, attempts=row.attempts, owner=owner)

    async def renew(self, job: ClaimedJob, stage: str, lease_seconds: float) -> bool:
        """Record the stage and extend the lease; False if the lease was lost to another worker."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Job)
                .where(Job.id == job.id, Job.lease_owner == job.owner, Job.status == "running")
                .values(stage=stage, lease_expires_at=now() + lease_seconds)
            )
            return result.rowcount == 1

    async def complete(self, job: ClaimedJob, result: dict[str, Any]) -> bool:
        """Mark the job done with its result; False (and nothing changed) if the lease was lost."""
        return await self._finish(job, status="done", result=result, error=None)

    async def fail(self, job: ClaimedJob, error: str) -> bool:
        """Mark the job failed with a message for the user; False if the lease was lost."""
        return await self._finish(job, status="failed", result=None, error=error)

    async def _finish(
        self, job: ClaimedJob, *, status: JobStatus, result: dict[str, Any] | None, error: str | None
    ) -> bool:
        async with self._sessions.begin() as session:
            outcome = await session.execute(
                update(Job)
                .where(Job.id == job.id, Job.lease_owner == job.owner, Job.status == "running")
                .values(status=status, stage=status, result=result, error=error, finished_at=now(),
                        lease_expires_at=None)
            )  # fmt: skip
            return outcome.rowcount == 1

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
