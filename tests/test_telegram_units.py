"""The Telegram adapter's parts on their own: callback data, refs, commands, status lines, retries, redaction."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, Message
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

from bot.adapters.telegram_format import (
    BUTTONS,
    CALLBACK_DATA_LIMIT_BYTES,
    command_of,
    message_ref,
    parse_callback,
    referenced_message_id,
    request_from_message,
    result_keyboard,
)
from bot.adapters.telegram_reliability import REDACTED, RetryingRateLimiter, RetryPolicy, install_redaction
from bot.messages import with_status_line
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser, Fault
from tests.test_telegram_support import TOKEN, install_offline_guard

BOT = FakeUser(7000, "Bandmate", "BandmateTestBot", True)
ALICE = FakeUser(101, "Alice")
GROUP = FakeChat(-100_555, "supergroup", "Band room")


def message(text: str, chat: FakeChat = GROUP, **extra: Any) -> Message:
    """A Telegram Message as PTB parses it from the Bot API."""
    data: dict[str, Any] = {
        "message_id": 31,
        "date": int(time.time()),
        "chat": chat.to_api(),
        "from": ALICE.to_api(),
        "text": text,
        **extra,
    }
    if text.startswith("/"):
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return Message.de_json(data, None)


def _callback_data(button: InlineKeyboardButton) -> str:
    """The button's data, which python-telegram-bot types as any object: ours are always strings."""
    assert isinstance(button.callback_data, str), button
    return button.callback_data


def test_every_button_round_trips_through_its_callback_data() -> None:
    keyboards = [result_keyboard(123_456_789, "refine"), result_keyboard(123_456_789, "pick", "A"),
                 result_keyboard(123_456_789, "pick", "B")]  # fmt: skip
    pressed = [_callback_data(button) for keyboard in keyboards if keyboard for row in keyboard.inline_keyboard
               for button in row]  # fmt: skip
    assert sorted({data.split(":")[0] for data in pressed}) == sorted(BUTTONS)
    for data in pressed:
        assert len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES
        parsed = parse_callback(data)
        assert parsed is not None and parsed[1] == 123_456_789
        assert parsed[0] is BUTTONS[data.split(":")[0]]


@pytest.mark.parametrize("data", [None, "", "faster", "faster:", "faster:x", "explode:1", "faster:1:2", "FASTER:1"])
def test_callback_data_that_is_not_ours_is_refused(data: str | None) -> None:
    assert parse_callback(data) is None


@pytest.mark.parametrize(
    ("ref", "expected"),
    [(message_ref(-100_555, 42), 42), (message_ref(7, 9, "900001"), 9), ("77", 77), (None, None), ("x:y", None)],
)
def test_a_reference_gives_back_the_telegram_message_id(ref: str | None, expected: int | None) -> None:
    assert referenced_message_id(ref) == expected


def test_commands_are_read_with_the_bot_suffix_and_multiline_text() -> None:
    assert command_of(message("/compose@BandmateTestBot sad piano\nin A minor")) == (
        "compose", "sad piano\nin A minor",
    )  # fmt: skip
    assert command_of(message("/Variation")) == ("variation", "")
    assert command_of(message("/frobnicate now")) is None
    assert command_of(message("compose sad piano")) is None


def test_a_reply_in_a_forum_topic_becomes_a_request_for_that_thread() -> None:
    replied = {"message_id": 12, "date": int(time.time()), "chat": GROUP.to_api(), "from": BOT.to_api()}
    request = request_from_message(
        message("make it faster", reply_to_message=replied, message_thread_id=5, is_topic_message=True),
        None, "make it faster",
    )  # fmt: skip
    assert request.origin.chat_id == str(GROUP.id) and request.origin.thread_id == "5"
    assert request.origin.user_id == str(ALICE.id) and request.origin.user_name == "Alice"
    assert request.message_id == f"{GROUP.id}:31" and request.reply_to_message_id == "12"
    assert request.command is None and request.text == "make it faster"


