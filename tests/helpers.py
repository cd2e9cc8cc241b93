"""Small test helpers shared by the foundation and adapter tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.messages import Delivery, Origin, Posted, Progress

if TYPE_CHECKING:
    from bot.app import Runtime


@dataclass
class RecordingSink:
    """A Sink that records what it was asked to post, for tests of the core's delivery."""

    platform: str = "console"
    deliveries: list[Delivery] = field(default_factory=list)
    progress_updates: list[Progress] = field(default_factory=list)
    fail_next: int = 0

    async def deliver(self, delivery: Delivery) -> Posted:
        """Record the delivery (or fail on purpose) and return a fake message id."""
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("simulated network failure")
        self.deliveries.append(delivery)
        return Posted(f"msg-{delivery.composition_id}")

    async def progress(self, update: Progress) -> None:
        """Record the progress update."""
        self.progress_updates.append(update)


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 60.0) -> None:
    """Wait until `check` is true, failing the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = check()
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)


def command_line(pid: int) -> str:
    """The command line of process `pid`, spaces between its words; "" once it has ended."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def origin(user: str = "ana", chat: str = "chat-1", platform: str = "console") -> Origin:
    """An Origin for tests."""
    return Origin(platform=platform, chat_id=chat, user_id=user, user_name=user.title())


@contextlib.asynccontextmanager
async def running_engine(runtime: Runtime) -> AsyncIterator[None]:
    """The real engine worker over the runtime's database, in this process, for as long as the block runs."""
    from engine.queue.worker import open_worker  # the engine's imports only for the tests that run it

    stop = asyncio.Event()
    async with open_worker(runtime.settings.engine(), runtime.database) as worker:
        task = asyncio.create_task(worker.run(stop))
        try:
            yield
        finally:
            stop.set()
            await task
