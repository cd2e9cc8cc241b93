"""A jam in a Discord channel: several people build one piece through discord.py's real client."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.adapters.discord import DiscordAdapter
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import answer_of, button_ids, caption, has_mp3, wait_piece

pytestmark = pytest.mark.settings(platform="discord", jam_debounce_seconds=0.3)


async def test_a_channel_jam_with_vote_and_final_stems(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    alice, bob = "alice", "bob"
    assert "jam" in {command["name"] for command in fake.commands}
    start = await fake.slash("jam", {"say": "start lofi in F 240bpm"}, user=alice)  # 24 s: a jam is 24 bars
    first = await wait_piece(fake, start)
    assert "Lo-fi" in caption(first) and "240 bpm" in caption(first)

    await fake.say("add a walking bass", user=bob, reply_to=int(first["id"]))
    with_bass = await fake.wait_for(lambda: next((m for m in fake.messages.values()
                                                  if has_mp3(m) and m.get("embeds")
                                                  and "walking" in caption(m)), None), 90)  # fmt: skip
    assert "(bob)" in caption(with_bass).lower(), caption(with_bass)

    vote = await fake.slash("jam", {"say": "vote"}, user=alice)
    await fake.wait_for(lambda: (m := answer_of(fake, vote)) and "A and B" in (m.get("content") or "") and m, 30)
    take_b = await fake.wait_for(lambda: next((m for m in fake.messages.values() if has_mp3(m)
                                               and "Pick B" in button_ids(m)), None), 90)  # fmt: skip
    for user in (alice, bob):
        await fake.click(button_ids(take_b)["Pick B"], int(take_b["id"]), user=user)
    await fake.wait_for(lambda: any("wins" in (m.get("content") or "") for m in fake.messages.values()), 30)

    end = await fake.slash("jam", {"say": "end"}, user=bob)
    final = await wait_piece(fake, end, timeout=180)
    assert sorted(a["filename"].rsplit(".", 1)[-1] for a in final["attachments"]) == ["mid", "mp3", "zip"]
    stems = next(a for a in final["attachments"] if a["filename"].endswith(".zip"))
    with zipfile.ZipFile(io.BytesIO(fake.attachment_bytes(stems))) as archive:
        assert len(archive.namelist()) >= 3
    assert "final mix" in caption(final)
