"""Plain requests and replies: what adapters hand the core and what the core hands back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from engine.errors import BandmateError
from engine.queue.contract import Extra

Command = Literal[
    "start",
    "help",
    "compose",
    "refine",
    "history",
    "undo",
    "variation",
    "midi",
    "jam",
    "lyrics",
    "sheet",
    "stems",
    "wav",
]
COSTLY: frozenset[Command | None] = frozenset({"compose", "refine", "variation", None})
"""What makes a new piece (None: a plain message, a refinement): rate-limited per user and per server."""
SORRY = "Sorry, something went wrong on my side; please try again in a moment."
"""The one apology every adapter gives when something failed that the user could not have caused."""
Offer = Literal["refine", "pick", "none"]
"""The buttons under a posted piece: the refinements, a jam vote take's pick, or none (a jam's final mix)."""
# The order a piece goes through; a status line never moves back. Stages an engine adds later sort before done.
STAGE_ORDER: tuple[str, ...] = ("queued", "composing", "rendering", "mixing", "encoding", "stems")
FINAL_STAGES: tuple[str, ...] = ("done", "failed")


class AdapterError(BandmateError):
    """A chat adapter was used before it started, or cannot do what it was configured for."""


def with_status_line(text: str, line: str) -> str:
    """A status message's text with its last line (the stage, "…") replaced by `line`."""
    lines = text.splitlines()
    if len(lines) > 1 and lines[-1].endswith("…"):
        lines = lines[:-1]
    return "\n".join([*lines, line])


@dataclass(frozen=True, slots=True)
class Origin:
    """Who wrote, and where: one chat (and thread) on one platform."""

    platform: str  # "console" | "telegram" | "discord" | "cli"
    chat_id: str
    user_id: str
    user_name: str = ""
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """One thing a user asked, already stripped of platform details.

    `command` is None for a plain message (a refinement when it replies to a piece,
    otherwise ignored in groups). `message_id` is the platform's id of the user's message:
    it makes a retried update idempotent and is what the delivered piece replies to.
    `reply_to_message_id` is the bot message the user replied to, if any.
    """

    origin: Origin
    command: Command | None
    text: str = ""
    message_id: str | None = None
    reply_to_message_id: str | None = None
    composition_id: int | None = None  # set by buttons that carry the version they sit under
    seed: int | None = None  # an explicit seed (CLI --seed, Discord's seed option)
    extras: frozenset[Extra] = frozenset()  # files the engine makes only when asked (CLI --sheet, --stems, --wav)
    tune_file: Path | None = None  # a tune the user brought (audio or MIDI), already on this machine
    tune_track: str | None = None  # the MIDI track that holds the tune, when the user names it


@dataclass(frozen=True, slots=True)
class Reply:
    """What to say right away. `job_id` is set when a piece was queued and will be delivered."""

    text: str
    job_id: int | None = None
    composition_id: int | None = None
    file: Path | None = None  # e.g. the MIDI file asked for with the MIDI button
    refusal: bool = False  # a mistake the user can fix: shown to that user only where the platform can


@dataclass(frozen=True, slots=True)
class Delivery:
    """A finished (or failed) piece to post back where it was asked for."""

    job_id: int
    composition_id: int
    version: int
    origin: Origin
    reply_to_message_id: str | None
    title: str
    caption: str  # the understood spec in one line, e.g. "Sad piano ballad · A minor · 72 bpm · 0:45"
    duration_s: float
    mp3_path: Path | None
    midi_path: Path | None
    error: str | None = None  # set instead of files when the piece could not be made
    changes: tuple[str, ...] = field(default_factory=tuple)
    stems_path: Path | None = None  # a zip of per-part MP3s (jam mixes)
    choice: str | None = None  # a jam vote's take ("A"/"B"): adapters offer a button to pick it
    offer: Offer = "refine"
    statuses: tuple[StatusRef, ...] = ()  # the status messages shown for it so far, oldest first


@dataclass(frozen=True, slots=True)
class Step:
    """Where a piece stands: a stage, and while queued its place in line (0: waiting, place unknown)."""

    stage: str
    position: int = 0

    def rank(self) -> tuple[int, int]:
        """Orders steps the way a piece moves: later stages, and nearer the front of the line, rank higher."""
        if self.stage in FINAL_STAGES:
            return (len(STAGE_ORDER) + 1, 0)
        index = STAGE_ORDER.index(self.stage) if self.stage in STAGE_ORDER else len(STAGE_ORDER)
        return (index, -self.position if self.position > 0 else -(2**31))

    def text(self) -> str:
        """The status line a chat shows for this step."""
        if self.stage == "done":
            return "✅ Done"
        if self.stage == "failed":
            return "⚠️ Failed"
        if self.stage != "queued":
            return f"{self.stage.capitalize()}…"
        if self.position == 1:
            return "Queued… first in line"
        return f"Queued… number {self.position} in line" if self.position > 1 else "Queued…"


@dataclass(frozen=True, slots=True)
class StatusRef:
    """A status message an adapter posted for a queued piece, as stored: where it is and what it said."""

    id: int
    chat_id: str
    message_id: str
    text: str  # what was understood; its last line is the stage, replaced as the piece moves on
    request_key: str | None = None  # the request it answers (Request.message_id)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a queued piece stands, and the status messages that should now show it."""

    job_id: int
    origin: Origin
    reply_to_message_id: str | None
    step: Step
    statuses: tuple[StatusRef, ...] = ()  # each to be edited to show `step`; the chat action needs none

    def text(self) -> str:
        """The status line a chat shows while the piece is made."""
        return self.step.text()


@dataclass(frozen=True, slots=True)
class Posted:
    """What an adapter posted: the message id (recorded first), then the extras that may still fail."""

    message_id: str | None
    extras: Callable[[], Awaitable[None]] | None = None  # threads, pings, side files: never a second post


class Sink(Protocol):
    """What an adapter offers the delivery loop: post a piece, show progress."""

    platform: str

    async def deliver(self, delivery: Delivery) -> Posted:
        """Post the piece (or its error); return the post's message id and what to do once it is recorded."""
        ...

    async def progress(self, update: Progress) -> None:
        """Show that the piece is being made, and edit `update.statuses` to its step (finished at done/failed)."""
        ...


class Adapter(Sink, Protocol):
    """A chat platform as `bandmate run` drives it: start, stop, wait until it ends, and the Sink side."""

    async def start(self) -> None:
        """Connect and start taking requests; returns once ready."""
        ...

    async def stop(self) -> None:
        """Disconnect; pieces still being made are delivered by whoever runs next."""
        ...

    async def finished(self) -> None:
        """Return once this adapter has ended for good (input over, connection lost); else only after `stop`."""
        ...
