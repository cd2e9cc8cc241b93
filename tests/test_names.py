"""Titles and file names read well: genres written properly, short file names from the piece's name."""

from __future__ import annotations

from bot.store.repo import _slug
from bot.understanding import understand
from engine.genres import GENRES, WRITTEN_NAMES, written_name


def test_genres_are_written_properly_in_summaries() -> None:
    assert set(WRITTEN_NAMES) <= set(GENRES)
    assert written_name("edm") == "EDM" and written_name("lofi") == "lo-fi" and written_name("jazz") == "jazz"
    edm = understand("energetic edm", seed=1).spec
    assert edm.genre == "edm"
    assert edm.summary().startswith("Energetic EDM · ")
    assert understand("chill lofi beat", seed=1).spec.summary().startswith("Chill Lo-fi Beat · ")


def test_file_names_come_from_the_name_not_the_whole_summary() -> None:
    spec = understand("energetic edm", seed=1).spec
    assert _slug(spec.title or spec.summary()) == "energetic-edm"
    assert _slug("Sad Piano Ballad") == "sad-piano-ballad"
    long = _slug("A Very Long Title About a Walk Through the Rainy Old Town at Night")
    assert len(long) <= 40 and not long.endswith("-") and "a-very-long-title" in long
    assert long.split("-")[-1] in "a very long title about a walk through the rainy old town at night".split()
    assert _slug("夜の雨") == "piece"
