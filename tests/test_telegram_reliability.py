"""Telegram under stress: flood control, dropped connections, restarts, 20 requests at once, log hygiene."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from bot.adapters.telegram_reliability import REDACTED
from bot.app import Runtime
from bot.settings import Settings
from engine.queue.worker import Worker
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser, Fault
from tests.helpers import eventually
from tests.test_telegram_support import TOKEN, piece_for, reply_target, running_bot, settle

pytestmark = pytest.mark.settings(platform="telegram")

ALICE = FakeUser(101, "Alice")
ALICE_DM = FakeChat(ALICE.id)


async def test_flood_control_and_dropped_connections_lose_and_duplicate_nothing(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    fake_api.inject("getUpdates", Fault(drop=True))
    fake_api.inject("sendMessage", Fault(retry_after=1))
    fake_api.inject("sendMessage", Fault(drop=True))
    fake_api.inject("editMessageText", Fault(drop=True))
    fake_api.inject("sendAudio", Fault(retry_after=1))
    fake_api.inject("sendAudio", Fault(drop=True))
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose dreamy synthwave, 8 seconds")
        piece = await piece_for(fake_api, ALICE_DM, request["message_id"])
        await settle()

    served = Counter(method for method, _ in fake_api.faults_served)
    assert served == {"getUpdates": 1, "sendMessage": 2, "editMessageText": 1, "sendAudio": 2}
    assert len(fake_api.calls_to("sendMessage")) == 1 and len(fake_api.calls_to("sendAudio")) == 1
    history = await runtime.store.history((await runtime.store.conversation("telegram", str(ALICE.id), None)).id)
    assert [version.posted_message_id for version in history] == [str(piece.result["message_id"])]


async def test_a_restart_while_composing_delivers_the_piece_once(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:

    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose epic orchestral theme, 8 seconds")
        await fake_api.wait_for("sendMessage")
    assert fake_api.calls_to("sendAudio") == [], "the piece was done before the restart; nothing was tested"
    # The bot is down; the engine finishes the piece meanwhile.
    await eventually(lambda: _job_finished(runtime), timeout=60)

    async with running_bot(runtime, settings):
        await piece_for(fake_api, ALICE_DM, request["message_id"])
        await settle()
    assert len(fake_api.calls_to("sendAudio")) == 1
    assert len(fake_api.calls_to("sendMessage")) == 1, "the request was handled twice"
    assert fake_api.pending_updates() == 0


async def _job_finished(runtime: Runtime) -> bool:
    return not await runtime.store.in_progress(["telegram"])


async def test_an_update_redelivered_after_a_crash_makes_one_piece(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose gentle folk guitar, 8 seconds")
        await fake_api.wait_for("sendMessage")
    fake_api.redeliver_last_update()  # as if the bot had died before confirming the update

    async with running_bot(runtime, settings):
        await piece_for(fake_api, ALICE_DM, request["message_id"])
        await settle()
    conversation = await runtime.store.conversation("telegram", str(ALICE.id), None)
    assert len(await runtime.store.history(conversation.id)) == 1
    assert len(fake_api.calls_to("sendAudio")) == 1


async def test_twenty_requests_at_once_get_twenty_answers_none_lost_none_twice(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    genres = ("pop", "jazz", "rock", "ambient", "funk")
    players = [FakeUser(200 + n, f"Player {n}") for n in range(20)]
    band = FakeChat(-100_900, "supergroup", "Jam room")
    requests = [
        fake_api.user_says(
            FakeChat(player.id) if n % 2 else band, player, f"/compose short {genres[n % 5]} tune, 5 seconds"
        )
        for n, player in enumerate(players)
    ]
    # All twenty are waiting before the bot polls; the network misbehaves while it answers them.
    fake_api.inject("getUpdates", Fault(drop=True))
    fake_api.inject("sendMessage", Fault(retry_after=1))
    fake_api.inject("sendAudio", Fault(drop=True), times=2)
    fake_api.inject("sendAudio", Fault(retry_after=1))
    async with running_bot(runtime, settings):
        for request in requests:
            await piece_for(fake_api, FakeChat(request["chat"]["id"]), request["message_id"], within_s=120)
        await settle(1.0)

    audio_targets = Counter((call.params["chat_id"], reply_target(call)) for call in fake_api.calls_to("sendAudio"))
    status_targets = Counter((call.params["chat_id"], reply_target(call)) for call in fake_api.calls_to("sendMessage"))
    wanted = {(request["chat"]["id"], request["message_id"]) for request in requests}
    assert set(audio_targets) == wanted and set(audio_targets.values()) == {1}
    assert set(status_targets) == wanted and set(status_targets.values()) == {1}
    assert len(fake_api.faults_served) == 5


async def test_the_token_never_appears_in_the_logs(
    fake_api: FakeTelegramApi,
    runtime: Runtime,
    settings: Settings,
    engine_worker: Worker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.inject("sendAudio", Fault(drop=True))  # an error path logs too
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose happy ukulele song, 8 seconds")
        await piece_for(fake_api, ALICE_DM, request["message_id"])
    assert caplog.records, "nothing was logged, so nothing was checked"
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
    assert REDACTED in caplog.text  # PTB and httpx did log the API URL, with the token hidden
