"""Tunes dropped in a Discord channel: an audio file, a voice message or a .mid attachment, downloaded into
the media folder for the core (the message's words, less a mention and "compose", are the style)."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from engine.errors import UserError
from engine.files import write_bytes_atomic
from engine.tune.audio_input import MAX_FILE_BYTES

_COMMAND = re.compile(r"^/?compose\b", re.IGNORECASE)
_MENTION = re.compile(r"<@!?\d+>")
_TUNE_SUFFIXES = (".mid", ".midi", ".wav", ".ogg", ".opus", ".mp3", ".m4a", ".flac", ".webm", ".mp4")


def tune_attachment(attachments: list[discord.Attachment]) -> discord.Attachment | None:
    """The first attachment holding a tune (audio by its type or name, a voice message, or a MIDI file)."""
    for attachment in attachments:
        suffix = Path(attachment.filename).suffix.lower()
        if attachment.is_voice_message() or suffix in _TUNE_SUFFIXES:
            return attachment
        if (attachment.content_type or "").startswith("audio/"):
            return attachment
    return None


def style_words(content: str) -> str:
    """The style words of a message: '@Bandmate compose bossa nova' → 'bossa nova'."""
    return _COMMAND.sub("", _MENTION.sub("", content).strip()).strip()


def asks_to_compose(content: str) -> bool:
    """Whether a message's words start with "compose" or "/compose", so a dropped file is meant for the bot."""
    return bool(_COMMAND.match(content.strip()))


async def fetch(attachment: discord.Attachment, folder: Path, name: str) -> Path:
    """Download the attachment into `folder` (all or nothing); UserError when too big or not downloadable."""
    if attachment.size > MAX_FILE_BYTES:
        raise UserError(f"That file is {attachment.size / 2**20:.0f} MB; send a tune under "
                        f"{MAX_FILE_BYTES // 2**20} MB.")  # fmt: skip
    suffix = Path(attachment.filename).suffix.lower() or ".bin"
    try:
        data = await attachment.read()
    except discord.HTTPException as exc:
        raise UserError("I couldn't download that file from Discord; please send it again.") from exc
    target = folder / f"{name}{suffix}"
    write_bytes_atomic(target, data)
    return target
