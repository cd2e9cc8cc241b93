"""The request corpus (tests/data/requests.tsv): each phrasing must produce the spec fields it names."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.understanding import NotUnderstood, examples, understand
from engine.errors import UserError
from engine.spec import MusicSpec
from tests.understanding_corpus import Row, check_instruments, dotless, key_matches, lead, load, tempo_matches

ROWS = load("requests.tsv")


def test_the_corpus_is_big_enough() -> None:
    assert len(ROWS) >= 300
    assert len({row["text"] for row in ROWS}) >= 300


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.test_id)
def test_request_corpus(row: Row, request: pytest.FixtureRequest) -> None:
    encoder = request.getfixturevalue("encoder") if row["encoder"] == "yes" else None
    if row["error"]:
        with pytest.raises(UserError) as raised:
            understand(row["text"], seed=5, encoder=encoder)
        assert isinstance(raised.value, NotUnderstood) == (row["error"] == "unknown")
        assert raised.value.message.strip()
        if row["error"] == "unknown":
            assert all(example in raised.value.message for example in examples())
        return
    spec = understand(row["text"], seed=5, encoder=encoder).spec
    problems = []
    for column, actual in (("genre", spec.genre), ("mood", spec.mood), ("meter", spec.meter)):
        if row[column] and row[column] != actual:
            problems.append(f"{column} {actual!r}, expected {row[column]!r}")
    if row["tempo"] and not tempo_matches(row["tempo"], spec.tempo_bpm):
        problems.append(f"tempo {spec.tempo_bpm}, expected {row['tempo']}")
    if row["key"] and not key_matches(row["key"], spec):
        problems.append(f"key {spec.key} {spec.mode}, expected {row['key']}")
    if row["seconds"] and abs(spec.duration_s - float(row["seconds"])) > 0.5:
        problems.append(f"length {spec.duration_s}, expected {row['seconds']}")
    if row["drums"] and spec.drums != (row["drums"] == "yes"):
        problems.append(f"drums {spec.drums}, expected {row['drums']}")
    problems += check_instruments(row["has"], spec)
    if row["lead"] and lead(spec) != row["lead"]:
        problems.append(f"lead {lead(spec)!r}, expected {row['lead']!r}")
    assert not problems, f"{row['text']!r} → {spec.public_dict()}: {problems}"


def outcome(make: Callable[[], MusicSpec]) -> object:
    """A spec without its title and lyrics (which keep the letters as typed), or the error's type."""
    try:
        return make().model_copy(update={"title": "", "lyrics": None})
    except UserError as error:
        return type(error)


def test_every_request_reads_the_same_with_dotless_i() -> None:
    def spec_of(text: str) -> Callable[[], MusicSpec]:
        return lambda: understand(text, seed=5).spec

    differ = [row["text"] for row in ROWS if "i" in row["text"].lower()
              and outcome(spec_of(dotless(row["text"]))) != outcome(spec_of(row["text"]))]  # fmt: skip
    assert not differ, differ
