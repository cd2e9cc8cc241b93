"""Progress and pieces out to Discord: status messages edited in place, or fresh posts when they cannot be."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord

from bot.adapters.discord_media import Fitted, fit_mp3
from bot.adapters.discord_ui import MESSAGE_LIMIT, clip, mp3_filename, piece_embed, piece_name, piece_view
from bot.messages import Delivery, Posted, Progress, StatusRef, with_status_line
from engine.errors import ConfigError

log = logging.getLogger("bandmate.discord")

TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)  # an edit started just before expiry must still land


@dataclass
class StatusMessage:
    """The message that shows a queued piece's progress and then becomes the piece."""

    channel_id: int
    message_id: int | None = None
    webhook: discord.Webhook | None = None  # the interaction's follow-up webhook, None for channel messages
    token_born: datetime | None = None
    opens_thread: bool = False  # a new piece asked for in a channel gets a thread for its changes
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Outbox:
    """Shows progress and posts pieces for one connected client.

    In memory, status messages are keyed by the id of what asked for the piece (interaction or message
    id), which the core hands back as `reply_to_message_id`, with the interaction's webhook while its token
    lasts. The delivery loop hands over the stored ones (`StatusRef`); those not in memory any more (a
    restart) are edited as channel messages.
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
        """Edit the status messages the delivery loop names to the piece's step (or its final line)."""
        for ref in update.statuses:
            try:
                await self._edit(self._status_for(ref), content=clip(with_status_line(ref.text, update.text()),
                                                                     MESSAGE_LIMIT))  # fmt: skip
            except discord.HTTPException as exc:  # a status line is cosmetic
                log.info("status message %s not edited: %s", ref.message_id, exc.status)

    async def deliver(self, delivery: Delivery) -> Posted:
        """Turn the request's status message into the piece (or post it afresh with a mention).

        The thread and the ping that follow are extras: they run after the post is recorded, so their
        failure can never post the piece twice.
        """
        key = delivery.reply_to_message_id or ""
        status = self.statuses.get(key)
        stored = next((ref for ref in delivery.statuses if ref.request_key == key), None)
        with tempfile.TemporaryDirectory(prefix="bandmate-discord-") as workdir:
            fitted = await self._fitted(delivery, Path(workdir))
            note = fitted.note if fitted else None
            message: discord.Message | None = None
            if status is not None:
                async with status.lock:
                    message = await self._edit_into_piece(status, delivery, delivery.error or "", fitted, note)
            elif stored is not None:  # after a restart: the stored status message, edited in its channel
                message = await self._edit_into_piece(self._status_for(stored), delivery, delivery.error or "",
                                                      fitted, note)  # fmt: skip
            edited = message is not None
            if message is None:
                mention = f"<@{delivery.origin.user_id}>"
                content = f"{mention} {delivery.error}" if delivery.error else mention
                message = await self._post_piece(status, delivery, content, fitted, note)
        self.statuses.pop(key, None)
        opens_thread = self.open_threads and status is not None and status.opens_thread and not delivery.error
        piece = message

        async def extras() -> None:
            if edited:  # Discord does not notify on edits: tell the requester it is ready
                await self._ping(piece, delivery)
            if opens_thread:
                await self._open_thread(piece, delivery)

        return Posted(str(message.id), extras)

    def _status_for(self, ref: StatusRef) -> StatusMessage:
        """The status message in memory (with its webhook, while its token lasts), else as a channel message."""
        known = self.statuses.get(ref.request_key or "")
        same = known is not None and str(known.message_id) == ref.message_id
        if known is not None and same and (known.webhook is None or self.token_fresh(known)):
            return known
        return StatusMessage(channel_id=int(ref.chat_id), message_id=int(ref.message_id))

    async def _fitted(self, delivery: Delivery, workdir: Path) -> Fitted | None:
        if delivery.error or delivery.mp3_path is None:
            return None
        return await fit_mp3(delivery.mp3_path, workdir, self.upload_limit_bytes, delivery.duration_s)

    def _piece_parts(self, delivery: Delivery, fitted: Fitted | None, note: str | None) -> dict[str, Any]:
        if delivery.error:
            return {"embed": None, "view": None}
        view = piece_view(delivery.composition_id, delivery.offer, delivery.choice)
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
        return await channel.get_partial_message(status.message_id).edit(**changes)  # type: ignore[attr-defined]

    def token_fresh(self, status: StatusMessage) -> bool:
        """Whether an interaction's webhook may still edit its messages."""
        born = status.token_born
        return born is not None and self.clock() - born < TOKEN_LIFETIME - TOKEN_MARGIN

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ConfigError(f"Discord channel {channel_id} cannot take messages")
        return channel

    async def _ping(self, piece: discord.Message, delivery: Delivery) -> None:
        channel = await self._messageable(piece.channel.id)
        what = "could not be made" if delivery.error else "is ready"
        reference = discord.MessageReference(message_id=piece.id, channel_id=piece.channel.id,
                                             fail_if_not_exists=False)  # fmt: skip
        await channel.send(f"<@{delivery.origin.user_id}> v{delivery.version} {what} ↑", reference=reference)

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
