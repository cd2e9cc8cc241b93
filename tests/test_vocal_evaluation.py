"""`python -m engine.evaluate --vocals`: another lyric set by --lyrics, pooled figures, targets judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.evaluate.__main__ import main
from engine.evaluate.vocal_measures import margin_interval
from engine.evaluate.vocals import summarise


def _row(voice: str, sung: float, spoken: float, words: int) -> dict[str, Any]:
    return {"voice": voice, "pitch": 0.95, "voiced_frames": 100, "onsets": 0.9, "syllables": 10, "sing_ms": 10.0,
            "sung_s": 1.0, "wer_sung": sung, "wer_spoken": spoken, "wer_slowed": 1.0, "wer_source": 0.2,
            "words": words, "line_words": [words], "line_errors_sung": [round(sung * words)],
            "line_errors_spoken": [round(spoken * words)]}  # fmt: skip


def test_word_error_rates_are_pooled_by_words_and_the_margin_is_judged_on_the_pool() -> None:
    met = summarise([_row("female", 1.2, 0.8, 10), _row("male", 0.8, 0.8, 30)])
    assert met["wer_sung"] == pytest.approx(0.9) and met["wer_spoken"] == pytest.approx(0.8)
    assert met["targets"] == {"pitch": True, "onsets": True, "intelligibility": True}
    missed = summarise([_row("female", 1.2, 0.8, 30), _row("male", 0.8, 0.8, 10)])
    assert missed["wer_sung"] == pytest.approx(1.1) and not missed["targets"]["intelligibility"]


def test_the_margin_interval_resamples_whole_lines_with_their_pairs() -> None:
    steady = margin_interval([10] * 8, [12] * 8, [10] * 8)  # every line: two more errors sung than spoken
    assert steady == pytest.approx((0.2, 0.2))
    words, sung, spoken = [10] * 8, [2, 14, 8, 20, 5, 11, 9, 15], [5, 9, 9, 10, 6, 8, 7, 12]
    low, high = margin_interval(words, sung, spoken)
    point = (sum(sung) - sum(spoken)) / sum(words)
    assert low < point < high and high - low > 0.1
    assert margin_interval(words, sung, spoken) == (low, high)  # seeded: the same report every run


def test_another_lyric_set_is_sung_by_both_voices_and_reported(tmp_path: Path) -> None:
    lyrics = tmp_path / "lyrics.jsonl"
    lyrics.write_text(json.dumps({"id": "tiny", "language": "en", "lyrics": "hold the light"}) + "\n")
    status = main(["--vocals", "--lyrics", str(lyrics), "--out", str(tmp_path / "out")])
    report = json.loads((tmp_path / "out" / "vocals.json").read_text())
    assert status in (0, 1) and report["lyrics"] == str(lyrics)
    assert sorted(row["voice"] for row in report["pieces"]) == ["female", "male"]
    assert all(row["words"] == 3 and len(row["heard_slowed"]) == len(row["heard_source"]) == 1
               for row in report["pieces"])  # fmt: skip
    assert 0.0 <= report["summary"]["wer_source"] <= 1.0  # the singer's own Festival speech is heard too
    low, high = report["summary"]["margin_interval"]
    assert low <= report["summary"]["wer_sung"] - report["summary"]["wer_spoken"] <= high
    assert report["summary"]["pitch"] >= 0.9  # each voice sings the tune on pitch
    assert status == (0 if all(report["summary"]["targets"].values()) else 1)


def test_a_missing_lyric_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--vocals", "--lyrics", str(tmp_path / "nowhere.jsonl"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "nowhere.jsonl" in err and "\n" not in err


def test_a_malformed_lyric_file_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lyrics = tmp_path / "lyrics.jsonl"
    lyrics.write_text('{"id": "a", "language": "en", "lyrics": "la la"}\n{"id": "b"}\n')
    assert main(["--vocals", "--lyrics", str(lyrics), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "line 2" in err and "\n" not in err
