"""Bandmate on Discord end to end: discord.py's real client against the local fake Discord, real engine."""

from __future__ import annotations

import logging
from functools import partial

import pytest

from bot.adapters.discord import DiscordAdapter
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import (
    answer_of,
    bpm,
    button_ids,
    caption,
    footer,
    has_mp3,
    mp3_of,
    mp3_seconds,
    private_answer_of,
    wait_piece,
)
from tests.fakes.discord_api_payloads import MESSAGE_CONTENT_INTENT

pytestmark = pytest.mark.settings(platform="discord")

PROMPT = "sad piano ballad 6 seconds"


async def test_slash_compose_answers_with_an_mp3_follow_up(
    bot: DiscordAdapter, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:

    caplog.set_level(logging.DEBUG)
    synced = {command["name"]: command for command in fake.commands}
    assert {"compose", "history", "undo", "help", "channels"} <= set(synced)
    assert [o["name"] for o in synced["compose"]["options"]] == ["prompt", "duration", "seed", "tune"]
    limit = bot.settings.max_prompt_chars  # declared, so Discord refuses longer text before it is sent
    assert synced["compose"]["options"][0]["max_length"] == synced["jam"]["options"][0]["max_length"] == limit
    assert fake.identifies[-1]["intents"] & MESSAGE_CONTENT_INTENT
    assert fake.heartbeats >= 1, "discord.py heartbeats as soon as HELLO arrives"

    fake.rate_limit_next("POST", r"^/api/v10/webhooks/", retry_after=0.3)  # the first follow-up is throttled
    interaction = await fake.slash("compose", {"prompt": "sad piano ballad", "duration": 6, "seed": 7})
    piece = await wait_piece(fake, interaction)

    assert interaction.response_type == 5 and interaction.answered_after_s is not None
    assert interaction.answered_after_s < 3.0
    assert fake.rate_limited, "the 429 was served"
    edits = [body.get("content") or "" for body in fake.edits_of(int(piece["id"]))]
    assert any("v1" in text for text in edits), "the follow-up first said what was understood"
    assert any(stage in text for text in edits for stage in ("Queued", "Composing", "Rendering", "Encoding"))
    assert caption(piece) in edits[0] and "0:06" in caption(piece), "the embed shows the spec first understood"
    assert mp3_seconds(mp3_of(fake, piece)) == pytest.approx(6.0, abs=1.0)
    assert set(button_ids(piece)) == {"Faster", "Slower", "Variation", "Longer", "MIDI"}
    assert all(cid.startswith("bandmate:") for cid in button_ids(piece).values())
    assert footer(piece).startswith("v1")
    thread = await fake.wait_for(lambda: [t for t in fake.threads() if t["id"] == piece["id"]])
    assert thread[0]["parent_id"] == str(fake.channel_id)
    assert fake.uploads.count(piece["attachments"][0]["filename"]) == 1
    # The piece arrived by an edit, which Discord does not notify: the requester is pinged in a reply to it.
    pings = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(fake.channel_id)
            if m.get("message_reference", {}).get("message_id") == piece["id"]
        ]
    )
    assert len(pings) == 1 and pings[0]["content"].startswith(f"<@{interaction.user_id}> v1 is ready")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "discord.py and Bandmate logged at DEBUG"
    assert fake.token not in logged


async def test_same_seed_gives_the_same_piece(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    first = await fake.slash("compose", {"prompt": "lofi hip hop", "duration": 5, "seed": 11})
    second = await fake.slash("compose", {"prompt": "lofi hip hop", "duration": 5, "seed": 11})
    one, two = await wait_piece(fake, first), await wait_piece(fake, second)
    assert caption(one) == caption(two)
    assert one["id"] != two["id"], "two pieces, not one reused"
    assert [footer(piece)[:3] for piece in (one, two)] == ["v1 ", "v1 "], "each new piece starts at v1"


async def test_reply_make_it_faster_refines_that_version(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("compose", {"prompt": PROMPT})
    original = await wait_piece(fake, interaction)

    request = await fake.say("make it faster", reply_to=int(original["id"]))
    status = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(fake.channel_id)
            if m.get("message_reference", {}).get("message_id") == request["id"]
        ]
    )
    faster = await fake.wait_for(lambda: fake.messages[int(status[0]["id"])] if has_mp3(
        fake.messages[int(status[0]["id"])]) else None, 90)  # fmt: skip

    assert bpm(faster) > bpm(original)
    assert footer(faster).startswith("v2")
    assert faster["referenced_message"]["id"] == request["id"], "the piece answers the reply"


