"""The schema exists only through Alembic, and every migration goes both ways."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.settings import Settings
from bot.store import migrate
from bot.store.models import Base
from engine.queue.contract import JobRequest, JobResult
from engine.queue.db import sqlite_file


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {name for (name,) in rows} - {"alembic_version", "sqlite_sequence"}


def _differences(path: Path) -> list[object]:
    """What Alembic's autogenerate would still change to make the database match the models."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


async def test_migrations_build_exactly_the_models_and_downgrade_removes_everything(settings: Settings) -> None:
    path = sqlite_file(settings.database_url)
    assert path is not None
    await migrate.upgrade(settings.database_url)
    assert _tables(path) == set(Base.metadata.tables)
    assert _differences(path) == []
    await migrate.downgrade(settings.database_url, "base")
    assert _tables(path) == set()
    await migrate.upgrade(settings.database_url)
    assert _differences(path) == []


async def test_typed_jobs_migration_converts_stored_requests_and_results_both_ways(settings: Settings) -> None:
    path = sqlite_file(settings.database_url)
    assert path is not None
    await migrate.upgrade(settings.database_url, "0002")
    spec = {"genre": "pop", "tempo_bpm": 100, "key": "C", "mode": "major", "meter": "4/4", "drums": False,
            "parts": [{"name": "piano", "role": "melody"}], "duration_s": 10}
    old_payload = {"spec": spec, "target": "/m/v3-sad-piano.mp3", "comment": "c", "stems": True}
    old_result = {"mp3": "/m/v3-sad-piano.mp3", "midi": "/m/v3-sad-piano.mid", "stems": None, "duration_s": 10.0,
                  "timings_ms": {"render": 5.0}}
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO jobs (id, status, stage, payload, result, attempts, created_at)"
            " VALUES (1, 'done', 'done', ?, ?, 1, 0)",
            (json.dumps(old_payload), json.dumps(old_result)),
        )
    await migrate.upgrade(settings.database_url)
    with sqlite3.connect(path) as connection:
        payload, result = connection.execute("SELECT payload, result FROM jobs WHERE id = 1").fetchone()
    request, outcome = JobRequest.model_validate_json(payload), JobResult.model_validate_json(result)
    assert request.name == "sad-piano" and request.extras == {"stems"} and request.comment == "c"
    assert outcome.files == {"mp3": "/m/v3-sad-piano.mp3", "midi": "/m/v3-sad-piano.mid"}
    assert outcome.timings_ms == {"render": 5.0}
    await migrate.downgrade(settings.database_url, "0002")
    with sqlite3.connect(path) as connection:
        payload, result = connection.execute("SELECT payload, result FROM jobs WHERE id = 1").fetchone()
    assert json.loads(payload)["stems"] is True and json.loads(result)["midi"] == "/m/v3-sad-piano.mid"


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
