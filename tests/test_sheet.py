"""The lead sheet: LilyPond source that adds up bar by bar, words under the notes, and one real engraving."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.compose import compose, make_plan
from engine.errors import SheetError
from engine.plan import Plan
from engine.score import Score
from engine.sheet import lead_sheet_ly, write_sheet
from engine.spec import build_spec
from tests.test_sung import sung_spec

_VALUES = {"1": 16, "2.": 12, "2": 8, "4.": 6, "4": 4, "8.": 3, "8": 2, "16": 1}


def _staff_sixteenths(source: str) -> int:
    staff = source.split("\\tempo 4 = ", 1)[1].split("\\bar", 1)[0]
    tokens = re.findall(r"\b([a-gr](?:is|es)?[',]*)(1|2\.|2|4\.|4|8\.|8|16)(?=~|\s|$)", staff)
    return sum(_VALUES[value] for _, value in tokens)


@pytest.fixture(scope="module")
def sung() -> tuple[Score, Plan]:
    spec = sung_spec(key="Bb", meter="3/4", tempo_bpm=110)
    plan = make_plan(spec)
    return compose(spec, plan=plan), plan


def test_the_tune_fills_every_bar_and_each_syllable_sits_under_a_note(sung: tuple[Score, Plan]) -> None:
    score, plan = sung
    source = lead_sheet_ly(score, plan.chords, title="River")
    assert "\\key bes \\major" in source and "\\time 3/4" in source and 'title = "River"' in source
    assert _staff_sixteenths(source) == plan.total_bars * 12
    words = source.split("\\addlyrics {", 1)[1].split("}", 1)[0]
    sung_notes = [n for t in score.tracks if t.name == "vocals" for n in t.notes if n.lyric]
    assert len(re.findall(r'"[^"]+"', words)) == len(sung_notes)
    assert '"riv" -- "er"' in words


def test_chord_symbols_cover_the_piece() -> None:
    spec = build_spec({"genre": "jazz", "tempo_bpm": 120, "key": "F", "mode": "major", "meter": "4/4",
                       "parts": [{"name": "alto sax", "role": "melody"}, {"name": "piano", "role": "chords"}],
                       "drums": False, "duration_s": 16.0, "seed": 1})  # fmt: skip
    plan = make_plan(spec)
    source = lead_sheet_ly(compose(spec, plan=plan), plan.chords)
    chords = source.split("\\chordmode {", 1)[1].split("}", 1)[0]
    spans = [int(n) for n in re.findall(r"16\*(\d+)", chords)]
    assert sum(spans) == plan.total_bars * 16
    assert ":7" in chords or ":maj7" in chords or ":m7" in chords  # jazz harmony is spelled out
    assert "\\addlyrics" not in source  # an instrumental tune has no words to print


def test_lilypond_engraves_a_png_and_a_pdf(sung: tuple[Score, Plan], tmp_path: Path) -> None:
    if shutil.which("lilypond") is None:
        pytest.fail("LilyPond is missing: `make system` installs the Debian package lilypond")
    score, plan = sung
    png, pdf = write_sheet(score, plan.chords, tmp_path, name="river-v1", title="River")
    assert (png.name, pdf.name) == ("river-v1.png", "river-v1.pdf")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["river-v1.pdf", "river-v1.png"]  # no temp files left


def test_without_lilypond_the_sheet_fails_in_one_line(
    sung: tuple[Score, Plan], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    score, plan = sung
    with pytest.raises(SheetError, match="LilyPond is not installed"):
        write_sheet(score, plan.chords, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("meter", ["2/4", "3/4", "5/4", "6/8", "7/8", "12/8"])
def test_every_meter_fills_its_bars_whatever_the_asked_length(meter: str) -> None:
    spec = sung_spec(meter=meter, tempo_bpm=200, duration_s=33.3)
    plan = make_plan(spec)
    score = compose(spec, plan=plan)
    source = lead_sheet_ly(score, plan.chords)
    assert _staff_sixteenths(source) == plan.total_bars * round(spec.beats_per_bar * 4)
    assert score.length_beats == plan.total_bars * spec.beats_per_bar  # a sung piece ends on a bar line
