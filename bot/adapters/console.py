"""The console adapter: a conversation in the terminal, the default when no platform token is set."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import secrets
import shlex
import sys
from pathlib import Path
from typing import TextIO

from bot.messages import FINAL_STAGES, Command, Delivery, Origin, Posted, Progress, Request
from bot.service import Bandmate

log = logging.getLogger("bandmate.console")
SORRY = "Sorry, that went wrong on my side (the details are in the log). Try again, or /help."
COMMANDS: dict[str, Command] = {
    "compose": "compose", "refine": "refine", "undo": "undo", "history": "history", "help": "help",
    "start": "help", "variation": "variation", "midi": "midi", "jam": "jam", "stems": "stems", "wav": "wav",
    "lyrics": "lyrics", "sheet": "sheet",
}  # fmt: skip


def parse_line(line: str, origin: Origin, key: str) -> Request | None:
    """A console line as a Request: '/command text' or plain text (a refinement of the last piece)."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("/"):
        word, _, rest = text[1:].partition(" ")
        if word.lower() == "tune":
            return tune_request(rest, origin, key)
        command = COMMANDS.get(word.lower())
        if command is None:
            return Request(origin, "help", "", message_id=f"console:{key}")
        return Request(origin, command, rest.strip(), message_id=f"console:{key}")
    return Request(origin, None, text, message_id=f"console:{key}")


def tune_request(rest: str, origin: Origin, key: str) -> Request:
    """'/tune PATH [style words]': arrange the tune in a file (quote a path with spaces)."""
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if not words:
        return Request(origin, "help", "", message_id=f"console:{key}")
    path = Path(words[0]).expanduser()
    return Request(origin, "compose", " ".join(words[1:]), message_id=f"console:{key}", tune_file=path)


class ConsoleAdapter:
    """Reads requests line by line from a stream and prints replies and finished pieces."""

    platform = "console"

    def __init__(
        self,
        service: Bandmate,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        user: str = "you",
        session: str = "console",
    ) -> None:
        self.service = service
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.origin = Origin(platform=self.platform, chat_id=session, user_id=user.lower(), user_name=user)
        self.input_ended = asyncio.Event()
        self._session = secrets.token_hex(4)  # this run's prefix for message ids
        self.outstanding: set[int] = set()
        self.drained = asyncio.Event()  # set whenever no asked-for piece is still on its way
        self.drained.set()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start reading lines in the background; `input_ended` is set at end of input."""
        self._print(
            "Bandmate console: /compose <words> (or /tune FILE <words>), then reply with changes. "
            "/help for more; /as NAME to speak as someone else (try a /jam)."
        )
        if isinstance(self.stdin, io.TextIOWrapper):
            self.stdin.reconfigure(errors="replace")  # a pasted invalid byte is a character, not a crash
        self._reader = asyncio.create_task(self._read())

    async def done(self) -> None:
        """Return once the input has ended and every piece asked for has been shown."""
        await self.input_ended.wait()
        await self.drained.wait()

    async def finished(self) -> None:
        """The console ends with its input, once the pieces it asked for are out."""
        await self.done()

    async def stop(self) -> None:
        """Stop reading."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        number = 0
        try:
            while True:
                line = await asyncio.to_thread(self.stdin.readline)
                if not line or line.strip() in ("/quit", "/exit"):
                    break
                number += 1
                try:
                    await self._answer(line, number)
                except Exception:  # one message that breaks something must not end the conversation
                    log.exception("console line %s failed: %r", number, line[:200])
                    self._print(SORRY)
        finally:
            self.input_ended.set()

    async def _answer(self, line: str, number: int) -> None:
        if line.startswith("/as "):  # several people at one keyboard, e.g. to try a jam
            name = line[4:].strip() or "you"
            self.origin = Origin(self.platform, self.origin.chat_id, name.lower(), name)
            self._print(f"(now speaking as {name})")
            return
        # Message ids are kept to spot a repeated message, so they must not repeat across runs on one database.
        request = parse_line(line, self.origin, f"{self._session}:{number}")
        if request is None:
            return
        reply = await self.service.handle(request)
        self._print(reply.text if reply.file is None else f"{reply.text}\n   {reply.file}")
        if reply.job_id is not None:
            self.outstanding.add(reply.job_id)
            self.drained.clear()

    async def deliver(self, delivery: Delivery) -> Posted:
        """Print where the finished piece is."""
        self.outstanding.discard(delivery.job_id)
        if not self.outstanding:
            self.drained.set()
        if delivery.error:
            self._print(f"✗ v{delivery.version}: {delivery.error}")
        else:
            files = f"   {delivery.mp3_path}\n   {delivery.midi_path}"
            if delivery.stems_path:
                files += f"\n   {delivery.stems_path}"
            self._print(f"🎵 v{delivery.version} ready — {delivery.caption}\n{files}")
        return Posted(f"console-v{delivery.version}-{delivery.composition_id}")

    async def progress(self, update: Progress) -> None:
        """Show stage changes on one line each (a finished piece says so with its delivery)."""
        if update.step.stage not in FINAL_STAGES:
            self._print(f"   … {update.text()}")

    def _print(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)
