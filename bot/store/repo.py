"""Queries over conversation state; every write is one short transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.messages import Origin
from bot.store.lru import LRU
from bot.store.models import ChatSettings, Composition, CompositionKind, Conversation, Piece, User
from bot.store.statuses import StatusBoard
from engine.errors import StorageError
from engine.media import LocalMediaStore, MediaStore
from engine.queue.contract import Extra, JobRequest
from engine.queue.db import now, rows_changed, session_factory
from engine.queue.jobs import Job, JobQueue
from engine.spec import MusicSpec


@dataclass(frozen=True, slots=True)
class NewVersion:
    """What the service wants stored as the next version of a conversation's piece."""

    kind: CompositionKind
    prompt: str
    spec: MusicSpec
    changes: tuple[str, ...] = ()
    parent: Composition | None = None  # a change to this version: the new one joins its piece
    request_key: str | None = None
    request_message_id: str | None = None
    reuse_media_of: Composition | None = None  # undo/goto: post the earlier files again
    not_before: float | None = None  # debounced: the engine waits until then (jam mixes)
    extras: frozenset[Extra] = frozenset()  # files besides MP3 and MIDI, e.g. the stems of a jam's final mix
    piece_id: int | None = None  # the piece it belongs to when it has no parent (a jam's mixes); else a new piece
    take: str | None = None  # a jam vote's take, "A" or "B"


@dataclass(frozen=True, slots=True)
class Pending:
    """A finished or failed version waiting to be posted, with where it goes."""

    composition: Composition
    job: Job
    conversation: Conversation
    author: User


KNOWN_ROWS = 10_000  # users and conversations kept in memory per process


@dataclass(frozen=True, slots=True)
class Active:
    """A version being made: its job's status and stage, and where it was asked for."""

    composition_id: int
    job_id: int
    status: str
    stage: str
    request_message_id: str | None
    origin: Origin


def _slug(text: str) -> str:
    """A short file name from a title or summary's name: 'Sad Piano Ballad · A minor · …' → 'sad-piano-ballad'."""
    name = text.split(" · ", 1)[0]  # the summary's first field is the name; key, tempo and length are not
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:41].rsplit("-", 1)[0]  # whole words only
    return slug or "piece"


