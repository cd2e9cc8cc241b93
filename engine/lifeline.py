"""The engine's ties to the processes around it: it exits when its parent dies, and its children die with it."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc()  # loaded before any fork: a child between fork and exec must not open libraries


def die_with_parent(signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send `signum` to this process when its parent dies; False where that is not available.

    The signal follows the parent *thread* that started this process, so start children from a thread
    that outlives them (the main thread, or the worker thread that waits for the child).
    """
    if _LIBC is None:
        return False
    return int(_LIBC.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0


def kill_with_parent() -> None:
    """`preexec_fn` for helper children (ffmpeg): SIGKILL them if the engine dies, so none outlives it."""
    die_with_parent(signal.SIGKILL)


def parent_is(parent_pid: int) -> bool:
    """Whether `parent_pid` is still this process's parent (an orphan is re-parented to init or a reaper)."""
    return os.getppid() == parent_pid


async def watch_parent(parent_pid: int, on_gone: Callable[[], None], every_s: float = 0.5) -> None:
    """Call `on_gone` once the parent has died: the fallback where the death signal is unavailable or lost."""
    while parent_is(parent_pid):  # noqa: ASYNC110 - a parent's death sets no event to wait on
        await asyncio.sleep(every_s)
    on_gone()
