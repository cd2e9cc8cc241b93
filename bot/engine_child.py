"""`bandmate engine` as a child of `bandmate run`: it dies with its parent, and says why when it stops."""

from __future__ import annotations

import asyncio
import os
import sys

from engine.lifeline import die_with_parent

ERROR_PREFIX = "bandmate: "  # how the command line starts its one-line errors (bot.cli.main)


class EngineChild:
    """A started engine process whose log is relayed to this process's stderr, keeping back its error line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.error: str | None = None  # the engine's own one-line reason, if it printed one
        assert process.stderr is not None
        self._relay = asyncio.create_task(self._relay_log(process.stderr))

    @classmethod
    async def start(cls) -> EngineChild:
        """Start `bandmate engine` sharing this environment and database, tied to this process's life."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "engine", "--parent-pid", str(os.getpid()),
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=die_with_parent,  # set before exec: even a parent killed at once takes its engine along
        )  # fmt: skip
        return cls(process)

    @property
    def returncode(self) -> int | None:
        """The exit status once it has exited, else None."""
        return self.process.returncode

    async def wait(self) -> int:
        """Wait until the engine exits; its exit status."""
        return await self.process.wait()

    async def stop(self) -> None:
        """Ask the engine to stop (it finishes the piece in hand) and wait for it and its log."""
        if self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        await self._relay

    def failure(self, ended_alone: bool) -> str | None:
        """Why the engine failed, in one line: its own error, or an exit nobody asked for; None if it did not."""
        if self.error is not None:
            return self.error
        if ended_alone and self.process.returncode != 0:
            return f"it exited with status {self.process.returncode}"
        return None

    async def _relay_log(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            line = raw.decode(errors="replace").rstrip()
            if line.startswith(ERROR_PREFIX):
                self.error = line.removeprefix(ERROR_PREFIX)
            elif line:
                print(line, file=sys.stderr, flush=True)
