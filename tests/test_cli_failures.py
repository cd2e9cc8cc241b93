"""Whatever goes wrong, `bandmate` answers one line (or one JSON object) and the traceback goes to the log."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import cli_env

# Run the real entry point with one function ("module:Owner.name") replaced by a bug, as an unforeseen failure would be.
WITH_A_BUG = """
import importlib, sys
owner = importlib.import_module("{module}")
for part in "{owner}".split(".") if "{owner}" else ():
    owner = getattr(owner, part)
def broken(*args, **kwargs):
    raise ZeroDivisionError("a bug the tests put there")
setattr(owner, "{name}", broken)
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""
TRACEBACK_WORDS = ("Traceback", 'File "', "raise ")


def _bandmate(
    args: list[str], settings: Settings, cwd: Path, *, bug: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    if bug is None:
        command = [sys.executable, "-m", "bot.cli", *args]
    else:
        module, _, attribute = bug.partition(":")
        owner, _, name = attribute.rpartition(".")
        command = [sys.executable, "-c", WITH_A_BUG.format(module=module, owner=owner, name=name), *args]
    return subprocess.run(command, cwd=cwd, env=cli_env(settings) | env, capture_output=True, text=True, timeout=300)


def _one_line(done: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """The run ended with `status` and said exactly one line, without traceback, containing `words`."""
    assert done.returncode == status, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert not any(word in done.stderr for word in TRACEBACK_WORDS)
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


def _json_error(done: subprocess.CompletedProcess[str], status: int) -> str:
    assert done.returncode == status and done.stderr == "", done.stderr
    [line] = done.stdout.splitlines()
    return str(json.loads(line)["error"])


def _database(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def _log(settings: Settings) -> str:
    return (_database(settings).parent / "bandmate.log").read_text()


def test_a_crash_inside_is_one_line_with_status_1_and_the_traceback_is_in_the_log(
    settings: Settings, tmp_path: Path
) -> None:
    args = ["compose", "sad piano ballad, 5 seconds", "--out", str(tmp_path / "out")]
    done = _bandmate(args, settings, tmp_path, bug="bot.service:Bandmate._dispatch")
    line = _one_line(done, 1, "internal error", "ZeroDivisionError", "bandmate.log")
    assert "Traceback" in _log(settings) and "a bug the tests put there" in _log(settings), line
    as_json = _bandmate([*args, "--json"], settings, tmp_path, bug="bot.service:Bandmate._dispatch")
    assert "ZeroDivisionError" in _json_error(as_json, 1)


def test_an_engine_failure_is_one_line_not_a_traceback(settings: Settings, tmp_path: Path) -> None:
    args = ["compose", "sad piano ballad, 5 seconds", "--out", str(tmp_path / "out")]
    done = _bandmate(args, settings, tmp_path, bug="engine.queue.worker:generate")
    _one_line(done, 1, "Something went wrong while making this piece", "bandmate.log")
    assert "ZeroDivisionError: a bug the tests put there" in _log(settings)
    assert not (tmp_path / "out").exists()


def test_a_bad_command_line_is_one_line_with_status_2(settings: Settings, tmp_path: Path) -> None:
    _one_line(_bandmate(["compose", "jazz", "--seed", "seven"], settings, tmp_path), 2, "--seed", "seven")
    _one_line(_bandmate(["conduct"], settings, tmp_path), 2, "conduct")
    assert "--seed" in _json_error(_bandmate(["compose", "jazz", "--seed", "x", "--json"], settings, tmp_path), 2)
    assert not _database(settings).exists()


def test_a_rejected_request_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cases = {("compose", ""): "Tell me what to compose", ("compose", "x" * 5000): "under 1000 characters",
             ("refine", "last", "faster"): "no piece yet", ("refine", "7", "faster"): "no piece yet"}  # fmt: skip
    for args, reason in cases.items():
        _one_line(_bandmate([*args, "--out", str(out)], settings, tmp_path), 2, reason)
    assert not _database(settings).exists() and not out.exists() and not settings.media_dir.exists()


@pytest.mark.parametrize("content", [b"", b"not a database, just some text " * 40])
def test_an_empty_or_corrupt_database_is_named_and_never_replaced(
    settings: Settings, tmp_path: Path, content: bytes
) -> None:
    database = _database(settings)
    database.write_bytes(content)
    reason = "is an empty file" if not content else "file is not a database"
    for args in (["migrate"], ["compose", "sad piano ballad, 5 seconds", "--out", str(tmp_path / "out")]):
        _one_line(_bandmate(args, settings, tmp_path), 1, str(database), reason)
        assert database.read_bytes() == content
    assert not list(settings.media_dir.rglob("*.mp3"))


def test_unwritable_places_are_named_in_one_line(settings: Settings, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    compose = ["compose", "sad piano ballad, 5 seconds"]
    _one_line(_bandmate([*compose, "--out", str(a_file / "out")], settings, tmp_path), 2, "--out", "Not a directory")
    assert not _database(settings).exists()
    done = _bandmate([*compose, "--out", str(tmp_path / "out")], settings, tmp_path, MEDIA_DIR=str(a_file / "media"))
    _one_line(done, 1, "MEDIA_DIR", "Not a directory")
    done = _bandmate(["migrate"], settings, tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{a_file / 'data' / 'b.db'}")
    _one_line(done, 1, "cannot be used", "Not a directory")


def test_a_missing_or_broken_soundfont_is_refused_before_anything_is_queued(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVE" + bytes(100))
    for soundfont, reason in ((tmp_path / "missing.sf2", "No SoundFont found"), (broken, "is not a SoundFont")):
        done = _bandmate(["compose", "sad piano ballad", "--out", str(tmp_path / "out")], settings, tmp_path,
                         SOUNDFONT=str(soundfont))  # fmt: skip
        _one_line(done, 1, reason, str(soundfont))
    assert not _database(settings).exists()


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)  # lazy: never leave it mounted


def test_a_full_out_disk_is_one_line_and_the_piece_stays_undelivered(settings: Settings, tmp_path: Path) -> None:
    with _small_disk(tmp_path / "full", "32k") as out:
        done = _bandmate(["compose", "sad piano ballad, 6 seconds", "--out", str(out)], settings, tmp_path)
        _one_line(done, 1, "could not write", "No space left on device")
        assert not list(out.iterdir())  # no half-written file left either
    with sqlite3.connect(_database(settings)) as db:
        assert db.execute("SELECT delivered_at FROM compositions").fetchall() == [(None,)]


def test_a_dry_run_imports_nothing_heavy(settings: Settings, tmp_path: Path) -> None:
    heavy = ("torch", "transformers", "sentence_transformers", "fluidsynth", "pydub", "sqlalchemy", "alembic")
    code = (
        "import sys, runpy\nsys.argv = ['bandmate', 'compose', 'sad piano ballad', '--dry-run']\n"
        "try:\n    runpy.run_module('bot.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)"
    )
    env = cli_env(settings) | {"USE_TEXT_ENCODER": "true"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "Sad Piano Ballad" in done.stdout, done.stderr
    assert done.stderr.strip() == "[]"


def test_loading_the_text_encoder_prints_no_progress_bar(settings: Settings, tmp_path: Path) -> None:
    env = cli_env(settings) | {"USE_TEXT_ENCODER": "true"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "compose", "night drive", "--dry-run"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0 and "sounded like" in done.stdout, done.stderr  # the encoder was used
    assert done.stderr == ""  # no "Loading weights" bar


def test_a_full_database_disk_is_one_line_and_keeps_the_database(settings: Settings, tmp_path: Path) -> None:
    with _small_disk(tmp_path / "db", "2m") as folder:
        database = folder / "bandmate.db"
        url = f"sqlite+aiosqlite:///{database}"
        assert _bandmate(["migrate"], settings, tmp_path, DATABASE_URL=url).returncode == 0
        with contextlib.suppress(OSError), (folder / "filler").open("wb") as filler:
            while True:
                filler.write(bytes(64 * 1024))
        args = ["compose", "sad piano ballad, 5 seconds", "--out", str(tmp_path / "out")]
        line = _one_line(_bandmate(args, settings, tmp_path, DATABASE_URL=url), 1, "full")
        assert "database" in line
        (folder / "filler").unlink()
        with contextlib.closing(sqlite3.connect(database)) as db:  # still the same, readable database
            assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_an_out_folder_that_cannot_be_made_is_refused_before_composing(settings: Settings, tmp_path: Path) -> None:
    # Permission bits say nothing to root (CI runs as root): only trying to make the folder tells.
    args = ["compose", "sad piano ballad, 5 seconds", "--out", "/proc/bandmate-out"]
    _one_line(_bandmate(args, settings, tmp_path), 2, "/proc/bandmate-out", "not writable")
    assert not list(settings.media_dir.rglob("*.mp3"))  # nothing was composed
