"""A local fake Discord on 127.0.0.1: REST under /api/v10 and the gateway websocket, for discord.py's client.

Tests drive it like users would (`slash`, `click`, `say`) and read back what the bot posted
(`messages`, `files`, `edits`). It keeps Discord's rules that matter to a bot: the 3 s deadline to
answer an interaction, 15 min interaction tokens, the first follow-up after a "thinking" defer filling
the original response, upload size limits, MESSAGE_CONTENT redaction, zlib-stream gateway compression
and 429s with `retry_after` (see `rate_limit_next`).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .discord_api_payloads import (
    ATTACHMENT_OPTION,
    MESSAGE_CONTENT_INTENT,
    MESSAGE_REPLY,
    command_option_type,
    interaction_payload,
    member_payload,
    message_payload,
)
from .discord_api_rest import DiscordRest
from .discord_api_state import DiscordWorld, FakeInteraction

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 9, 10, 11
SLASH_COMMAND, COMPONENT = 2, 3


@dataclass
class GatewaySession:
    """One open gateway websocket and what the bot identified with."""

    ws: web.WebSocketResponse
    compressor: Any | None  # a zlib stream when the bot asked for compress=zlib-stream
    intents: int = 0
    shard: tuple[int, int] = (0, 1)  # [shard id, shard count] from IDENTIFY
    sequence: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one gateway frame (compressed frames must go out in order, hence the lock)."""
        async with self.lock:
            text = json.dumps(payload)
            if self.compressor is None:
                await self.ws.send_str(text)
            else:
                data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH frame with the next sequence number."""
        self.sequence += 1
        await self.send({"op": OP_DISPATCH, "t": event, "s": self.sequence, "d": data})


class FakeDiscord(DiscordWorld):
    """Discord's REST API and gateway for one bot, one guild and a few users, on a random local port."""

    def __init__(self, *, token: str = "fake-bot-token.not-real", max_upload_bytes: int = 10 * 1024 * 1024):
        super().__init__()
        self.token = token
        self.rest = DiscordRest(self, token, max_upload_bytes)
        self.requests = self.rest.requests
        self.rate_limited = self.rest.rate_limited
        self.identifies: list[dict[str, Any]] = []
        self.resumes = 0
        self.allow_message_content = True  # False: the MESSAGE CONTENT intent is off in the developer portal
        self.heartbeats = 0
        self._session_intents: dict[str, tuple[int, tuple[int, int]]] = {}  # session id → intents, shard: RESUME
        self.sessions: list[GatewaySession] = []
        self._runner: web.AppRunner | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 at a free port."""
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 1024 * 1024)
        app.add_routes([web.get("/gateway", self._gateway), *self.rest.routes()])
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Close every gateway session and stop serving."""
        for session in list(self.sessions):
            await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what users do -----------------------------------------------------------------------

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: str = "alice",
        channel_id: int | None = None,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """A user runs /name with options (a (filename, bytes) pair is an attachment option, served by this
        fake); returns the interaction the bot must answer."""
        files = {key: value for key, value in (options or {}).items() if isinstance(value, tuple)}
        attached = dict(zip(files, self.attachments([(0, *value) for value in files.values()]), strict=True))
        data: dict[str, Any] = {
            "id": str(self.command_id(name)),
            "name": name,
            "type": 1,
            "options": [
                {"name": key, "type": ATTACHMENT_OPTION, "value": attached[key]["id"]} if key in attached else
                {"name": key, "type": command_option_type(value), "value": value}
                for key, value in (options or {}).items()
            ],
        }  # fmt: skip
        if attached:
            data["resolved"] = {"attachments": {a["id"]: a for a in attached.values()}}
        return await self._interact(SLASH_COMMAND, data, user, channel_id or self.channel_id, None, permissions)

    async def click(self, custom_id: str, message_id: int, *, user: str = "alice") -> FakeInteraction:
        """A user presses the button `custom_id` under message `message_id`."""
        message = self.messages[message_id]
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(COMPONENT, data, user, int(message["channel_id"]), message, None)

    async def say(
        self,
        content: str,
        *,
        user: str = "alice",
        channel_id: int | None = None,
        reply_to: int | None = None,
        files: list[tuple[str, bytes]] | None = None,
        mention_bot: bool = False,
        direct: bool = False,
    ) -> dict[str, Any]:
        """A user posts a message (optionally a reply, with files served from this fake, mentioning the bot, or
        `direct`ly to the bot outside the guild); connected bots get MESSAGE_CREATE."""
        author = self.users[user]
        channel = self.dm_channel(user) if direct else channel_id or self.channel_id
        message = message_payload(self.ids.next(), channel, self.guild_id, author, content,
                                  attachments=self.attachments([(i, n, d) for i, (n, d) in enumerate(files or [])]),
                                  mentions=[self.bot_user] if mention_bot else None)  # fmt: skip
        if reply_to is not None:
            referenced = self.messages[reply_to]
            message["type"] = MESSAGE_REPLY
            message["message_reference"] = {
                "message_id": str(reply_to), "channel_id": referenced["channel_id"], "guild_id": str(self.guild_id),
            }  # fmt: skip
            message["referenced_message"] = referenced
            message["mentions"] = [referenced["author"]]  # a reply pings the replied-to author by default
        if direct:
            del message["guild_id"]  # a direct message belongs to no guild and carries no member
        else:
            message["member"] = member_payload(author)
        self.messages[int(message["id"])] = message
        await self.broadcast("MESSAGE_CREATE", message)
        self.notify()
        return message

    def rate_limit_next(
        self, method: str, path_pattern: str, *, retry_after: float = 0.5, times: int = 1, is_global: bool = False
    ) -> None:
        """Make the next `times` requests matching method and path regex answer 429 with `retry_after`."""
        self.rest.rate_limit_next(method, path_pattern, retry_after=retry_after, times=times, is_global=is_global)

    def expire(self, interaction: FakeInteraction) -> None:
        """Make an interaction's token invalid, as it is 15 minutes after the interaction."""
        interaction.expired = True

    async def wait_connected(self, timeout: float = 30.0) -> None:
        """Wait until a bot has identified on the gateway and synced its commands."""
        await self.wait_for(lambda: self.sessions and self.commands, timeout)

    async def drop_connections(self) -> None:
        """Close every gateway session, as Discord does when it restarts a gateway node."""
        for session in list(self.sessions):
            await session.ws.close(code=4000, message=b"Unknown error")

    # --- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compressor = zlib.compressobj() if request.query.get("compress") == "zlib-stream" else None
        session = GatewaySession(ws, compressor)
        await session.send({"op": OP_HELLO, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    await self._on_frame(session, json.loads(frame.data))
        finally:
            if session in self.sessions:
                self.sessions.remove(session)
            self.notify()
        return ws

    async def _on_frame(self, session: GatewaySession, frame: dict[str, Any]) -> None:
        op = frame["op"]
        data: Any = frame.get("d")  # its shape depends on the op: an object for RESUME and IDENTIFY
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await session.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_RESUME:
            known = self._session_intents.get(data["session_id"])
            if data["token"] != self.token or known is None:
                await session.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
                return
            (session.intents, session.shard), session.sequence = known, int(data.get("seq") or 0)
            self.resumes += 1
            await session.dispatch("RESUMED", {})
            self.sessions.append(session)
            self.notify()
        elif op == OP_IDENTIFY:
            if data["token"] != self.token:
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            self.identifies.append({key: value for key, value in data.items() if key != "token"})
            session.intents = int(data.get("intents", 0))
            if session.intents & MESSAGE_CONTENT_INTENT and not self.allow_message_content:
                await session.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            shard_id, shard_count = data.get("shard") or (0, 1)
            session.shard = (int(shard_id), int(shard_count))
            session_id = secrets.token_hex(16)
            self._session_intents[session_id] = (session.intents, session.shard)
            guilds = [{"id": str(self.guild_id), "unavailable": True}] if self._sees(session, self.guild_id) else []
            await session.dispatch("READY", {
                "v": 10, "user": self.bot_user, "session_id": session_id,
                "resume_gateway_url": self.gateway_url, "guilds": guilds,
                "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [],
                "relationships": [], "shard": list(session.shard),
            })  # fmt: skip
            if guilds:
                await session.dispatch("GUILD_CREATE", self.guild())
            self.sessions.append(session)
            self.notify()

    async def broadcast(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to every identified bot, as its intents allow it to see it."""
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        for session in list(self.sessions):
            if not self._sees(session, guild_id):
                continue  # another shard's guild
            payload = data
            if event == "MESSAGE_CREATE" and not session.intents & MESSAGE_CONTENT_INTENT:
                payload = _redacted(data, self.bot_user["id"])
            await session.dispatch(event, payload)

    def _sees(self, session: GatewaySession, guild_id: int | None) -> bool:
        """Whether a session's shard receives a guild's events (direct messages go to shard 0)."""
        shard_id, shard_count = session.shard
        return shard_id == (0 if guild_id is None else self.shard_of(guild_id, shard_count))

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: str,
        channel_id: int,
        message: dict[str, Any] | None,
        permissions: int | None,
    ) -> FakeInteraction:
        author = self.users[user]
        member = member_payload(author) if permissions is None else member_payload(author, permissions=permissions)
        interaction = FakeInteraction(
            id=self.ids.next(), token=secrets.token_urlsafe(32), kind=kind, channel_id=channel_id,
            user_id=int(author["id"]), dispatched_at=time.monotonic(),
            component_message_id=int(message["id"]) if message else None,
        )  # fmt: skip
        self.interactions[interaction.id] = interaction
        payload = interaction_payload(interaction.id, interaction.token, kind, self.application_id, self.guild_id,
                                      self.channels[channel_id], member, data, message)  # fmt: skip
        await self.broadcast("INTERACTION_CREATE", payload)
        return interaction


def _redacted(message: dict[str, Any], bot_id: str) -> dict[str, Any]:
    """What a bot without the MESSAGE_CONTENT intent sees of a message that does not mention it."""
    if message["author"]["id"] == bot_id or any(u["id"] == bot_id for u in message.get("mentions", [])):
        return message
    return {**message, "content": "", "embeds": [], "attachments": [], "components": []}
