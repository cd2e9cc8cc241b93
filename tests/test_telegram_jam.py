"""A jam in a Telegram group: two people build one piece through the real PTB adapter."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.app import Runtime
from bot.settings import Settings
from engine.queue.worker import Worker
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser
from tests.test_telegram_support import piece_for, posted_id, running_bot

pytestmark = pytest.mark.settings(platform="telegram", jam_debounce_seconds=0.3)

ALICE = FakeUser(201, "Alice", "alice")
BOB = FakeUser(202, "Bob")
BAND = FakeChat(-100_888, "supergroup", "The Jam Band")


async def test_a_group_jam_with_two_people(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:

    async with running_bot(runtime, settings):
        start = fake_api.user_says(BAND, ALICE, "/jam start lofi in F 240bpm")  # 24 s: a jam is 24 bars
        first = await piece_for(fake_api, BAND, start["message_id"])
        bass = fake_api.user_says(BAND, BOB, "add a walking bass", reply_to=posted_id(first))
        with_bass = await piece_for(fake_api, BAND, bass["message_id"])
        assert "walking" in with_bass.params["caption"] and "(Bob)" in with_bass.params["caption"]
        drums = fake_api.user_says(BAND, ALICE, "/jam drums: boom bap")
        with_drums = await piece_for(fake_api, BAND, drums["message_id"])
        assert "drums → boom bap (Alice)" in with_drums.params["caption"]
        status = fake_api.user_says(BAND, BOB, "/jam status")
        await fake_api.wait_for("sendMessage", where=lambda c: "Players:" in c.params.get("text", ""))
        end = fake_api.user_says(BAND, BOB, "/jam end")
        final = await piece_for(fake_api, BAND, end["message_id"], within_s=120)
        documents = await fake_api.wait_for("sendDocument", 2, where=lambda c: c.params["chat_id"] == BAND.id)
    status_text = next(c.params["text"] for c in fake_api.calls_to("sendMessage", BAND.id)
                       if "Players:" in c.params["text"])  # fmt: skip
    assert "by Bob" in status_text and "Players: Alice, Bob" in status_text and status["message_id"]
    assert "final mix (Bob)" in final.params["caption"]
    uploads = {d.uploads["document"].filename.rsplit(".", 1)[-1]: d.uploads["document"] for d in documents}
    assert set(uploads) == {"mid", "zip"}
    with zipfile.ZipFile(io.BytesIO(uploads["zip"].data)) as archive:
        assert len(archive.namelist()) >= 3 and all(name.endswith(".mp3") for name in archive.namelist())
