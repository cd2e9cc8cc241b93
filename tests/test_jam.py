"""Jam sessions end to end: several people, the console adapter, the real engine, restarts."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import Runtime
from bot.jam.contributions import JamState, apply
from bot.jam.store import JamStore
from bot.messages import Command, Request
from bot.settings import Settings
from bot.store.models import Jam, JamContribution
from engine.queue.worker import Worker
from engine.spec import MusicSpec
from tests.conftest import make_settings
from tests.helpers import RecordingSink, eventually, origin


async def _jam_request(runtime: Runtime, user: str, text: str, key: str, command: Command | None = "jam") -> str:
    reply = await runtime.service.handle(Request(origin(user=user), command, text, message_id=key))
    return reply.text


async def _open_jam(runtime: Runtime) -> Jam | None:
    conversation = await runtime.store.conversation("console", "chat-1", None)
    assert runtime.service.jams is not None
    return await runtime.service.jams.jams.open_jam(conversation.id)


async def test_a_jam_through_the_console_with_several_people(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, jam_debounce_seconds=0.3)
    runtime = await Runtime.open(settings)
    script = "\n".join([
        "/jam start lofi in F 240bpm", "/as Lee", "add a walking bass", "/as Kim", "drums: boom bap",
        "/as Sam", "give the melody to the sax", "/as Ana", "mute the piano", "/jam status",
    ]) + "\n"  # fmt: skip
    out = io.StringIO()
    console = ConsoleAdapter(runtime.service, stdin=io.StringIO(script), stdout=out, user="Ana", session="chat-1")
    from engine.queue.worker import open_worker

    try:
        async with open_worker(settings.engine(), runtime.database) as worker:
            stop = asyncio.Event()
            tasks = [asyncio.create_task(worker.run(stop)), asyncio.create_task(runtime.delivery_loop([console]).run())]
            await console.start()
            await console.input_ended.wait()
            await asyncio.wait_for(console.drained.wait(), 120)
            stop.set()
            await tasks[0]
            tasks[1].cancel()
            await asyncio.gather(tasks[1], return_exceptions=True)
    finally:
        await runtime.close()
    text = out.getvalue()
    assert "Jam started by Ana" in text
    for expected in ("walking", "(Lee)", "drums → boom bap (Kim)", "melody → alto sax (Sam)", "muted piano (Ana)"):
        assert expected in text, expected
    status = text[text.index("🎸 Jam ·") :]
    assert "alto sax — melody" in status and "by Sam" in status and "piano — chords (muted) · by Ana" in status
    assert "hip hop groove" in status and "Players: Ana, Lee, Kim, Sam" in status
    assert text.count(" ready — ") >= 1 and ".mp3" in text


@pytest.mark.both_databases
async def test_twenty_people_at_once_lose_nothing_and_agree_on_one_result(runtime: Runtime) -> None:
    await _jam_request(runtime, "ana", "start lofi in F 85bpm", "start")
    # Changes that make sense in any order, so every one must be accepted however they interleave.
    changes = [
        "a bit faster",
        "next section: chorus",
        "regenerate the piano",
        "a bit faster",
        "regenerate the chorus",
    ] * 4
    replies = await asyncio.gather(*(
        _jam_request(runtime, f"user{i}", change, f"m{i}", command=None) for i, change in enumerate(changes)
    ))  # fmt: skip
    assert all(reply.startswith("✓") for reply in replies), replies
    jam = await _open_jam(runtime)
    assert jam is not None
    recorded = await runtime.service.jams.jams.contributions(jam.id)  # type: ignore[union-attr]
    assert len(recorded) == 20 and len({c.request_key for c, _ in recorded}) == 20
    assert [c.id for c, _ in recorded] == sorted(c.id for c, _ in recorded)  # arrival order is the id order
    # One coherent result: replaying the recorded order from the start gives the stored state.
    first = recorded[0][0]
    state = JamState.from_json(first.spec_before, first.layers_before)
    for contribution, user in recorded:
        assert state.to_json()[0] == contribution.spec_before
        state, _ = apply(state, contribution.text, author=user.name, author_id=user.id, new_seed=1)
    final = MusicSpec.model_validate(jam.spec)
    assert final.tempo_bpm == state.spec.tempo_bpm and final.form == state.spec.form
    assert final.instruments == state.spec.instruments
    # The burst became at most a couple of mixes, not twenty.
    assert jam.piece_id is not None
    versions = await runtime.store.history(jam.piece_id, limit=50)
    assert len(versions) <= 3


async def test_a_restart_mid_jam_keeps_every_contribution(tmp_path: Path) -> None:
    settings: Settings = make_settings(tmp_path, jam_debounce_seconds=30)
    runtime = await Runtime.open(settings)
    await _jam_request(runtime, "ana", "start jazz in Bb", "s")
    await _jam_request(runtime, "lee", "add a flute", "1", command=None)
    await _jam_request(runtime, "kim", "drums: swing", "2", command=None)
    await runtime.close()

    restarted = await Runtime.open(settings)
    try:
        await _jam_request(restarted, "sam", "next section: bridge", "3", command=None)
        status = await _jam_request(restarted, "ana", "status", "4")
        assert "flute — " in status and "by Lee" in status and "jazz groove" in status and "bridge" in status
        assert "Players: Ana, Lee, Kim, Sam" in status and "3 changes" in status
        undo = await _jam_request(restarted, "ana", "undo", "5")
        assert "bridge" in undo
        again = await _jam_request(restarted, "lee", "add a flute", "1", command=None)
        assert "already counted" in again  # the same platform message after a restart counts once
    finally:
        await restarted.close()


async def test_vote_pick_and_final_mix_with_stems(runtime: Runtime, engine_worker: Worker) -> None:
    sink = RecordingSink()
    loop = runtime.delivery_loop([sink])
    task = asyncio.create_task(loop.run())
    try:
        await _jam_request(runtime, "ana", "start lofi in F 240bpm, 10 seconds", "s")  # 24 s: a jam is 24 bars
        await _jam_request(runtime, "lee", "add strings", "1", command=None)
        vote = await _jam_request(runtime, "lee", "vote", "2")
        assert "A and B" in vote
        await eventually(lambda: len([d for d in sink.deliveries if "take" in d.caption]) >= 2, timeout=120)
        first = await _jam_request(runtime, "ana", "pick B", "3")
        assert "votes B" in first or "wins" in first
        if "wins" not in first:
            assert "wins" in await _jam_request(runtime, "lee", "pick B", "4")
        end = await _jam_request(runtime, "ana", "end", "5")
        assert "Jam over" in end
        await eventually(lambda: any(d.stems_path for d in sink.deliveries), timeout=180)
    finally:
        task.cancel()
    final = next(d for d in sink.deliveries if d.stems_path)
    takes = [d for d in sink.deliveries if d.offer == "pick"]
    assert sorted(d.choice or "" for d in takes) == ["A", "B"] and final.offer == "none"
    assert final.midi_path is not None and final.midi_path.is_file()
    assert final.stems_path is not None
    with zipfile.ZipFile(final.stems_path) as archive:
        names = archive.namelist()
    spec = MusicSpec.model_validate((await runtime.store.get(final.composition_id)).spec)  # type: ignore[union-attr]
    assert len(names) == len(spec.parts) + (1 if spec.drums else 0) + 1  # + the reverb/delay return
    assert any(name.endswith("-effects.mp3") for name in names)
    assert all(name.endswith(".mp3") for name in names)
    assert await _open_jam(runtime) is None  # ended


async def test_plain_commands_in_a_jamming_chat_act_on_the_jam(runtime: Runtime) -> None:
    await _jam_request(runtime, "ana", "start jazz in Bb", "s")
    added = await _jam_request(runtime, "lee", "faster", "1", command="refine")
    assert added.startswith("✓") and "(Lee)" in added
    undone = await _jam_request(runtime, "lee", "", "2", command="undo")
    assert undone.startswith("↩") and "tempo" in undone
    jam = await _open_jam(runtime)
    assert jam is not None and jam.status == "open"


class CountingJamStore(JamStore):
    """The real jam store, counting the writes it refused because the jam had moved on."""

    conflicts = 0

    async def contribute(self, *args: Any, **kwargs: Any) -> JamContribution | None:
        """Record as JamStore does; count a stale revision's refusal."""
        made = await super().contribute(*args, **kwargs)
        if made is None:
            CountingJamStore.conflicts += 1
        return made