class Store:
    """Conversation state in the database, shared by the service and the delivery loop."""

    def __init__(self, engine: AsyncEngine, media_dir: Path, media: MediaStore | None = None) -> None:
        self._sessions = session_factory(engine)
        self.media_dir = media_dir
        self.media: MediaStore = media or LocalMediaStore(media_dir)  # where finished files are read from
        self.statuses = StatusBoard(engine)
        # Users and conversations are never deleted and their ids never change: each request reads them
        # from here after the first, saving two database round trips per request (bench/enqueue.py).
        self._users: LRU[tuple[str, str], User] = LRU(KNOWN_ROWS)
        self._conversations: LRU[tuple[str, str, str], Conversation] = LRU(KNOWN_ROWS)

    async def user(self, platform: str, external_id: str, name: str) -> User:
        """The user, created on first sight; the display name follows the platform's latest."""
        name = name[:128]
        user = self._users.get((platform, external_id))
        if user is None:
            user = await self._get_or_create(User, {"name": name}, platform=platform, external_id=external_id)
        if name and user.name != name:
            async with self._sessions.begin() as session:
                await session.execute(update(User).where(User.id == user.id).values(name=name))
            user.name = name
        self._users.put((platform, external_id), user)
        return user

    async def conversation(self, platform: str, chat_id: str, thread_id: str | None) -> Conversation:
        """The conversation for a chat (and thread), created on first message."""
        key = (platform, chat_id, thread_id or "")
        conversation = self._conversations.get(key)
        if conversation is None:
            conversation = await self._get_or_create(
                Conversation, {}, platform=platform, chat_id=chat_id, thread_id=thread_id or ""
            )
            self._conversations.put(key, conversation)
        return conversation

    async def find_conversation(self, platform: str, chat_id: str, thread_id: str | None) -> Conversation | None:
        """The conversation for a chat (and thread) if it has one yet; creates nothing."""
        key = (platform, chat_id, thread_id or "")
        conversation = self._conversations.get(key)
        if conversation is None:
            async with self._sessions() as session:
                conversation = await session.scalar(
                    select(Conversation).filter_by(platform=platform, chat_id=chat_id, thread_id=thread_id or "")
                )
            if conversation is not None:
                self._conversations.put(key, conversation)
        return conversation

    async def _get_or_create(self, model: type[Any], defaults: dict[str, Any], **unique: str) -> Any:
        for _ in range(3):
            async with self._sessions() as session:
                found = await session.scalar(select(model).filter_by(**unique))
                if found is not None:
                    return found
            try:
                async with self._sessions.begin() as session:
                    row = model(**unique, **defaults)
                    session.add(row)
                return row
            except IntegrityError:
                continue  # two first messages raced; the winner's row is read on the next pass
        raise StorageError(f"could not create a {model.__name__} row: other requests kept taking it")

    async def add_version(
        self, conversation: Conversation, author: User, new: NewVersion, *, parse_ms: float = 0.0
    ) -> Composition:
        """Store the next version and its job in one transaction; a repeated request_key returns the first."""
        for _ in range(20):
            try:
                return await self._insert_version(conversation, author, new, parse_ms)
            except IntegrityError:
                if new.request_key is not None:
                    existing = await self.by_request_key(conversation.id, new.request_key)
                    if existing is not None:
                        return existing
                # Another request took this version number first: number again.
        raise StorageError("could not allocate a version number: other requests kept taking it")

    async def _insert_version(
        self, conversation: Conversation, author: User, new: NewVersion, parse_ms: float
    ) -> Composition:
        async with self._sessions.begin() as session:
            piece_id = new.parent.piece_id if new.parent is not None else new.piece_id
            if piece_id is None:  # a new piece starts at v1
                piece = Piece(conversation_id=conversation.id)
                session.add(piece)
                await session.flush()
                piece_id, version = piece.id, 1
            else:
                latest = await session.scalar(
                    select(func.max(Composition.version)).where(Composition.piece_id == piece_id)
                )
                version = int(latest or 0) + 1
            job = await self._enqueue(session, conversation, piece_id, version, new)
            composition = Composition(
                conversation_id=conversation.id,
                piece_id=piece_id,
                parent_id=new.parent.id if new.parent else None,
                author_id=author.id,
                job_id=job.id,
                version=version,
                kind=new.kind,
                take=new.take,
                prompt=new.prompt,
                changes=list(new.changes),
                spec=new.spec.model_dump(mode="json"),
                seed=new.spec.seed,
                summary=new.spec.summary(),
                request_key=new.request_key,
                request_message_id=new.request_message_id,
                timings={"parse": round(parse_ms, 1)},
            )
            session.add(composition)
            await session.flush()
            return composition

    async def _enqueue(
        self, session: AsyncSession, conversation: Conversation, piece_id: int, version: int, new: NewVersion
    ) -> Job:
        name = _slug(new.spec.title or new.spec.summary())
        folder = self.media_dir / conversation.platform / f"c{conversation.id}" / f"p{piece_id}"
        request = JobRequest(
            spec=new.spec,
            target=str(folder / f"v{version}-{name}.mp3"),
            name=name,
            comment=f"{new.prompt[:200]} | seed {new.spec.seed}",
            extras=new.extras,
        )
        earlier = await self._finished_job(session, new.reuse_media_of)
        if earlier is not None:  # undo / go back: the earlier files again, no engine needed
            return await JobQueue.enqueue_in(session, request, done=earlier.outcome)
        return await JobQueue.enqueue_in(session, request, not_before=new.not_before)

    @staticmethod
    async def _finished_job(session: AsyncSession, composition: Composition | None) -> Job | None:
        if composition is None:
            return None
        job = await session.get(Job, composition.job_id)
        return job if job is not None and job.status == "done" and job.result else None

    async def reschedule(
        self,
        composition_id: int,
        spec: MusicSpec,
        changes: tuple[str, ...],
        not_before: float,
        *,
        extras: frozenset[Extra] = frozenset(),
        reply_to: str | None = None,
    ) -> bool:
        """Fold a newer spec into a version whose job has not started; False if the engine took it."""
        async with self._sessions.begin() as session:
            composition = await session.get(Composition, composition_id)
            job = await session.get(Job, composition.job_id) if composition else None
            if composition is None or job is None or job.status != "queued":
                return False
            request = job.request.model_copy(update={"spec": spec, "extras": extras})
            if not await JobQueue.reschedule_in(session, job.id, request, not_before):
                return False
            composition.spec = spec.model_dump(mode="json")
            composition.summary = spec.summary()
            composition.changes = list(changes)
            if reply_to is not None:  # the mix answers the newest change folded into it
                composition.request_message_id = reply_to
            return True

    async def job_of(self, composition: Composition) -> Job | None:
        """The job that makes (or made) this version: its status, stage and files."""
        async with self._sessions() as session:
            return await session.get(Job, composition.job_id)

    async def by_request_key(self, conversation_id: int, key: str) -> Composition | None:
        """The version created by this platform message, if it was seen before."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Composition).where(
                    Composition.conversation_id == conversation_id, Composition.request_key == key
                )
            )

    async def get(self, composition_id: int) -> Composition | None:
        """A version by id."""
        async with self._sessions() as session:
            return await session.get(Composition, composition_id)

    async def latest(self, conversation_id: int) -> Composition | None:
        """The newest version in a conversation (of whichever piece was worked on last)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Composition)
                .where(Composition.conversation_id == conversation_id)
                .order_by(Composition.id.desc())
                .limit(1)
            )

    async def by_version(self, piece_id: int, version: int) -> Composition | None:
        """Version N of a piece."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Composition).where(Composition.piece_id == piece_id, Composition.version == version)
            )

    async def by_posted_message(self, conversation_id: int, message_id: str) -> Composition | None:
        """The version the bot posted as this platform message."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Composition).where(
                    Composition.conversation_id == conversation_id,
                    Composition.posted_message_id == message_id,
                )
            )

    async def history(self, piece_id: int, limit: int = 10) -> list[Composition]:
        """A piece's newest versions first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Composition)
                .where(Composition.piece_id == piece_id)
                .order_by(Composition.version.desc())
                .limit(limit)
            )
            return list(rows)

    async def requests_since(self, author_id: int, since: float) -> int:
        """How many pieces this user asked for since `since` (for the rate limit)."""
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Composition)
                .where(Composition.author_id == author_id, Composition.created_at >= since)
            )
            return int(count or 0)

    async def pending(self, platforms: list[str]) -> list[Pending]:
        """Versions whose job ended and that are not yet posted (nor being posted right now)."""
        return await self._with_job(
            Composition.delivered_at.is_(None),
            Job.status.in_(("done", "failed")),
            Conversation.platform.in_(platforms),
            (Composition.delivery_claimed_until.is_(None)) | (Composition.delivery_claimed_until < now()),
        )

    async def in_progress(self, platforms: list[str]) -> list[Active]:
        """Versions whose job is queued or running, for progress updates: a few columns, no JSON decoded.

        Every bot process asks this several times a second however long the queue is, so it reads only what
        progress needs (bench/enqueue.py: whole rows made a long queue cost every process its CPU).
        """
        columns = (
            Composition.id,
            Composition.request_message_id,
            Job.id,
            Job.status,
            Job.stage,
            Conversation.platform,
            Conversation.chat_id,
            Conversation.thread_id,
            User.external_id,
            User.name,
        )
        async with self._sessions() as session:
            rows = await session.execute(
                select(*columns)
                .join(Job, Job.id == Composition.job_id)
                .join(Conversation, Conversation.id == Composition.conversation_id)
                .join(User, User.id == Composition.author_id)
                .where(Job.status.in_(("queued", "running")), Conversation.platform.in_(platforms))
                .order_by(Composition.id)
            )
            active = []
            for composition_id, asked_in, job_id, status, stage, platform, chat, thread, user, name in rows:
                active.append(Active(composition_id, job_id, status, stage, asked_in,
                                     Origin(platform, chat, user, name, thread or None)))  # fmt: skip
            return active

    async def _with_job(self, *conditions: Any) -> list[Pending]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(Composition, Job, Conversation, User)
                .join(Job, Job.id == Composition.job_id)
                .join(Conversation, Conversation.id == Composition.conversation_id)
                .join(User, User.id == Composition.author_id)
                .where(*conditions)
                .order_by(Composition.id)
            )
            return [Pending(*row) for row in rows]

    async def claim_delivery(self, composition_id: int, seconds: float) -> bool:
        """Reserve the right to post this version for `seconds`; False if it is posted or reserved."""
        moment = now()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(Composition)
                .where(
                    Composition.id == composition_id,
                    Composition.delivered_at.is_(None),
                    (Composition.delivery_claimed_until.is_(None)) | (Composition.delivery_claimed_until < moment),
                )
                .values(delivery_claimed_until=moment + seconds)
            )
            return rows_changed(result) == 1

    async def mark_delivered(self, composition_id: int, message_id: str | None) -> None:
        """Record the post (the files and status stay on the job, the one place they live)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(Composition)
                .where(Composition.id == composition_id)
                .values(delivered_at=now(), posted_message_id=message_id)
            )

    async def release_delivery(self, composition_id: int) -> None:
        """Give up a reservation after a failed post so the next poll tries again."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(Composition).where(Composition.id == composition_id).values(delivery_claimed_until=None)
            )

    async def allowed_channels(self, platform: str, scope_id: str) -> set[str] | None:
        """Channels the bot may answer in for this server, or None for everywhere."""
        async with self._sessions() as session:
            row = await session.scalar(select(ChatSettings).filter_by(platform=platform, scope_id=scope_id))
            return set(row.allowed_channels) if row and row.allowed_channels is not None else None

    async def set_allowed_channels(self, platform: str, scope_id: str, channels: set[str] | None) -> None:
        """Limit the bot to these channels in a server (None lifts the limit)."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(ChatSettings).filter_by(platform=platform, scope_id=scope_id))
            value = sorted(channels) if channels is not None else None
            if row is None:
                session.add(ChatSettings(platform=platform, scope_id=scope_id, allowed_channels=value))
            else:
                row.allowed_channels = value
