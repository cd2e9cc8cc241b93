"""A MIDI file dropped in a Discord channel with "compose bossa nova" comes back arranged; a corrupt one gets
one line; nothing downloaded is left behind."""

from __future__ import annotations

from typing import Any

import pytest
import symusic

from bot.adapters.discord import DiscordAdapter
from engine.midi import score_to_midi
from engine.score import Note, Score, Track
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import answer_of, button_ids, has_mp3, wait_piece

pytestmark = pytest.mark.settings(platform="discord")

TUNE = [(0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65), (4, 2, 67), (6, 2, 67), (8, 1, 69), (9, 1, 69), (10, 2, 67)]


def _tune_midi() -> bytes:
    notes = [Note(float(start), float(length), pitch, 90) for start, length, pitch in TUNE]
    return score_to_midi(Score(100.0, "4/4", "C", "major", [Track("flute", 73, "melody", notes)], 12.0))


async def _answer_to(fake: FakeDiscord, message: dict[str, Any]) -> dict[str, Any]:
    answers = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(int(message["channel_id"]))
            if m.get("message_reference", {}).get("message_id") == message["id"]
        ]
    )
    return answers[0]  # fmt: skip


def _delivered(fake: FakeDiscord, message_id: int) -> dict[str, Any] | None:
    message = fake.messages[message_id]
    return message if has_mp3(message) else None


async def test_a_dropped_midi_with_compose_is_arranged_and_a_corrupt_file_gets_one_line(
    bot: DiscordAdapter, fake: FakeDiscord
) -> None:
    dropped = await fake.say("compose bossa nova", files=[("tune.mid", _tune_midi())])
    status = await _answer_to(fake, dropped)
    piece = await fake.wait_for(lambda: _delivered(fake, int(status["id"])), 90)
    heard = fake.edits_of(int(status["id"]))[0]["content"]  # what was heard, before the piece replaced it
    midi_click = await fake.click(button_ids(piece)["MIDI"], int(piece["id"]))
    midi = await fake.wait_for(lambda: (m := answer_of(fake, midi_click)) and m["attachments"] and m)

    broken = await fake.say("", files=[("voice.ogg", b"\x00" * 900)], mention_bot=True)
    refusal = await _answer_to(fake, broken)
    too_big = await _answer_to(fake, await fake.say("/compose", files=[("long.wav", bytes(21 * 2**20))]))

    assert "Heard 9 notes" in heard and "Bossa Nova" in heard, heard
    tracks = symusic.Score.from_midi(fake.attachment_bytes(midi["attachments"][0])).tracks
    melody = next(track for track in tracks if track.name == "melody")
    assert [note.pitch % 12 for note in melody.notes][: len(TUNE)] == [pitch % 12 for _, _, pitch in TUNE]
    assert "couldn't read" in refusal["content"] and "\n" not in refusal["content"] and not refusal["attachments"]
    assert "21 MB" in too_big["content"] and "\n" not in too_big["content"]
    assert not any((bot.settings.media_dir / "uploads").glob("*")), "a downloaded tune is left behind"


async def test_slash_compose_with_a_tune_attachment_arranges_it(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("compose", {"prompt": "jazz waltz", "tune": ("tune.mid", _tune_midi())})
    piece = await wait_piece(fake, interaction)

    heard = fake.edits_of(int(piece["id"]))[0]["content"]
    assert "Heard 9 notes" in heard and "Jazz" in heard, heard
    assert not any((bot.settings.media_dir / "uploads").glob("*")), "a downloaded tune is left behind"


async def test_a_tune_sent_alone_in_a_direct_message_is_arranged(bot: DiscordAdapter, fake: FakeDiscord) -> None:
    dropped = await fake.say("", files=[("voice-message.mid", _tune_midi())], direct=True)
    status = await _answer_to(fake, dropped)
    piece = await fake.wait_for(lambda: _delivered(fake, int(status["id"])), 90)
    heard = fake.edits_of(int(status["id"]))[0]["content"]
    assert int(dropped["channel_id"]) != fake.channel_id and "guild_id" not in piece
    assert "Heard 9 notes" in heard and "Pop" in heard, heard  # no words: a pop arrangement, and the reply says so
