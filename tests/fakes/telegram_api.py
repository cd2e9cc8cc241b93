"""A fake Telegram Bot API server on 127.0.0.1 that a real python-telegram-bot Application talks to.

Tests play the users (`user_says`, `user_presses`); their messages go out through `getUpdates`; each
successful bot call is recorded as an `ApiCall`. Per method a 429, a dropped connection or an API error
can be injected. Bot API limits are enforced (lengths, callback_data, upload size, reply targets).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
MESSAGE_LIMIT_CHARS = 4096
CAPTION_LIMIT_CHARS = 1024
CALLBACK_DATA_LIMIT_BYTES = 64
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document choose_sticker "
    "find_location record_video_note upload_video_note".split()
)
# Fields whose form value is free text: never JSON-decoded, so a message "42" stays a string.
TEXT_FIELDS = frozenset(
    "text caption title performer callback_query_id action file_id parse_mode url secret_token".split()
)


@dataclass(frozen=True)
class FakeUser:
    """A Telegram account, human or bot."""

    id: int
    first_name: str
    username: str = ""
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The Bot API `User` object."""
        data = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        return {**data, "username": self.username} if self.username else data


@dataclass(frozen=True)
class FakeChat:
    """A private chat (id = the user's id) or a group (negative id)."""

    id: int
    type: str = "private"
    title: str = ""

    def to_api(self) -> dict[str, Any]:
        """The Bot API `Chat` object."""
        return {"id": self.id, "type": self.type, **({"title": self.title} if self.title else {})}


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ApiCall:
    """One successful Bot API call: decoded parameters, uploaded files and what was answered."""

    method: str
    params: dict[str, Any]
    uploads: dict[str, Upload]
    result: Any


@dataclass(frozen=True)
class Fault:
    """What to answer instead of the real result: a 429, a dropped connection, or an API error."""

    retry_after: int | None = None
    drop: bool = False
    error_code: int = 400
    description: str = "Bad Request"


@dataclass
class ApiError(Exception):
    """A Bot API error answer, raised inside method handlers."""

    code: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass
