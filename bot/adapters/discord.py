"""The Discord adapter: slash commands, replies, thread messages and buttons in; status, pieces and errors out.

Every handler is thin: it answers Discord at once (defer), turns the event into a `Request`, and shows
the core's `Reply`; a refusal (a mistake the user can fix) is shown to that user only. A queued piece's
status message is recorded in the database (and, while its interaction token lasts, kept in memory with
its webhook), so the delivery loop has it edited as the piece moves on and finished, also after a
restart. Delivery turns the request's status message into the piece and then pings the requester (an
edit does not notify); when it cannot be edited, the piece is posted afresh with a mention.

Anyone in the channel may press the buttons under anyone's piece: a press makes a new version (the
original stays as it is), credited to and rate-limited for whoever pressed, and answered to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import discord

from bot.adapters.discord_client import BandmateClient, ChannelAction, use_api_base
from bot.adapters.discord_media import UPLOAD_LIMIT_BYTES
from bot.adapters.discord_outbox import Outbox, StatusMessage
from bot.adapters.discord_policy import ChannelPolicy, SlidingWindowLimit, parse_channel_ids
from bot.adapters.discord_tune import asks_to_compose, fetch, style_words, tune_attachment
from bot.adapters.discord_ui import MESSAGE_LIMIT, Action, clip
from bot.messages import COSTLY, SORRY, AdapterError, Command, Delivery, Origin, Posted, Progress, Reply, Request
from bot.service import Bandmate
from bot.settings import Settings
from engine.errors import ConfigError, UserError

log = logging.getLogger("bandmate.discord")

BUTTON_REQUESTS: dict[Action, tuple[Command, str]] = {
    "faster": ("refine", "faster"), "slower": ("refine", "slower"), "longer": ("refine", "longer"),
    "variation": ("variation", ""), "midi": ("midi", ""), "picka": ("jam", "pick A"), "pickb": ("jam", "pick B"),
}  # fmt: skip


class DiscordAdapter:
    """Bandmate on Discord through discord.py; a Sink for the delivery loop."""

    platform = "discord"

    def __init__(
        self,
        service: Bandmate,
        settings: Settings,
        *,
        upload_limit_bytes: int = UPLOAD_LIMIT_BYTES,
        open_threads: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        connect_timeout_s: float = 60.0,
    ) -> None:
        self.service = service
        self.settings = settings
        self.policy = ChannelPolicy(service.store, parse_channel_ids(settings.discord_allowed_channels))
        self.guild_limit = SlidingWindowLimit(settings.discord_guild_requests_per_minute)
        self.upload_limit_bytes = upload_limit_bytes
        self.open_threads = open_threads
        self.clock = clock
        self.connect_timeout_s = connect_timeout_s
        self._ended = asyncio.Event()  # set if the connection ends for good while running
        self.client: BandmateClient | None = None
        self._runner: asyncio.Task[None] | None = None
        self.outbox: Outbox | None = None
        self._warned_no_content = False

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, sync slash commands and connect; returns once Discord reports ready."""
        secret = self.settings.discord_bot_token
        if secret is None or not secret.get_secret_value().strip():
            raise ConfigError("DISCORD_BOT_TOKEN is not set")
        shard_count, shard_ids = self.settings.shards()
        use_api_base(self.settings.discord_api_base)
        client = BandmateClient(self, application_id=self.settings.discord_application_id,
                                custom_api=bool(self.settings.discord_api_base),
                                prompt_max_chars=self.settings.max_prompt_chars,
                                shard_count=shard_count, shard_ids=shard_ids)  # fmt: skip
        self.client = client
        self.outbox = Outbox(client, self.upload_limit_bytes, self.open_threads, self.clock)
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
        except Exception:
            log.exception("the Discord connection ended")
            raise
        finally:
            self._ended.set()

    async def finished(self) -> None:
        """Return once the connection to Discord has ended for good."""
        await self._ended.wait()

    async def stop(self) -> None:
        """Disconnect; pieces still being made are delivered by whoever runs next."""
        if self.client is not None:
            await self.client.close()
        if self._runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._runner
        self._ended.clear()

    # --- events in ---------------------------------------------------------------------------

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Load the server's channel list before its first request arrives."""
        await self.policy.load(str(guild.id))

    async def on_compose(
        self,
        interaction: discord.Interaction,
        prompt: str,
        duration: int | None,
        seed: int | None,
        tune: discord.Attachment | None = None,
    ) -> None:
        """/compose prompt [duration] [seed] [tune]."""
        text = prompt if duration is None else f"{prompt}, {duration} seconds"
        await self._interaction_request(interaction, "compose", text, seed=seed, tune=tune)

    async def on_command(self, interaction: discord.Interaction, command: Command) -> None:
        """/history, /undo, /help."""
        await self._interaction_request(interaction, command, "")

    async def on_jam(self, interaction: discord.Interaction, text: str) -> None:
        """/jam start <idea> | status | vote | pick A | undo | mix | end | <a change>."""
        await self._interaction_request(interaction, "jam", text)

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
        tune = tune_attachment(message.attachments)
        # In a server a file is for the bot only when the message says so; a direct message is always for it,
        # and a Discord voice message can carry no words at all.
        meant = (
            message.guild is None or any(u.id == me.id for u in message.mentions) or asks_to_compose(message.content)
        )
        if tune is not None and meant:
            await self._on_tune_message(message, tune)
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
        status = self._track(str(message.id), StatusMessage(channel_id=channel.id))
        async with status.lock:
            reply = await self._handle(request)
            posted = await message.reply(clip(reply.text, MESSAGE_LIMIT), mention_author=False, file=_file(reply))
            await self._remember(status, request, reply, posted.id)

    async def _on_tune_message(self, message: discord.Message, tune: discord.Attachment) -> None:
        """A tune dropped with "compose bossa nova" (or with a mention): arranged in the style its words ask."""
        if refusal := self._guild_refusal(message.guild, "compose"):
            await message.reply(refusal, mention_author=False)
            return
        request = Request(self._origin(message.author, message.channel), "compose", style_words(message.content),
                          message_id=str(message.id))  # fmt: skip
        status = self._track(str(message.id), StatusMessage(channel_id=message.channel.id))
        async with status.lock:
            reply = await self._handle_tune(request, tune)
            posted = await message.reply(clip(reply.text, MESSAGE_LIMIT), mention_author=False, file=_file(reply))
            await self._remember(status, request, reply, posted.id)

    async def _handle_tune(self, request: Request, tune: discord.Attachment) -> Reply:
        """Download the tune, hand it to the core with the request, then let the file go."""
        try:
            path = await fetch(tune, self.settings.media_dir / "uploads", f"discord-{request.message_id}")
        except UserError as exc:
            return Reply(exc.message, refusal=True)
        try:
            return await self._handle(replace(request, tune_file=path))
        finally:
            path.unlink(missing_ok=True)

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
        self,
        interaction: discord.Interaction,
        command: Command,
        text: str,
        *,
        seed: int | None = None,
        composition_id: int | None = None,
        tune: discord.Attachment | None = None,
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
                               token_born=interaction.created_at, opens_thread=command == "compose")  # fmt: skip
        self._track(key, status)
        async with status.lock:
            reply = await (self._handle(request) if tune is None else self._handle_tune(request, tune))
            if reply.refusal:  # only the one who asked sees it: the public "thinking…" answer goes away
                await self._refuse_privately(interaction, reply.text)
                self._forget(key)
                return
            posted = await interaction.followup.send(clip(reply.text, MESSAGE_LIMIT), file=_file(reply), wait=True)
            await self._remember(status, request, reply, posted.id)

    async def _handle(self, request: Request) -> Reply:
        try:
            return await self.service.handle(request)
        except Exception:  # the user still gets an answer; the details go to the log
            log.exception("handling a Discord %s failed", request.command or "message")
            return Reply(SORRY)

    def _track(self, key: str, status: StatusMessage) -> StatusMessage:
        # Tracked before the core queues the job, so progress and delivery can never miss it.
        if self.outbox is not None:
            self.outbox.statuses[key] = status
        return status

    async def _refuse_privately(self, interaction: discord.Interaction, text: str) -> None:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:  # then the refusal shows where the "thinking…" was
            log.info("could not remove the deferred answer: %s", exc)
        await interaction.followup.send(clip(text, MESSAGE_LIMIT), ephemeral=True)

    def _forget(self, key: str) -> None:
        if self.outbox is not None:
            self.outbox.statuses.pop(key, None)

    async def _remember(self, status: StatusMessage, request: Request, reply: Reply, message_id: int) -> None:
        key = request.message_id or ""
        if reply.job_id is None:
            self._forget(key)
            return
        status.message_id = message_id
        await self.service.store.statuses.record(reply.job_id, self.platform, str(status.channel_id),
                                                 str(message_id), reply.text, key)  # fmt: skip

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
        try:
            async for earlier in thread.history(limit=50):
                if me and earlier.author.id == me.id and any(a.filename.endswith(".mp3") for a in earlier.attachments):
                    return str(earlier.id)
        except discord.HTTPException as exc:  # no Read Message History: the thread's own piece still works
            log.warning("cannot read thread %s: %s", thread.id, exc)
        return str(thread.id)  # a thread opened on a piece has that piece's message id

    def _warn_no_content(self) -> None:
        if not self._warned_no_content:
            self._warned_no_content = True
            log.warning("a reply to a piece arrived without text: is MESSAGE CONTENT INTENT enabled?")

    # --- Sink: progress and pieces out -------------------------------------------------------

    async def progress(self, update: Progress) -> None:
        """Edit the status message with the stage or queue position."""
        if self.outbox is not None:
            await self.outbox.progress(update)

    async def deliver(self, delivery: Delivery) -> Posted:
        """Turn the status message into the piece (or post it afresh); then a thread and a ping as extras."""
        if self.outbox is None:
            raise AdapterError("the Discord adapter is not started")
        return await self.outbox.deliver(delivery)


def _file(reply: Reply) -> discord.File | Any:
    return discord.File(reply.file) if reply.file is not None else discord.utils.MISSING


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
