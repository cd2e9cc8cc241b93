"""Status messages in the database: what each chat was shown about a piece in the making, until it is out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.messages import StatusRef, Step
from bot.store.models import Composition, StatusMessage
from engine.queue.db import now, rows_changed, session_factory
from engine.queue.jobs import Job


@dataclass(frozen=True, slots=True)
class Shown:
    """A status message with the step it shows now."""

    ref: StatusRef
    job_id: int
    step: Step


@dataclass(frozen=True, slots=True)
class Finishing:
    """A status message whose piece is out (or failed): it gets its last line."""

    ref: StatusRef
    job_id: int
    platform: str
    failed: bool


def _ref(row: StatusMessage) -> StatusRef:
    return StatusRef(row.id, row.chat_id, row.message_id, row.text, row.request_key)


class StatusBoard:
    """Records status messages as adapters post them; the delivery loop moves them forward and finishes them."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def record(
        self, job_id: int, platform: str, chat_id: str, message_id: str, text: str, request_key: str | None = None
    ) -> StatusRef:
        """Remember a status message just posted for a queued piece."""
        async with self._sessions.begin() as session:
            row = StatusMessage(job_id=job_id, platform=platform, chat_id=chat_id, message_id=message_id, text=text,
                                request_key=request_key, stage="queued", position=0)  # fmt: skip
            session.add(row)
            await session.flush()
            return _ref(row)

    async def open_for(self, job_ids: Iterable[int]) -> list[Shown]:
        """The unfinished status messages of these jobs, with the step each shows."""
        wanted = list(job_ids)
        if not wanted:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(
                select(StatusMessage)
                .where(StatusMessage.job_id.in_(wanted), StatusMessage.finished_at.is_(None))
                .order_by(StatusMessage.id)
            )
            return [Shown(_ref(row), row.job_id, Step(row.stage, row.position)) for row in rows]

    async def show(self, ids: Sequence[int], step: Step) -> None:
        """Record that these status messages now show `step`."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(StatusMessage).where(StatusMessage.id.in_(list(ids)))
                .values(stage=step.stage, position=step.position)
            )  # fmt: skip

    async def finish(self, ids: Sequence[int]) -> list[int]:
        """Mark status messages finished; returns those this call finished (each is finished once)."""
        finished = []
        async with self._sessions.begin() as session:
            for status_id in ids:
                result = await session.execute(
                    update(StatusMessage)
                    .where(StatusMessage.id == status_id, StatusMessage.finished_at.is_(None))
                    .values(finished_at=now())
                )
                if rows_changed(result) == 1:
                    finished.append(status_id)
        return finished

    async def unfinished_of_posted(self, platforms: list[str]) -> list[Finishing]:
        """Status messages whose piece was posted (or reported failed) but that still show a stage."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(StatusMessage, Job.status)
                .join(Job, Job.id == StatusMessage.job_id)
                .join(Composition, Composition.job_id == Job.id)
                .where(
                    StatusMessage.finished_at.is_(None),
                    StatusMessage.platform.in_(platforms),
                    Composition.delivered_at.is_not(None),
                )
                .order_by(StatusMessage.id)
            )
            return [Finishing(_ref(row), row.job_id, row.platform, status == "failed") for row, status in rows]
