"""What the fake Discord knows: its guild, channels, users, messages, uploads and interactions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .discord_api_payloads import (
    DM,
    MESSAGE_REPLY,
    PUBLIC_THREAD,
    Snowflakes,
    attachment_payload,
    dm_channel_payload,
    guild_payload,
    iso_now,
    member_payload,
    message_payload,
    text_channel_payload,
    user_payload,
)

T = TypeVar("T")
Upload = tuple[int, str, bytes]  # (index in the request, filename, bytes)


@dataclass
class FakeInteraction:
    """One interaction the fake dispatched, and how the bot answered it."""

    id: int
    token: str
    kind: int
    channel_id: int
    user_id: int
    dispatched_at: float
    component_message_id: int | None = None
    response_type: int | None = None
    answered_after_s: float | None = None
    original_message_id: int | None = None
    loading: bool = False
    expired: bool = False


class DiscordWorld:
    """One bot, one guild with two text channels, three users, and everything posted since."""

    def __init__(self) -> None:
        self.ids = Snowflakes()
        self.application_id = self.ids.next()
        self.bot_user = user_payload(self.ids.next(), "bandmate", bot=True)
        self.users = {name: user_payload(self.ids.next(), name) for name in ("alice", "bob", "carol")}
        self.guild_id = self.ids.next()
        self.channels: dict[int, dict[str, Any]] = {}
        self.channel_id = self.add_channel("music", 0)
        self.other_channel_id = self.add_channel("general", 1)
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[int, bytes] = {}
        self.edits: list[tuple[int, dict[str, Any]]] = []
        self.interactions: dict[int, FakeInteraction] = {}
        self.commands: list[dict[str, Any]] = []
        self.uploads: list[str] = []  # the filename of every file ever uploaded, in order
        self.deleted: list[int] = []  # ids of messages the bot deleted
        self.base_url = ""
        self.recommended_shards = 1  # what GET /gateway/bot advises
        self._changed = asyncio.Event()

    def shard_of(self, guild_id: int, shard_count: int) -> int:
        """The shard that receives a guild's events: Discord's (guild_id >> 22) % shard_count."""
        return (guild_id >> 22) % shard_count

    @property
    def api_base(self) -> str:
        """What DISCORD_API_BASE (discord.py's Route.BASE) must be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The websocket address GET /gateway/bot hands out."""
        return self.base_url.replace("http://", "ws://") + "/gateway"

    # --- reading back what happened ----------------------------------------------------------

    def messages_in(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages of one channel (or thread), oldest first."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def pieces(self) -> list[dict[str, Any]]:
        """Every message that carries an MP3, oldest first."""
        return [m for m in self.messages.values() if any(a["filename"].endswith(".mp3") for a in m["attachments"])]

    def attachment_bytes(self, attachment: dict[str, Any]) -> bytes:
        """The uploaded bytes behind an attachment object."""
        return self.files[int(attachment["id"])]

    def threads(self) -> list[dict[str, Any]]:
        """Threads created in the guild."""
        return [c for c in self.channels.values() if c["type"] == PUBLIC_THREAD]

    def edits_of(self, message_id: int) -> list[dict[str, Any]]:
        """The bodies of every edit made to one message, in order."""
        return [body for edited, body in self.edits if edited == message_id]

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 30.0) -> T:
        """Wait until predicate() is truthy and return it; fail after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"fake Discord: condition not met within {timeout} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 0.25))

    # --- changing the world ------------------------------------------------------------------

    def notify(self) -> None:
        """Wake whoever waits for a change."""
        self._changed.set()

    async def broadcast(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to connected bots (the server overrides this)."""

    def dm_channel(self, user: str) -> int:
        """The direct-message channel between the bot and `user`, opened on first use; returns its id."""
        recipient = self.users[user]
        for channel_id, channel in self.channels.items():
            if channel["type"] == DM and channel["recipients"][0]["id"] == recipient["id"]:
                return channel_id
        channel_id = self.ids.next()
        self.channels[channel_id] = dm_channel_payload(channel_id, recipient)
        return channel_id

    def add_channel(self, name: str, position: int) -> int:
        """A new text channel in the guild; returns its id."""
        channel_id = self.ids.next()
        self.channels[channel_id] = text_channel_payload(channel_id, self.guild_id, name, position)
        return channel_id

    def command_id(self, name: str) -> int:
        """The id of a synced command (a fresh id for one never synced)."""
        for command in self.commands:
            if command["name"] == name:
                return int(command["id"])
        return self.ids.next()

    def guild(self) -> dict[str, Any]:
        """The guild as GUILD_CREATE carries it, threads included."""
        members = [member_payload(user) for user in [self.bot_user, *self.users.values()]]
        channels = [c for c in self.channels.values() if c["type"] != PUBLIC_THREAD]
        owner = int(self.users["carol"]["id"])
        return guild_payload(self.guild_id, "Bandmate test server", owner, channels, self.threads(), members)

    def user_by_id(self, user_id: int) -> dict[str, Any]:
        """A user (or the bot) by id."""
        return next(u for u in [self.bot_user, *self.users.values()] if int(u["id"]) == user_id)

    def interaction_by_token(self, token: str) -> FakeInteraction | None:
        """The interaction a webhook token belongs to."""
        return next((i for i in self.interactions.values() if i.token == token), None)

    def post(
        self, channel_id: int, body: dict[str, Any], files: list[Upload], interaction: FakeInteraction | None = None
    ) -> dict[str, Any]:
        """The bot posts a message (as itself, or as an interaction's response)."""
        message = message_payload(self.ids.next(), channel_id, self.guild_id, self.bot_user, body.get("content") or "",
                                  embeds=body.get("embeds"), components=body.get("components"),
                                  attachments=self.attachments(files), flags=int(body.get("flags") or 0))  # fmt: skip
        reference = body.get("message_reference")
        if reference:
            message["type"] = MESSAGE_REPLY
            message["message_reference"] = {
                "message_id": str(reference["message_id"]),
                "channel_id": str(channel_id),
                "guild_id": str(self.guild_id),
            }
            message["referenced_message"] = self.messages[int(reference["message_id"])]
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.kind,
                "user": self.user_by_id(interaction.user_id),
            }
        if self.channels.get(channel_id, {}).get("type") == DM:  # no guild in a direct message
            del message["guild_id"]
            message.get("message_reference", {}).pop("guild_id", None)
        self.messages[int(message["id"])] = message
        asyncio.get_running_loop().create_task(self.broadcast("MESSAGE_CREATE", message))
        return message

    def edit(self, message: dict[str, Any], body: dict[str, Any], files: list[Upload]) -> dict[str, Any]:
        """The bot edits a message: fields it sends replace the old ones; `attachments` lists those to keep."""
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if "attachments" in body:
            kept_ids = {str(entry["id"]) for entry in body["attachments"]}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept_ids]
        message["attachments"] = message["attachments"] + self.attachments(files)
        message["edited_timestamp"] = iso_now()
        self.edits.append((int(message["id"]), body))
        asyncio.get_running_loop().create_task(self.broadcast("MESSAGE_UPDATE", message))
        return message

    def attachments(self, files: list[Upload]) -> list[dict[str, Any]]:
        """Store uploads and describe them as attachment objects."""
        attachments = []
        for _, filename, data in files:
            attachment_id = self.ids.next()
            self.files[attachment_id] = data
            self.uploads.append(filename)
            attachments.append(attachment_payload(attachment_id, filename, len(data), self.base_url))
        return attachments
