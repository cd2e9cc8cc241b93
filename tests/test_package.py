"""The package as a user installs it: a wheel in a fresh virtualenv outside the checkout migrates and composes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SOUNDFONT

pytestmark = pytest.mark.slow
SOURCES = ("pyproject.toml", "README.md", "bot", "engine", "bench")


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding only the built wheel; its dependencies come from this venv's site-packages."""
    root = tmp_path_factory.mktemp("package")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:  # build from a copy, so the build leaves nothing in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(source)], root)
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = venv / "bin" / "python"
    [wheel] = wheels.glob("bandmate-*.whl")
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], root)
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root).stdout.strip()
    )
    # The dependencies (torch and all) are this venv's; a path line adds them after the wheel's own packages.
    (site / "bandmate_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _env(work: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "DATABASE_URL", "MEDIA_DIR") and not k.endswith("_TOKEN")
    }
    database = f"sqlite+aiosqlite:///{work / 'data' / 'bandmate.db'}"
    return env | {"DATABASE_URL": database, "MEDIA_DIR": str(work / "media"), "SOUNDFONT": str(TEST_SOUNDFONT),
                  "USE_MODEL": "false", "USE_TEXT_ENCODER": "false"}  # fmt: skip


def test_the_installed_wheel_runs_from_its_own_files(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "bin" / "python")
    where = _run(
        [python, "-c", "import bot, engine; print(bot.__file__); print(engine.__file__)"], tmp_path, _env(tmp_path)
    )
    assert all(Path(line).is_relative_to(installed) for line in where.stdout.split()), where.stdout


def test_the_installed_wheel_composes_a_dry_run_and_migrates(installed: Path, tmp_path: Path) -> None:
    bandmate, env = str(installed / "bin" / "bandmate"), _env(tmp_path)
    dry = _run([bandmate, "compose", "sad piano ballad in D minor", "--dry-run"], tmp_path, env)
    assert "D minor" in dry.stdout
    _run([bandmate, "migrate"], tmp_path, env)
    with sqlite3.connect(tmp_path / "data" / "bandmate.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        [(revision,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"users", "conversations", "compositions", "jobs"} <= tables
    from bot.store.migrate import head_revision

    assert revision == head_revision()


def test_pop909_lies_where_the_setting_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from engine.evaluate.reference import sample_folders
    from engine.settings import DEFAULT_POP909_DIR, pop909_dir

    monkeypatch.delenv("POP909_DIR", raising=False)
    assert pop909_dir() == DEFAULT_POP909_DIR
    for song in ("001", "002", "notes"):
        (tmp_path / song).mkdir()
    monkeypatch.setenv("POP909_DIR", str(tmp_path))
    assert pop909_dir() == tmp_path and pop909_dir(Path("given")) == Path("given")
    assert sample_folders(step=1) == [tmp_path / "001", tmp_path / "002"]
