"""One error root for all of Bandmate; user errors carry the message shown in chat."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


class BandmateError(Exception):
    """Root of every error Bandmate raises on purpose."""


class UserError(BandmateError):
    """Something the user asked for that cannot be done; `message` is shown in chat as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(BandmateError):
    """The deployment is misconfigured (missing SoundFont, bad DATABASE_URL, ...)."""


class StorageError(BandmateError):
    """The database could not do what was asked (lost every retry of a race, full, unwritable)."""


class ToolError(BandmateError):
    """A developer tool (train, export, heldout, originality) cannot do what its command line asks."""


class EngineError(BandmateError):
    """A stage of the engine failed for a reason that is not the user's."""


class RenderError(EngineError):
    """FluidSynth could not turn MIDI into audio."""


class EncodeError(EngineError):
    """ffmpeg/pydub could not write the MP3."""


class SheetError(EngineError):
    """LilyPond could not engrave the lead sheet."""


def answers_errors(main: Callable[_P, _R]) -> Callable[_P, _R]:
    """A tool's entry point that answers a BandmateError with one line on stderr.

    Exit status 2 for a ToolError (fix the command line), 1 for anything else that failed.
    """

    @functools.wraps(main)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return main(*args, **kwargs)
        except BandmateError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2 if isinstance(exc, ToolError) else 1) from None

    return run
