"""The learned piano accompaniment: POP909 piano tokens, polyphonic sampling, the composer's use, the yardstick."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest
import symusic
import torch

from engine.compose import compose, make_plan
from engine.evaluate import accompaniment
from engine.evaluate.__main__ import main as evaluate_main
from engine.evaluate.runner import load_prompts
from engine.model import PIANO_DIR, load_writer
from engine.model.data import energy_bin, load_song, note_tokens, pop909_dir
from engine.model.decode import KVDecoder
from engine.model.sample import bars_to_notes, notes_to_midi
from engine.model.tokenizer import build_vocab
from engine.model.writer import ModelWriter
from engine.plan import Chord
from engine.score import Note, Score
from engine.spec import build_spec

POP909 = pop909_dir()
PROMPTS = Path(__file__).parent / "data" / "eval_prompts.jsonl"
needs_pop909 = pytest.mark.skipif(not POP909.is_dir(), reason=f"POP909 is not at {POP909}")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def writer() -> ModelWriter:
    loaded = load_writer()
    assert isinstance(loaded, ModelWriter) and loaded.piano_model is not None, "the piano network did not load"
    return loaded


def _pop_with_piano(seed: int = 3, genre: str = "pop", seconds: float = 20.0) -> dict:
    return {
        "genre": genre, "key": "A", "mode": "minor", "tempo_bpm": 96, "meter": "4/4", "duration_s": seconds,
        "seed": seed, "drums": True, "parts": [{"name": "flute", "role": "melody"}, {"name": "piano", "role": "chords"},
                                {"name": "electric bass", "role": "bass"}],
    }  # fmt: skip


@needs_pop909
def test_piano_tokens_round_trip_on_a_pop909_song() -> None:
    vocab = build_vocab()
    song = load_song(POP909 / "002", vocab, part="piano")
    assert song is not None and song.part == "piano"
    onsets = [onset for _pitch, onset, _length in song.steps]
    assert len(onsets) > len(set(onsets)), "the piano track is polyphonic"
    notes = bars_to_notes(note_tokens(list(song.steps), vocab, 100.0), vocab, 0.0, polyphonic=True)
    assert [(n.pitch, round(n.start * 4)) for n in notes] == [(p, onset) for p, onset, _ in song.steps]
    assert all(36 <= pitch <= 96 for pitch, _onset, _length in song.steps)
    assert energy_bin(13.0, "piano") == 2 and energy_bin(13.0, "melody") == 3


def test_the_lean_decoder_gives_the_same_logits_as_transformers(writer: ModelWriter) -> None:
    for network in (writer.model, writer.piano_model):
        assert network is not None, "the shipped checkpoint has no piano network"
        ids = torch.randint(0, len(writer.vocab), (2, 24), generator=torch.Generator().manual_seed(1))
        expected = network(input_ids=ids).logits.detach()
        decoder = KVDecoder(network, 2, 32)
        assert torch.allclose(decoder(ids[:, :16]), expected[:, 15], atol=1e-4)
        for position in range(16, 24):
            assert torch.allclose(decoder(ids[:, position : position + 1]), expected[:, position], atol=1e-4)


def test_the_shipped_piano_network_accompanies_a_plan_in_range_and_repeatably(
    writer: ModelWriter, tmp_path: Path
) -> None:
    assert (PIANO_DIR / "model.safetensors").stat().st_size <= 40 * 1024 * 1024
    spec = build_spec(_pop_with_piano())
    plan = make_plan(spec)
    notes = writer.accompaniment(plan, spec, 40, 67, seed=5)
    assert notes, "the piano network wrote nothing"
    assert all(40 <= n.pitch <= 67 and n.duration > 0 for n in notes)
    assert all(0 <= n.start < plan.total_bars * 4 for n in notes)
    assert any(a.start == b.start and a.pitch < b.pitch for a, b in itertools.pairwise(notes)), "no chords"
    played = {int(n.start // 4) for n in notes}
    assert len(played) >= plan.total_bars - 1, "an accompaniment plays in (nearly) every bar"
    assert writer.accompaniment(plan, spec, 40, 67, seed=5) == notes
    assert writer.accompaniment(plan, spec, 40, 67, seed=6) != notes
    measured = accompaniment.measure_accompaniment(notes, list(plan.chords), [b * 4.0 for b in range(plan.total_bars)],
                                                   plan.total_bars * 4.0)  # fmt: skip
    assert measured.chord_tone_ratio > 0.6
    midi = symusic.Score(str(notes_to_midi(notes, plan.tempo_bpm, tmp_path / "piano.mid", name="piano")))
    assert len(midi.tracks[0].notes) == len(notes) and midi.tracks[0].name == "piano"


def test_the_composer_uses_the_learned_piano_only_for_pianos_in_pop_style_genres(writer: ModelWriter) -> None:
    pop = build_spec(_pop_with_piano())
    with_model, rules = compose(pop, writer=writer), compose(pop)
    piano = next(t for t in with_model.tracks if t.name == "piano")
    assert piano.notes != next(t for t in rules.tracks if t.name == "piano").notes
    funk = build_spec(_pop_with_piano(genre="funk"))  # a genre-specific comping pattern: the rules play it
    assert [t.notes for t in compose(funk, writer=writer).tracks if t.name == "piano"] == [
        t.notes for t in compose(funk).tracks if t.name == "piano"
    ]
    organ = build_spec({**_pop_with_piano(), "parts": [{"name": "flute", "role": "melody"},
                                                       {"name": "organ", "role": "chords"}]})  # fmt: skip
    assert [t.notes for t in compose(organ, writer=writer).tracks if t.name == "organ"] == [
        t.notes for t in compose(organ).tracks if t.name == "organ"
    ]


def test_accompaniment_metrics_on_a_hand_built_part() -> None:
    chords = [Chord(0, "maj", 0.0, 4.0), Chord(7, "maj", 4.0, 4.0)]
    notes = [Note(0.0, 1.0, 48, 80), Note(0.0, 1.0, 64, 80), Note(0.0, 1.0, 67, 80), Note(2.0, 1.0, 62, 80),
             Note(4.0, 2.0, 47, 80), Note(4.0, 2.0, 62, 80), Note(6.0, 1.0, 55, 80)]  # fmt: skip
    measured = accompaniment.measure_accompaniment(notes, chords, [0.0, 4.0, 8.0], 12.0)
    assert measured.chord_tone_ratio == pytest.approx(6 / 7)  # the D over C major is the only stranger
    assert measured.bass_on_root == pytest.approx(0.5)  # C under C; B (not G) under G
    assert measured.notes_per_bar == pytest.approx(7 / 3)
    assert measured.silent_bars == pytest.approx(1 / 3)
    assert accompaniment.distance_to_reference(5.0, {"q1": 4.0, "q3": 6.0}) == 0.0
    assert accompaniment.distance_to_reference(8.0, {"q1": 4.0, "q3": 6.0}) == pytest.approx(1.0)


def test_the_committed_piano_reference_describes_pop909_accompaniment() -> None:
    reference = accompaniment.load_reference()
    assert set(reference["metrics"]) == set(accompaniment.METRICS)
    assert len(reference["songs"]) >= 90
    assert reference["metrics"]["chord_tone_ratio"]["median"] > 0.9
    assert 2.0 < reference["metrics"]["polyphony"]["median"] < 4.0


@needs_pop909
def test_pop909_chords_read_in_beats() -> None:
    chords = accompaniment.pop909_chords(POP909 / "001")
    assert len(chords) > 20
    assert all(b.start >= a.start for a, b in itertools.pairwise(chords))
    assert 1.0 <= sorted(c.duration for c in chords)[len(chords) // 2] <= 8.0  # a chord lasts beats, not seconds


def test_the_side_by_side_runs_from_the_command_line(tmp_path: Path) -> None:
    prompts = accompaniment.accompaniment_prompts(load_prompts(PROMPTS))
    assert prompts and all(p.spec.meter == "4/4" for p in prompts)
    assert all(next(q.name for q in p.spec.parts if q.role == "chords") == "piano" for p in prompts)
    assert evaluate_main(["--accompaniment", "--n", "6", "--out", str(tmp_path), "--writers", "auto"]) == 0
    report = json.loads((tmp_path / "accompaniment.json").read_text())
    assert set(report["table"]) == set(accompaniment.METRICS)
    assert set(report["table"]["polyphony"]["medians"]) == {"rules", "model"}
    assert report["pieces"] and all("model" in row for row in report["pieces"])


def test_a_solo_piano_in_a_ballad_takes_its_left_hand_from_the_piano_network(writer: ModelWriter) -> None:
    spec = build_spec({**_pop_with_piano(), "parts": [{"name": "piano", "role": "melody"},
                                                      {"name": "strings", "role": "pad"}]})  # fmt: skip
    melody_only = replace(writer, piano_model=None)
    with_piano, rules_left = compose(spec, writer=writer), compose(spec, writer=melody_only)

    def left(score: Score) -> list[tuple[float, int]]:
        piano = next(t for t in score.tracks if t.name == "piano")
        return [(round(n.start, 2), n.pitch) for n in piano.notes if n.pitch < 56]

    assert left(with_piano) and left(rules_left)
    assert left(with_piano) != left(rules_left)
