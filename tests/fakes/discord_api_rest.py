"""The fake Discord's REST API under /api/v10: the routes discord.py calls for a bot like Bandmate."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .discord_api_payloads import FLAG_LOADING, thread_payload
from .discord_api_state import DiscordWorld, FakeInteraction, Upload

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
INTERACTION_DEADLINE_S = 3.0
TOKEN_LIFETIME_S = 15 * 60


@dataclass
class RateLimitRule:
    """Answer the next `times` matching requests with 429."""

    method: str
    path_pattern: str
    retry_after: float
    times: int
    is_global: bool = False


class DiscordRest:
    """Request handlers over a DiscordWorld, with a bot token check and injectable 429s."""

    def __init__(self, world: DiscordWorld, token: str, max_upload_bytes: int) -> None:
        self.world = world
        self.token = token
        self.max_upload_bytes = max_upload_bytes
        self.requests: list[tuple[str, str, int]] = []
        self.rate_limited: list[tuple[str, str]] = []
        self._rules: list[RateLimitRule] = []
        self.thread_answer: dict[str, Any] | None = None  # answer thread creation with this instead of a channel

    def rate_limit_next(
        self, method: str, path_pattern: str, *, retry_after: float = 0.5, times: int = 1, is_global: bool = False
    ) -> None:
        """Make the next `times` requests matching method and regex answer 429 with `retry_after`."""
        self._rules.append(RateLimitRule(method, path_pattern, retry_after, times, is_global))

    def routes(self) -> list[web.RouteDef]:
        api = "/api/v10"
        return [
            web.get("/attachments/{attachment}/{filename}", self._attachment),
            web.get(api + "/gateway/bot", self._gateway_bot),
            web.get(api + "/gateway", self._gateway_bot),
            web.get(api + "/users/@me", self._me),
            web.get(api + "/oauth2/applications/@me", self._application),
            web.put(api + "/applications/{app}/commands", self._sync_commands),
            web.put(api + "/applications/{app}/guilds/{guild}/commands", self._sync_commands),
            web.post(api + "/interactions/{interaction}/{token}/callback", self._callback),
            web.post(api + "/webhooks/{app}/{token}", self._followup),
            web.get(api + "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message),
            web.patch(api + "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message),
            web.delete(api + "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message),
            web.get(api + "/channels/{channel}", self._get_channel),
            web.get(api + "/channels/{channel}/messages", self._history),
            web.post(api + "/channels/{channel}/messages", self._create_message),
            web.get(api + "/channels/{channel}/messages/{message}", self._get_message),
            web.patch(api + "/channels/{channel}/messages/{message}", self._edit_channel_message),
            web.post(api + "/channels/{channel}/messages/{message}/threads", self._start_thread),
        ]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        for rule in self._rules:
            if rule.times > 0 and rule.method == request.method and re.search(rule.path_pattern, path):
                rule.times -= 1
                self.rate_limited.append((request.method, path))
                self.requests.append((request.method, path, 429))
                return _too_many_requests(rule)
        bot_route = path.startswith("/api/") and not path.startswith(("/api/v10/webhooks", "/api/v10/interactions"))
        if bot_route and request.headers.get("Authorization") != f"Bot {self.token}":
            response: web.StreamResponse = _error(401, 0, "401: Unauthorized")
        else:
            response = await handler(request)
        self.requests.append((request.method, path, response.status))
        self.world.notify()
        return response

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json(
            {"url": self.world.gateway_url, "shards": self.world.recommended_shards, "session_start_limit": limit}
        )

    async def _me(self, request: web.Request) -> web.Response:
        return _json(self.world.bot_user)

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.world.application_id),
                "name": "Bandmate",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.world.users["carol"],
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
            }
        )

    async def _sync_commands(self, request: web.Request) -> web.Response:
        if request.match_info["app"] != str(self.world.application_id):
            return _error(403, 50001, "Missing Access")
        submitted = await request.json()
        world = self.world
        world.commands = [
            {
                **command,
                "id": str(world.command_id(command["name"])),
                "application_id": str(world.application_id),
                "version": str(world.ids.next()),
            }
            for command in submitted
        ]
        return _json(self.world.commands)

    async def _callback(self, request: web.Request) -> web.Response:
        interaction = self.world.interactions.get(int(request.match_info["interaction"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            return _error(404, 10062, "Unknown interaction")
        elapsed = time.monotonic() - interaction.dispatched_at
        if elapsed > INTERACTION_DEADLINE_S:
            return _error(404, 10062, "Unknown interaction")
        if interaction.response_type is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body, files = await _read_body(request)
        kind, data = body["type"], body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            message = self.world.post(interaction.channel_id, data, files, interaction=interaction)
            interaction.original_message_id = int(message["id"])
            resource["message"] = message
        elif kind == 5:
            placeholder = self.world.post(
                interaction.channel_id, {"flags": FLAG_LOADING | data.get("flags", 0)}, [], interaction=interaction
            )
            interaction.original_message_id = int(placeholder["id"])
            interaction.loading = True
        elif kind in (6, 7):
            interaction.original_message_id = interaction.component_message_id
            if kind == 7 and interaction.component_message_id is not None:
                component_message = self.world.messages[interaction.component_message_id]
                resource["message"] = self.world.edit(component_message, data, files)
        interaction.response_type, interaction.answered_after_s = kind, elapsed
        answer = {
            "id": str(interaction.id),
            "type": interaction.kind,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
        }
        if interaction.original_message_id is not None:
            answer["response_message_id"] = str(interaction.original_message_id)
        return _json({"interaction": answer, "resource": resource})

    def _interaction_for_webhook(self, request: web.Request) -> FakeInteraction | web.Response:
        token = request.match_info["token"]
        interaction = self.world.interaction_by_token(token)
        if interaction is None or request.match_info["app"] != str(self.world.application_id):
            return _error(404, 10015, "Unknown Webhook")
        if interaction.expired or time.monotonic() - interaction.dispatched_at > TOKEN_LIFETIME_S:
            return _error(401, 50027, "Invalid Webhook Token")
        if interaction.response_type is None:
            return _error(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_webhook(request)
        if isinstance(interaction, web.Response):
            return interaction
        body, files = await _read_body(request)
        if too_big := self._oversized(files):
            return too_big
        if interaction.loading and interaction.original_message_id is not None:
            # After a "thinking" defer, Discord turns the first follow-up into the original response.
            interaction.loading = False
            original = self.world.messages[interaction.original_message_id]
            original["flags"] = int(original["flags"]) & ~FLAG_LOADING
            return _json(self.world.edit(original, body, files))
        return _json(self.world.post(interaction.channel_id, body, files, interaction=interaction))

    def _webhook_message(self, request: web.Request) -> dict[str, Any] | web.Response:
        interaction = self._interaction_for_webhook(request)
        if isinstance(interaction, web.Response):
            return interaction
        key = request.match_info["message"]
        message_id = interaction.original_message_id if key == "@original" else int(key)
        message = self.world.messages.get(message_id or 0)
        if message is None or message.get("interaction_metadata", {}).get("id") != str(interaction.id):
            return _error(404, 10008, "Unknown Message")
        return message

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        return message if isinstance(message, web.Response) else _json(message)

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if isinstance(message, web.Response):
            return message
        body, files = await _read_body(request)
        if too_big := self._oversized(files):
            return too_big
        return _json(self.world.edit(message, body, files))

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request)
        if isinstance(message, web.Response):
            return message
        interaction = self._interaction_for_webhook(request)
        assert not isinstance(interaction, web.Response)
        message_id = int(message["id"])
        del self.world.messages[message_id]
        self.world.deleted.append(message_id)
        if interaction.original_message_id == message_id:  # the next follow-up is a message of its own
            interaction.loading = False
        await self.world.broadcast("MESSAGE_DELETE", {"id": str(message_id), "channel_id": message["channel_id"],
                                                      "guild_id": str(self.world.guild_id)})  # fmt: skip
        return web.Response(status=204)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self.world.channels.get(int(request.match_info["channel"]))
        return _json(channel) if channel else _error(404, 10003, "Unknown Channel")

    async def _history(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.world.channels:
            return _error(404, 10003, "Unknown Channel")
        before = int(request.query.get("before", 1 << 63))
        limit = int(request.query.get("limit", 50))
        newest_first = sorted(
            (m for m in self.world.messages_in(channel_id) if int(m["id"]) < before),
            key=lambda m: int(m["id"]),
            reverse=True,
        )
        return _json(newest_first[:limit])

    async def _create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.world.channels:
            return _error(404, 10003, "Unknown Channel")
        body, files = await _read_body(request)
        if too_big := self._oversized(files):
            return too_big
        reference = body.get("message_reference")
        if reference and int(reference["message_id"]) not in self.world.messages:
            if reference.get("fail_if_not_exists", True):
                return _error(400, 50035, "Invalid Form Body: Unknown message")
            body = {k: v for k, v in body.items() if k != "message_reference"}
        return _json(self.world.post(channel_id, body, files))

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.world.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return _error(404, 10008, "Unknown Message")
        return _json(message)

    async def _edit_channel_message(self, request: web.Request) -> web.Response:
        message = self.world.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.world.bot_user["id"]:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        body, files = await _read_body(request)
        if too_big := self._oversized(files):
            return too_big
        return _json(self.world.edit(message, body, files))

    async def _start_thread(self, request: web.Request) -> web.Response:
        if self.thread_answer is not None:  # a test's odd answer, e.g. {} instead of a channel
            return _json(self.thread_answer, status=201)
        channel_id, message_id = int(request.match_info["channel"]), int(request.match_info["message"])
        message = self.world.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return _error(404, 10008, "Unknown Message")
        if message_id in self.world.channels:
            return _error(400, 160004, "A thread has already been created for this message")
        body = await request.json()
        owner = int(self.world.bot_user["id"])
        thread = thread_payload(message_id, self.world.guild_id, channel_id, owner, body["name"])
        self.world.channels[message_id] = thread
        await self.world.broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, status=201)

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.world.files.get(int(request.match_info["attachment"]))
        return web.Response(body=data) if data is not None else _error(404, 0, "Not found")

    def _oversized(self, files: list[Upload]) -> web.Response | None:
        if sum(len(data) for _, _, data in files) > self.max_upload_bytes:
            return _error(413, 40005, "Request entity too large")
        return None


async def _read_body(request: web.Request) -> tuple[dict[str, Any], list[Upload]]:
    """The JSON payload and the uploaded files (index, filename, bytes) of a request."""
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        return (json.loads(raw) if raw else {}), []
    payload: dict[str, Any] = {}
    files: list[Upload] = []
    reader = await request.multipart()
    async for part in reader:
        name = part.name or ""  # type: ignore[union-attr]
        data = await part.read()  # type: ignore[union-attr]
        if name == "payload_json":
            payload = json.loads(data)
        elif match := re.fullmatch(r"files\[(\d+)\]", name):
            files.append((int(match.group(1)), part.filename or "file", bytes(data)))  # type: ignore[union-attr]
    return payload, files


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer whose Content-Type is exactly application/json, as discord.py checks it."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={**(headers or {}), "Content-Type": "application/json"}
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status=status)


def _too_many_requests(rule: RateLimitRule) -> web.Response:
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, round(rule.retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": str(rule.retry_after),
        "X-RateLimit-Bucket": "fake-bucket",
        "X-RateLimit-Scope": "shared" if not rule.is_global else "global",
    }
    if rule.is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": rule.retry_after, "global": rule.is_global}
    return _json(body, status=429, headers=headers)
