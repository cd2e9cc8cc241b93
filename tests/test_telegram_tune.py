"""A hummed voice message and a MIDI document sent to the Telegram bot come back arranged."""

from __future__ import annotations

import io
import subprocess

import pytest
import soundfile
import symusic

from bot.app import Runtime
from bot.settings import Settings
from engine.evaluate.tune_inputs import generator, hum
from engine.queue.worker import Worker
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser
from tests.test_telegram_support import piece_for, running_bot, settle

pytestmark = pytest.mark.settings(platform="telegram")

ALICE = FakeUser(101, "Alice", "alice")
ALICE_DM = FakeChat(ALICE.id)
TUNE = [(i * 0.6, (i + d) * 0.6, p) for i, d, p in ((0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65), (4, 2, 67),
                                                     (6, 2, 67), (8, 1, 69), (9, 1, 69), (10, 2, 67))]  # fmt: skip


def _voice_note() -> bytes:
    wav = io.BytesIO()
    soundfile.write(wav, hum(TUNE, generator(1)), 22_050, format="WAV")
    done = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-c:a", "libopus", "-f", "ogg", "-"],
                          input=wav.getvalue(), capture_output=True, check=True)  # fmt: skip
    return done.stdout


async def test_a_voice_message_with_a_compose_caption_is_arranged(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    voice = {**fake_api.user_file(_voice_note(), "audio/ogg"), "duration": 7, "mime_type": "audio/ogg"}
    async with running_bot(runtime, settings):
        sent = fake_api.user_sends(ALICE_DM, ALICE, voice=voice, caption="/compose bossa nova")
        piece = await piece_for(fake_api, ALICE_DM, sent["message_id"])
        await settle()
    status = fake_api.calls_to("sendMessage", ALICE_DM.id)[0].params["text"]
    assert "Heard 9 notes, 100 bpm" in status and "Bossa Nova" in status
    assert "Bossa Nova" in piece.params["caption"]
    assert not any((settings.media_dir / "uploads").glob("*")), "the downloaded voice note is left behind"


async def test_a_midi_document_then_compose_by_reply_and_a_bad_file(
    fake_api: FakeTelegramApi, runtime: Runtime, settings: Settings, engine_worker: Worker
) -> None:
    score = symusic.Score(480)
    track = symusic.Track(name="lead", program=73)
    for start, end, pitch in TUNE:
        track.notes.append(symusic.Note(round(start / 0.6 * 480), round((end - start) / 0.6 * 480), pitch, 90))
    score.tracks.append(track)
    midi = {**fake_api.user_file(score.dumps_midi(), "audio/midi"), "file_name": "tune.mid", "mime_type": "audio/midi"}
    broken = {**fake_api.user_file(b"\x00" * 900, "audio/ogg"), "duration": 2, "mime_type": "audio/ogg"}
    async with running_bot(runtime, settings):
        document = fake_api.user_sends(ALICE_DM, ALICE, document=midi)
        asked = fake_api.user_says(ALICE_DM, ALICE, "/compose jazz waltz", reply_to=document["message_id"])
        await piece_for(fake_api, ALICE_DM, asked["message_id"])
        bad = fake_api.user_sends(ALICE_DM, ALICE, voice=broken)
        await fake_api.wait_for("sendMessage", where=lambda call: call.params.get("reply_parameters", {}).get(
            "message_id") == bad["message_id"])  # fmt: skip
        await settle()
    texts = [call.params["text"] for call in fake_api.calls_to("sendMessage", ALICE_DM.id)]
    assert any("Heard 9 notes" in text and "Jazz" in text for text in texts), texts
    assert any("couldn't read" in text and "\n" not in text for text in texts), texts
