"""Bandmate on Telegram end to end: the real PTB Application, core and engine against a local fake Bot API."""

from __future__ import annotations

import asyncio
import io
import re
import signal
import sys
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from pydantic import SecretStr

from bot.adapters.telegram import UNKNOWN_COMMAND, UNREADABLE, TelegramAdapter
from bot.app import Runtime, opened
from bot.settings import Settings
from engine.errors import ConfigError
from engine.queue.worker import Worker
from tests.conftest import cli_env, make_settings
from tests.fakes.telegram_api import ApiCall, FakeChat, FakeTelegramApi, FakeUser
from tests.test_telegram_support import (
    BUTTON_ACTIONS,
    FAST_RETRIES,
    TOKEN,
    midi_of,
    piece_for,
    posted_id,
    reply_target,
    running_bot,
    settle,
)

pytestmark = pytest.mark.settings(platform="telegram")

ALICE = FakeUser(101, "Alice", "alice")
BOB = FakeUser(102, "Bob")
ALICE_DM = FakeChat(ALICE.id)
BAND = FakeChat(-100_777, "supergroup", "The Band")


def bpm(piece: ApiCall) -> int:
    """The tempo a piece's caption states."""
    found = re.search(r"(\d+) bpm", piece.params["caption"])
    assert found, piece.params["caption"]
    return int(found.group(1))


def key_of(piece: ApiCall) -> str:
    """The key a piece's caption states, e.g. 'A minor'."""
    found = re.search(r"· ([A-G][#b]? [a-z]+) ·", piece.params["caption"])
    assert found, piece.params["caption"]
    return found.group(1)


def texts_to(api: FakeTelegramApi, chat: FakeChat) -> list[str]:
    """Every text the bot sent to a chat, in order."""
    return [call.params["text"] for call in api.calls_to("sendMessage", chat.id)]


