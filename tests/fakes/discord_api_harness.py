"""Running Bandmate's Discord adapter against the fake Discord, and reading pieces back out of it."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import AsyncIterator
from typing import Any

from mutagen.mp3 import MP3

from bot.adapters.discord import DiscordAdapter
from bot.app import Runtime, serving

from .discord_api import FakeDiscord
from .discord_api_state import FakeInteraction

EPHEMERAL = 1 << 6


@contextlib.asynccontextmanager
async def bandmate_on_discord(runtime: Runtime, **adapter_options: Any) -> AsyncIterator[DiscordAdapter]:
    """The Discord adapter plus a delivery loop over the runtime's database, as `bandmate run` wires them."""
    adapter = DiscordAdapter(runtime.service, runtime.settings, **adapter_options)
    async with serving(runtime, [adapter]):
        yield adapter


def has_mp3(message: dict[str, Any] | None) -> bool:
    """True when the message carries an MP3 attachment."""
    return message is not None and any(a["filename"].endswith(".mp3") for a in message["attachments"])


def answer_of(fake: FakeDiscord, interaction: FakeInteraction) -> dict[str, Any] | None:
    """The message that answers an interaction (its deferred response), once it exists."""
    if interaction.original_message_id is None:
        return None
    return fake.messages.get(interaction.original_message_id)


def private_answer_of(fake: FakeDiscord, interaction: FakeInteraction) -> dict[str, Any] | None:
    """The ephemeral follow-up (seen only by whoever asked) that answers an interaction, once it exists."""
    return next((m for m in fake.messages.values() if m.get("interaction_metadata", {}).get("id") == str(interaction.id)
                 and int(m["flags"]) & EPHEMERAL), None)  # fmt: skip


def piece_of(fake: FakeDiscord, interaction: FakeInteraction) -> dict[str, Any] | None:
    """The interaction's answer once it has become a piece (MP3 attached)."""
    message = answer_of(fake, interaction)
    return message if has_mp3(message) else None


async def wait_piece(fake: FakeDiscord, interaction: FakeInteraction, timeout: float = 90.0) -> dict[str, Any]:
    """Wait for the interaction's answer to become a piece."""
    return await fake.wait_for(lambda: piece_of(fake, interaction), timeout)


def mp3_of(fake: FakeDiscord, message: dict[str, Any]) -> bytes:
    """The MP3 bytes attached to a message."""
    attachment = next(a for a in message["attachments"] if a["filename"].endswith(".mp3"))
    return fake.attachment_bytes(attachment)


def mp3_seconds(data: bytes) -> float:
    """The playing time of MP3 bytes."""
    return float(MP3(fileobj=io.BytesIO(data)).info.length)  # type: ignore[attr-defined]  # mutagen declares FileType.info as None; loading sets it


def caption(message: dict[str, Any]) -> str:
    """The understood spec the piece's embed shows."""
    return str(message["embeds"][0]["description"])


def bpm(message: dict[str, Any]) -> int:
    """The tempo the piece's embed states."""
    found = re.search(r"(\d+) bpm", caption(message))
    assert found, f"no tempo in {caption(message)!r}"
    return int(found.group(1))


def button_ids(message: dict[str, Any]) -> dict[str, str]:
    """The buttons under a message: label → custom id."""
    return {
        button["label"]: button["custom_id"]
        for row in message.get("components", [])
        for button in row.get("components", [])
    }


def footer(message: dict[str, Any]) -> str:
    """The embed footer (it names the version)."""
    return str(message["embeds"][0]["footer"]["text"])
