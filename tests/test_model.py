"""The music model: tokenizer round trip, tiny training run, shipped checkpoint, originality guard."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
import symusic

from engine.model import MELODY_DIR, load_writer
from engine.model.data import load_song, note_tokens, pop909_dir
from engine.model.originality import OriginalityIndex, steps_from_notes
from engine.model.prompts import spec_for
from engine.model.sample import bars_to_notes, notes_to_midi
from engine.model.tokenizer import build_vocab, load_vocab, save_vocab
from engine.model.train import TrainConfig, train
from engine.plan import Chord, Plan, Section
from engine.score import Note

POP909 = pop909_dir()
needs_pop909 = pytest.mark.skipif(not POP909.is_dir(), reason=f"POP909 is not at {POP909}")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


# The spec the plan below stands for (C major, 100 bpm, 12 bars); the model writer reads only the plan.
SPEC = spec_for("pop", "C", "major", 100, 12 * 4 * 60 / 100, seed=0)


def _plan(bars_per_section: int = 4) -> Plan:
    progression = [(0, "maj"), (9, "min"), (5, "maj"), (7, "7")]

    def section(name: str, start: int, occurrence: int) -> Section:
        chords = tuple(
            Chord(*progression[bar % 4], start=(start + bar) * 4.0, duration=4.0) for bar in range(bars_per_section)
        )
        return Section(name, start, bars_per_section, 0.6, chords, occurrence)

    sections = (section("verse", 0, 0), section("chorus", bars_per_section, 0), section("verse", 8, 1))
    return Plan(tempo_bpm=100.0, beats_per_bar=4.0, tonic_pc=0, mode="major", swing=0.0, sections=sections)


@needs_pop909
def test_tokenizer_round_trip_on_a_pop909_song(tmp_path: Path) -> None:
    vocab = build_vocab()
    save_vocab(vocab, tmp_path)
    reloaded = load_vocab(tmp_path)
    assert reloaded.names == vocab.names
    song = load_song(POP909 / "002", reloaded)
    assert song is not None and len(song.steps) > 50
    bars = note_tokens(list(song.steps), reloaded, 100.0)
    notes = bars_to_notes(bars, reloaded, 0.0)
    assert [(n.pitch, round(n.start * 4)) for n in notes] == [(p, onset) for p, onset, _ in song.steps]
    for note, (_pitch, _onset, length) in zip(notes, song.steps, strict=True):
        assert abs(note.duration - length / 4) <= 0.25  # beyond 4 beats durations are on half-beats


@needs_pop909
@pytest.mark.parametrize("part", ["melody", "piano"])
def test_tiny_model_loss_drops_on_three_songs(tmp_path: Path, part: str) -> None:
    config = TrainConfig(
        layers=2, hidden=64, heads=2, intermediate=128, context=256, dropout=0.0, batch_size=4,
        learning_rate=3e-3, warmup_steps=2, total_steps=20, steps_per_epoch=10, song_limit=3, part=part,
    )  # fmt: skip
    result = train(config, tmp_path / "run", seed=3, device="cpu")
    assert result.steps == 20
    assert result.last_loss < 0.75 * result.first_loss
    assert (tmp_path / "run" / "best" / "model.safetensors").is_file()
    assert (tmp_path / "run" / "curves.csv").read_text().count("\n") == 3  # header + 2 epochs
    sample = symusic.Score(str(tmp_path / "run" / "samples" / "epoch002.mid"))
    assert sample.tracks and sample.end() > 0 and sample.tracks[0].name == part
    longer = TrainConfig(**{**asdict(config), "total_steps": 25})
    resumed = train(longer, tmp_path / "run", seed=3, device="cpu", write_samples=False)
    assert resumed.steps == 25  # picked up at step 20 from last.pt
    assert (tmp_path / "run" / "curves.csv").read_text().count("\n") == 4


def test_shipped_checkpoint_writes_a_valid_deterministic_melody(tmp_path: Path) -> None:
    assert (MELODY_DIR / "model.safetensors").stat().st_size <= 40 * 1024 * 1024
    writer = load_writer()
    assert writer is not None, "the shipped checkpoint did not load"
    plan = _plan()
    notes = writer.melody(plan, SPEC, 60, 81, seed=11)
    assert notes, "the model wrote no melody"
    assert all(60 <= n.pitch <= 81 for n in notes)
    assert [n.start for n in notes] == sorted(n.start for n in notes)
    assert all(n.start >= 0 and n.start + n.duration <= plan.total_bars * 4 + 1e-6 for n in notes)
    assert writer.melody(plan, SPEC, 60, 81, seed=11) == notes
    assert writer.melody(plan, SPEC, 60, 81, seed=12) != notes
    verse = [(n.start, n.pitch) for n in notes if n.start < 16]
    repeat = [(n.start - 32, n.pitch) for n in notes if n.start >= 32]
    assert verse == repeat  # the second verse sings the first verse's tune
    midi = symusic.Score(str(notes_to_midi(notes, plan.tempo_bpm, tmp_path / "melody.mid")))
    assert len(midi.tracks[0].notes) == len(notes)


def test_model_writer_declines_meters_it_was_not_trained_on() -> None:
    writer = load_writer()
    assert writer is not None
    plan = _plan()
    waltz = Plan(plan.tempo_bpm, 3.0, plan.tonic_pc, plan.mode, plan.swing, plan.sections)
    assert writer.melody(waltz, SPEC, 60, 81, seed=1) is None
    assert writer.accompaniment(waltz, SPEC, 36, 72, seed=1) is None


def test_load_writer_returns_none_for_a_missing_or_broken_checkpoint(tmp_path: Path) -> None:
    assert load_writer(tmp_path) is None
    (tmp_path / "melody").mkdir()
    (tmp_path / "melody" / "model.safetensors").write_bytes(b"not weights")
    assert load_writer(tmp_path) is None


def _melody(pitches: list[int], gaps: list[float]) -> list[Note]:
    notes, start = [], 0.0
    for pitch, gap in zip(pitches, gaps, strict=True):
        notes.append(Note(start, gap, pitch, 80))
        start += gap
    return notes


def test_originality_guard_rejects_a_copied_run_and_accepts_a_fresh_one() -> None:
    reference = _melody([60, 62, 64, 65, 67, 65, 64, 62, 60, 67, 72], [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 2, 1, 1])
    index = OriginalityIndex.from_melodies([([n.pitch for n in reference], [round(n.start * 4) for n in reference])])
    transposed = [Note(n.start + 8, n.duration, n.pitch + 5, n.velocity) for n in reference[:9]]
    assert not index.is_original(transposed)  # 9 notes = 8 steps, moved in time and key: still a copy
    assert index.is_original(transposed[:8])  # 7 steps is below the limit
    changed = [*transposed[:4], Note(transposed[4].start, 0.5, transposed[4].pitch + 2, 80), *transposed[5:]]
    assert index.is_original(changed)
    assert len(steps_from_notes(reference)) == len(reference) - 1


@needs_pop909
def test_shipped_originality_index_knows_training_melodies() -> None:
    index = OriginalityIndex.load(MELODY_DIR)
    song = load_song(POP909 / "003", build_vocab())
    assert song is not None
    copied = [Note(onset / 4, length / 4, pitch, 80) for pitch, onset, length in song.steps[10:30]]
    assert not index.is_original(copied)
    writer = load_writer()
    assert writer is not None
    melody = writer.melody(_plan(), SPEC, 60, 81, seed=5)
    assert melody is not None and index.is_original(melody)


def test_a_solo_piano_keeps_its_left_hand_when_the_model_sings() -> None:
    from bot.understanding import understand
    from engine.compose import compose

    writer = load_writer()
    assert writer is not None
    spec = understand("sad piano ballad, 20 seconds", seed=7).spec
    assert [part.role for part in spec.parts if part.name == "piano"] == ["melody"]
    with_model, rules_only = compose(spec, writer=writer), compose(spec)
    piano = next(track for track in with_model.tracks if track.name == "piano")
    tune_floor = min(n.pitch for n in next(t for t in rules_only.tracks if t.name == "piano").notes if n.pitch >= 60)
    assert any(n.pitch < 55 for n in piano.notes), "no chords part: the piano accompanies itself"
    assert any(n.pitch >= tune_floor for n in piano.notes)


def test_the_training_tools_answer_mistakes_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.model import export, heldout
    from engine.model import train as train_module

    for main, argv in (
        (train_module.main, ["--config", str(tmp_path / "missing.json"), "--out", str(tmp_path / "run")]),
        (train_module.main, ["--data", str(tmp_path / "no-pop909"), "--out", str(tmp_path / "run")]),
        (export.main, [str(tmp_path / "no-run")]),
        (heldout.main, ["--checkpoint", str(tmp_path / "no-checkpoint")]),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        message = capsys.readouterr().err.strip()
        assert message.startswith("error: ") and "\n" not in message


def test_a_broken_checkpoint_is_logged_and_the_rules_compose(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    from engine.model import MELODY_DIR, load_writer

    broken = tmp_path / "melody"
    shutil.copytree(MELODY_DIR, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    assert load_writer(tmp_path) is None
    [record] = [r for r in caplog.records if r.name == "bandmate.model"]
    assert "could not be loaded" in record.getMessage() and record.exc_info is not None
