"""Real servers the tests start and stop themselves (bench/servers.py): PostgreSQL and an S3 server.

One of each per test session; each test gets a database of its own, so tests stay independent.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from bench.servers import ObjectStoreServer, PostgresServer, object_store, postgres
from engine.errors import ConfigError

_DATABASE_NUMBERS = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for this test session."""
    try:
        with postgres() as server:
            yield server
    except ConfigError as exc:  # not installed: a failure, never a silent skip
        pytest.fail(str(exc))


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database on the session's server; dropped after the test."""
    name = f"test_{os.getpid()}_{next(_DATABASE_NUMBERS)}"
    yield await postgres_server.create_database(name)
    await postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def object_store_server() -> Iterator[ObjectStoreServer]:
    """An S3-compatible server for this test session."""
    with object_store() as server:
        yield server


@pytest.fixture
def object_store_env(object_store_server: ObjectStoreServer, monkeypatch: pytest.MonkeyPatch) -> ObjectStoreServer:
    """The session's object store with its credentials in this test's environment."""
    for name, value in object_store_server.environment.items():
        monkeypatch.setenv(name, value)
    return object_store_server
