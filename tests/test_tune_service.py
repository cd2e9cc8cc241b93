"""A tune through the core and the console: what was heard in the reply, section words by reply, bad files."""

from __future__ import annotations

from pathlib import Path

import soundfile

from bot.adapters.console import parse_line
from bot.app import Runtime
from bot.messages import Request
from bot.tune_input import DEFAULT_NOTE
from engine.evaluate.tune_inputs import generator, whistle
from tests.helpers import origin

TUNE = [(i * 0.5, (i + d) * 0.5, p) for i, d, p in ((0, 1, 67), (1, 1, 69), (2, 1, 71), (3, 1, 72), (4, 2, 74),
                                                     (6, 2, 71), (8, 1, 72), (9, 1, 69), (10, 2, 67))]  # fmt: skip


def _recording(tmp_path: Path) -> Path:
    path = tmp_path / "whistled tune.wav"
    soundfile.write(path, whistle(TUNE, generator(4)), 22_050)
    return path


def test_the_console_tune_command_carries_the_file_and_the_style() -> None:
    request = parse_line("/tune '~/my tunes/hum.ogg' bossa nova", origin(), "3")
    assert request is not None and request.command == "compose" and request.text == "bossa nova"
    assert request.tune_file == Path("~/my tunes/hum.ogg").expanduser()
    bare = parse_line("/tune", origin(), "4")
    assert bare is not None and bare.command == "help"


async def test_a_tune_is_heard_arranged_and_extended_by_reply(runtime: Runtime, tmp_path: Path) -> None:
    recording = _recording(tmp_path)
    first = await runtime.service.handle(
        Request(origin(), "compose", "bossa nova", message_id="t1", seed=3, tune_file=recording)
    )
    assert first.job_id is not None, first.text
    assert "Heard 9 notes, 120 bpm, G major, 4/4" in first.text and "Bossa Nova · G major · 120 bpm" in first.text
    longer = await runtime.service.handle(Request(origin(), None, "continue it", message_id="t2"))
    assert longer.job_id is not None and longer.composition_id is not None, longer.text
    assert "sections: intro · verse · chorus · verse · chorus · outro" in longer.text
    stored = await runtime.store.get(longer.composition_id)
    assert stored is not None and stored.spec["tune"]["file"] == "whistled tune.wav"


async def test_a_file_alone_gets_a_default_style_that_is_named(runtime: Runtime, tmp_path: Path) -> None:
    reply = await runtime.service.handle(
        Request(origin(), "compose", "", message_id="t3", tune_file=_recording(tmp_path))
    )
    assert reply.job_id is not None and DEFAULT_NOTE in reply.text


async def test_a_broken_file_is_one_line_and_the_bot_keeps_serving(runtime: Runtime, tmp_path: Path) -> None:
    broken = tmp_path / "voice.ogg"
    broken.write_bytes(b"\x00" * 5000)
    reply = await runtime.service.handle(Request(origin(), "compose", "jazz", message_id="t4", tune_file=broken))
    assert reply.job_id is None and "\n" not in reply.text and "voice.ogg" in reply.text
    assert await runtime.store.latest((await runtime.store.conversation("console", "chat-1", None)).id) is None
    after = await runtime.service.handle(Request(origin(), "compose", "jazz, 10 seconds", message_id="t5"))
    assert after.job_id is not None