async def test_each_button_under_a_piece(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("compose", {"prompt": PROMPT})
    original = await wait_piece(fake, interaction)
    buttons = button_ids(original)

    clicks = {label: await fake.click(buttons[label], int(original["id"]))
              for label in ("Faster", "Slower", "Longer", "Variation", "MIDI")}  # fmt: skip
    midi = await fake.wait_for(lambda: (m := answer_of(fake, clicks["MIDI"])) and m["attachments"] and m)
    pieces = {label: await wait_piece(fake, clicks[label]) for label in ("Faster", "Slower", "Longer", "Variation")}

    assert all(click.response_type == 5 and (click.answered_after_s or 9) < 3 for click in clicks.values())
    assert midi["attachments"][0]["filename"].endswith(".mid")
    assert fake.attachment_bytes(midi["attachments"][0]).startswith(b"MThd")
    assert bpm(pieces["Faster"]) > bpm(original) > bpm(pieces["Slower"])
    longer_s, original_s = mp3_seconds(mp3_of(fake, pieces["Longer"])), mp3_seconds(mp3_of(fake, original))
    assert longer_s > original_s + 1
    assert mp3_of(fake, pieces["Variation"]) != mp3_of(fake, original)
    versions = sorted(footer(p).split(" ")[0] for p in pieces.values())
    assert versions == ["v2", "v3", "v4", "v5"], "each button made exactly one new version"


async def test_plain_message_in_the_thread_refines_the_latest_piece(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("compose", {"prompt": PROMPT})
    original = await wait_piece(fake, interaction)
    thread_id = int((await fake.wait_for(lambda: fake.threads()))[0]["id"])

    await fake.say("slower please", channel_id=thread_id)
    slower = await fake.wait_for(lambda: [m for m in fake.messages_in(thread_id) if has_mp3(m)], 90)
    await fake.say("add a flute", channel_id=thread_id)
    again = await fake.wait_for(lambda: [m for m in fake.messages_in(thread_id) if has_mp3(m)][1:], 90)

    assert bpm(slower[0]) < bpm(original)
    assert footer(again[0]).startswith("v3"), "the second message refined v2, the thread's latest"
    assert "flute" in str(again[0]["embeds"][0].get("fields")), "the embed lists what changed"
    assert bpm(again[0]) == bpm(slower[0])


async def test_history_undo_help_and_bad_input_get_clear_answers(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    empty = await fake.slash("history")
    help_ = await fake.slash("help")
    blank = await fake.slash("compose", {"prompt": "   "})
    too_long = await fake.slash("compose", {"prompt": "piano " * 400})
    help_text = await fake.wait_for(lambda: (m := answer_of(fake, help_)) and m["content"])
    refusals = {name: await fake.wait_for(partial(private_answer_of, fake, i))
                for name, i in {"empty": empty, "blank": blank, "long": too_long}.items()}  # fmt: skip

    assert "no piece" in refusals["empty"]["content"].lower()
    assert "/compose" in help_text and "/jam" in help_text
    assert "compose" in refusals["blank"]["content"].lower()
    assert "too long" in refusals["long"]["content"].lower()
    # A mistake is shown to whoever made it: the public "thinking…" answer is gone, nobody else sees it.
    assert {empty.original_message_id, blank.original_message_id, too_long.original_message_id} <= set(fake.deleted)
    assert all(m["flags"] & 64 or "too long" not in m["content"] for m in fake.messages.values())
    assert not fake.uploads, "none of these queued a piece"

    first = await wait_piece(fake, await fake.slash("compose", {"prompt": PROMPT}))
    faster = await wait_piece(fake, await fake.click(button_ids(first)["Faster"], int(first["id"])))
    history = await fake.slash("history")
    listed = await fake.wait_for(lambda: (m := answer_of(fake, history)) and m["content"] and m)
    back = await wait_piece(fake, await fake.slash("undo"))

    assert "v1" in listed["content"] and "v2" in listed["content"]
    assert bpm(back) == bpm(first) < bpm(faster)
    assert footer(back).startswith("v3")
