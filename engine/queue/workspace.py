"""Each attempt at a job works in a folder of its own under the media dir's temp folder.

Nothing an attempt writes is visible until the job completes: completion moves the files into place by
rename while holding the lease. A folder is removed by its own attempt when it ends, by the engine that
takes the job over (the earlier attempts are dead by then), and by every engine at start for attempts
whose lease is no longer valid; a live attempt's folder is never touched by anyone else.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

TEMP_FOLDER = ".tmp"
_ATTEMPT = re.compile(r"job(\d+)-a(\d+)")


def temp_root(media_dir: Path) -> Path:
    """The media dir's own temp folder (same file system as the media, so publishing is a rename)."""
    return media_dir / TEMP_FOLDER


def attempt_folder(media_dir: Path, job_id: int, attempt: int) -> Path:
    """The folder one attempt at one job writes into."""
    return temp_root(media_dir) / f"job{job_id}-a{attempt}"


def open_attempt(media_dir: Path, job_id: int, attempt: int) -> Path:
    """Create (empty) and return the folder for this attempt."""
    folder = attempt_folder(media_dir, job_id, attempt)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def remove(folder: Path) -> None:
    """Delete an attempt's folder and whatever is left in it."""
    shutil.rmtree(folder, ignore_errors=True)


def remove_earlier_attempts(media_dir: Path, job_id: int, attempt: int) -> int:
    """On takeover: delete the folders of this job's other attempts (their leases expired); returns how many."""
    return sweep(media_dir, live={(job_id, attempt)}, only_job=job_id)


def sweep(
    media_dir: Path, live: set[tuple[int, int]], only_job: int | None = None, *, changed_before: float | None = None
) -> int:
    """Delete every attempt folder (of `only_job`, if given) that is not in `live`; returns how many.

    `changed_before` (the time `live` was read) spares folders changed since: an attempt claimed after
    the read is live although `live` does not list it.
    """
    root = temp_root(media_dir)
    if not root.is_dir():
        return 0
    removed = 0
    for child in root.iterdir():
        match = _ATTEMPT.fullmatch(child.name)
        key = (int(match[1]), int(match[2])) if match else None
        if key in live or (only_job is not None and (key is None or key[0] != only_job)):
            continue
        try:
            if changed_before is not None and child.stat().st_mtime >= changed_before:
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # its own attempt removed it meanwhile
        removed += 1
    return removed
