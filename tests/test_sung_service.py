"""Singing through the chat core: lyrics in, the vocals track out, /lyrics, /sheet, instrumental and new words."""

from __future__ import annotations

import asyncio

import symusic

from bot.app import Runtime
from bot.delivery import DeliveryLoop
from bot.messages import Delivery, Request
from engine.queue.worker import Worker
from tests.helpers import RecordingSink, eventually, origin

LYRICS = "hold on, hold on, the night is almost gone"


async def _next_delivery(runtime: Runtime, sink: RecordingSink, count: int) -> Delivery:
    loop = DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.05)
    task = asyncio.create_task(loop.run())

    try:
        await eventually(lambda: len(sink.deliveries) >= count, timeout=120)
    finally:
        task.cancel()
    delivery = sink.deliveries[count - 1]
    assert delivery.error is None and delivery.midi_path is not None, delivery.error
    return delivery


def _tracks(delivery: Delivery) -> dict[str, list[tuple[int, int, int]]]:
    midi = symusic.Score(str(delivery.midi_path))
    # symusic reads a track's lyric events into an extra, empty track of the same name: keep the notes.
    return {track.name: [(n.time, n.duration, n.pitch) for n in track.notes] for track in midi.tracks if track.notes}


async def test_a_sung_piece_by_chat_and_its_words_sheet_and_replies(runtime: Runtime, engine_worker: Worker) -> None:
    sink = RecordingSink()
    service = runtime.service
    first = await service.handle(Request(origin(), "compose", f'folk song lyrics: "{LYRICS}"', message_id="m1",
                                         seed=5))  # fmt: skip
    assert first.job_id is not None, first.text
    assert f"🎤 female voice, English: {LYRICS}" in first.text
    v1 = await _next_delivery(runtime, sink, 1)
    sung = _tracks(v1)
    assert sung.get("vocals")
    assert v1.midi_path is not None and v1.midi_path.read_bytes().count(b"\xff\x05") == 10  # a lyric per syllable

    words = await service.handle(Request(origin(), "lyrics", "", message_id="m2"))
    assert words.text.splitlines()[1:] == [LYRICS]

    sheet = await service.handle(Request(origin(), "sheet", "", message_id="m3"))
    assert sheet.file is not None and sheet.file.suffix == ".png" and sheet.file.parent == v1.midi_path.parent
    assert sheet.file.read_bytes()[:4] == b"\x89PNG" and sheet.file.with_suffix(".pdf").is_file()
    made = sheet.file.stat().st_mtime_ns
    again = await service.handle(Request(origin(), "sheet", "", message_id="m4"))
    assert again.file == sheet.file and sheet.file.stat().st_mtime_ns == made  # engraved once, then kept

    plain = await service.handle(Request(origin(), None, "instrumental", message_id="m5",
                                         reply_to_message_id=f"msg-{v1.composition_id}"))  # fmt: skip
    assert "instrumental (no vocals)" in plain.text
    v2 = await _next_delivery(runtime, sink, 2)
    assert "vocals" not in _tracks(v2)

    renewed = await service.handle(
        Request(
            origin(),
            None,
            'new lyrics: "hold on, hold on, the day is almost here"',
            message_id="m6",
            reply_to_message_id=f"msg-{v1.composition_id}",
        )
    )
    assert "new lyrics" in renewed.text and "the day is almost here" in renewed.text
    v3 = await _next_delivery(runtime, sink, 3)
    before, after = _tracks(v1), _tracks(v3)
    assert before.keys() == after.keys()
    assert before["vocals"] != after["vocals"]
    assert all(before[name] == after[name] for name in before if name != "vocals")  # the band plays on


async def test_lyrics_too_long_for_a_message_get_one_line(runtime: Runtime) -> None:
    reply = await runtime.service.handle(Request(origin(), "compose", "pop lyrics: " + "la " * 700, message_id="x"))
    assert reply.job_id is None
    assert reply.text.startswith("Those lyrics are 2,099 characters") and "\n" not in reply.text
    none = await runtime.service.handle(Request(origin(), "lyrics", "", message_id="y"))
    assert none.text.startswith("There is no piece here yet")