def test_status_line_replaces_the_cores_own_progress_line() -> None:
    status = "🎼 v1: Sad piano ballad · A minor · 72 bpm · 0:45\nQueued…"
    assert with_status_line(status, "Rendering…") == "🎼 v1: Sad piano ballad · A minor · 72 bpm · 0:45\nRendering…"
    assert with_status_line("Here it is again.", "✅ Done") == "Here it is again.\n✅ Done"


def test_redaction_hides_the_token_in_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    remove = install_redaction(TOKEN)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/bot%s/getMe", TOKEN)
        logging.getLogger("telegram.ext.ExtBot").debug(f"Set Bot API URL: http://x/bot{TOKEN}")
        try:
            raise RuntimeError(f"boom at /bot{TOKEN}/sendAudio")
        except RuntimeError:
            logging.getLogger("bandmate.telegram").exception("failed")
    finally:
        remove()
    assert TOKEN not in caplog.text
    assert caplog.text.count(REDACTED) == 3
    logging.getLogger("httpx").info("after removal %s", TOKEN)  # the filter, not luck, hid it above
    assert TOKEN in caplog.text


@pytest.fixture
async def fake_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramApi]:
    """The fake Bot API, with every other host refused."""
    install_offline_guard(monkeypatch)
    api = FakeTelegramApi(TOKEN)
    await api.start()
    api.user_says(FakeChat(ALICE.id), ALICE, "hello")  # the chat exists once someone wrote in it
    yield api
    await api.stop()


def retrying_bot(api: FakeTelegramApi, attempts: int = 5) -> ExtBot[None]:
    """A plain PTB bot on the fake API with Bandmate's retrying rate limiter."""
    policy = RetryPolicy(max_attempts=attempts, base_delay_s=0.05, max_delay_s=0.2)
    return ExtBot(TOKEN, base_url=api.base_url, rate_limiter=RetryingRateLimiter(policy))


async def test_flood_control_and_a_dropped_connection_are_retried_into_one_message(
    fake_api: FakeTelegramApi,
) -> None:
    fake_api.inject("sendMessage", Fault(retry_after=1))
    fake_api.inject("sendMessage", Fault(drop=True))
    async with retrying_bot(fake_api) as bot:
        started = time.monotonic()
        sent = await bot.send_message(ALICE.id, "hello back")
        elapsed = time.monotonic() - started
    assert [fault for _, fault in fake_api.faults_served] == [Fault(retry_after=1), Fault(drop=True)]
    assert elapsed >= 1.0, "retry_after was not honoured"
    assert [call.params["text"] for call in fake_api.calls_to("sendMessage")] == ["hello back"]
    assert sent.message_id == fake_api.calls_to("sendMessage")[0].result["message_id"]


async def test_a_bad_request_is_not_retried(fake_api: FakeTelegramApi) -> None:
    fake_api.inject("sendMessage", Fault(description="Bad Request: chat not found"))
    async with retrying_bot(fake_api) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(ALICE.id, "hello")
    assert len(fake_api.faults_served) == 1 and fake_api.calls_to("sendMessage") == []


async def test_retries_give_up_after_the_policys_attempts(fake_api: FakeTelegramApi) -> None:
    fake_api.inject("sendMessage", Fault(drop=True), times=10)
    async with retrying_bot(fake_api, attempts=3) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(ALICE.id, "hello")
    assert len(fake_api.faults_served) == 3 and fake_api.calls_to("sendMessage") == []


def test_a_jam_vote_take_offers_its_pick_button_and_midi_only() -> None:
    keyboard = result_keyboard(7, "pick", "B")
    assert keyboard is not None
    assert [[button.text for button in row] for row in keyboard.inline_keyboard] == [["🗳 Pick B", "🎼 MIDI"]]
    parsed = parse_callback(_callback_data(keyboard.inline_keyboard[0][0]))
    assert parsed is not None and (parsed[0].command, parsed[0].text, parsed[1]) == ("jam", "pick B", 7)


def test_a_jams_final_mix_carries_no_buttons() -> None:
    assert result_keyboard(7, "none") is None
