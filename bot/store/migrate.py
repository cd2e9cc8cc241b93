"""Apply Alembic migrations: the only way Bandmate's schema is created or changed."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy.exc import DBAPIError

from engine.errors import ConfigError
from engine.queue.db import sqlite_file

# Package data, so an installed wheel migrates as well as a checkout does.
MIGRATIONS_DIR = Path(str(resources.files("bot.store") / "migrations"))


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def check_database_file(database_url: str) -> None:
    """Refuse, in one line, a SQLite database Bandmate must not open: a folder, or an empty file.

    An empty file is not a database we just created (SQLite writes its header at once), so it is
    something else, or what is left of one; it is never silently replaced by a fresh database.
    """
    path = sqlite_file(database_url)
    if path is None or not path.exists():
        return
    if not path.is_file():
        raise ConfigError(f"DATABASE_URL points at {path}, which is not a file.")
    wal = path.with_name(path.name + "-wal")
    if path.stat().st_size == 0 and not (wal.is_file() and wal.stat().st_size > 0):
        raise ConfigError(
            f"The database {path} is an empty file, not a Bandmate database; Bandmate will not replace it. "
            "Move it away to start a new database, or point DATABASE_URL at the right one."
        )


def database_problem(database_url: str, error: BaseException) -> str:
    """One line naming what is wrong with the database (full, read-only, not a database, …)."""
    path = sqlite_file(database_url)
    if isinstance(error, OSError) and error.strerror:
        reason = f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    else:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
    return f"The database {path or database_url} cannot be used: {reason}."


def _run(database_url: str, revision: str, upgrade: bool) -> None:
    check_database_file(database_url)
    config = alembic_config(database_url)
    try:
        (command.upgrade if upgrade else command.downgrade)(config, revision)
    except CommandError as exc:
        raise ConfigError(f"database migration failed: {exc}") from exc
    except (DBAPIError, OSError) as exc:  # full disk, read-only, not a database, a folder that cannot be made
        raise ConfigError(database_problem(database_url, exc)) from exc


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (run in a thread: env.py owns its own loop)."""
    await asyncio.to_thread(_run, database_url, revision, True)


async def downgrade(database_url: str, revision: str) -> None:
    """Take the database schema back to `revision` ("base" drops everything)."""
    await asyncio.to_thread(_run, database_url, revision, False)


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return head or ""
