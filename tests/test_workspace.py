"""Attempt folders: publishing moves files into place; sweeps remove only what no live attempt owns."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine.files import publish
from engine.queue import workspace


def test_sweep_removes_dead_attempts_and_keeps_live_ones(tmp_path: Path) -> None:
    live = workspace.open_attempt(tmp_path, 7, 2)
    dead = workspace.open_attempt(tmp_path, 7, 1)
    other = workspace.open_attempt(tmp_path, 8, 1)
    (live / "piece.mp3").write_bytes(b"live")
    (dead / "piece.mp3").write_bytes(b"dead")
    (workspace.temp_root(tmp_path) / "stray.wav").write_bytes(b"x")
    assert workspace.sweep(tmp_path, live={(7, 2), (8, 1)}) == 2
    assert (live / "piece.mp3").read_bytes() == b"live" and other.is_dir()
    assert not dead.exists() and not (workspace.temp_root(tmp_path) / "stray.wav").exists()


def test_a_takeover_removes_only_its_jobs_earlier_attempts(tmp_path: Path) -> None:
    earlier = workspace.open_attempt(tmp_path, 3, 1)
    mine = workspace.open_attempt(tmp_path, 3, 2)
    unrelated = workspace.open_attempt(tmp_path, 4, 1)
    assert workspace.remove_earlier_attempts(tmp_path, 3, 2) == 1
    assert not earlier.exists() and mine.is_dir() and unrelated.is_dir()


def test_publish_moves_a_file_into_place_and_replaces_an_old_one(tmp_path: Path) -> None:
    staged = workspace.open_attempt(tmp_path, 1, 1) / "v1.mp3"
    staged.write_bytes(b"new")
    target = tmp_path / "telegram" / "c1" / "v1.mp3"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    publish(staged, target)
    assert target.read_bytes() == b"new" and not staged.exists()


def test_a_sweep_spares_a_folder_changed_after_it_read_which_attempts_are_live(tmp_path: Path) -> None:
    # An attempt claimed after the sweep asked the database is live although the answer does not list it.
    old = workspace.open_attempt(tmp_path, 1, 1)
    os.utime(old, (time.time() - 60, time.time() - 60))
    asked = time.time() - 30
    fresh = workspace.open_attempt(tmp_path, 2, 1)
    assert workspace.sweep(tmp_path, live=set(), changed_before=asked) == 1
    assert not old.exists() and fresh.is_dir()
