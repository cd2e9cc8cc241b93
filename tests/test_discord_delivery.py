"""Discord delivery edge cases: an odd answer after the post, and who may press the buttons under a piece."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import Runtime
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import bpm, button_ids, footer, wait_piece
from tests.helpers import eventually

pytestmark = pytest.mark.settings(platform="discord")

PROMPT = "calm lofi beat 5 seconds"


async def test_an_odd_answer_after_the_post_never_posts_the_piece_again(
    bot: DiscordAdapter, fake: FakeDiscord, runtime: Runtime
) -> None:
    fake.rest.thread_answer = {}  # thread creation answers {} instead of a channel: discord.py raises KeyError
    interaction = await fake.slash("compose", {"prompt": PROMPT})
    piece = await wait_piece(fake, interaction)
    await asyncio.sleep(1.5)  # several delivery rounds: a failed extra must not look like a failed post
    assert len([name for name in fake.uploads if name.endswith(".mp3")]) == 1
    assert [m["id"] for m in fake.pieces()] == [piece["id"]]
    conversation = await runtime.store.conversation("discord", str(fake.channel_id), None)
    stored = await runtime.store.by_posted_message(conversation.id, piece["id"])
    assert stored is not None and stored.delivered_at is not None


async def test_anyone_may_press_the_buttons_under_someone_elses_piece(
    bot: DiscordAdapter, fake: FakeDiscord, runtime: Runtime
) -> None:
    original = await wait_piece(fake, await fake.slash("compose", {"prompt": PROMPT}, user="alice"))
    before = dict(original)
    click = await fake.click(button_ids(original)["Faster"], int(original["id"]), user="bob")
    faster = await wait_piece(fake, click)

    assert bpm(faster) > bpm(original) and footer(faster).startswith("v2")
    # Bob's press made a new version credited to Bob; Alice's piece is untouched.
    assert fake.messages[int(original["id"])]["embeds"] == before["embeds"]
    assert fake.messages[int(original["id"])]["attachments"] == before["attachments"]
    conversation = await runtime.store.conversation("discord", str(fake.channel_id), None)

    async def recorded() -> bool:  # the post is recorded just after Discord shows it
        return await runtime.store.by_posted_message(conversation.id, faster["id"]) is not None

    await eventually(recorded)
    made = await runtime.store.by_posted_message(conversation.id, faster["id"])
    assert made is not None
    bob = await runtime.store.user("discord", fake.users["bob"]["id"], "bob")
    assert made.author_id == bob.id
    pings = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(fake.channel_id)
            if m.get("message_reference", {}).get("message_id") == faster["id"]
        ]
    )
    assert f"<@{fake.users['bob']['id']}>" in pings[0]["content"], "the one who pressed is told"
