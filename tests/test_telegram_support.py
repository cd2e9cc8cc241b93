"""What the Telegram tests share: a running bot over the fake Bot API, an offline guard, piece lookups.

The few tests here check the helpers themselves (the guard really refuses the internet).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import symusic
from telegram.request import HTTPXRequest

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_reliability import RetryPolicy
from bot.app import serving
from bot.settings import Settings
from tests.fakes.telegram_api import ApiCall, FakeChat, FakeTelegramApi, FakeUser

if TYPE_CHECKING:
    from bot.app import Runtime

TOKEN = "4242424242:AAHfakeBandmate_test-token-0123456789"
BUTTON_ACTIONS = ("faster", "slower", "longer", "variation", "midi")
FAST_RETRIES = RetryPolicy(max_attempts=5, base_delay_s=0.05, max_delay_s=0.5)


def install_offline_guard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every Bot API request PTB sends fail unless it goes to 127.0.0.1; returns refused hosts."""
    refused: list[str] = []
    original = HTTPXRequest.do_request

    async def guarded(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        host = httpx.URL(url).host
        if host != "127.0.0.1":
            refused.append(host)
            raise AssertionError(f"a test tried to reach {host}; tests stay on 127.0.0.1")
        return await original(self, url, *args, **kwargs)

    monkeypatch.setattr(HTTPXRequest, "do_request", guarded)
    return refused


@contextlib.asynccontextmanager
async def running_bot(runtime: Runtime, settings: Settings, **options: Any) -> AsyncIterator[TelegramAdapter]:
    """The Telegram adapter polling the fake API plus a delivery loop posting through it."""
    options.setdefault("poll_timeout_s", 1.0)
    options.setdefault("retry", FAST_RETRIES)
    adapter = TelegramAdapter(runtime.service, settings, **options)
    async with serving(runtime, [adapter]):
        yield adapter


async def settle(seconds: float = 0.6) -> None:
    """Give the bot time to post anything it should not (a duplicate, an answer to an ignored message)."""
    await asyncio.sleep(seconds)


def reply_target(call: ApiCall) -> int | None:
    """The message id a bot call replies to."""
    reply = call.params.get("reply_parameters") or {}
    return reply.get("message_id")


async def piece_for(api: FakeTelegramApi, chat: FakeChat, message_id: int, within_s: float = 90.0) -> ApiCall:
    """The one audio the bot posted in reply to `message_id` in `chat`."""
    calls = await api.wait_for(
        "sendAudio",
        where=lambda call: call.params["chat_id"] == chat.id and reply_target(call) == message_id,
        within_s=within_s,
    )
    assert len(calls) == 1, f"{len(calls)} pieces replied to message {message_id}"
    return calls[0]


def posted_id(call: ApiCall) -> int:
    """The Telegram message id of what a bot call posted."""
    return int(call.result["message_id"])


async def midi_of(api: FakeTelegramApi, chat: FakeChat, user: FakeUser, piece: ApiCall) -> symusic.Score:
    """Press the MIDI button under `piece` and parse the .mid file the bot sends back."""
    composition_id = piece.params["reply_markup"]["inline_keyboard"][1][1]["callback_data"].split(":")[1]
    api.user_presses(chat, user, posted_id(piece), f"midi:{composition_id}")
    documents = await api.wait_for(
        "sendDocument", where=lambda call: reply_target(call) == posted_id(piece), within_s=30
    )
    upload = documents[-1].uploads["document"]
    assert upload.filename.endswith(".mid")
    return symusic.Score.from_midi(upload.data)


async def test_offline_guard_refuses_other_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = install_offline_guard(monkeypatch)
    request = HTTPXRequest()
    await request.initialize()
    try:
        with pytest.raises(AssertionError, match=r"api\.telegram\.org"):
            await request.do_request("https://api.telegram.org/botX/getMe", "POST")
    finally:
        await request.shutdown()
    assert refused == ["api.telegram.org"]


async def test_offline_guard_lets_the_fake_api_through(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = install_offline_guard(monkeypatch)
    api = FakeTelegramApi(TOKEN)
    await api.start()
    request = HTTPXRequest()
    await request.initialize()
    try:
        status, body = await request.do_request(f"{api.base_url}{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
        await api.stop()
    assert status == 200 and b'"is_bot": true' in body
    assert refused == []
