"""The composition root: opens every resource once and hands it to what needs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.console import ConsoleAdapter
from bot.delivery import DeliveryLoop
from bot.engine_child import EngineChild
from bot.jam.service import JamService
from bot.jam.store import JamStore
from bot.messages import Adapter, Sink
from bot.service import Bandmate, Limits
from bot.settings import Settings
from bot.store import migrate
from bot.store.repo import Store
from bot.understanding import TextEncoder
from engine.errors import BandmateError, ConfigError
from engine.media import open_media_store
from engine.queue.db import open_database
from engine.queue.jobs import JobQueue
from engine.queue.worker import refuse
from engine.settings import soundfont_problem

log = logging.getLogger("bandmate")

ENGINE_STOPPED_MESSAGE = "Bandmate can't make music right now: its engine stopped. Please try again later."


@dataclass(slots=True)
class Runtime:
    """Everything a running Bandmate shares: settings, database, store, queue and the core service."""

    settings: Settings
    database: AsyncEngine
    store: Store
    queue: JobQueue
    service: Bandmate

    @classmethod
    async def open(cls, settings: Settings, *, encoder: TextEncoder | None = None) -> Runtime:
        """Migrate the schema to head, open the database and build the service (with `encoder` if given)."""
        await migrate.upgrade(settings.database_url)
        database = open_database(settings.database_url)
        store = Store(database, settings.media_dir, open_media_store(settings.media()))
        if encoder is None and settings.use_text_encoder:
            encoder = TextEncoder()
        limits = Limits(max_prompt_chars=settings.max_prompt_chars, requests_per_minute=settings.rate_limit_per_minute)
        jams = JamService(store, JamStore(database), debounce_seconds=settings.jam_debounce_seconds, encoder=encoder)
        service = Bandmate(store, limits=limits, encoder=encoder, jams=jams)
        return cls(settings, database, store, JobQueue(database), service)

    async def close(self) -> None:
        """Release the database."""
        await self.database.dispose()

    def delivery_loop(self, sinks: Sequence[Sink]) -> DeliveryLoop:
        """A delivery loop over this runtime's store for the given adapters."""
        return DeliveryLoop(self.store, self.queue, sinks, poll_seconds=self.settings.engine_poll_seconds)


@contextlib.asynccontextmanager
async def opened(settings: Settings, *, encoder: TextEncoder | None = None) -> AsyncIterator[Runtime]:
    """A Runtime for the length of a block."""
    runtime = await Runtime.open(settings, encoder=encoder)
    try:
        yield runtime
    finally:
        await runtime.close()


def build_adapters(runtime: Runtime) -> list[Adapter]:
    """The adapters whose tokens are configured; the console when none is."""
    settings = runtime.settings
    adapters: list[Adapter] = []
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(runtime.service, settings))
    if settings.discord_bot_token is not None:
        from bot.adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(runtime.service, settings))
    if not adapters:
        adapters.append(ConsoleAdapter(runtime.service))
    return adapters


@contextlib.asynccontextmanager
async def serving(runtime: Runtime, adapters: Sequence[Adapter]) -> AsyncIterator[None]:
    """Start the adapters, then one delivery loop over them (so nothing is posted before they can post)."""
    started: list[Adapter] = []
    delivery: asyncio.Task[None] | None = None
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        delivery = asyncio.create_task(runtime.delivery_loop(adapters).run())
        yield
    finally:
        if delivery is not None:
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery
        for adapter in reversed(started):
            with contextlib.suppress(Exception):
                await adapter.stop()


def engine_problem(settings: Settings) -> str | None:
    """Why no engine could start with these settings (no usable SoundFont), in one line; None if one can."""
    try:
        engine = settings.engine()
    except ConfigError as exc:
        return str(exc)
    return soundfont_problem(engine.soundfont)


async def run(settings: Settings, *, with_engine: bool = True) -> None:
    """`bandmate run`: every configured adapter and the delivery loop, plus an engine child unless `with_engine`
    is False (engines then run elsewhere as `bandmate engine`), until a signal or console EOF."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with opened(settings) as runtime:
        engine: EngineChild | None = None
        if with_engine:
            if (problem := engine_problem(settings)) is not None:
                await refuse(runtime.database, problem)  # fails what is queued, then stops here with that line
            engine = await EngineChild.start()
        if runtime.service.encoder is not None:  # load the text encoder now, not on the first user's request
            warming = asyncio.create_task(asyncio.to_thread(runtime.service.encoder.warm))
            warming.add_done_callback(_warn_if_unavailable)
        adapters = build_adapters(runtime)
        ended_alone = False
        try:
            async with serving(runtime, adapters):
                log.info("Bandmate is running: %s", ", ".join(adapter.platform for adapter in adapters))
                waits: list[asyncio.Task[Any]] = [asyncio.create_task(stop.wait())]
                if engine is not None:
                    waits.append(asyncio.create_task(engine.wait()))
                # The console ends with its input, once the pieces it asked for are out; an adapter whose
                # connection ended for good (Discord's `finished`) ends the run too.
                waits += [asyncio.create_task(adapter.finished()) for adapter in adapters]
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                ended_alone = engine is not None and engine.returncode is not None and not stop.is_set()
                for task in waits:
                    task.cancel()
                if ended_alone:
                    await _fail_what_is_queued(runtime, adapters)
        finally:
            if engine is not None:
                await engine.stop()
        if engine is not None and (failure := engine.failure(ended_alone)) is not None:
            raise BandmateError(f"the engine stopped: {failure}")


def _warn_if_unavailable(warming: asyncio.Task[Any]) -> None:
    if warming.exception():
        log.warning("text encoder unavailable")


async def _fail_what_is_queued(runtime: Runtime, adapters: Sequence[Adapter]) -> None:
    # Nothing here will make what is queued now: say so to the people who asked, before this run ends.
    try:
        await runtime.queue.fail_queued(ENGINE_STOPPED_MESSAGE)
        await runtime.delivery_loop(adapters).tick()
    except Exception:  # the run's own one-line error says what matters; this is a courtesy
        log.exception("could not tell the people waiting that the engine stopped")
