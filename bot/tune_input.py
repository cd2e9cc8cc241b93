"""A file a user brought (voice message, audio, MIDI) → the tune, and the spec rebuilt around it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bot.understanding import Understanding
from engine.spec import MusicSpec

if TYPE_CHECKING:  # transcription (scipy, onnxruntime) is imported with the first tune, not at bot start-up
    from engine.tune.transcribe import Transcriber

DEFAULT_STYLE = "pop"
DEFAULT_NOTE = "No style given: a pop arrangement (a caption like “/compose bossa nova” picks another)."


def asked_fields(understanding: Understanding) -> frozenset[str]:
    """Spec fields the words set explicitly (tempo, key, length), which the tune's own values do not replace."""
    return understanding.asked


class TuneReader:
    """Reads tunes off the event loop; loads the transcription model on first use and keeps it."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._transcriber: Transcriber | None = None
        self._lock = threading.Lock()

    def _model(self) -> Transcriber:
        with self._lock:
            if self._transcriber is None:
                from engine.tune.transcribe import Transcriber

                self._transcriber = Transcriber(self._threads)
            return self._transcriber

    def arrange(self, spec: MusicSpec, understanding: Understanding, path: Path,
                track: str | None = None) -> tuple[MusicSpec, str]:  # fmt: skip
        """The spec with the file's tune as its lead, and what was heard in one line; UserError on bad input."""
        from engine.tune.arrange import with_tune
        from engine.tune.listen import read_tune

        tune = read_tune(path, None if _is_midi_name(path) else self._model(), track=track)
        return with_tune(spec, tune, asked_fields(understanding)), tune.heard()

    async def arrange_async(self, spec: MusicSpec, understanding: Understanding, path: Path,
                            track: str | None = None) -> tuple[MusicSpec, str]:  # fmt: skip
        """`arrange` in a worker thread, so a transcription never stalls the chat."""
        return await asyncio.to_thread(self.arrange, spec, understanding, path, track)


def _is_midi_name(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"MThd"
    except OSError:
        return False