class FakeTelegramApi:
    """The fake server. `await start()`, point the bot at `base_url`/`base_file_url`, `await stop()`."""

    token: str
    bot_user: FakeUser = field(default_factory=lambda: FakeUser(7000, "Bandmate", "BandmateTestBot", True))
    long_poll_cap_s: float = 0.5
    calls: list[ApiCall] = field(default_factory=list)
    faults_served: list[tuple[str, Fault]] = field(default_factory=list)
    unknown_methods: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (method, description) of each error answered
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None  # the last setWebhook's parameters (url, secret_token, ...)
    port: int = 0

    def __post_init__(self) -> None:
        self._chats: dict[int, FakeChat] = {}
        self._message_ids: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(900_001)
        self._file_ids = itertools.count(1)
        self._pending_updates: list[dict[str, Any]] = []
        self._last_update: dict[str, Any] = {}
        self._new_update = asyncio.Event()
        self._open_callbacks: set[str] = set()
        self._files: dict[str, Upload] = {}
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, Upload]], Any]] = {
            "getMe": lambda params, uploads: self.bot_user.to_api(),
            "deleteWebhook": lambda params, uploads: True,
            "setWebhook": self._set_webhook,
            "setMyCommands": lambda params, uploads: True,
            "sendMessage": self._send_message,
            "sendAudio": lambda params, uploads: self._send_file(params, uploads, "audio"),
            "sendDocument": lambda params, uploads: self._send_file(params, uploads, "document"),
            "editMessageText": self._edit_message_text,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=UPLOAD_LIMIT_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the server and every open connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What `Bot(base_url=...)` takes; the token is appended by the client."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What `Bot(base_file_url=...)` takes."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def user_says(self, chat: FakeChat, user: FakeUser, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """A user writes `text` (a command when it starts with '/'); returns the message."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.user_sends(chat, user, reply_to=reply_to, **content)

    def user_sends(
        self, chat: FakeChat, user: FakeUser, *, reply_to: int | None = None, **content: Any
    ) -> dict[str, Any]:
        """A user posts any message content (a sticker, a voice note...); returns the message."""
        if reply_to is not None:
            content["reply_to_message"] = self._message(chat.id, reply_to)
        message = self._new_message(chat, user, content)
        self._push_update({"message": message})
        return message

    def update_saying(self, chat: FakeChat, user: FakeUser, text: str) -> dict[str, Any]:
        """The Update Telegram would POST to a webhook when `user` writes `text` (not queued for getUpdates)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": self._new_message(chat, user, content)}

    def user_file(self, data: bytes, content_type: str, name: str = "file") -> dict[str, Any]:
        """A file a user sends (a voice note, a MIDI document): stored for getFile, described for a message."""
        file_id = f"user-{next(self._file_ids)}"
        self._files[file_id] = Upload(name, content_type, data)
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data)}

    def user_presses(self, chat: FakeChat, user: FakeUser, message_id: int, data: str) -> str:
        """A user presses the inline button carrying `data` under a bot message; returns the query id."""
        message = self._message(chat.id, message_id)
        buttons = message.get("reply_markup", {}).get("inline_keyboard", [])
        if data not in {button.get("callback_data") for row in buttons for button in row}:
            raise AssertionError(f"message {message_id} has no button with callback_data {data!r}")
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {"id": query_id, "from": user.to_api(), "chat_instance": str(chat.id), "message": message, "data": data}
        self._push_update({"callback_query": query})
        return query_id

    def redeliver_last_update(self) -> None:
        """Hand out the latest update again, as Telegram does with one a crashed bot never confirmed."""
        self._pending_updates.append(self._last_update)
        self._new_update.set()

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `fault` instead of the real result."""
        self._faults[method].extend([fault] * times)

    def calls_to(self, method: str, chat_id: int | None = None) -> list[ApiCall]:
        """Successful calls of `method`, optionally only those addressed to one chat."""
        return [c for c in self.calls if c.method == method and chat_id in (None, c.params.get("chat_id"))]

    async def wait_for(
        self, method: str, count: int = 1, *, where: Callable[[ApiCall], bool] = lambda call: True, within_s: float = 60
    ) -> list[ApiCall]:
        """Wait until at least `count` successful `method` calls match `where`; return them all."""
        deadline = time.monotonic() + within_s
        while True:
            matched = [call for call in self.calls_to(method) if where(call)]
            if len(matched) >= count:
                return matched
            if time.monotonic() > deadline:
                seen = [(call.method, call.params.get("text", "")) for call in self.calls]
                raise AssertionError(f"waited {within_s}s for {count} x {method}: {len(matched)}; {seen}")
            await asyncio.sleep(0.02)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot through a later getUpdates offset."""
        return len(self._pending_updates)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params, uploads = await _read_params(request)
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        queued = self._faults.get(method)
        if queued:
            fault = queued.popleft()
            self.faults_served.append((method, fault))
            if fault.drop:
                # Closing without an answer is what a flaky network looks like to the client.
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            if fault.retry_after is not None:
                description = f"Too Many Requests: retry after {fault.retry_after}"
                return _error_response(ApiError(429, description, {"retry_after": fault.retry_after}))
            return _error_response(ApiError(fault.error_code, fault.description))
        if method == "getUpdates":
            result: Any = await self._get_updates(params)
        elif method in self._methods:
            try:
                result = self._methods[method](params, uploads)
            except ApiError as exc:
                self.refused.append((method, exc.description))
                return _error_response(exc)
        else:
            self.unknown_methods.append(method)
            return _error_response(ApiError(404, "Not Found"))
        if method != "getUpdates":
            self.calls.append(ApiCall(method, params, uploads, result))
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        upload = self._files.get(request.match_info["path"])
        if upload is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(body=upload.data, content_type=upload.content_type)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            # A getUpdates with an offset confirms every update before it, as on Telegram.
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]
        wait_s = min(float(params.get("timeout") or 0), self.long_poll_cap_s)
        if not self._pending_updates and wait_s > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait_s)
        return self._pending_updates[: int(params.get("limit") or 100)]

    def _set_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return True

    def _send_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MESSAGE_LIMIT_CHARS:
            raise ApiError(400, "Bad Request: message is too long")
        return self._bot_message(params, {"text": text})

    def _send_file(self, params: dict[str, Any], uploads: dict[str, Upload], kind: str) -> dict[str, Any]:
        upload = uploads.get(kind)
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if len(upload.data) > UPLOAD_LIMIT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        file_id = f"file{next(self._file_ids)}"
        self._files[file_id] = upload
        sent = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }
        if kind == "audio":
            sent["duration"] = int(params.get("duration") or 0)
            sent.update({name: params[name] for name in ("title", "performer") if name in params})
        return self._bot_message(params, {kind: sent})

    def _edit_message_text(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None or message["from"]["id"] != self.bot_user.id:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(params.get("text", ""))
        if not text.strip() or len(text) > MESSAGE_LIMIT_CHARS:
            raise ApiError(400, "Bad Request: text must be non-empty and at most 4096 characters")
        markup = params.get("reply_markup")
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.update({"text": text, "edit_date": int(time.time())})
        if markup is not None:
            _check_markup(markup)
            message["reply_markup"] = markup
        return message

    def _send_chat_action(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callbacks:
            raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
        self._open_callbacks.discard(query_id)
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _get_file(self, params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self._files[file_id].data)
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size, "file_path": file_id}

    def _bot_message(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        caption = params.get("caption")
        if caption is not None:
            if len(str(caption)) > CAPTION_LIMIT_CHARS:
                raise ApiError(400, "Bad Request: message caption is too long")
            content["caption"] = str(caption)
        if "reply_markup" in params:
            _check_markup(params["reply_markup"])
            content["reply_markup"] = params["reply_markup"]
        if "message_thread_id" in params:
            content["message_thread_id"] = params["message_thread_id"]
        reply = params.get("reply_parameters") or {}
        if reply:
            if (chat.id, int(reply["message_id"])) in self.messages:
                content["reply_to_message"] = self._message(chat.id, int(reply["message_id"]))
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        return self._new_message(chat, self.bot_user, content)

    def _new_message(self, chat: FakeChat, sender: FakeUser, content: dict[str, Any]) -> dict[str, Any]:
        self._chats[chat.id] = chat
        message_id = next(self._message_ids[chat.id])
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat.to_api(), "from": sender.to_api()}
        message.update(content)
        self.messages[(chat.id, message_id)] = message
        return message

    def _message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        # A nested reply carries no reply of its own, as on Telegram.
        return {key: value for key, value in message.items() if key != "reply_to_message"}

    def _chat(self, params: dict[str, Any]) -> FakeChat:
        chat = self._chats.get(int(params.get("chat_id") or 0))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _push_update(self, payload: dict[str, Any]) -> None:
        self._last_update = {"update_id": next(self._update_ids), **payload}
        self._pending_updates.append(self._last_update)
        self._new_update.set()


def _check_markup(markup: Any) -> None:
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    form = await request.post()
    params: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = Upload(value.filename, value.content_type, value.file.read())
        elif name in TEXT_FIELDS:
            params[name] = value
        else:
            try:
                params[name] = json.loads(value)
            except ValueError:
                params[name] = value
    return params, uploads


def _error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)
