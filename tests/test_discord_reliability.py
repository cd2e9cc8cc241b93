"""Discord under stress: restarts mid-job, bursts, expired tokens, 429s, limits, channel rules, big files."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Runtime
from bot.messages import Delivery, Origin
from bot.service import Limits
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import (
    answer_of,
    bandmate_on_discord,
    bpm,
    button_ids,
    footer,
    has_mp3,
    mp3_of,
    mp3_seconds,
    piece_of,
    private_answer_of,
    wait_piece,
)
from tests.fakes.discord_api_payloads import MANAGE_GUILD
from tests.helpers import running_engine

pytestmark = pytest.mark.settings(platform="discord")

PROMPT = "calm lofi beat 5 seconds"


async def test_restart_mid_job_delivers_once_and_old_buttons_still_work(runtime: Runtime, fake: FakeDiscord) -> None:
    async with bandmate_on_discord(runtime):
        interaction = await fake.slash("compose", {"prompt": PROMPT})
        status = await fake.wait_for(
            lambda: m if (m := answer_of(fake, interaction)) and "Queued" in m["content"] else None
        )
    # The bot is gone while the engine makes the piece; the next bot has no memory of the interaction.
    async with running_engine(runtime), bandmate_on_discord(runtime):
        piece = await fake.wait_for(lambda: fake.pieces(), 90)
        await asyncio.sleep(1.0)  # several more delivery rounds: nothing may be posted twice
    assert len(fake.pieces()) == 1 and len([f for f in fake.uploads if f.endswith(".mp3")]) == 1
    # The stored status message (no interaction token in memory now) became the piece, and the requester was told.
    assert piece[0]["id"] == status["id"] and "Queued" not in piece[0]["content"]
    pings = [m for m in fake.messages_in(fake.channel_id)
             if m.get("message_reference", {}).get("message_id") == piece[0]["id"]]  # fmt: skip
    assert len(pings) == 1 and f"<@{fake.users['alice']['id']}>" in pings[0]["content"]

    async with running_engine(runtime), bandmate_on_discord(runtime):  # a third process start: buttons from before
        click = await fake.click(button_ids(piece[0])["Faster"], int(piece[0]["id"]))
        faster = await wait_piece(fake, click)
    assert bpm(faster) > bpm(piece[0])


async def test_twenty_interactions_at_once_get_twenty_answers(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:

    users = list(fake.users)
    async with bandmate_on_discord(runtime):
        started = time.monotonic()
        interactions = await asyncio.gather(*(
            fake.slash("compose", {"prompt": f"{PROMPT} number {n}", "seed": n}, user=users[n % len(users)])
            for n in range(20)
        ))  # fmt: skip
        await fake.wait_for(lambda: all(piece_of(fake, i) for i in interactions), 240)
        elapsed = time.monotonic() - started
        await asyncio.sleep(1.0)
    answers = [piece_of(fake, i) for i in interactions]
    assert all(i.response_type == 5 and (i.answered_after_s or 9) < 3.0 for i in interactions)
    assert len({a["id"] for a in answers if a}) == 20, "one piece per interaction, none lost"
    assert len([f for f in fake.uploads if f.endswith(".mp3")]) == 20, "none posted twice"
    assert [footer(a).split(" ")[0] for a in answers if a] == ["v1"] * 20, "twenty new pieces, each its own v1"
    print(f"20 concurrent /compose: all delivered in {elapsed:.1f} s")


async def test_follow_up_older_than_15_minutes_falls_back_to_a_channel_message(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    later = datetime.now(UTC) + timedelta(minutes=16)
    async with bandmate_on_discord(runtime, clock=lambda: later):
        interaction = await fake.slash("compose", {"prompt": PROMPT})
        piece = (await fake.wait_for(lambda: fake.pieces(), 90))[0]
    assert piece["id"] != str(interaction.original_message_id)
    assert piece["channel_id"] == str(fake.channel_id)
    assert f"<@{fake.users['alice']['id']}>" in piece["content"]
    assert not has_mp3(answer_of(fake, interaction))


async def test_webhook_rejected_as_expired_falls_back_to_a_channel_message(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    async with bandmate_on_discord(runtime):
        interaction = await fake.slash("compose", {"prompt": PROMPT})
        await fake.wait_for(lambda: (m := answer_of(fake, interaction)) and "v1" in m["content"])
        fake.expire(interaction)
        piece = (await fake.wait_for(lambda: fake.pieces(), 90))[0]
    assert ("PATCH", f"/api/v10/webhooks/{fake.application_id}/{interaction.token}/messages/"
            f"{interaction.original_message_id}", 401) in fake.requests  # fmt: skip
    assert piece["id"] != str(interaction.original_message_id)


async def test_rate_limited_routes_are_retried_after_retry_after(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    async with bandmate_on_discord(runtime):
        fake.rate_limit_next("PATCH", r"/messages/\d+$", retry_after=0.4, times=2)  # progress and piece edits
        fake.rate_limit_next("POST", r"/channels/\d+/messages/\d+/threads$", retry_after=0.4, is_global=True)
        piece = await wait_piece(fake, await fake.slash("compose", {"prompt": PROMPT}))
        await fake.wait_for(lambda: fake.threads())
    limited = [(method, path) for method, path, status in fake.requests if status == 429]
    assert len(limited) == 3
    for method, path in limited:  # each throttled call was made again, and then succeeded
        assert (method, path, 200) in fake.requests or (method, path, 201) in fake.requests
    assert mp3_seconds(mp3_of(fake, piece)) > 3


@pytest.mark.settings(platform="discord", discord_guild_requests_per_minute=2)
async def test_server_and_channel_limits_answer_politely(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    async with bandmate_on_discord(runtime):
        first = [await fake.slash("compose", {"prompt": PROMPT}, user=u) for u in ("alice", "bob")]
        third = await fake.slash("compose", {"prompt": PROMPT}, user="carol")
        refused = await fake.wait_for(lambda: answer_of(fake, third))
        await fake.wait_for(lambda: all(piece_of(fake, i) for i in first), 90)
    assert third.response_type == 4 and refused["flags"] & 64, "refused privately, at once"
    assert "this server" in refused["content"].lower() and "try again" in refused["content"].lower()
    assert len([f for f in fake.uploads if f.endswith(".mp3")]) == 2


async def test_user_limit_and_failed_pieces_get_clear_answers(runtime: Runtime, fake: FakeDiscord) -> None:
    runtime.service.limits = Limits(max_prompt_chars=runtime.settings.max_prompt_chars, requests_per_minute=1)
    async with bandmate_on_discord(runtime) as adapter:
        first = await fake.slash("compose", {"prompt": PROMPT})
        await fake.wait_for(lambda: (m := answer_of(fake, first)) and "v1" in m["content"])
        second = await fake.slash("compose", {"prompt": PROMPT})
        limited = await fake.wait_for(lambda: private_answer_of(fake, second))
        origin = Origin("discord", str(fake.channel_id), fake.users["bob"]["id"], "bob")
        failed = Delivery(job_id=99, composition_id=99, version=9, origin=origin, reply_to_message_id=None,
                          title="x", caption="x", duration_s=0.0, mp3_path=None, midi_path=None,
                          error="The piece could not be rendered.")  # fmt: skip
        posted = await adapter.deliver(failed)
    assert "easy there" in limited["content"].lower()
    report = fake.messages[int(posted.message_id or 0)]
    assert "could not be rendered" in report["content"] and f"<@{fake.users['bob']['id']}>" in report["content"]
    assert not report["attachments"] and not report["components"]


async def test_channels_chosen_per_server_are_stored_and_enforced(runtime: Runtime, fake: FakeDiscord) -> None:
    async with bandmate_on_discord(runtime):
        not_allowed = await fake.slash("channels", {"action": "allow"}, user="bob", permissions=0)
        allowed = await fake.slash("channels", {"action": "allow"}, user="carol", permissions=MANAGE_GUILD)
        denied_text = await fake.wait_for(lambda: (m := answer_of(fake, not_allowed)) and m["content"])
        allowed_text = await fake.wait_for(lambda: (m := answer_of(fake, allowed)) and m["content"])
    stored = await runtime.store.allowed_channels("discord", str(fake.guild_id))
    assert "manage this server" in denied_text and f"<#{fake.channel_id}>" in allowed_text
    assert stored == {str(fake.channel_id)}

    async with bandmate_on_discord(runtime):  # a restart reads the list back from the database
        elsewhere = await fake.slash("compose", {"prompt": PROMPT}, channel_id=fake.other_channel_id)
        here = await fake.slash("help")
        refusal = await fake.wait_for(lambda: answer_of(fake, elsewhere))
        await fake.wait_for(lambda: (m := answer_of(fake, here)) and m["content"])
    assert elsewhere.response_type == 4 and refusal["flags"] & 64
    assert f"<#{fake.channel_id}>" in refusal["content"]


async def test_piece_over_the_upload_limit_is_sent_smaller_and_says_so(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    fake.rest.max_upload_bytes = 40_000  # the fake refuses bigger uploads with 413, as Discord does
    async with bandmate_on_discord(runtime, upload_limit_bytes=40_000):
        piece = await wait_piece(fake, await fake.slash("compose", {"prompt": "epic orchestral 8 seconds"}))
    notes = [field["value"] for field in piece["embeds"][0].get("fields", []) if field["name"] == "Note"]
    assert len(mp3_of(fake, piece)) <= 40_000
    assert notes and ("kbps" in notes[0] or "first" in notes[0])


async def test_gateway_drop_reconnects_and_keeps_answering(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord
) -> None:
    async with bandmate_on_discord(runtime):
        await fake.drop_connections()
        await fake.wait_for(lambda: fake.resumes == 1 and fake.sessions, 30)
        piece = await wait_piece(fake, await fake.slash("compose", {"prompt": PROMPT}))
    assert has_mp3(piece) and len(fake.identifies) == 1, "resumed the session instead of identifying again"