async def test_compose_in_a_private_chat_gets_an_audio_reply(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:

    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose sad piano ballad, 8 seconds")
        piece = await piece_for(fake_api, ALICE_DM, request["message_id"])
        await settle()

    status = fake_api.calls_to("sendMessage", ALICE_DM.id)[0]
    assert reply_target(status) == request["message_id"] and "v1" in status.params["text"]
    assert fake_api.calls_to("sendChatAction", ALICE_DM.id), "no chat action while composing"
    edits = [call.params["text"].splitlines()[-1] for call in fake_api.calls_to("editMessageText")]
    assert edits and edits[-1] == "✅ Done" and any(line.endswith("…") for line in edits[:-1]), edits

    params = piece.params
    assert params["performer"] == "Bandmate" and params["title"]
    assert "\n" not in params["caption"] and "bpm" in params["caption"] and "piano" in params["caption"].lower()
    audio = piece.uploads["audio"]
    assert audio.filename.endswith(".mp3") and len(audio.data) < 50 * 1024 * 1024
    actual = MP3(io.BytesIO(audio.data)).info.length  # type: ignore[attr-defined]  # mutagen declares FileType.info as None; loading sets it
    assert abs(actual - 8.0) < 0.5 and abs(params["duration"] - actual) <= 1
    buttons = [button["callback_data"] for row in params["reply_markup"]["inline_keyboard"] for button in row]
    assert sorted(data.split(":")[0] for data in buttons) == sorted(BUTTON_ACTIONS)
    assert len({data.split(":")[1] for data in buttons}) == 1
    assert len(fake_api.calls_to("sendAudio")) == 1 and fake_api.unknown_methods == []


async def test_replying_make_it_faster_raises_the_tempo_and_keeps_the_key(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose calm jazz trio in D minor, 8 seconds")
        first = await piece_for(fake_api, ALICE_DM, request["message_id"])
        reply = fake_api.user_says(ALICE_DM, ALICE, "make it faster", reply_to=posted_id(first))
        second = await piece_for(fake_api, ALICE_DM, reply["message_id"])
        before = await midi_of(fake_api, ALICE_DM, ALICE, first)
        after = await midi_of(fake_api, ALICE_DM, ALICE, second)

    assert after.tempos[0].qpm > before.tempos[0].qpm
    assert (after.key_signatures[0].key, after.key_signatures[0].tonality) == (
        before.key_signatures[0].key, before.key_signatures[0].tonality,
    )  # fmt: skip
    assert bpm(second) > bpm(first) and key_of(second) == key_of(first)
    assert len(fake_api.calls_to("sendAudio")) == 2


async def test_each_button_under_a_piece_does_its_refinement(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, "/compose upbeat pop song at 110 bpm, 8 seconds")
        first = await piece_for(fake_api, ALICE_DM, request["message_id"])
        composition_id = first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
        made: dict[str, ApiCall] = {}
        for count, action in enumerate(("faster", "slower", "longer", "variation"), start=2):
            fake_api.user_presses(ALICE_DM, ALICE, posted_id(first), f"{action}:{composition_id}")
            made[action] = (await fake_api.wait_for("sendAudio", count))[-1]
        midi = await midi_of(fake_api, ALICE_DM, ALICE, first)
        await settle()

    assert bpm(made["faster"]) > bpm(first) > bpm(made["slower"])
    assert made["longer"].params["duration"] > first.params["duration"]
    assert bpm(made["variation"]) == bpm(first) and key_of(made["variation"]) == key_of(first)
    assert made["variation"].uploads["audio"].data != first.uploads["audio"].data
    assert round(midi.tempos[0].qpm) == bpm(first)
    # Every new version answers the piece whose button was pressed, and every press is answered once.
    assert all(reply_target(piece) == posted_id(first) for piece in made.values())
    assert len(fake_api.calls_to("sendAudio")) == 5 and len(fake_api.calls_to("sendDocument")) == 1
    assert len(fake_api.calls_to("answerCallbackQuery")) == 5


async def test_a_group_with_two_users_gets_answers_only_to_what_is_addressed_to_the_bot(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    async with running_bot(runtime, settings):
        alices = fake_api.user_says(BAND, ALICE, "/compose@BandmateTestBot upbeat funk groove, 8 seconds")
        bobs = fake_api.user_says(BAND, BOB, "/compose lofi hip hop beat, 8 seconds")
        ignored = [
            fake_api.user_says(BAND, BOB, "nice one!"),
            fake_api.user_says(BAND, BOB, "/compose@SomeOtherBot polka"),
            fake_api.user_says(BAND, ALICE, "make it faster", reply_to=bobs["message_id"]),  # to Bob, not the bot
        ]
        alices_piece = await piece_for(fake_api, BAND, alices["message_id"])
        bobs_piece = await piece_for(fake_api, BAND, bobs["message_id"])
        ignored.append(fake_api.user_sends(BAND, BOB, reply_to=bobs["message_id"], sticker=STICKER))
        refine = fake_api.user_says(BAND, BOB, "make it faster", reply_to=posted_id(alices_piece))
        refined = await piece_for(fake_api, BAND, refine["message_id"])
        await settle()

    # Bob's reply refined Alice's piece (the one he replied to), not his own latest.
    assert bpm(refined) > bpm(alices_piece) and key_of(refined) == key_of(alices_piece)
    assert refined.params["caption"].split(" · ")[0] == alices_piece.params["caption"].split(" · ")[0]
    assert refined.params["caption"].split(" · ")[0] != bobs_piece.params["caption"].split(" · ")[0]
    answered = {reply_target(call) for call in fake_api.calls if call.method in ("sendMessage", "sendAudio")}
    assert answered == {alices["message_id"], bobs["message_id"], refine["message_id"]}
    assert not answered & {message["message_id"] for message in ignored}
    assert len(fake_api.calls_to("sendAudio", BAND.id)) == 3


STICKER = {"file_id": "s1", "file_unique_id": "s1u", "type": "regular", "width": 512, "height": 512,
           "is_animated": False, "is_video": False}  # fmt: skip


async def test_empty_oversized_and_unreadable_input_get_a_clear_reply(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings
) -> None:
    async with running_bot(runtime, settings):
        empty = fake_api.user_says(ALICE_DM, ALICE, "/compose")
        oversized = fake_api.user_says(ALICE_DM, ALICE, "/compose " + "la " * settings.max_prompt_chars)
        sticker = fake_api.user_sends(ALICE_DM, ALICE, sticker=STICKER)
        unknown = fake_api.user_says(ALICE_DM, ALICE, "/frobnicate")
        await fake_api.wait_for("sendMessage", 4)
        await settle()

    said = {reply_target(call): call.params["text"] for call in fake_api.calls_to("sendMessage")}
    assert len(said) == 4 and len(fake_api.calls_to("sendMessage")) == 4
    assert "/compose" in said[empty["message_id"]]
    assert str(settings.max_prompt_chars) in said[oversized["message_id"]]
    assert said[sticker["message_id"]] == UNREADABLE and said[unknown["message_id"]] == UNKNOWN_COMMAND
    assert await runtime.queue.queued_ids() == [] and fake_api.calls_to("sendAudio") == []


async def test_a_user_over_the_rate_limit_gets_a_friendly_message(fake_api: FakeTelegramApi, tmp_path: Path) -> None:
    limited = make_settings(
        tmp_path / "limited", rate_limit_per_minute=2, telegram_bot_token=TOKEN,
        telegram_base_url=fake_api.base_url, telegram_base_file_url=fake_api.base_file_url,
    )  # fmt: skip
    async with opened(limited) as runtime, running_bot(runtime, limited):
        asks = [fake_api.user_says(ALICE_DM, ALICE, f"/compose song number {n}, 8 seconds") for n in range(3)]
        bobs = fake_api.user_says(FakeChat(BOB.id), BOB, "/compose a song for Bob, 8 seconds")
        await fake_api.wait_for("sendMessage", 4)
        queued = await runtime.queue.queued_ids()

    said = {(call.params["chat_id"], reply_target(call)): call.params["text"]
            for call in fake_api.calls_to("sendMessage")}  # fmt: skip
    alice = [said[(ALICE_DM.id, ask["message_id"])] for ask in asks]
    assert all(text.startswith("🎼 v1") for text in alice[:2]), "two new pieces, each its own v1"
    assert "minute" in alice[2] and "🎼" not in alice[2]
    assert said[(BOB.id, bobs["message_id"])].startswith("🎼 v1")  # the limit is per user
    assert len(queued) == 3


async def test_a_missing_or_rejected_token_is_a_clear_config_error(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings
) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        TelegramAdapter(runtime.service, make_settings(Path(settings.media_dir)))
    wrong = settings.model_copy(update={"telegram_bot_token": SecretStr("999:not-the-token")})
    adapter = TelegramAdapter(runtime.service, wrong)
    with pytest.raises(ConfigError, match="rejected") as raised:
        await adapter.start()
    assert "999:not-the-token" not in str(raised.value)
    await adapter.stop()
    unreachable = settings.model_copy(update={"telegram_base_url": "http://127.0.0.1:9/bot"})  # nothing listens
    with pytest.raises(ConfigError, match="Cannot reach"):
        await TelegramAdapter(runtime.service, unreachable, retry=FAST_RETRIES).start()


async def test_bandmate_run_serves_telegram_when_the_token_is_set(
    fake_api: FakeTelegramApi, settings: Settings, tmp_path: Path
) -> None:
    env = cli_env(settings) | {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake_api.base_url,
        "TELEGRAM_BASE_FILE_URL": fake_api.base_file_url, "LOG_LEVEL": "DEBUG",
    }  # fmt: skip
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log_file:  # a file, not a pipe: a full pipe would stall the bot
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
        )
        try:
            request = fake_api.user_says(ALICE_DM, ALICE, "/compose cheerful marimba tune, 6 seconds")
            piece = await piece_for(fake_api, ALICE_DM, request["message_id"], within_s=120)
        finally:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), timeout=60)
    assert "marimba" in piece.params["caption"].lower()
    logs = log_path.read_text()
    assert "getUpdates" in logs and TOKEN not in logs and TOKEN.split(":")[1] not in logs
