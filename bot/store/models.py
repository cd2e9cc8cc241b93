"""Conversation state: users, conversations, versioned compositions, per-server settings."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.queue.db import Base, now
from engine.queue.jobs import Job

__all__ = [
    "Base",
    "ChatSettings",
    "Composition",
    "CompositionKind",
    "Conversation",
    "Jam",
    "JamContribution",
    "JamParticipant",
    "Job",
    "Piece",
    "StatusMessage",
    "User",
]

CompositionKind = Literal["compose", "refine", "variation", "undo", "goto", "jam", "vote", "stems"]
"""How a version came about: a new piece, a change, another take, back to an earlier one, a jam mix or vote take."""


class User(Base):
    """A person on one platform."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Float, default=now)


class Conversation(Base):
    """One chat, channel or thread; versions are numbered within it."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "thread_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str] = mapped_column(String(64), default="")  # "" not NULL keeps it unique
    created_at: Mapped[float] = mapped_column(Float, default=now)


class Piece(Base):
    """One piece of music in a conversation; its versions are numbered from v1 within it."""

    __tablename__ = "pieces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float, default=now)


class Composition(Base):
    """One version of a piece: what was asked, the spec and seed, its job, media and delivery."""

    __tablename__ = "compositions"
    __table_args__ = (
        UniqueConstraint("piece_id", "version", name="uq_compositions_piece_version"),
        UniqueConstraint("conversation_id", "request_key", name="uq_compositions_conversation_request"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("pieces.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("compositions.id"), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[CompositionKind] = mapped_column(String(16))
    take: Mapped[str | None] = mapped_column(String(1), nullable=True)  # a jam vote's take: "A" or "B"
    prompt: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(200))
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # parse time; the rest is the job's
    request_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    request_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    posted_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    delivery_claimed_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    delivered_at: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    created_at: Mapped[float] = mapped_column(Float, default=now)


class ChatSettings(Base):
    """Per-server (Discord guild) or per-group settings, e.g. which channels the bot answers in."""

    __tablename__ = "chat_settings"
    __table_args__ = (UniqueConstraint("platform", "scope_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[str] = mapped_column(String(64))
    allowed_channels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float, default=now, onupdate=now)


class Jam(Base):
    """A group building one piece: the current spec, who added which layer, and the pending mix."""

    __tablename__ = "jams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    started_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | ended
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    layers: Mapped[dict[str, Any]] = mapped_column(JSON)  # instrument → {role, author, author_id, muted}
    pending_version_id: Mapped[int | None] = mapped_column(ForeignKey("compositions.id"), nullable=True)
    piece_id: Mapped[int | None] = mapped_column(ForeignKey("pieces.id"), nullable=True)  # set by the first mix
    mixed_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the revision the last final mix heard
    vote: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # optimistic lock: one change at a time
    created_at: Mapped[float] = mapped_column(Float, default=now)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class JamContribution(Base):
    """One person's change to a jam, in arrival order, with what it replaced (for undo)."""

    __tablename__ = "jam_contributions"
    __table_args__ = (UniqueConstraint("jam_id", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jam_id: Mapped[int] = mapped_column(ForeignKey("jams.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    spec_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    layers_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    rendered_in: Mapped[int | None] = mapped_column(ForeignKey("compositions.id"), nullable=True)
    created_at: Mapped[float] = mapped_column(Float, default=now)


class JamParticipant(Base):
    """Someone who started or changed a jam."""

    __tablename__ = "jam_participants"

    jam_id: Mapped[int] = mapped_column(ForeignKey("jams.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    joined_at: Mapped[float] = mapped_column(Float, default=now)


class StatusMessage(Base):
    """A chat message that shows how far a queued piece is; finished (✅/⚠️) once the piece is out.

    Stored, not kept in memory, so a restart mid-job still finishes it, and so its line only moves forward.
    """

    __tablename__ = "status_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))  # the chat or channel the message is in
    message_id: Mapped[str] = mapped_column(String(64))
    request_key: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the request it answers
    text: Mapped[str] = mapped_column(Text)  # what was understood; the last line shows the stage
    stage: Mapped[str] = mapped_column(String(16), default="queued")  # the stage shown last
    position: Mapped[int] = mapped_column(Integer, default=0)  # the place in line shown last (0: none)
    created_at: Mapped[float] = mapped_column(Float, default=now)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
