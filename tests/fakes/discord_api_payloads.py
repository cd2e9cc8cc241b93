"""Discord wire objects (users, guilds, channels, messages, interactions) as the fake Discord sends them."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

MESSAGE_CONTENT_INTENT = 1 << 15
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Channel types and message types from the API reference.
GUILD_TEXT = 0
PUBLIC_THREAD = 11
DM = 1
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20
ATTACHMENT_OPTION = 11  # an application command option holding an uploaded file

# What @everyone may do in the fake guild: view, send, embed, attach, read history,
# create public threads, send in threads, use application commands.
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 35) | (1 << 38) | (1 << 31)
MANAGE_GUILD = 1 << 5


class Snowflakes:
    """Unique, increasing ids in Discord's format with the current time inside."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        """A fresh id whose timestamp is now."""
        milliseconds = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (milliseconds << 22) | (next(self._counter) & 0x3FFFFF)


def iso_now() -> str:
    """The current time in Discord's ISO-8601 form."""
    return datetime.now(UTC).isoformat()


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.capitalize(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
        "verified": True,
        "mfa_enabled": False,
        "locale": "en-US",
    }


def member_payload(user: dict[str, Any], *, permissions: int = EVERYONE_PERMISSIONS) -> dict[str, Any]:
    """A guild member object (with computed permissions, as interactions carry them)."""
    return {
        "user": user,
        "roles": [],
        "joined_at": iso_now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "permissions": str(permissions),
    }


def dm_channel_payload(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    """A direct-message channel between the bot and one user."""
    return {"id": str(channel_id), "type": DM, "recipients": [recipient], "last_message_id": None}


def text_channel_payload(channel_id: int, guild_id: int, name: str, position: int) -> dict[str, Any]:
    """A guild text channel object."""
    return {
        "id": str(channel_id),
        "type": GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def thread_payload(thread_id: int, guild_id: int, parent_id: int, owner_id: int, name: str) -> dict[str, Any]:
    """A public thread channel object."""
    return {
        "id": str(thread_id),
        "type": PUBLIC_THREAD,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso_now(),
            "locked": False,
        },
    }


def guild_payload(
    guild_id: int,
    name: str,
    owner_id: int,
    channels: list[dict[str, Any]],
    threads: list[dict[str, Any]],
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    """The GUILD_CREATE payload a bot receives after READY."""
    everyone = {
        "id": str(guild_id),
        "name": "@everyone",
        "permissions": str(EVERYONE_PERMISSIONS),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": len(members),
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "unavailable": False,
        "joined_at": iso_now(),
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_id": None,
        "preferred_locale": "en-US",
    }


def message_payload(
    message_id: int,
    channel_id: int,
    guild_id: int,
    author: dict[str, Any],
    content: str,
    *,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    mentions: list[dict[str, Any]] | None = None,
    flags: int = 0,
    message_type: int = MESSAGE_DEFAULT,
) -> dict[str, Any]:
    """A message object."""
    return {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }


def attachment_payload(attachment_id: int, filename: str, size: int, base_url: str) -> dict[str, Any]:
    """An attachment object whose url the fake serves."""
    url = f"{base_url}/attachments/{attachment_id}/{filename}"
    content_type = "audio/mpeg" if filename.endswith(".mp3") else "application/octet-stream"
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
    }


def command_option_type(value: Any) -> int:
    """The application command option type for a Python value."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def interaction_payload(
    interaction_id: int,
    token: str,
    kind: int,
    application_id: int,
    guild_id: int,
    channel: dict[str, Any],
    member: dict[str, Any],
    data: dict[str, Any],
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload (kind 2 = slash command, 3 = component)."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": data,
        "guild_id": str(guild_id),
        "channel": channel,
        "channel_id": channel["id"],
        "member": member,
        "token": token,
        "version": 1,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": str(EVERYONE_PERMISSIONS),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message is not None:
        payload["message"] = message
    return payload