async def test_a_change_that_lost_the_race_is_applied_on_top_of_the_winner(settings: Settings) -> None:
    first, second = await Runtime.open(settings), await Runtime.open(settings)  # two bot processes, one database
    try:
        await _jam_request(first, "ana", "start lofi in F 85bpm", "s")
        jam = await _open_jam(first)
        assert jam is not None and first.service.jams is not None
        store = first.service.jams.jams
        # A write with a revision someone else moved on from is refused, and changes nothing.
        stale = await store.contribute(
            jam,
            jam.started_by,
            "faster",
            ("tempo",),
            JamState.from_json(jam.spec, jam.layers),
            "x1",
        )
        assert stale is not None
        refused = await store.contribute(
            jam,
            jam.started_by,
            "slower",
            ("tempo",),
            JamState.from_json(jam.spec, jam.layers),
            "x2",
        )
        assert refused is None
        assert [c.text for c, _ in await store.contributions(jam.id)] == ["faster"]

        for runtime in (first, second):  # each process's lock is its own: they race through the database
            assert runtime.service.jams is not None
            runtime.service.jams.jams = CountingJamStore(runtime.database)
        CountingJamStore.conflicts = 0
        replies = await asyncio.gather(*(
            _jam_request(runtime, f"user{i}", "a bit faster", f"m{i}", command=None)
            for i, runtime in enumerate([first, second] * 6)
        ))  # fmt: skip
        assert all(reply.startswith("✓") for reply in replies), replies
        assert CountingJamStore.conflicts >= 1, "the two processes never collided; the retry path went untested"
        recorded = await first.service.jams.jams.contributions(jam.id)
        assert len(recorded) == 13
        final = MusicSpec.model_validate((await _open_jam(first)).spec)  # type: ignore[union-attr]
        assert final.tempo_bpm > MusicSpec.model_validate(jam.spec).tempo_bpm
    finally:
        await first.close()
        await second.close()


async def test_mix_then_end_does_not_render_the_unchanged_piece_again(runtime: Runtime) -> None:
    await _jam_request(runtime, "ana", "start jazz in Bb", "s")
    mixed = await runtime.service.handle(Request(origin(user="ana"), "jam", "mix", message_id="m"))
    ended = await runtime.service.handle(Request(origin(user="ana"), "jam", "end", message_id="e"))
    assert mixed.job_id is not None and ended.job_id is None
    assert "Jam over" in ended.text and "Nothing changed" in ended.text
    jam = await runtime.service.jams.jams.get(1)  # type: ignore[union-attr]
    assert jam is not None and jam.piece_id is not None and jam.status == "ended"
    versions = await runtime.store.history(jam.piece_id)
    assert len(versions) == 1, "the mix folded into the start's pending render; the end added none"
    job = await runtime.store.job_of(versions[0])
    assert job is not None and job.request.extras == {"stems"}
