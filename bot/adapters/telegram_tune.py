"""Tunes sent to the Telegram bot: a voice message, an audio file, a video note or a .mid document,
downloaded into the media folder for the core (the caption, or the command replying to it, is the style)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, Message
from telegram.error import TelegramError

from engine.errors import UserError
from engine.files import atomic_path
from engine.tune.audio_input import MAX_FILE_BYTES

_COMMAND = re.compile(r"^/(compose|tune)(@\w+)?\b", re.IGNORECASE)
_MIDI_TYPES = ("audio/midi", "audio/x-midi", "audio/mid")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file holding a tune, as Telegram describes it."""

    file_id: str
    size: int | None
    suffix: str


def tune_attachment(message: Message | None) -> Attachment | None:
    """The tune file on a message (voice, audio, video note, or an audio or MIDI document), if any."""
    if message is None:
        return None
    if message.voice is not None:
        return Attachment(message.voice.file_id, message.voice.file_size, ".ogg")
    if message.audio is not None:
        name = message.audio.file_name or "audio.mp3"
        return Attachment(message.audio.file_id, message.audio.file_size, Path(name).suffix or ".mp3")
    if message.video_note is not None:
        return Attachment(message.video_note.file_id, message.video_note.file_size, ".mp4")
    document = message.document
    if document is not None:
        suffix = Path(document.file_name or "").suffix.lower()
        mime = document.mime_type or ""
        if suffix in (".mid", ".midi") or mime in _MIDI_TYPES or mime.startswith("audio/"):
            return Attachment(document.file_id, document.file_size, suffix or ".bin")
    return None


def caption_style(caption: str | None) -> str:
    """The style words of a caption: '/compose bossa nova' → 'bossa nova'; plain words as they are."""
    return _COMMAND.sub("", (caption or "").strip()).strip()


def is_tune_caption(caption: str | None) -> bool:
    """Whether a caption asks for a piece (/compose or /tune), so a group message is meant for the bot."""
    return bool(_COMMAND.match((caption or "").strip()))


async def fetch(bot: Bot, attachment: Attachment, folder: Path, name: str) -> Path:
    """Download the file into `folder` (all or nothing); UserError when too big or not downloadable."""
    if attachment.size is not None and attachment.size > MAX_FILE_BYTES:
        raise UserError(f"That file is {attachment.size / 2**20:.0f} MB; send a tune under "
                        f"{MAX_FILE_BYTES // 2**20} MB.")  # fmt: skip
    target = folder / f"{name}{attachment.suffix}"
    try:
        remote = await bot.get_file(attachment.file_id)
        with atomic_path(target) as temp:
            await remote.download_to_drive(temp)
    except TelegramError as exc:
        raise UserError("I couldn't download that file from Telegram; please send it again.") from exc
    return target
