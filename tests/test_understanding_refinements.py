"""The refinement corpus (tests/data/refinements.tsv): each reply changes what it names and nothing else."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from bot.messages import Request
from bot.understanding import NotUnderstood, refine, understand
from engine.errors import UserError
from engine.spec import MusicSpec
from tests.helpers import origin
from tests.understanding_corpus import Row, check_instruments, dotless, key_matches, lead, load, tempo_matches

ROWS = load("refinements.tsv")
NEW_SEED = 777

# Which spec fields a column allows to change.
# A new tempo keeps the bar count (so the tune stays note for note): the length follows the tempo.
ALLOWED = {
    "tempo": {"tempo_bpm", "duration_s"},
    "key": {"key", "mode"},
    "meter": {"meter"},
    "seconds": {"duration_s"},
    "drums": {"drums", "drum_kit", "drum_density"},
    "has": {"parts"},
    "lead": {"parts"},
    "mood": {"mood", "valence", "arousal", "mode", "energy", "tempo_bpm", "duration_s"},
    "genre": {"genre", "parts", "drums", "drum_kit", "tempo_bpm", "meter", "energy", "duration_s"},
    "energy": {"energy", "arousal"},
}


def changed_fields(before: MusicSpec, after: MusicSpec) -> set[str]:
    """The spec fields whose values differ."""
    return {name for name in type(before).model_fields if getattr(before, name) != getattr(after, name)}


def allowed_fields(row: Row) -> set[str]:
    """Every field the row's expectations allow to change."""
    allowed = set().union(*(fields for column, fields in ALLOWED.items() if row[column]))
    for extra in filter(None, (item.strip() for item in row["also"].split(","))):
        allowed |= ALLOWED.get(extra, {extra})
    if row["action"] == "variation":
        allowed.add("seed")
    return allowed


def relative_tempo_ok(expected: str, before: int, after: int) -> bool:
    """'+15%' means about 15% faster than before (within rounding), '-7%' about 7% slower."""
    wanted = before * (1 + int(expected.rstrip("%")) / 100)
    return after != before and abs(after - wanted) <= 1.5


def test_the_corpus_is_big_enough() -> None:
    assert len(ROWS) >= 100
    assert {row["action"] for row in ROWS} >= {"update", "variation", "undo", "goto"}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.test_id}→{row['text'][:30]}")
def test_refinement_corpus(row: Row) -> None:
    base = understand(row["base"], seed=5).spec
    if row["error"]:
        with pytest.raises(UserError) as raised:
            refine(base, row["text"], new_seed=NEW_SEED)
        assert isinstance(raised.value, NotUnderstood) == (row["error"] == "unknown")
        assert raised.value.message.strip()
        return
    result = refine(base, row["text"], new_seed=NEW_SEED)
    assert result.action == row["action"], result
    if row["action"] in {"undo", "goto"}:
        assert result.spec is None
        assert result.version == (int(row["version"]) if row["version"] else None)
        assert result.changes
        return
    spec = result.spec
    assert spec is not None and result.changes
    problems = []
    unexpected = changed_fields(base, spec) - allowed_fields(row)
    if unexpected:
        problems.append(f"changed {sorted(unexpected)} without being asked")
    if row["tempo"]:
        ok = (
            relative_tempo_ok(row["tempo"], base.tempo_bpm, spec.tempo_bpm)
            if row["tempo"][0] in "+-"
            else tempo_matches(row["tempo"], spec.tempo_bpm)
        )
        if not ok:
            problems.append(f"tempo {base.tempo_bpm} → {spec.tempo_bpm}, expected {row['tempo']}")
    if row["key"] and not key_matches(row["key"], spec):
        problems.append(f"key {spec.key} {spec.mode}, expected {row['key']}")
    for column, actual in (("meter", spec.meter), ("mood", spec.mood), ("genre", spec.genre)):
        if row[column] and row[column] != actual:
            problems.append(f"{column} {actual!r}, expected {row[column]!r}")
    if row["seconds"] and abs(spec.duration_s - float(row["seconds"])) > 0.6:
        problems.append(f"length {spec.duration_s}, expected {row['seconds']}")
    bars_before, bars_after = base.duration_s * base.tempo_bpm, spec.duration_s * spec.tempo_bpm
    if not row["seconds"] and 5 < spec.duration_s < 300 and abs(bars_after - bars_before) > 0.01 * bars_before:
        problems.append("a new tempo changed the number of bars")
    drums = row["drums"]
    if drums in {"yes", "no"} and spec.drums != (drums == "yes"):
        problems.append(f"drums {spec.drums}, expected {drums}")
    if drums == "busier" and not (spec.drums and spec.drum_density > base.drum_density):
        problems.append(f"drums not busier: {base.drum_density} → {spec.drum_density}")
    if drums == "lighter" and not spec.drum_density < base.drum_density:
        problems.append(f"drums not lighter: {base.drum_density} → {spec.drum_density}")
    if row["energy"] and (spec.energy > base.energy) != (row["energy"] == "up"):
        problems.append(f"energy {base.energy} → {spec.energy}, expected {row['energy']}")
    problems += check_instruments(row["has"], spec)
    if row["lead"] and lead(spec) != row["lead"]:
        problems.append(f"lead {lead(spec)!r}, expected {row['lead']!r}")
    if row["action"] == "variation" and spec.seed != NEW_SEED:
        problems.append("a variation must take the new seed")
    assert not problems, f"{row['base']!r} + {row['text']!r}: {problems} (notes {result.changes})"


def test_every_reply_reads_the_same_with_dotless_i() -> None:
    def outcome(base: MusicSpec, text: str) -> object:
        try:
            result = refine(base, text, new_seed=NEW_SEED)
        except UserError as error:
            return type(error)
        return result.action, result.spec and result.spec.model_copy(update={"lyrics": None})

    differ = []
    for row in ROWS:
        base = understand(row["base"], seed=5).spec
        if "i" in row["text"].lower() and outcome(base, dotless(row["text"])) != outcome(base, row["text"]):
            differ.append(row["text"])
    assert not differ, differ


async def test_a_plain_message_that_names_no_change_makes_no_new_version(runtime: Runtime) -> None:
    service = runtime.service
    first = await service.handle(Request(origin(), "compose", "rock song, 8 seconds", message_id="m1", seed=3))
    assert first.job_id is not None, first.text
    conversation = await runtime.store.conversation("console", "chat-1", None)
    for number, text in enumerate(("🎹🎶", "lol", "thanks!", "👍🔥", "wow nice")):
        reply = await service.handle(Request(origin(), None, text, message_id=f"r{number}"))
        assert reply.job_id is None and "doesn't name a change" in reply.text and "\n" not in reply.text, text
    assert [c.version for c in await runtime.store.history(conversation.id, limit=10)] == [1]
    changed = await service.handle(Request(origin(), None, "add 🎹", message_id="r-last"))
    assert changed.job_id is not None, changed.text
