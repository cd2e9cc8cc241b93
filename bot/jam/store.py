"""Jam state in the database: one open jam per conversation, contributions in arrival order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jam.contributions import JamState
from bot.store.models import Jam, JamContribution, JamParticipant, User
from engine.queue.db import now, rows_changed, session_factory


class JamStore:
    """Reads and optimistic-locked writes of jams; a stale revision means someone changed it first."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def open_jam(self, conversation_id: int) -> Jam | None:
        """The conversation's open jam, if any."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Jam).where(Jam.conversation_id == conversation_id, Jam.status == "open").order_by(Jam.id.desc())
            )

    async def get(self, jam_id: int) -> Jam | None:
        """A jam by id."""
        async with self._sessions() as session:
            return await session.get(Jam, jam_id)

    async def create(self, conversation_id: int, author_id: int, state: JamState) -> Jam:
        """Open a jam with its starter as first participant."""
        spec, layers = state.to_json()
        async with self._sessions.begin() as session:
            jam = Jam(conversation_id=conversation_id, started_by=author_id, status="open", spec=spec,
                      layers=layers, revision=0)  # fmt: skip
            session.add(jam)
            await session.flush()
            session.add(JamParticipant(jam_id=jam.id, user_id=author_id))
            return jam

    async def contribute(
        self, jam: Jam, author_id: int, text: str, changes: tuple[str, ...], state: JamState, request_key: str | None
    ) -> JamContribution | None:
        """Record a contribution and the new state if the jam is still at `jam.revision`; None if it moved on."""
        spec, layers = state.to_json()
        try:
            async with self._sessions.begin() as session:
                moved = await session.execute(
                    update(Jam)
                    .where(Jam.id == jam.id, Jam.revision == jam.revision, Jam.status == "open")
                    .values(spec=spec, layers=layers, revision=jam.revision + 1)
                )
                if rows_changed(moved) != 1:
                    return None
                contribution = JamContribution(
                    jam_id=jam.id, author_id=author_id, text=text[:1000], changes=list(changes),
                    spec_before=jam.spec, layers_before=jam.layers, request_key=request_key, undone=False,
                )  # fmt: skip
                session.add(contribution)
                # "Insert unless already there" is dialect SQL; both databases Bandmate runs on have it.
                insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
                await session.execute(
                    insert(JamParticipant)
                    .values(jam_id=jam.id, user_id=author_id, joined_at=now())
                    .on_conflict_do_nothing()
                )
                await session.flush()
                return contribution
        except IntegrityError:
            return None  # the same platform message again: the first one counted

    async def seen(self, jam_id: int, request_key: str) -> JamContribution | None:
        """The contribution made by this platform message, if it was already counted."""
        async with self._sessions() as session:
            return await session.scalar(select(JamContribution).filter_by(jam_id=jam_id, request_key=request_key))

    async def last_contribution(self, jam_id: int) -> JamContribution | None:
        """The newest contribution that was not undone."""
        async with self._sessions() as session:
            return await session.scalar(
                select(JamContribution)
                .where(JamContribution.jam_id == jam_id, JamContribution.undone.is_(False))
                .order_by(JamContribution.id.desc())
                .limit(1)
            )

    async def undo(self, jam: Jam, contribution: JamContribution) -> bool:
        """Restore the state before `contribution` and mark it undone; False if the jam moved on."""
        async with self._sessions.begin() as session:
            moved = await session.execute(
                update(Jam)
                .where(Jam.id == jam.id, Jam.revision == jam.revision)
                .values(spec=contribution.spec_before, layers=contribution.layers_before, revision=jam.revision + 1)
            )
            if rows_changed(moved) != 1:
                return False
            await session.execute(
                update(JamContribution).where(JamContribution.id == contribution.id).values(undone=True)
            )
            return True

    async def set_state(self, jam: Jam, state: JamState, **fields: Any) -> bool:
        """Replace the state (e.g. a vote's winner) and other columns, if the jam is still at its revision."""
        spec, layers = state.to_json()
        async with self._sessions.begin() as session:
            moved = await session.execute(
                update(Jam)
                .where(Jam.id == jam.id, Jam.revision == jam.revision)
                .values(spec=spec, layers=layers, revision=jam.revision + 1, **fields)
            )
            return rows_changed(moved) == 1

    async def update(self, jam_id: int, **fields: Any) -> None:
        """Set bookkeeping columns (pending version, vote, status)."""
        async with self._sessions.begin() as session:
            await session.execute(update(Jam).where(Jam.id == jam_id).values(**fields))

    async def mark_rendered(self, jam_id: int, composition_id: int) -> None:
        """Every contribution so far is heard in this version."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(JamContribution)
                .where(JamContribution.jam_id == jam_id, JamContribution.rendered_in.is_(None))
                .values(rendered_in=composition_id)
            )

    async def contributions(self, jam_id: int) -> list[tuple[JamContribution, User]]:
        """Every contribution with its author, in arrival order."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(JamContribution, User)
                .join(User, User.id == JamContribution.author_id)
                .where(JamContribution.jam_id == jam_id)
                .order_by(JamContribution.id)
            )
            return [(contribution, user) for contribution, user in rows]

    async def participants(self, jam_id: int) -> list[User]:
        """Everyone who started or changed the jam, in the order they joined."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(User)
                .join(JamParticipant, JamParticipant.user_id == User.id)
                .where(JamParticipant.jam_id == jam_id)
                .order_by(JamParticipant.joined_at, User.id)
            )
            return list(rows)
