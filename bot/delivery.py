"""Posts finished pieces back to their chats exactly once, and tells chats how far along they are."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.jam.service import vote_choice
from bot.messages import Delivery, Progress, Sink
from bot.service import origin_of
from bot.store.models import Composition
from bot.store.repo import Pending, Store
from engine.queue.jobs import JobQueue

log = logging.getLogger("bandmate.delivery")


def delivery_of(pending: Pending) -> Delivery:
    """The Delivery an adapter posts for a finished (or failed) version."""
    composition, job = pending.composition, pending.job
    outcome = job.outcome if job.status == "done" else None
    return Delivery(
        job_id=job.id,
        composition_id=composition.id,
        version=composition.version,
        origin=origin_of(pending.conversation, pending.author),
        reply_to_message_id=composition.request_message_id,
        title=composition.spec.get("title") or composition.summary,
        caption=_jam_caption(composition) if composition.kind in ("jam", "vote") else composition.summary,
        duration_s=outcome.duration_s if outcome else 0.0,
        mp3_path=outcome.path("mp3") if outcome else None,
        midi_path=outcome.path("midi") if outcome else None,
        error=None if outcome else (job.error or "Something went wrong while making this piece."),
        changes=tuple(composition.changes or ()),
        stems_path=outcome.path("stems") if outcome else None,
        choice=vote_choice(composition.kind, composition.prompt),
    )


def _jam_caption(composition: Composition) -> str:
    changes = [change for change in composition.changes or () if not change.startswith("jam started")]
    return composition.summary + (f"\n{' · '.join(changes)}" if changes else "")


class DeliveryLoop:
    """Polls the shared database for progress and finished jobs and hands them to the adapters."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        sinks: Sequence[Sink],
        *,
        poll_seconds: float = 0.2,
        claim_seconds: float = 120.0,
    ) -> None:
        self.store = store
        self.queue = queue
        self.sinks = {sink.platform: sink for sink in sinks}
        self.poll_seconds = poll_seconds
        self.claim_seconds = claim_seconds
        self._shown: dict[int, tuple[str, int]] = {}

    async def run(self) -> None:
        """Deliver until cancelled; an error in one round is logged and the next round goes on."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
            await asyncio.sleep(self.poll_seconds)

    async def tick(self) -> int:
        """One round: report progress changes, then post what finished; returns how many were posted."""
        platforms = list(self.sinks)
        await self._report_progress(platforms)
        pending = await self.store.pending(platforms)
        posted = await asyncio.gather(*(self._deliver(item) for item in pending))
        return sum(posted)

    async def _report_progress(self, platforms: list[str]) -> None:
        active = await self.store.in_progress(platforms)
        queued = await self.queue.queued_ids()
        place = {job_id: index + 1 for index, job_id in enumerate(queued)}
        for item in active:
            stage = item.job.stage if item.job.status == "running" else "queued"
            state = (stage, place.get(item.job.id, 0))
            if self._shown.get(item.composition.id) == state:
                continue
            self._shown[item.composition.id] = state
            update = Progress(
                job_id=item.job.id,
                origin=origin_of(item.conversation, item.author),
                reply_to_message_id=item.composition.request_message_id,
                stage=state[0],
                queue_position=state[1],
            )
            try:
                await self.sinks[item.conversation.platform].progress(update)
            except Exception:  # progress is best effort; the piece itself still gets delivered
                log.warning("progress update for job %s failed", item.job.id, exc_info=True)

    async def _deliver(self, item: Pending) -> bool:
        composition = item.composition
        if not await self.store.claim_delivery(composition.id, self.claim_seconds):
            return False  # another delivery loop holds it
        try:
            message_id = await self.sinks[item.conversation.platform].deliver(delivery_of(item))
        except Exception:
            log.exception("posting v%s (job %s) failed; will retry", composition.version, item.job.id)
            await self.store.release_delivery(composition.id)
            return False
        await self.store.mark_delivered(composition.id, message_id)
        self._shown.pop(composition.id, None)
        return True
