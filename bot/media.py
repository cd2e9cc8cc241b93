"""The chat side's view of finished media: a job's result with every reference turned into a local file."""

from __future__ import annotations

import asyncio

from engine.media import MediaStore
from engine.queue.contract import JobResult
from engine.queue.jobs import Job


async def local_outcome(media: MediaStore, job: Job | None) -> JobResult | None:
    """The finished job's result with local paths (fetched from the object store if need be); None if not done."""
    outcome = job.outcome if job is not None and job.status == "done" else None
    if outcome is None:
        return None
    return await asyncio.to_thread(outcome.resolved, media.local_copy)  # a download must not block the loop
