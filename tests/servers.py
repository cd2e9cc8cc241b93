"""Real servers the tests start and stop themselves: a throwaway PostgreSQL cluster and an S3 server.

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
import sys
import tempfile
import time
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


@dataclass(frozen=True, slots=True)
class ObjectStoreServer:
    """An S3-compatible server on loopback and the credentials its clients use."""

    endpoint_url: str
    environment: dict[str, str]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the object store server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError("the object store server did not start listening")


@pytest.fixture(scope="session")
def object_store_server() -> Iterator[ObjectStoreServer]:
    """moto's S3-compatible server as its own process on 127.0.0.1 for this test session."""
    port = _free_port()
    environment = {"AWS_ACCESS_KEY_ID": "bandmate-test", "AWS_SECRET_ACCESS_KEY": "bandmate-test",
                   "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | environment,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield ObjectStoreServer(f"http://127.0.0.1:{port}", environment)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def object_store(object_store_server: ObjectStoreServer, monkeypatch: pytest.MonkeyPatch) -> ObjectStoreServer:
    """The session's object store with its credentials in this test's environment."""
    for name, value in object_store_server.environment.items():
        monkeypatch.setenv(name, value)
    return object_store_server
