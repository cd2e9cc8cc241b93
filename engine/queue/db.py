"""The shared SQLite database: declarative base and an async engine tuned for two processes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from engine.errors import ConfigError


class Base(DeclarativeBase):
    """Declarative base for every table; Alembic's migrations are the only thing that creates them."""


def now() -> float:
    """Wall-clock seconds since the epoch, the unit every timestamp column uses."""
    return time.time()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot read while the engine writes; busy_timeout turns lock clashes into short waits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_file(database_url: str) -> Path | None:
    """The database file a sqlite URL points at (None for other databases or in-memory)."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def open_database(database_url: str) -> AsyncEngine:
    """An async engine for `database_url`; creates the SQLite file's folder if needed."""
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {database_url!r}") from exc
    path = sqlite_file(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_async_engine(url, connect_args={"timeout": 30} if path else {})
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError(f"DATABASE_URL names a database Bandmate cannot open: {url.drivername!r}") from exc
    if path is not None:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE changed."""
    # An UPDATE's result is a CursorResult; the async session's signature only promises a Result.
    return cast("CursorResult[Any]", result).rowcount


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
