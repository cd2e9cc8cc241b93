"""The Discord adapter: slash commands, replies, thread messages and buttons in; status, pieces and errors out.

Every handler is thin: it answers Discord at once (defer), turns the event into a `Request`, and shows
the core's `Reply`. A queued piece's status message is remembered by the id of what asked for it (the
interaction or message id, which the core hands back as `reply_to_message_id`), so progress edits it
and delivery turns it into the piece. Interaction tokens last 15 minutes and memory does not survive a
restart: in both cases the piece is posted as a plain channel message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord

from bot.adapters.discord_client import BandmateClient, ChannelAction, use_api_base
from bot.adapters.discord_media import UPLOAD_LIMIT_BYTES, Fitted, fit_mp3
from bot.adapters.discord_policy import ChannelPolicy, SlidingWindowLimit, parse_channel_ids
from bot.adapters.discord_ui import MESSAGE_LIMIT, Action, clip, piece_embed, piece_view, status_text
from bot.messages import Command, Delivery, Origin, Progress, Reply, Request
from bot.service import Bandmate
from bot.settings import Settings
from engine.errors import ConfigError

log = logging.getLogger("bandmate.discord")

TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)  # an edit started just before expiry must still land
COSTLY: set[Command | None] = {"compose", "refine", "variation", None}
BUTTON_REQUESTS: dict[Action, tuple[Command, str]] = {
    "faster": ("refine", "faster"), "slower": ("refine", "slower"), "longer": ("refine", "longer"),
    "variation": ("variation", ""), "midi": ("midi", ""),
}  # fmt: skip
SORRY = "Sorry, something went wrong on my side; please try again."


@dataclass
class StatusMessage:
    """The message that shows a queued piece's progress and then becomes the piece."""

    channel_id: int
    understood: str = ""
    message_id: int | None = None
    webhook: discord.Webhook | None = None  # the interaction's follow-up webhook, None for channel messages
    token_born: datetime | None = None
    shown: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class DiscordAdapter:
    """Bandmate on Discord through discord.py; a Sink for the delivery loop."""

    platform = "discord"

    def __init__(
        self,
        service: Bandmate,
        settings: Settings,
        *,
        guild_requests_per_minute: int = 30,
        upload_limit_bytes: int = UPLOAD_LIMIT_BYTES,
        open_threads: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        connect_timeout_s: float = 60.0,
    ) -> None:
        self.service = service
        self.settings = settings
        self.policy = ChannelPolicy(service.store, parse_channel_ids(settings.discord_allowed_channels))
        self.guild_limit = SlidingWindowLimit(guild_requests_per_minute)
        self.upload_limit_bytes = upload_limit_bytes
        self.open_threads = open_threads
        self.clock = clock
        self.connect_timeout_s = connect_timeout_s
        self.finished = asyncio.Event()  # set if the connection ends for good while running
        self.client: BandmateClient | None = None
        self._runner: asyncio.Task[None] | None = None
        self._statuses: dict[str, StatusMessage] = {}
        self._warned_no_content = False

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, sync slash commands and connect; returns once Discord reports ready."""
        secret = self.settings.discord_bot_token
        if secret is None or not secret.get_secret_value().strip():
            raise ConfigError("DISCORD_BOT_TOKEN is not set")
        if self.settings.discord_api_base:
            use_api_base(self.settings.discord_api_base)
        client = BandmateClient(self, application_id=self.settings.discord_application_id,
                                custom_api=bool(self.settings.discord_api_base))  # fmt: skip
        self.client = client
        self._runner = asyncio.create_task(self._run(client, secret.get_secret_value()))
        ready = asyncio.create_task(client.ready.wait())
        done, _ = await asyncio.wait({self._runner, ready}, timeout=self.connect_timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        if ready not in done:
            ready.cancel()
            await self.stop()
            failure = self._runner.exception() if self._runner.done() else None
            raise ConfigError(f"could not connect to Discord: {failure or 'timed out'}") from failure

    async def _run(self, client: BandmateClient, token: str) -> None:
        try:
            await client.start(token)
        except discord.LoginFailure as exc:
            raise ConfigError("Discord rejected DISCORD_BOT_TOKEN; copy it again from the Bot page") from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise ConfigError("turn on MESSAGE CONTENT INTENT on the Bot page of the developer portal") from exc
        finally:
            self.finished.set()

    async def stop(self) -> None:
        """Disconnect; pieces still being made are delivered by whoever runs next."""
        if self.client is not None:
            await self.client.close()
        if self._runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._runner
        self.finished.clear()

    # --- events in ---------------------------------------------------------------------------

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Load the server's channel list before its first request arrives."""
        await self.policy.load(str(guild.id))

    async def on_compose(
        self, interaction: discord.Interaction, prompt: str, duration: int | None, seed: int | None
    ) -> None:
        """/compose prompt [duration] [seed]."""
        text = prompt if duration is None else f"{prompt}, {duration} seconds"
        await self._interaction_request(interaction, "compose", text, seed=seed)

    async def on_command(self, interaction: discord.Interaction, command: Command) -> None:
        """/history, /undo, /help."""
        await self._interaction_request(interaction, command, "")

    async def on_piece_button(self, interaction: discord.Interaction, action: Action, composition_id: int) -> None:
        """Faster, Slower, Variation, Longer or MIDI under a piece."""
        command, text = BUTTON_REQUESTS[action]
        await self._interaction_request(interaction, command, text, composition_id=composition_id)

    async def on_message(self, message: discord.Message) -> None:
        """A reply to one of our pieces, or any message in a thread we opened, refines a piece."""
        me = self.client.user if self.client else None
        if me is None or message.author.bot:
            return
        channel = message.channel
        in_our_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        if not self.policy.allowed(_guild_id(message.guild), str(_home_channel_id(channel))):
            return
        piece = _replied_piece(message, me.id)
        if piece is None and in_our_thread:
            piece = await self._latest_piece_in(channel)  # type: ignore[arg-type]
        if piece is None:
            return
        if not message.content.strip():
            self._warn_no_content()
            return
        if refusal := self._guild_refusal(message.guild, None):
            await message.reply(refusal, mention_author=False)
            return
        request = Request(self._origin(message.author, channel), None, message.content,
                          message_id=str(message.id), reply_to_message_id=piece)  # fmt: skip
        status = StatusMessage(channel_id=channel.id)
        self._statuses[str(message.id)] = status
        async with status.lock:
            reply = await self._handle(request)
            shown = status_text(reply.text, "Queued…") if reply.job_id else clip(reply.text, MESSAGE_LIMIT)
            posted = await message.reply(shown, mention_author=False, file=_file(reply))
            self._remember(status, str(message.id), reply, posted.id, shown)

    async def on_channels(self, interaction: discord.Interaction, action: ChannelAction) -> None:
        """/channels: which channels of this server Bandmate answers in."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild, permissions = interaction.guild, interaction.permissions
        if guild is None:
            await interaction.followup.send("Channels can only be chosen in a server.", ephemeral=True)
            return
        if not permissions.manage_guild:
            await interaction.followup.send("Only members who can manage this server can choose channels.",
                                            ephemeral=True)  # fmt: skip
            return
        here = str(_home_channel_id(interaction.channel))
        current = self.policy.channels(str(guild.id))
        everywhere = frozenset(str(c.id) for c in guild.text_channels)
        changed = {"allow": (current or frozenset()) | {here}, "remove": (current or everywhere) - {here},
                   "reset": None}  # fmt: skip
        if action in changed:
            await self.policy.update(str(guild.id), changed[action])
        await interaction.followup.send(_channels_text(self.policy.channels(str(guild.id))), ephemeral=True)

    async def _interaction_request(
        self, interaction: discord.Interaction, command: Command, text: str, *,
        seed: int | None = None, composition_id: int | None = None,
    ) -> None:
        if not self.policy.allowed(_guild_id(interaction.guild), str(_home_channel_id(interaction.channel))):
            channels = self.policy.channels(str(interaction.guild_id)) or frozenset()
            where = ", ".join(f"<#{c}>" for c in sorted(channels)) or "no channel yet (ask an admin: /channels)"
            await interaction.response.send_message(f"I only play in {where} on this server.", ephemeral=True)
            return
        if refusal := self._guild_refusal(interaction.guild, command):
            await interaction.response.send_message(refusal, ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        key = str(interaction.id)
        request = Request(self._origin(interaction.user, interaction.channel), command, text, message_id=key,
                          composition_id=composition_id, seed=seed)  # fmt: skip
        status = StatusMessage(channel_id=interaction.channel_id or 0, webhook=interaction.followup,
                               token_born=interaction.created_at)  # fmt: skip
        self._statuses[key] = status
        async with status.lock:
            reply = await self._handle(request)
            shown = status_text(reply.text, "Queued…") if reply.job_id else clip(reply.text, MESSAGE_LIMIT)
            posted = await interaction.followup.send(shown, file=_file(reply), wait=True)
            self._remember(status, key, reply, posted.id, shown)

    async def _handle(self, request: Request) -> Reply:
        try:
            return await self.service.handle(request)
        except Exception:  # the user still gets an answer; the details go to the log
            log.exception("handling a Discord %s failed", request.command or "message")
            return Reply(SORRY)

    def _remember(self, status: StatusMessage, key: str, reply: Reply, message_id: int, shown: str) -> None:
        if reply.job_id is None:
            self._statuses.pop(key, None)
            return
        status.understood, status.message_id, status.shown = reply.text, message_id, shown

    def _guild_refusal(self, guild: discord.Guild | None, command: Command | None) -> str | None:
        if guild is None or command not in COSTLY:
            return None
        wait_s = self.guild_limit.wait_s(str(guild.id))
        if not wait_s:
            return None
        return (f"This server has asked for a lot of music in the last minute; "
                f"try again in {max(1, round(wait_s))} s.")  # fmt: skip

    def _origin(self, user: discord.abc.User, channel: Any) -> Origin:
        # Threads belong to their channel's conversation: a thread opened on a piece refines that piece.
        return Origin(self.platform, str(_home_channel_id(channel)), str(user.id), user.display_name)

    async def _latest_piece_in(self, thread: discord.Thread) -> str:
        me = self.client.user if self.client else None
        async for earlier in thread.history(limit=50):
            if me and earlier.author.id == me.id and any(a.filename.endswith(".mp3") for a in earlier.attachments):
                return str(earlier.id)
        return str(thread.id)  # a thread opened on a piece has that piece's message id

    def _warn_no_content(self) -> None:
        if not self._warned_no_content:
            self._warned_no_content = True
            log.warning("a reply to a piece arrived without text: is MESSAGE CONTENT INTENT enabled?")

    # --- Sink: progress and pieces out -------------------------------------------------------

    async def progress(self, update: Progress) -> None:
        """Edit the status message with the stage or queue position."""
        status = self._statuses.get(update.reply_to_message_id or "")
        if status is None:
            return
        async with status.lock:
            if status.message_id is None:
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
        status = self._statuses.get(key)
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
        self._statuses.pop(key, None)
        if self.open_threads and delivery.version == 1 and not delivery.error:
            await self._open_thread(message, delivery)
        return str(message.id)

    async def _fitted(self, delivery: Delivery, workdir: Path) -> Fitted | None:
        if delivery.error or delivery.mp3_path is None:
            return None
        return await fit_mp3(delivery.mp3_path, workdir, self.upload_limit_bytes, delivery.duration_s)

    def _piece_parts(self, delivery: Delivery, fitted: Fitted | None, note: str | None) -> dict[str, Any]:
        if delivery.error:
            return {"embed": None, "view": None}
        parts: dict[str, Any] = {"embed": piece_embed(delivery, note), "view": piece_view(delivery.composition_id)}
        if fitted is not None:
            parts["file"] = discord.File(fitted.path, filename=_mp3_name(delivery))
        return parts

    async def _edit_into_piece(
        self, status: StatusMessage, delivery: Delivery, content: str, fitted: Fitted | None, note: str | None
    ) -> discord.Message | None:
        if status.message_id is None or (status.webhook is not None and not self._token_fresh(status)):
            return None
        parts = self._piece_parts(delivery, fitted, note)
        file = parts.pop("file", None)
        try:
            return await self._edit(status, content=content, attachments=[file] if file else [], **parts)
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

    def _token_fresh(self, status: StatusMessage) -> bool:
        born = status.token_born
        return born is not None and self.clock() - born < TOKEN_LIFETIME - TOKEN_MARGIN

    async def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        assert self.client is not None
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ConfigError(f"Discord channel {channel_id} cannot take messages")
        return channel

    async def _open_thread(self, message: discord.Message, delivery: Delivery) -> None:
        # A follow-up's message carries a partial channel; the cached one knows it is a text channel.
        channel = self.client.get_channel(message.channel.id) if self.client else None
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await channel.get_partial_message(message.id).create_thread(
                name=clip(f"🎼 {delivery.title}", 100), auto_archive_duration=1440
            )
        except discord.HTTPException as exc:  # no permission or a thread exists: the piece is out anyway
            log.info("no thread for job %s: %s", delivery.job_id, exc)


def _file(reply: Reply) -> discord.File | Any:
    return discord.File(reply.file) if reply.file is not None else discord.utils.MISSING


def _mp3_name(delivery: Delivery) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in delivery.title.lower()).strip("-")[:60] or "bandmate"
    return f"{stem}-v{delivery.version}.mp3"


def _guild_id(guild: discord.Guild | None) -> str | None:
    return str(guild.id) if guild is not None else None


def _home_channel_id(channel: Any) -> int:
    """The channel a thread hangs off, or the channel itself."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return channel.parent_id
    return int(getattr(channel, "id", 0))


def _replied_piece(message: discord.Message, my_id: int) -> str | None:
    """The id of our message this message replies to; None for replies to others or no reply."""
    reference = message.reference
    if reference is None or reference.message_id is None:
        return None
    resolved = reference.resolved
    if isinstance(resolved, discord.Message) and resolved.author.id != my_id:
        return None
    return str(reference.message_id)


def _channels_text(channels: frozenset[str] | None) -> str:
    if channels is None:
        return "Bandmate plays in every channel of this server."
    if not channels:
        return "Bandmate plays in no channel here now; run /channels allow in a channel to add it."
    return "Bandmate plays in: " + ", ".join(f"<#{c}>" for c in sorted(channels))
