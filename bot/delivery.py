"""Posts finished pieces back to their chats exactly once, and moves every status message forward to its end."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Sequence

from bot.media import local_outcome
from bot.messages import Delivery, Offer, Origin, Progress, Sink, StatusRef, Step
from bot.service import origin_of
from bot.store.repo import Active, Pending, Store
from bot.store.statuses import Shown
from engine.queue.contract import JobResult
from engine.queue.jobs import JobQueue

log = logging.getLogger("bandmate.delivery")

SWEEP_SECONDS = 2.0  # how often to look for unfinished status lines of pieces already out
CLAIM_SECONDS = 120.0  # how long one delivery loop may take to post a piece before another may try


def delivery_of(pending: Pending, statuses: tuple[StatusRef, ...] = (), outcome: JobResult | None = None) -> Delivery:
    """The Delivery an adapter posts for a finished (or failed) version; `outcome` is its result with local files."""
    composition, job = pending.composition, pending.job
    stems = outcome.path("stems") if outcome else None
    offer: Offer = "pick" if composition.take else "none" if composition.kind == "jam" and stems else "refine"
    caption = composition.summary
    if composition.kind in ("jam", "vote") and composition.changes:
        caption += "\n" + " · ".join(composition.changes)
    return Delivery(
        job_id=job.id,
        composition_id=composition.id,
        version=composition.version,
        origin=origin_of(pending.conversation, pending.author),
        reply_to_message_id=composition.request_message_id,
        title=composition.spec.get("title") or composition.summary,
        caption=caption,
        duration_s=outcome.duration_s if outcome else 0.0,
        mp3_path=outcome.path("mp3") if outcome else None,
        midi_path=outcome.path("midi") if outcome else None,
        error=None if outcome else (job.error or "Something went wrong while making this piece."),
        changes=tuple(composition.changes or ()),
        stems_path=stems,
        choice=composition.take,
        offer=offer,
        statuses=statuses,
    )


def _step(item: Active, place: dict[int, int]) -> Step:
    return Step(item.stage) if item.status == "running" else Step("queued", place.get(item.job_id, 0))


class DeliveryLoop:
    """Polls the shared database for progress and finished jobs and hands them to the adapters.

    Status lines only move forward (a step is shown when it ranks above what the message shows, never
    the same text twice), and every status message is finished once its piece is out, also after a restart:
    the steps shown live in the database.
    """

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        sinks: Sequence[Sink],
        *,
        poll_seconds: float,
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        self.store = store
        self.queue = queue
        self.sinks = {sink.platform: sink for sink in sinks}
        self.poll_seconds = poll_seconds
        self.claim_seconds = claim_seconds
        self._shown: dict[int, Step] = {}  # composition id → the step last reported (the chat action's pace)
        self._last_seen: dict[int, Step] = {}  # job id → its step in the previous round
        self._next_sweep = 0.0  # when to look again for status lines left unfinished

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
        """One round: progress, then post what finished, then finish status lines; returns how many were posted."""
        platforms = list(self.sinks)
        await self._report_progress(platforms)
        pending = await self.store.pending(platforms)
        posted = await asyncio.gather(*(self._deliver(item) for item in pending))
        # Right after a post, else now and then: a status recorded just after its piece went out, or before a
        # restart, still gets finished, without every process querying for them every round.
        if any(posted) or time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            await self._finish_statuses(platforms)
        return sum(posted)

    async def _report_progress(self, platforms: list[str]) -> None:
        active = await self.store.in_progress(platforms)
        if not active:
            return
        queued = await self.queue.queued_ids()
        place = {job_id: index + 1 for index, job_id in enumerate(queued)}
        steps = {item.job_id: _step(item, place) for item in active}
        # Only versions whose step changed since the last round can have a status line to move on.
        changed = [item for item in active if self._last_seen.get(item.job_id) != steps[item.job_id]]
        self._last_seen = steps
        shown: defaultdict[int, list[Shown]] = defaultdict(list)
        for status in await self.store.statuses.open_for(item.job_id for item in changed):
            shown[status.job_id].append(status)
        for item in changed:
            step = steps[item.job_id]
            due = [s.ref for s in shown[item.job_id] if step.rank() > s.step.rank() and step.text() != s.step.text()]
            previous = self._shown.get(item.composition_id)
            if previous is not None and step.rank() <= previous.rank() and not due:
                continue
            if previous is None or step.rank() > previous.rank():
                self._shown[item.composition_id] = step
            update = Progress(item.job_id, item.origin, item.request_message_id, step, tuple(due))
            try:
                await self.sinks[item.origin.platform].progress(update)
            except Exception:  # progress is best effort; the piece itself still gets delivered
                log.warning("progress update for job %s failed", item.job_id, exc_info=True)
            if due:
                await self.store.statuses.show([ref.id for ref in due], step)

    async def _deliver(self, item: Pending) -> bool:
        composition = item.composition
        if not await self.store.claim_delivery(composition.id, self.claim_seconds):
            return False  # another delivery loop holds it
        statuses = tuple(s.ref for s in await self.store.statuses.open_for([item.job.id]))
        try:
            outcome = await local_outcome(self.store.media, item.job)  # inside: a failed download is retried
            posted = await self.sinks[item.conversation.platform].deliver(delivery_of(item, statuses, outcome))
        except Exception:
            log.exception("posting v%s (job %s) failed; will retry", composition.version, item.job.id)
            await self.store.release_delivery(composition.id)
            return False
        # Recorded before anything else: whatever fails from here on, the piece is never posted again.
        await self.store.mark_delivered(composition.id, posted.message_id)
        self._shown.pop(composition.id, None)
        became_the_piece = [s.id for s in statuses if s.message_id == posted.message_id]
        if became_the_piece:
            await self.store.statuses.finish(became_the_piece)
        if posted.extras is not None:
            try:
                await posted.extras()
            except Exception:
                log.warning("the extras after posting job %s failed; the piece is out", item.job.id, exc_info=True)
        return True

    async def _finish_statuses(self, platforms: list[str]) -> None:
        for finishing in await self.store.statuses.unfinished_of_posted(platforms):
            if not await self.store.statuses.finish([finishing.ref.id]):
                continue  # another delivery loop finished it
            step = Step("failed" if finishing.failed else "done")
            origin = Origin(finishing.platform, finishing.ref.chat_id, "")
            try:
                await self.sinks[finishing.platform].progress(Progress(finishing.job_id, origin, None, step,
                                                                       (finishing.ref,)))  # fmt: skip
            except Exception:
                log.warning("finishing status message %s failed", finishing.ref.id, exc_info=True)
