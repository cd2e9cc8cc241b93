"""Ensemble words give exactly their instruments: through the CLI's spec and the composed MIDI's programs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.settings import Settings
from bot.understanding.refine import refine
from bot.understanding.request import understand
from bot.understanding.scenes import SCENES
from engine.compose import compose
from engine.errors import UserError
from engine.evaluate.attributes import heard_in_midi
from engine.instruments import INSTRUMENTS
from engine.midi import score_to_midi
from tests.conftest import cli_env, run_cli

# Ensemble words → (instruments, drums), exactly.
ENSEMBLES = {
    "solo piano": ({"piano"}, False),
    "jazz duo": ({"piano", "acoustic bass"}, False),
    "jazz trio": ({"piano", "acoustic bass"}, True),
    "jazz quartet": ({"tenor sax", "piano", "acoustic bass"}, True),
    "jazz quintet": ({"tenor sax", "trumpet", "piano", "acoustic bass"}, True),
    "big band": ({"trumpet", "alto sax", "tenor sax", "trombone", "piano", "acoustic bass"}, True),
    "string quartet": ({"violin", "second violin", "viola", "cello"}, False),
    "brass quintet": ({"trumpet", "second trumpet", "french horn", "trombone", "tuba"}, False),
    "wind quintet": ({"flute", "oboe", "clarinet", "french horn", "bassoon"}, False),
    "chamber orchestra": (
        {"violin", "second violin", "viola", "cello", "contrabass", "flute", "oboe", "french horn"},
        False,
    ),
    "classical orchestra": ({"violin", "flute", "strings", "french horn", "trombone", "cello", "contrabass"}, False),
    "a cappella": ({"voice", "choir", "bass voice"}, False),
    "jazz piano trio, swing": ({"piano", "acoustic bass"}, True),
    "classical piano trio": ({"piano", "violin", "cello"}, False),
    "piano trio": ({"piano", "violin", "cello"}, False),
    "power trio": ({"electric guitar", "electric bass"}, True),
    "just piano and voice": ({"piano", "voice"}, False),
    "only drums and bass": ({"electric bass"}, True),
    "only three guitars": ({"acoustic guitar", "electric guitar", "nylon guitar"}, False),
}


@pytest.fixture
def dry_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[str], dict[str, Any]]:
    """`bandmate compose TEXT --dry-run --json` in this process: the CLI's own parsing and printing."""
    for name, value in cli_env(settings).items():
        monkeypatch.setenv(name, value)

    def run(text: str) -> dict[str, Any]:
        assert cli.main(["compose", text, "--dry-run", "--json"]) == 0
        return json.loads(capsys.readouterr().out)["spec"]

    return run


@pytest.mark.parametrize("text", list(ENSEMBLES))
def test_every_ensemble_word_gives_exactly_its_instruments(text: str, dry_run: Callable[[str], dict[str, Any]]) -> None:
    instruments, drums = ENSEMBLES[text]
    spec = dry_run(text)
    assert set(spec["instruments"]) == instruments and len(spec["instruments"]) == len(instruments)
    assert spec["drums"] is drums
    heard = heard_in_midi(score_to_midi(compose(understand(text).spec.replace(duration_s=8.0))))
    assert heard.programs == {INSTRUMENTS[name].program for name in instruments}  # every player sounds
    assert heard.drums is drums


def test_the_jazz_piano_trio_has_no_brass_and_the_piano_comps_under_its_tune(
    settings: Settings, tmp_path: Path
) -> None:
    done = run_cli(["compose", "jazz piano trio, swing", "--dry-run", "--json"], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)["spec"]
    assert spec["instruments"] == ["piano", "acoustic bass"] and spec["drums"] is True
    piano = next(t for t in compose(understand("jazz piano trio, swing").spec).tracks if t.name == "piano")
    onsets = {round(n.start, 2) for n in piano.notes if n.pitch < 60}
    assert len(onsets) >= 8 and any(n.pitch >= 65 for n in piano.notes)  # a left hand below, the tune above


def test_a_count_maps_onto_distinct_members_and_too_many_is_one_line() -> None:
    parts = understand("three guitars in a rock song").spec.instruments
    assert sum(name.endswith("guitar") for name in parts) == 3
    with pytest.raises(UserError) as caught:
        understand("four trumpets")
    assert "at most 3" in caught.value.message and "\n" not in caught.value.message
    with pytest.raises(UserError):
        understand("a trio with piano, sax, guitar and bass")


def test_refinements_keep_the_ensemble() -> None:
    spec = understand("string quartet").spec
    for reply in ("faster", "in A minor", "darker", "another version"):
        changed = refine(spec, reply, new_seed=9).spec
        assert changed is not None and changed.instruments == spec.instruments


@pytest.mark.parametrize(
    ("text", "scene"),
    [
        ("epic orchestral battle theme", "battle"),
        ("chase scene", "chase"),
        ("a lullaby", "lullaby"),
        ("music to study to", "study"),
    ],
)
def test_a_scene_sets_a_tempo_inside_its_justified_range(text: str, scene: str) -> None:
    low, _, high = SCENES[scene].tempo
    assert low <= understand(text).spec.tempo_bpm <= high
    assert understand(f"{text} at 100 bpm").spec.tempo_bpm == 100  # a stated tempo wins
