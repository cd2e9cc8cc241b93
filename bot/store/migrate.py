"""Apply Alembic migrations: the only way Bandmate's schema is created or changed."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError

from engine.errors import ConfigError

# Package data, so an installed wheel migrates as well as a checkout does.
MIGRATIONS_DIR = Path(str(resources.files("bot.store") / "migrations"))


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _run(database_url: str, revision: str, upgrade: bool) -> None:
    config = alembic_config(database_url)
    try:
        (command.upgrade if upgrade else command.downgrade)(config, revision)
    except CommandError as exc:
        raise ConfigError(f"database migration failed: {exc}") from exc


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
