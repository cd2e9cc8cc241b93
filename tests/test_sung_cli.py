"""Singing from the shell: compose with lyrics and --sheet, and a console conversation that changes the voice."""

from __future__ import annotations

import json
from pathlib import Path

from bot.settings import Settings
from tests.conftest import run_cli


def test_compose_with_lyrics_and_sheet_writes_the_sheet_and_a_karaoke_midi(settings: Settings, tmp_path: Path) -> None:
    text = 'folk song lyrics: "walking down the empty road, under skies of grey"'
    done = run_cli(["compose", text, "--json", "--sheet", "--seed", "2", "--out", str(tmp_path / "out")], settings,
                   tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    spec, files = result["spec"], result["files"]
    assert spec["vocals"] is True and spec["lyrics"] == "walking down the empty road, under skies of grey"
    assert set(files) == {"mp3", "midi", "sheet", "sheet_pdf"}
    sheet, pdf = Path(files["sheet"]), Path(files["sheet_pdf"])
    assert sheet.parent == tmp_path / "out" and sheet.read_bytes()[:4] == b"\x89PNG"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    midi = Path(files["midi"]).read_bytes()
    assert b"vocals" in midi and midi.count(b"\xff\x05") == 12  # one lyric event per syllable


def test_a_console_conversation_sings_then_goes_instrumental(settings: Settings, tmp_path: Path) -> None:
    script = '/compose pop lyrics: "hold on, hold on, the night is almost gone"\n/lyrics\ninstrumental\n/lyrics\n'
    done = run_cli(["chat"], settings, tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "🎤 female voice, English: hold on, hold on, the night is almost gone" in out
    assert "v1 ready" in out and "v2 ready" in out
    assert "instrumental (no vocals)" in out and "(instrumental now)" in out
