"""Real servers the tests start and stop themselves: a throwaway PostgreSQL cluster on 127.0.0.1.

The cluster comes from the Debian `postgresql` package (the Makefile installs it): initdb into a temp
folder, a free port, no durability (fsync off: a test database is thrown away), stopped at the end.
Each test gets a database of its own, so tests stay independent.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_DATABASE_NUMBERS = itertools.count(1)


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running cluster: where it listens and who may connect (trust auth, loopback only)."""

    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database on this server."""
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("the PostgreSQL server is not installed; `make test` installs the Debian package postgresql")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so the server runs as the package's user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for this test session, stopped (and its files removed) at the end."""
    binaries = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="bandmate-pg-"))
    data, log = folder / "data", folder / "server.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port, user = _free_port(), "bandmate"
    subprocess.run(
        _as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8",
                         "--no-sync", "--no-instructions"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")  # fmt: skip
    pg_ctl = str(binaries / "pg_ctl")
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
                   check=True, capture_output=True)  # fmt: skip
    try:
        yield PostgresServer("127.0.0.1", port, user)
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database on the session's server; dropped after the test."""
    import asyncpg

    name = f"test_{os.getpid()}_{next(_DATABASE_NUMBERS)}"
    admin = await asyncpg.connect(host=postgres_server.host, port=postgres_server.port,
                                  user=postgres_server.user, database="postgres")  # fmt: skip
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield postgres_server.url(name)
        with contextlib.suppress(asyncpg.PostgresError):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
