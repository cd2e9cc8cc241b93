"""Bandmate in Telegram (python-telegram-bot v22): thin handlers between updates and the core.

Updates become `Request`s for `Bandmate.handle`; its `Reply` becomes a message. A queued piece's
status message is recorded in the database; the delivery loop has the adapter edit it as the piece
moves on and finish it (also after a restart), and the finished piece is posted as an audio message
with refinement buttons, replying to the request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import BotCommand, InputFile, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    Updater,
    filters,
)

from bot.adapters.telegram_format import (
    CALLBACK_ANSWER_LIMIT_CHARS,
    CAPTION_LIMIT_CHARS,
    COMMAND_MENU,
    COMMANDS,
    MESSAGE_LIMIT_CHARS,
    PLATFORM,
    UPLOAD_LIMIT_BYTES,
    audio_filename,
    command_of,
    fit,
    parse_callback,
    referenced_message_id,
    request_from_button,
    request_from_message,
    result_keyboard,
)
from bot.adapters.telegram_reliability import RetryingRateLimiter, RetryPolicy, install_redaction
from bot.adapters.telegram_tune import caption_style, fetch, is_tune_caption, tune_attachment
from bot.messages import (
    FINAL_STAGES,
    SORRY,
    AdapterError,
    Delivery,
    Posted,
    Progress,
    Reply,
    Request,
    StatusRef,
    with_status_line,
)
from bot.settings import Settings
from engine.errors import ConfigError, UserError

if TYPE_CHECKING:
    from bot.service import Bandmate

log = logging.getLogger("bandmate.telegram")

UNREADABLE = (
    "I can only read text. Start a piece with /compose sad piano ballad, "
    'or reply to one of my pieces with a change like "make it faster".'
)
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "This button no longer works; reply to the piece with what to change."
PERFORMER = "Bandmate"
# Telegram ends a chat action after 5 s or at the next message; progress renews it per stage.
WORKING_ACTION = ChatAction.RECORD_VOICE


class TelegramAdapter:
    """Runs the Telegram bot by long polling and posts pieces back; one per process."""

    platform = PLATFORM

    def __init__(
        self,
        service: Bandmate,
        settings: Settings,
        *,
        poll_timeout_s: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        secret = settings.telegram_bot_token
        token = secret.get_secret_value().strip() if secret is not None else ""
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather (see docs/telegram.md)")
        self._service = service
        self._settings = settings
        self._token = token
        self._poll_timeout_s = poll_timeout_s
        self._retry = retry or RetryPolicy()
        self._application: Application | None = None
        self._stopped = asyncio.Event()
        self._remove_redaction: Callable[[], None] | None = None

    async def start(self) -> None:
        """Connect (getMe), register the command menu and start long polling for updates."""
        if self._settings.telegram_webhook_url is not None and self._settings.telegram_webhook_secret is None:
            raise ConfigError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (letters, digits, _ and -)")
        # Redaction goes first: PTB logs its API URL, token included, as soon as the bot is built.
        self._remove_redaction = install_redaction(self._token)
        application = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(self._settings.telegram_base_url)
            .base_file_url(self._settings.telegram_base_file_url)
            .rate_limiter(RetryingRateLimiter(self._retry))
            .build()
        )
        self._register(application)
        try:
            await application.initialize()
            await application.start()
            assert application.updater is not None
            await self._receive_updates(application.updater)
        except InvalidToken as exc:
            await self._abandon(application)
            raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from @BotFather") from exc
        except TelegramError as exc:
            await self._abandon(application)
            raise ConfigError(f"Cannot reach the Telegram Bot API: {exc.message}") from exc
        self._application = application
        try:
            await application.bot.set_my_commands([BotCommand(name, about) for name, about in COMMAND_MENU])
        except TelegramError as exc:  # the menu is a convenience; the commands work without it
            log.warning("could not set the Telegram command menu: %s", exc.message)
        log.info("Telegram adapter started as @%s", application.bot.username)

    async def _receive_updates(self, updater: Updater) -> None:
        """Long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set (only one poller may read a bot's updates)."""
        wanted = [Update.MESSAGE, Update.CALLBACK_QUERY]
        url = self._settings.telegram_webhook_url
        if url is None:
            await updater.start_polling(
                poll_interval=0.0, timeout=dt.timedelta(seconds=self._poll_timeout_s), allowed_updates=wanted
            )
            return
        secret = self._settings.telegram_webhook_secret
        assert secret is not None  # checked in start, before anything runs
        # setWebhook tells Telegram the URL and the secret; the local server refuses requests without it.
        await updater.start_webhook(
            listen=self._settings.telegram_webhook_listen,
            port=self._settings.telegram_webhook_port,
            url_path=urlsplit(url).path.lstrip("/"),
            webhook_url=url,
            secret_token=secret.get_secret_value(),
            allowed_updates=wanted,
        )

    async def finished(self) -> None:
        """Long polling runs until stopped (network errors are retried), so this returns only after `stop`."""
        await self._stopped.wait()

    async def stop(self) -> None:
        """Stop polling (confirming fetched updates to Telegram) and close the connection."""
        self._stopped.set()
        application, self._application = self._application, None
        if application is not None:
            await self._abandon(application)
        elif self._remove_redaction is not None:
            self._remove_redaction()
            self._remove_redaction = None

    async def _abandon(self, application: Application) -> None:
        """Take down whatever part of `application` got running, then stop redacting."""
        try:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
        finally:
            if self._remove_redaction is not None:
                self._remove_redaction()
                self._remove_redaction = None

    def _register(self, application: Application) -> None:
        new_messages = filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler(list(COMMANDS), self._on_command, filters=new_messages))
        application.add_handler(MessageHandler(new_messages & filters.COMMAND, self._on_unknown_command))
        application.add_handler(MessageHandler(new_messages & filters.TEXT, self._on_text))
        tunes = filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.Document.ALL
        application.add_handler(MessageHandler(new_messages & tunes, self._on_tune))
        application.add_handler(MessageHandler(new_messages & ~filters.StatusUpdate.ALL, self._on_unreadable))
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_error_handler(self._on_error)

    # --- updates -> requests ----------------------------------------------------------------------

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        parsed = command_of(message) if message is not None else None
        if message is None or parsed is None:
            return
        command, text = parsed
        request = request_from_message(message, command, text)
        replied = message.reply_to_message
        if command == "compose" and replied is not None and tune_attachment(replied) is not None:
            await self._answer_tune(message, replied, request)  # "/compose jazz" on a voice note
            return
        await self._answer(message, request)

    async def _on_tune(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or tune_attachment(message) is None:
            if message is not None and _addressed_to_bot(message, context.bot.id):
                await self._post(message.chat.id, message.message_id, _thread_of(message), UNREADABLE)
            return
        if not (_addressed_to_bot(message, context.bot.id) or is_tune_caption(message.caption)):
            return
        request = request_from_message(message, "compose", caption_style(message.caption))
        await self._answer_tune(message, message, request)

    async def _answer_tune(self, message: Message, holder: Message, request: Request) -> None:
        """Download the tune on `holder`, hand it to the core with the request, then let the file go."""
        attachment = tune_attachment(holder)
        assert attachment is not None
        folder = self._settings.media_dir / "uploads"
        try:
            path = await fetch(self._bot(), attachment, folder, f"{holder.chat.id}-{holder.message_id}")
        except UserError as exc:
            await self._post(message.chat.id, message.message_id, _thread_of(message), exc.message)
            return
        try:
            await self._answer(message, replace(request, tune_file=path))
        finally:
            path.unlink(missing_ok=True)

    async def _on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # In groups other bots' commands go by; only a private chat is surely talking to us.
        message = update.message
        if message is not None and message.chat.type == ChatType.PRIVATE:
            await self._post(message.chat.id, message.message_id, _thread_of(message), UNKNOWN_COMMAND)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not _addressed_to_bot(message, context.bot.id):
            return
        await self._answer(message, request_from_message(message, None, message.text or ""))

    async def _on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is not None and _addressed_to_bot(message, context.bot.id):
            await self._post(message.chat.id, message.message_id, _thread_of(message), UNREADABLE)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        parsed = parse_callback(query.data)
        message = query.message
        if parsed is None or not isinstance(message, Message):
            await query.answer(STALE_BUTTON)
            return
        action, composition_id = parsed
        # Answer at once so the button stops spinning; the real reply follows as a message.
        await query.answer(fit(f"{action.label}…", CALLBACK_ANSWER_LIMIT_CHARS))
        await self._answer(message, request_from_button(query, message, action, composition_id))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("handling a Telegram update failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_message is not None:
            message = update.effective_message
            try:
                await self._post(message.chat.id, message.message_id, _thread_of(message), SORRY)
            except TelegramError:
                log.warning("could not tell chat %s about the failure", message.chat.id)

    async def _answer(self, message: Message, request: Request) -> None:
        """Ask the core and post its reply under `message` (the request, or the piece a button sits on)."""
        try:
            reply = await self._service.handle(request)
        except UserError as exc:  # the core answers mistakes as replies; this is belt and braces
            reply = Reply(exc.message)
        thread = _thread_of(message)
        if reply.file is not None:
            await self._post_file(message.chat.id, message.message_id, thread, reply.file, reply.text)
            return
        if not reply.text:
            return
        sent = await self._post(message.chat.id, message.message_id, thread, reply.text)
        if reply.job_id is not None:  # the delivery loop moves it forward and finishes it, even after a restart
            await self._service.store.statuses.record(reply.job_id, PLATFORM, str(message.chat.id),
                                                      str(sent.message_id), reply.text, request.message_id)  # fmt: skip

    # --- Sink: progress and delivery --------------------------------------------------------------

    async def progress(self, update: Progress) -> None:
        """Show the chat that Bandmate is working, and edit the status messages to the piece's step."""
        bot = self._bot()
        if update.step.stage not in FINAL_STAGES:
            chat_id, thread = int(update.origin.chat_id), _int_or_none(update.origin.thread_id)
            try:
                await bot.send_chat_action(chat_id, WORKING_ACTION, message_thread_id=thread)
            except TelegramError as exc:
                log.info("chat action for job %s failed: %s", update.job_id, exc.message)
        for status in update.statuses:
            await self._edit_status(status, update.text())

    async def deliver(self, delivery: Delivery) -> Posted:
        """Post the piece as audio (or its error) replying to the request; a jam's final files follow as extras."""
        bot = self._bot()
        chat_id, thread = int(delivery.origin.chat_id), _int_or_none(delivery.origin.thread_id)
        reply_to = referenced_message_id(delivery.reply_to_message_id)
        try:
            if delivery.error is not None or delivery.mp3_path is None:
                error = delivery.error or "the audio is missing"
                sent = await self._post(chat_id, reply_to, thread, f"⚠️ v{delivery.version}: {error}")
            else:
                sent = await self._post_audio(bot, delivery, delivery.mp3_path, chat_id, reply_to, thread)
        except Forbidden as exc:  # blocked or removed from the group: nobody to deliver to
            log.warning("cannot post job %s to chat %s: %s", delivery.job_id, chat_id, exc.message)
            return Posted(None)
        stems, midi = delivery.stems_path, delivery.midi_path
        if not sent.audio or stems is None or midi is None:
            return Posted(str(sent.message_id))

        async def final_files() -> None:  # a jam's final mix: the stems and the MIDI under it
            for path, caption in ((stems, "Stems: one MP3 per part"), (midi, "MIDI")):
                await self._post_file(chat_id, sent.message_id, thread, path, caption)

        return Posted(str(sent.message_id), final_files)

    async def _post_audio(
        self, bot: ExtBot, delivery: Delivery, mp3: Path, chat_id: int, reply_to: int | None, thread: int | None
    ) -> Message:
        try:
            data = await asyncio.to_thread(mp3.read_bytes)
        except OSError as exc:
            log.error("audio of job %s is unreadable: %s", delivery.job_id, exc)
            return await self._post(chat_id, reply_to, thread, f"⚠️ v{delivery.version}: the audio file is missing.")
        if len(data) > UPLOAD_LIMIT_BYTES:
            megabytes = len(data) / 1024 / 1024
            return await self._post(
                chat_id,
                reply_to,
                thread,
                (
                    f"⚠️ v{delivery.version} came out at {megabytes:.0f} MB, over Telegram's 50 MB limit "
                    "for bots. Ask for a shorter piece."
                ),
            )
        return await bot.send_audio(
            chat_id,
            InputFile(data, filename=audio_filename(delivery.title, delivery.version)),
            duration=max(1, round(delivery.duration_s)),
            performer=PERFORMER,
            title=fit(delivery.title, 64),
            caption=fit(delivery.caption, CAPTION_LIMIT_CHARS),
            reply_parameters=_reply_to(reply_to),
            reply_markup=result_keyboard(delivery.composition_id, delivery.offer, delivery.choice),
            message_thread_id=thread,
        )

    # --- sending ----------------------------------------------------------------------------------

    async def _post(self, chat_id: int, reply_to: int | None, thread: int | None, text: str) -> Message:
        return await self._bot().send_message(
            chat_id, fit(text, MESSAGE_LIMIT_CHARS), reply_parameters=_reply_to(reply_to), message_thread_id=thread
        )

    async def _post_file(self, chat_id: int, reply_to: int, thread: int | None, path: Path, caption: str) -> None:
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError:
            log.error("file %s asked for in chat %s is unreadable", path, chat_id)
            await self._post(chat_id, reply_to, thread, "Sorry, that file is not available any more.")
            return
        await self._bot().send_document(
            chat_id,
            InputFile(data, filename=path.name),
            caption=fit(caption, CAPTION_LIMIT_CHARS) or None,
            reply_parameters=_reply_to(reply_to),
            message_thread_id=thread,
        )

    async def _edit_status(self, status: StatusRef, line: str) -> None:
        text = fit(with_status_line(status.text, line), MESSAGE_LIMIT_CHARS)
        try:
            await self._bot().edit_message_text(text, chat_id=int(status.chat_id), message_id=int(status.message_id))
        except TelegramError as exc:  # a status line is cosmetic; never fail a delivery over it
            log.info("status message %s not edited: %s", status.message_id, exc.message)

    def _bot(self) -> ExtBot:
        if self._application is None:
            raise AdapterError("the Telegram adapter is not running")
        return self._application.bot


def _addressed_to_bot(message: Message, bot_id: int) -> bool:
    """In a private chat everything is for the bot; in a group only replies to its own messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    # The request may have been deleted meanwhile; the piece is posted anyway.
    return ReplyParameters(message_id, allow_sending_without_reply=True) if message_id is not None else None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None
