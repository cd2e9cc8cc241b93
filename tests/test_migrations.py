"""The schema exists only through Alembic, and every migration goes both ways."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.settings import Settings
from bot.store import migrate
from engine.queue.db import sqlite_file

TABLES = {"users", "conversations", "compositions", "jobs", "chat_settings"}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {name for (name,) in rows} - {"alembic_version", "sqlite_sequence"}


async def test_upgrade_creates_every_table_and_downgrade_removes_them(settings: Settings) -> None:
    path = sqlite_file(settings.database_url)
    assert path is not None
    await migrate.upgrade(settings.database_url)
    assert _tables(path) >= TABLES
    await migrate.downgrade(settings.database_url, "base")
    assert _tables(path) == set()
    await migrate.upgrade(settings.database_url)
    assert _tables(path) >= TABLES


async def test_database_runs_in_wal_mode(settings: Settings) -> None:
    await migrate.upgrade(settings.database_url)
    path = sqlite_file(settings.database_url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_upgrade_twice_is_harmless(settings: Settings) -> None:
    await migrate.upgrade(settings.database_url)
    await migrate.upgrade(settings.database_url)
    path = sqlite_file(settings.database_url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        (head,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert head == migrate.head_revision()
