"""Singing on Telegram and Discord: lyrics in the request, "instrumental" and "new lyrics" by reply, /lyrics.

/sheet engraves with LilyPond, which is slow-ish: the chat core's test covers it once (test_sung_service).
"""

from __future__ import annotations

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import Runtime
from bot.settings import Settings
from engine.queue.worker import Worker
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import answer_of, footer, has_mp3, wait_piece
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser
from tests.test_telegram_support import midi_of, piece_for, posted_id, reply_target, running_bot

ALICE = FakeUser(101, "Alice", "alice")
ALICE_DM = FakeChat(ALICE.id)
WORDS = "hold on, hold on, the night is almost gone"


@pytest.mark.settings(platform="telegram")
async def test_telegram_sings_and_goes_instrumental_by_reply(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    async with running_bot(runtime, settings):
        request = fake_api.user_says(ALICE_DM, ALICE, f'/compose folk song lyrics: "{WORDS}"')
        sung = await piece_for(fake_api, ALICE_DM, request["message_id"])
        asked = fake_api.user_says(ALICE_DM, ALICE, "/lyrics")
        words = await fake_api.wait_for("sendMessage", where=lambda c: reply_target(c) == asked["message_id"])
        reply = fake_api.user_says(ALICE_DM, ALICE, "instrumental", reply_to=posted_id(sung))
        plain = await piece_for(fake_api, ALICE_DM, reply["message_id"])
        with_voice = await midi_of(fake_api, ALICE_DM, ALICE, sung)
        without = await midi_of(fake_api, ALICE_DM, ALICE, plain)

    status = fake_api.calls_to("sendMessage", ALICE_DM.id)[0].params["text"]
    assert f"🎤 female voice, English: {WORDS}" in status
    assert words[0].params["text"].splitlines()[1:] == [WORDS]
    assert any(t.name == "vocals" and t.notes for t in with_voice.tracks)
    assert not any(t.name == "vocals" for t in without.tracks)


@pytest.mark.settings(platform="discord")
async def test_discord_takes_new_lyrics_by_reply_and_shows_them(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("compose", {"prompt": f'pop song lyrics: "{WORDS}"', "seed": 3})
    original = await wait_piece(fake, interaction)
    request = await fake.say('new lyrics: "hold on, hold on, the day is almost here"', reply_to=int(original["id"]))
    status = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(fake.channel_id)
            if m.get("message_reference", {}).get("message_id") == request["id"]
        ]
    )
    renewed = await fake.wait_for(lambda: fake.messages[int(status[0]["id"])] if has_mp3(
        fake.messages[int(status[0]["id"])]) else None, 90)  # fmt: skip
    shown = await fake.slash("lyrics")
    words = await fake.wait_for(lambda: (m := answer_of(fake, shown)) and m["content"] and m)

    assert {"lyrics", "sheet"} <= {command["name"] for command in fake.commands}
    assert footer(renewed).startswith("v2")
    assert words["content"].splitlines()[1:] == ["hold on, hold on, the day is almost here"]
