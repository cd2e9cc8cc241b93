"""Plain requests and replies: what adapters hand the core and what the core hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Command = Literal["start", "help", "compose", "refine", "history", "undo", "variation", "midi", "jam", "stems", "wav"]


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
    stems: bool = False  # also make one audio file per part (CLI --stems)


@dataclass(frozen=True, slots=True)
class Reply:
    """What to say right away. `job_id` is set when a piece was queued and will be delivered."""

    text: str
    job_id: int | None = None
    composition_id: int | None = None
    file: Path | None = None  # e.g. the MIDI file asked for with the MIDI button


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


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a queued piece stands: 'queued' with its place in line, or the engine's stage."""

    job_id: int
    origin: Origin
    reply_to_message_id: str | None
    stage: str  # queued | composing | rendering | mixing | encoding
    queue_position: int  # 0 when it is being worked on

    def text(self) -> str:
        """The status line a chat shows while the piece is made."""
        if self.stage == "queued":
            ahead = self.queue_position
            return "Queued… first in line" if ahead <= 1 else f"Composing… {ahead} in queue"
        return f"{self.stage.capitalize()}…"


class Sink(Protocol):
    """What an adapter offers the delivery loop: post a piece, show progress."""

    platform: str

    async def deliver(self, delivery: Delivery) -> str | None:
        """Post the piece (or its error); return the platform message id of the post."""
        ...

    async def progress(self, update: Progress) -> None:
        """Show or update the status of a piece being made."""
        ...
