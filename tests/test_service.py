"""The core end to end in one process: request → version → real engine job → delivery, exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import symusic
from pydub import AudioSegment
from sqlalchemy import update

from bot.app import Runtime
from bot.delivery import DeliveryLoop
from bot.messages import Command, Request
from engine.queue.contract import JobResult
from engine.queue.jobs import Job
from engine.queue.worker import Worker
from tests.helpers import RecordingSink, eventually, origin


async def _deliver_all(runtime: Runtime, sink: RecordingSink, count: int) -> None:
    loop = DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.05)
    task = asyncio.create_task(loop.run())
    try:
        await eventually(lambda: len(sink.deliveries) >= count, timeout=120)
        await asyncio.sleep(0.3)  # a few more rounds: nothing may be posted twice
    finally:
        task.cancel()


def _midi(path: Path) -> symusic.Score:
    return symusic.Score(str(path))


async def test_compose_then_reply_faster_keeps_key_and_raises_tempo(runtime: Runtime, engine_worker: Worker) -> None:
    sink = RecordingSink()
    first = await runtime.service.handle(
        Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="m1", seed=7)
    )
    assert first.job_id is not None, first.text
    assert "v1" in first.text and "bpm" in first.text
    await _deliver_all(runtime, sink, 1)
    v1 = sink.deliveries[0]
    assert v1.error is None and v1.mp3_path is not None and v1.midi_path is not None
    assert v1.reply_to_message_id == "m1"
    assert abs(AudioSegment.from_mp3(v1.mp3_path).duration_seconds - 8.0) <= 0.4

    second = await runtime.service.handle(
        Request(origin(), None, "make it faster", message_id="m2", reply_to_message_id="msg-" + str(v1.composition_id))
    )
    assert second.job_id is not None, second.text
    await _deliver_all(runtime, sink, 2)
    v2 = sink.deliveries[1]
    assert v2.version == 2 and v2.midi_path is not None
    before, after = _midi(v1.midi_path), _midi(v2.midi_path)
    assert after.tempos[0].qpm > before.tempos[0].qpm
    assert after.key_signatures[0].key == before.key_signatures[0].key
    stored = await runtime.store.get(v2.composition_id)
    assert stored is not None and stored.parent_id == v1.composition_id and stored.seed == 7


@pytest.mark.both_databases
async def test_repeated_platform_message_is_one_piece(runtime: Runtime) -> None:
    request = Request(origin(), "compose", "happy pop song, 8 seconds", message_id="same")
    first, again = await runtime.service.handle(request), await runtime.service.handle(request)
    assert first.job_id is not None and first.job_id == again.job_id
    assert len(await runtime.queue.queued_ids()) == 1


@pytest.mark.both_databases
async def test_versions_count_per_piece_and_concurrent_changes_get_distinct_ones(runtime: Runtime) -> None:
    service = runtime.service
    first = await service.handle(Request(origin(), "compose", "jazz trio, 8 seconds", message_id="m0"))
    assert first.text.startswith("🎼 v1")
    replies = await asyncio.gather(*(
        service.handle(Request(origin(user=f"u{i}"), None, "a bit faster", message_id=f"m{i}",
                               composition_id=first.composition_id))
        for i in range(1, 11)
    ))  # fmt: skip
    assert all(reply.job_id is not None for reply in replies), [r.text for r in replies]
    piece = await runtime.store.get(first.composition_id or 0)
    assert piece is not None
    versions = sorted(c.version for c in await runtime.store.history(piece.piece_id, limit=50))
    assert versions == list(range(1, 12))

    fresh = await service.handle(Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="new"))
    assert fresh.text.startswith("🎼 v1:"), "a brand-new piece starts at v1, whatever came before in the chat"
    second = await service.handle(Request(origin(), None, "add drums", message_id="s"))
    assert second.text.startswith("🎼 v2:"), "a change refines the newest piece"
    back = await service.handle(Request(origin(), None, "go back to v1", message_id="b"))
    assert back.text.startswith("🎼 v3:") and "back to v1" in back.text
    restored = await runtime.store.get(back.composition_id or 0)
    original = await runtime.store.get(fresh.composition_id or 0)
    assert restored is not None and original is not None and restored.spec == original.spec
    missing = await service.handle(Request(origin(), None, "go back to v7", message_id="g"))
    assert missing.refusal and "v1 to v3" in missing.text
    history = await service.handle(Request(origin(), "history"))
    assert [line.split(" ")[0] for line in history.text.splitlines()] == ["v3", "v2", "v1"], history.text
    assert "jazz" not in history.text.lower(), "/history shows the current piece only"


@pytest.mark.both_databases
async def test_undo_reposts_the_previous_version_without_composing(runtime: Runtime, engine_worker: Worker) -> None:
    sink = RecordingSink()
    await runtime.service.handle(Request(origin(), "compose", "lofi beat, 8 seconds", message_id="a", seed=3))
    await runtime.service.handle(Request(origin(), "refine", "add strings", message_id="b"))
    await _deliver_all(runtime, sink, 2)
    undo = await runtime.service.handle(Request(origin(), "undo", message_id="c"))
    assert undo.job_id is not None, undo.text
    job = await runtime.queue.get(undo.job_id)
    assert job is not None and job.status == "done"  # no engine work needed
    await _deliver_all(runtime, sink, 3)
    assert sink.deliveries[2].mp3_path == sink.deliveries[0].mp3_path
    history = await runtime.service.handle(Request(origin(), "history"))
    assert history.text.splitlines()[0].startswith("v3") and "back to v1" in history.text


@pytest.mark.both_databases
async def test_failed_post_is_retried_and_posted_once(runtime: Runtime) -> None:
    sink = RecordingSink(fail_next=1)
    await runtime.service.handle(Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="x"))
    claimed = await runtime.queue.claim("w", 30, 3)
    assert claimed is not None
    await runtime.queue.complete(claimed, JobResult(files={"mp3": "/tmp/a.mp3", "midi": "/tmp/a.mid"}, duration_s=8.0))
    loops = [DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.02) for _ in range(3)]
    assert await loops[0].tick() == 0 and sink.deliveries == []  # the post failed; the claim is released
    posted = await asyncio.gather(*(loop.tick() for loop in loops))
    assert sum(posted) == 1
    await asyncio.gather(*(loop.tick() for loop in loops))
    assert len(sink.deliveries) == 1


async def test_midi_comes_from_the_job_as_soon_as_it_is_done_before_the_post(runtime: Runtime, tmp_path: Path) -> None:
    await runtime.service.handle(Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="m"))
    before = await runtime.service.handle(Request(origin(), "midi"))
    assert "still being composed" in before.text and before.file is None
    claimed = await runtime.queue.claim("w", 30, 3)
    assert claimed is not None
    midi = tmp_path / "made.mid"
    midi.write_bytes(b"MThd")
    await runtime.queue.complete(claimed, JobResult(files={"mp3": str(tmp_path / "made.mp3"), "midi": str(midi)}))
    after = await runtime.service.handle(Request(origin(), "midi"))  # not posted yet: no delivery loop ran
    assert after.file == midi and after.text.startswith("MIDI of v1")


async def _rows(runtime: Runtime) -> tuple[int, ...]:
    from sqlalchemy import func, select

    from bot.store.models import Composition, Conversation, User

    async with runtime.database.connect() as connection:
        return tuple([int((await connection.execute(select(func.count()).select_from(table))).scalar_one())
                      for table in (User, Conversation, Composition)])  # fmt: skip


async def test_user_mistakes_get_one_clear_line_and_service_keeps_serving(runtime: Runtime) -> None:
    service = runtime.service
    mistakes: dict[tuple[Command | None, str], str] = {
        ("compose", ""): "Tell me what to compose",
        ("compose", "x" * 5000): "too long",
        ("compose", "asdkjh qwpoeiru zxcmvn"): "I didn't recognise “asdkjh”, “qwpoeiru”, “zxcmvn”",
        ("compose", "\x00\x07\x1b[31m"): "Length must be between 5 seconds and 5 minutes",  # "31m": 31 minutes
        ("undo", ""): "There is no piece here yet",
        ("refine", "faster"): "There is no piece here yet",
        ("history", ""): "There is no piece here yet",
        ("midi", ""): "There is no piece here yet",
        (None, ""): "Tell me what to compose",
    }
    for (command, text), reason in mistakes.items():
        reply = await service.handle(Request(origin(user="bob", chat="c2"), command, text))
        assert reply.job_id is None and "\n" not in reply.text, reply.text  # one line
        assert reason in reply.text and not any(word in reply.text for word in ("Traceback", "Error", 'File "'))
    assert await _rows(runtime) == (0, 0, 0)  # a refused request stores nothing, not even the chat or the user
    understood = await service.handle(Request(origin(), "compose", "🎹🎹🎹"))
    assert understood.job_id is not None and "piano" in understood.text
    ok = await service.handle(Request(origin(), "compose", "happy pop song, 8 seconds"))
    assert ok.job_id is not None
    assert await _rows(runtime) == (1, 1, 2)


async def test_rate_limit_answers_politely(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    runtime = await Runtime.open(make_settings(tmp_path, rate_limit_per_minute=2))
    try:
        replies = [
            await runtime.service.handle(Request(origin(), "compose", "rock song, 8 seconds", message_id=str(i)))
            for i in range(3)
        ]
    finally:
        await runtime.close()
    assert [r.job_id is not None for r in replies] == [True, True, False]
    assert "a minute" in replies[2].text


async def test_status_lines_never_go_back_and_finish_once_after_the_post(runtime: Runtime) -> None:
    sink = RecordingSink()
    loop = DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.02)
    reply = await runtime.service.handle(Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="q"))
    assert reply.job_id is not None and reply.text.endswith("Queued…")
    status = await runtime.store.statuses.record(reply.job_id, "console", "chat-1", "s1", reply.text, "q")
    await loop.tick()
    claimed = await runtime.queue.claim("w", 30, 3)
    assert claimed is not None
    await loop.tick()
    async with runtime.database.begin() as connection:  # the engine lost its lease: the job is queued again
        await connection.execute(update(Job).where(Job.id == claimed.id).values(status="queued", stage="queued"))
    await loop.tick()
    await loop.tick()
    shown = [update.step.text() for update in sink.progress_updates if status in update.statuses]
    assert shown == ["Queued… first in line", "Composing…"], shown
    again = await runtime.queue.claim("w2", 30, 3)
    assert again is not None
    await runtime.queue.complete(again, JobResult(files={"mp3": "/tmp/x.mp3", "midi": "/tmp/x.mid"}, duration_s=8.0))
    await asyncio.gather(loop.tick(), DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.02).tick())
    await loop.tick()
    finished = [update.step.text() for update in sink.progress_updates if status in update.statuses]
    assert finished == [*shown, "✅ Done"], "finished exactly once, by one of the two loops"
    assert len(sink.deliveries) == 1 and sink.deliveries[0].statuses == (status,)


async def test_wav_at_once_and_stems_as_a_new_version(runtime: Runtime, engine_worker: Worker) -> None:
    sink = RecordingSink()
    early = await runtime.service.handle(Request(origin(), "wav"))
    assert early.file is None and "no piece" in early.text.lower()
    compose = Request(origin(), "compose", "house groove, 6 seconds", message_id="a", seed=2)
    first = await runtime.service.handle(compose)
    assert first.job_id is not None
    await _deliver_all(runtime, sink, 1)
    wav = await runtime.service.handle(Request(origin(), "wav"))
    assert wav.file is not None and wav.file.suffix == ".wav" and wav.text.startswith("Lossless WAV of v1")
    stems = await runtime.service.handle(Request(origin(), "stems", message_id="b"))
    assert stems.job_id is not None and "stems of v1" in stems.text
    await _deliver_all(runtime, sink, 2)
    v2 = sink.deliveries[1]
    assert v2.stems_path is not None and v2.stems_path.suffix == ".zip"
    assert v2.midi_path is not None and sink.deliveries[0].midi_path is not None
    assert v2.midi_path.read_bytes() == sink.deliveries[0].midi_path.read_bytes()
    again = await runtime.service.handle(Request(origin(), "stems"))
    assert again.file == v2.stems_path  # the latest version has them: no new render
