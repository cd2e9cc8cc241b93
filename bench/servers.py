"""Throwaway servers on 127.0.0.1 for tests and benchmarks: a PostgreSQL cluster and an S3-compatible store.

PostgreSQL comes from the Debian `postgresql` package (the Makefile installs it): initdb into a temp
folder, a free port, no durability (fsync off: the data is thrown away), stopped and removed at the end.
The object store is moto's S3-compatible server, run as its own process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running cluster: where it listens and who may connect (trust auth, loopback only)."""

    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database on this server."""
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    async def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        await self._administer(f'CREATE DATABASE "{name}"')
        return self.url(name)

    async def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever still holds it."""
        await self._administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _administer(self, statement: str) -> None:
        import asyncpg

        admin = await asyncpg.connect(host=self.host, port=self.port, user=self.user, database="postgres")
        try:
            await admin.execute(statement)
        finally:
            await admin.close()


@dataclass(frozen=True, slots=True)
class ObjectStoreServer:
    """An S3-compatible server on loopback and the credentials its clients use."""

    endpoint_url: str
    environment: dict[str, str]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise ConfigError("the PostgreSQL server is not installed; `make test` installs the Debian package postgresql")
    return found[-1].parent


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so the server runs as the package's user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres() -> Iterator[PostgresServer]:
    """Start a PostgreSQL cluster; stop it and remove its files on exit."""
    binaries = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="bandmate-pg-"))
    data, log = folder / "data", folder / "server.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port, user = free_port(), "bandmate"
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


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"the object store server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise ConfigError("the object store server did not start listening")


@contextlib.contextmanager
def object_store() -> Iterator[ObjectStoreServer]:
    """Start moto's S3-compatible server as its own process; stop it on exit."""
    port = free_port()
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
