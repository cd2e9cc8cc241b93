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
    spec = {
        "genre": "pop",
        "tempo_bpm": 100,
        "key": "C",
        "mode": "major",
        "meter": "4/4",
        "drums": False,
        "parts": [{"name": "piano", "role": "melody"}],
        "duration_s": 10,
    }
    old_payload = {"spec": spec, "target": "/m/v3-sad-piano.mp3", "comment": "c", "stems": True}
    old_result = {
        "mp3": "/m/v3-sad-piano.mp3",
        "midi": "/m/v3-sad-piano.mid",
        "stems": None,
        "duration_s": 10.0,
        "timings_ms": {"render": 5.0},
    }
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


async def test_pieces_migration_numbers_stored_versions_per_piece_both_ways(settings: Settings) -> None:
    path = sqlite_file(settings.database_url)
    assert path is not None
    await migrate.upgrade(settings.database_url, "0003")
    spec = json.dumps({"genre": "pop"})
    # One chat: a piece (v1, its change v2), a second piece (v3), then a jam whose mix (v4) and vote take (v5).
    rows = [(1, None, 1, "compose", "sad piano"), (2, 1, 2, "refine", "faster"), (3, None, 3, "compose", "jazz"),
            (4, None, 4, "jam", "lofi"), (5, None, 5, "vote", "vote B")]  # fmt: skip
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO users (id, platform, external_id, name, created_at)"
                           " VALUES (1, 'c', 'u', '', 0)")  # fmt: skip
        connection.execute("INSERT INTO conversations (id, platform, chat_id, thread_id, created_at)"
                           " VALUES (1, 'c', 'chat', '', 0)")  # fmt: skip
        connection.execute("INSERT INTO jams (id, conversation_id, started_by, status, spec, layers, revision,"
                           " created_at) VALUES (1, 1, 1, 'open', ?, '{}', 0, 3.5)", (spec,))  # fmt: skip
        for row_id, parent, version, kind, prompt in rows:
            connection.execute("INSERT INTO jobs (id, status, stage, payload, attempts, created_at)"
                               " VALUES (?, 'queued', 'queued', '{}', 0, 0)", (row_id,))  # fmt: skip
            connection.execute(
                "INSERT INTO compositions (id, conversation_id, parent_id, author_id, job_id, version, kind, prompt,"
                " changes, spec, seed, summary, created_at) VALUES (?, 1, ?, 1, ?, ?, ?, ?, '[]', ?, 1, 's', ?)",
                (row_id, parent, row_id, version, kind, prompt, spec, float(row_id)),
            )
    await migrate.upgrade(settings.database_url)
    with sqlite3.connect(path) as connection:
        stored = connection.execute("SELECT id, piece_id, version, take FROM compositions ORDER BY id").fetchall()
        jam_piece = connection.execute("SELECT piece_id FROM jams WHERE id = 1").fetchone()[0]
    pieces = [piece for _, piece, _, _ in stored]
    assert pieces[0] == pieces[1] and len({pieces[0], pieces[2], pieces[3]}) == 3 and pieces[3] == pieces[4]
    assert jam_piece == pieces[3] and stored[4][3] == "B"
    assert [version for _, _, version, _ in stored] == [1, 2, 3, 4, 5]
    await migrate.downgrade(settings.database_url, "0003")
    with sqlite3.connect(path) as connection:
        back = connection.execute("SELECT version, prompt FROM compositions ORDER BY id").fetchall()
    assert back == [(1, "sad piano"), (2, "faster"), (3, "jazz"), (4, "lofi"), (5, "vote B")]


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
