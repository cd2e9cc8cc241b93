"""Status messages on Telegram: they only move forward, never repeat an edit, and are always finished.

A restart mid-job included: the status message ids live in the database, not in the adapter's memory.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Runtime
from bot.messages import Step
from bot.service import HELP
from bot.settings import Settings
from tests.fakes.telegram_api import ApiCall, FakeChat, FakeTelegramApi, FakeUser
from tests.helpers import running_engine
from tests.test_telegram_support import piece_for, posted_id, running_bot, settle

pytestmark = pytest.mark.settings(platform="telegram", jam_debounce_seconds=1.5)

ALICE = FakeUser(301, "Alice", "alice")
BOB = FakeUser(302, "Bob")
ALICE_DM = FakeChat(ALICE.id)
BAND = FakeChat(-100_999, "supergroup", "Status Band")
LINES = {Step(stage).text(): Step(stage) for stage in ("composing", "rendering", "mixing", "encoding", "stems",
                                                        "done", "failed")}  # fmt: skip


def step_of(text: str) -> Step:
    """The step a status message's last line shows (a reply without a status line: as just posted)."""
    line = text.splitlines()[-1]
    if line.startswith("Queued…"):
        words = line.split()
        return Step("queued", 1 if "first" in words else int(words[2]) if len(words) > 2 else 0)
    return LINES.get(line, Step("queued"))


def status_history(api: FakeTelegramApi, chat: FakeChat, status: ApiCall) -> list[str]:
    """Every text a status message showed: as posted, then each edit."""
    edits = [c.params["text"] for c in api.calls_to("editMessageText", chat.id)
             if c.params["message_id"] == posted_id(status)]  # fmt: skip
    return [status.params["text"], *edits]


def assert_forward_and_finished(texts: list[str], last: str = "✅ Done") -> None:
    """Each edit shows a later step than the one before, and the last one finishes the message."""
    ranks = [step_of(text).rank() for text in texts]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks), texts
    assert texts[-1].splitlines()[-1] == last, texts


async def test_three_pieces_in_line_show_only_forward_steps_and_finish(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings
) -> None:
    async with running_bot(runtime, settings):
        asks = [fake_api.user_says(ALICE_DM, ALICE, f"/compose calm piano number {n}, 6 seconds") for n in range(3)]
        await fake_api.wait_for("sendMessage", 3)
        await asyncio.sleep(0.5)  # the loop shows each its place in line before any engine runs
        async with running_engine(runtime):
            for ask in asks:
                await piece_for(fake_api, ALICE_DM, ask["message_id"])
            await settle(1.0)

    statuses = fake_api.calls_to("sendMessage", ALICE_DM.id)
    assert len(statuses) == 3
    for status in statuses:
        assert_forward_and_finished(status_history(fake_api, ALICE_DM, status))
    third = status_history(fake_api, ALICE_DM, statuses[2])
    assert any(step_of(text).position == 3 for text in third), third
    assert not [r for r in fake_api.refused if "not modified" in r[1]], fake_api.refused


async def test_a_restart_mid_job_still_finishes_the_status_message(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings
) -> None:
    async with running_bot(runtime, settings):
        ask = fake_api.user_says(ALICE_DM, ALICE, "/compose sad piano ballad, 6 seconds")
        status = (await fake_api.wait_for("sendMessage", where=lambda c: c.params["chat_id"] == ALICE_DM.id))[0]
    # The bot process is gone; the engine makes the piece; a new bot process (no memory of the status) posts it.
    async with running_engine(runtime), running_bot(runtime, settings):
        await piece_for(fake_api, ALICE_DM, ask["message_id"])
        await settle(1.0)
    assert_forward_and_finished(status_history(fake_api, ALICE_DM, status))
    assert len(fake_api.calls_to("sendAudio")) == 1


async def test_jam_help_says_what_works_and_every_contribution_status_is_finished(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings
) -> None:
    assert "/jam start" in HELP and "reply to the mix" in HELP  # privacy mode hides plain group messages
    async with running_engine(runtime), running_bot(runtime, settings):
        start = fake_api.user_says(BAND, ALICE, "/jam start lofi in F 240bpm, 8 seconds")  # 24 s: a jam is 24 bars
        first = await piece_for(fake_api, BAND, start["message_id"])
        # Two changes within the debounce: one mix answers both, and both status messages are finished.
        bass = fake_api.user_says(BAND, BOB, "add a walking bass", reply_to=posted_id(first))
        drums = fake_api.user_says(BAND, ALICE, "/jam add drums: boom bap")
        mix = await piece_for(fake_api, BAND, drums["message_id"])
        mixed = fake_api.user_says(BAND, ALICE, "/jam mix")
        final = await piece_for(fake_api, BAND, mixed["message_id"], within_s=120)
        await fake_api.wait_for("sendDocument", 2, where=lambda c: c.params["chat_id"] == BAND.id)
        end = fake_api.user_says(BAND, BOB, "/jam end")
        await fake_api.wait_for("sendMessage", where=lambda c: "Jam over" in c.params.get("text", ""))
        await settle(2.0)

    said = {call.params["reply_parameters"]["message_id"]: call for call in fake_api.calls_to("sendMessage", BAND.id)}
    assert "reply to the mix" in said[start["message_id"]].params["text"]
    assert "walking" in mix.params["caption"] and "boom bap" in mix.params["caption"]
    for request in (start, bass, drums, mixed):
        assert_forward_and_finished(status_history(fake_api, BAND, said[request["message_id"]]))
    # The final mix carries no refine buttons, and ending right after it posts nothing again.
    assert "reply_markup" not in final.params or not final.params["reply_markup"]
    assert "Nothing changed" in said[end["message_id"]].params["text"]
    assert len(fake_api.calls_to("sendAudio", BAND.id)) == 3 and len(fake_api.calls_to("sendDocument", BAND.id)) == 2
