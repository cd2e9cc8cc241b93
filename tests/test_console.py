"""The console conversation survives any line: a message that breaks something is answered and the chat goes on."""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.adapters.console import SORRY, ConsoleAdapter
from bot.messages import Reply, Request
from bot.settings import Settings
from tests.conftest import cli_env

if TYPE_CHECKING:
    from bot.app import Runtime

# The service breaks (as an unforeseen bug would) on one word; everything else is the real service.
BREAK_ON_WORD = """
import sys
import bot.service
real = bot.service.Bandmate._dispatch
async def dispatch(self, request):
    if "kaboom" in request.text:
        raise ZeroDivisionError("a bug the tests put there")
    return await real(self, request)
bot.service.Bandmate._dispatch = dispatch
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


async def test_a_line_that_breaks_the_service_is_answered_and_the_next_lines_are_too(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = runtime.service._dispatch

    async def dispatch(request: Request) -> Reply:
        if "kaboom" in request.text:
            raise KeyError("a bug the test put there")
        return await real(request)

    monkeypatch.setattr(runtime.service, "_dispatch", dispatch)
    out = io.StringIO()
    console = ConsoleAdapter(
        runtime.service, stdin=io.StringIO("/compose kaboom\nkaboom\n/help\n/history\n"), stdout=out
    )
    await console.start()
    await asyncio.wait_for(console.input_ended.wait(), timeout=30)
    lines = out.getvalue().splitlines()
    assert lines.count(SORRY) == 2
    after = "\n".join(lines[lines.index(SORRY) + 2 :])
    assert "I compose original music" in after and "no piece here yet" in after  # /help, then /history
    failures = [record for record in caplog.records if record.name == "bandmate.console"]
    assert len(failures) == 2 and all(record.exc_info and record.levelno == logging.ERROR for record in failures)


def test_bandmate_chat_survives_a_breaking_line_and_undecodable_bytes(settings: Settings, tmp_path: Path) -> None:
    script = b"\xff\xfe\xfa\n/compose kaboom\n/help\n/history\n"
    done = subprocess.run([sys.executable, "-c", BREAK_ON_WORD, "chat"], cwd=tmp_path, env=cli_env(settings),
                          input=script, capture_output=True, timeout=120)  # fmt: skip
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert err == ""  # the terminal is the conversation's: no traceback, no log lines
    assert out.count(SORRY) == 1
    assert "I compose original music" in out.split(SORRY, 1)[1]  # it kept answering after the failure
    assert "no piece here yet" in out.split(SORRY, 1)[1]
    log = (Path(settings.database_url.split("///", 1)[1]).parent / "bandmate.log").read_text()
    assert "ZeroDivisionError: a bug the tests put there" in log and "Traceback" in log


async def test_a_second_console_run_on_the_same_database_makes_a_new_piece(runtime: Runtime) -> None:
    # Message ids spot a platform sending the same message twice; a new run must not look like a repeat.
    replies = []
    for run in range(2):
        out = io.StringIO()
        console = ConsoleAdapter(runtime.service, stdin=io.StringIO(f"/compose lofi beat number {run}\n"), stdout=out)
        await console.start()
        await asyncio.wait_for(console.input_ended.wait(), timeout=30)
        replies.append(out.getvalue())
    assert "beat number 0" in replies[0].lower() and "beat number 1" in replies[1].lower()
    history = await runtime.service.handle(Request(console.origin, "history"))
    assert "number 1" in history.text.lower() and "number 0" not in history.text.lower()  # v1 of its own piece
