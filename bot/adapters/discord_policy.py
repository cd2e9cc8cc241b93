"""Who may ask where on Discord: per-server allowed channels and a per-server request budget."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from engine.errors import ConfigError

PLATFORM = "discord"


class GuildChannelStore(Protocol):
    """Where per-server channel lists live (the database's chat_settings table via bot.store.repo.Store)."""

    async def allowed_channels(self, platform: str, scope_id: str) -> set[str] | None:
        """Channel ids the bot answers in on that server, or None for everywhere."""
        ...

    async def set_allowed_channels(self, platform: str, scope_id: str, channels: set[str] | None) -> None:
        """Store the channel list of a server (None lifts the limit)."""
        ...


def parse_channel_ids(text: str) -> frozenset[str] | None:
    """DISCORD_ALLOWED_CHANNELS ("123, 456") as a set of ids; None when empty (everywhere)."""
    ids = frozenset(part.strip() for part in text.replace(";", ",").split(",") if part.strip())
    return ids or None


class ChannelPolicy:
    """Decides whether the bot answers in a channel: the server's stored list, else the configured default.

    Lists are read from the store once per server (when the server becomes available) and kept in
    memory, so the check before answering an interaction never waits on the database.
    """

    def __init__(self, store: GuildChannelStore | None, default: frozenset[str] | None) -> None:
        self.store = store
        self.default = default
        self._by_guild: dict[str, frozenset[str] | None] = {}

    async def load(self, guild_id: str) -> None:
        """Read one server's list from the store into memory."""
        if self.store is not None:
            stored = await self.store.allowed_channels(PLATFORM, guild_id)
            self._by_guild[guild_id] = frozenset(stored) if stored is not None else None

    def allowed(self, guild_id: str | None, channel_id: str) -> bool:
        """True where the bot may answer; direct messages (no server) are always allowed."""
        if guild_id is None:
            return True
        channels = self.channels(guild_id)
        return channels is None or channel_id in channels

    def channels(self, guild_id: str) -> frozenset[str] | None:
        """The list in force for a server: its own if it set one, else the configured default."""
        if guild_id in self._by_guild and self._by_guild[guild_id] is not None:
            return self._by_guild[guild_id]
        return self.default

    async def update(self, guild_id: str, channels: frozenset[str] | None) -> None:
        """Store a server's new list (None: every channel) and use it at once."""
        if self.store is None:
            raise ConfigError("no store for per-server settings")
        await self.store.set_allowed_channels(PLATFORM, guild_id, set(channels) if channels is not None else None)
        self._by_guild[guild_id] = channels


class SlidingWindowLimit:
    """At most `limit` events per key within `window_s` seconds."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def wait_s(self, key: str) -> float:
        """0 and the event counted when under the limit; else seconds until the next one is allowed."""
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            return max(0.1, events[0] + self.window_s - now)
        events.append(now)
        return 0.0
