"""All-or-nothing file writes: write beside the target, then rename over it."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; rename it onto `target` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o644)  # mkstemp makes files private; media and MIDI are meant to be shared
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so readers see the old file or the whole new one, never a part."""
    with atomic_path(target) as temp:
        temp.write_bytes(data)


def remove_stale_temps(target: Path) -> int:
    """Delete temp files an interrupted writer of `target` left behind; returns how many."""
    if not target.parent.is_dir():
        return 0
    stale = list(target.parent.glob(f".{target.name}.*"))
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def publish(source: Path, target: Path) -> None:
    """Move a finished file onto `target` in one step (a rename; a copy then a rename across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with atomic_path(target) as temp:
            shutil.copyfile(source, temp)
        source.unlink()
