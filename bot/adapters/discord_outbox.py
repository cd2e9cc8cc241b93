"""Progress and pieces out to Discord: status messages edited in place, or fresh posts when they cannot be."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord

from bot.adapters.discord_media import Fitted, fit_mp3
from bot.adapters.discord_ui import clip, mp3_filename, piece_embed, piece_name, piece_view, status_text
from bot.messages import Delivery, Progress
from engine.errors import ConfigError

log = logging.getLogger("bandmate.discord")

TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)  # an edit started just before expiry must still land


@dataclass
class StatusMessage:
    """The message that shows a queued piece's progress and then becomes the piece."""

    channel_id: int
    understood: str = ""
    message_id: int | None = None
    webhook: discord.Webhook | None = None  # the interaction's follow-up webhook, None for channel messages
    token_born: datetime | None = None
    opens_thread: bool = False  # a new piece asked for in a channel gets a thread for its changes
    shown: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Outbox:
    """Shows progress and posts pieces for one connected client.

    Status messages are keyed by the id of what asked for the piece (interaction or message id),
    which the core hands back as `reply_to_message_id`. They live in memory only: after a restart,
    or once an interaction token is 15 minutes old, a piece is posted as a new channel message.
    """

    def __init__(
        self, client: discord.Client, upload_limit_bytes: int, open_threads: bool, clock: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.upload_limit_bytes = upload_limit_bytes
        self.open_threads = open_threads
        self.clock = clock
        self.statuses: dict[str, StatusMessage] = {}

    async def progress(self, update: Progress) -> None:
        """Edit the status message with the stage or queue position."""
        status = self.statuses.get(update.reply_to_message_id or "")
        if status is None:
            return
        async with status.lock:
            if status.message_id is None or (status.webhook is not None and not self.token_fresh(status)):
                return
            shown = status_text(status.understood, update.text())
            if shown == status.shown:
                return
            with contextlib.suppress(discord.HTTPException):
                await self._edit(status, content=shown)
                status.shown = shown

    async def deliver(self, delivery: Delivery) -> str | None:
        """Turn the status message into the piece (or post it afresh); returns the piece's message id."""
        key = delivery.reply_to_message_id or ""
        status = self.statuses.get(key)
        with tempfile.TemporaryDirectory(prefix="bandmate-discord-") as workdir:
            fitted = await self._fitted(delivery, Path(workdir))
            note = fitted.note if fitted else None
            message: discord.Message | None = None
            if status is not None:
                async with status.lock:
                    message = await self._edit_into_piece(status, delivery, delivery.error or "", fitted, note)
            if message is None:
                mention = f"<@{delivery.origin.user_id}>"
                content = f"{mention} {delivery.error}" if delivery.error else mention
                message = await self._post_piece(status, delivery, content, fitted, note)
        self.statuses.pop(key, None)
        if self.open_threads and status is not None and status.opens_thread and not delivery.error:
            await self._open_thread(message, delivery)
        return str(message.id)

    async def _fitted(self, delivery: Delivery, workdir: Path) -> Fitted | None:
        if delivery.error or delivery.mp3_path is None:
            return None
        return await fit_mp3(delivery.mp3_path, workdir, self.upload_limit_bytes, delivery.duration_s)

    def _piece_parts(self, delivery: Delivery, fitted: Fitted | None, note: str | None) -> dict[str, Any]:
        if delivery.error:
            return {"embed": None, "view": None}
        view = piece_view(delivery.composition_id, delivery.choice)
        parts: dict[str, Any] = {"embed": piece_embed(delivery, note), "view": view}
        files = [discord.File(fitted.path, filename=mp3_filename(delivery))] if fitted is not None else []
        if delivery.stems_path is not None and delivery.midi_path is not None:  # a jam's final mix
            stem = mp3_filename(delivery).removesuffix(".mp3")
            files += [discord.File(delivery.stems_path, filename=f"{stem}-stems.zip"),
                      discord.File(delivery.midi_path, filename=f"{stem}.mid")]  # fmt: skip
        if files:
            parts["files"] = files
        return parts

    async def _edit_into_piece(
        self, status: StatusMessage, delivery: Delivery, content: str, fitted: Fitted | None, note: str | None
    ) -> discord.Message | None:
        if status.message_id is None or (status.webhook is not None and not self.token_fresh(status)):
            return None
        parts = self._piece_parts(delivery, fitted, note)
        files = parts.pop("files", [])
        try:
            return await self._edit(status, content=content, attachments=files, **parts)
        except discord.HTTPException as exc:
            log.warning("could not edit the status of job %s (%s); posting the piece instead", delivery.job_id,
                        exc.status)  # fmt: skip
            return None

    async def _post_piece(
        self, status: StatusMessage | None, delivery: Delivery, content: str, fitted: Fitted | None, note: str | None
    ) -> discord.Message:
        channel_id = status.channel_id if status else int(delivery.origin.thread_id or delivery.origin.chat_id)
        channel = await self._messageable(channel_id)
        reply_to = delivery.reply_to_message_id
        reference = None
        if reply_to and reply_to.isdigit() and (status is None or status.webhook is None):
            reference = discord.MessageReference(message_id=int(reply_to), channel_id=channel_id,
                                                 fail_if_not_exists=False)  # fmt: skip
        parts = {k: v for k, v in self._piece_parts(delivery, fitted, note).items() if v is not None}
        return await channel.send(content, reference=reference, **parts)  # type: ignore[arg-type]

    async def _edit(self, status: StatusMessage, **changes: Any) -> discord.Message:
        assert status.message_id is not None
        if status.webhook is not None:
            return await status.webhook.edit_message(status.message_id, **changes)
        channel = await self._messageable(status.channel_id)
        return await channel.get_partial_message(status.message_id).edit(**changes)  # type: ignore[union-attr]

    def token_fresh(self, status: StatusMessage) -> bool:
        """Whether an interaction's webhook may still edit its messages."""
        born = status.token_born
        return born is not None and self.clock() - born < TOKEN_LIFETIME - TOKEN_MARGIN

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ConfigError(f"Discord channel {channel_id} cannot take messages")
        return channel

    async def _open_thread(self, message: discord.Message, delivery: Delivery) -> None:
        # A follow-up's message carries a partial channel; the cached one knows it is a text channel.
        channel = self.client.get_channel(message.channel.id)
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await channel.get_partial_message(message.id).create_thread(
                name=clip(f"🎼 {piece_name(delivery)}", 100), auto_archive_duration=1440
            )
        except discord.HTTPException as exc:  # no permission or a thread exists: the piece is out anyway
            log.info("no thread for job %s: %s", delivery.job_id, exc)
