"""The composer's contract: every genre, determinism, length, instruments, ranges, endings, repetition."""

from __future__ import annotations

import time
from statistics import median

import pytest

from engine.compose import compose, make_plan
from engine.compose.arrange import PITCHED_FLOOR, melody_window
from engine.genres import GENRES
from engine.instruments import DRUM_KITS, INSTRUMENTS
from engine.plan import Plan
from engine.score import Note, Score, Track
from engine.spec import MusicSpec, build_spec


def genre_spec(name: str, *, seconds: float = 12.0, seed: int = 3, **changes: object) -> MusicSpec:
    """The spec a plain request for this genre starts from."""
    genre = GENRES[name]
    fields: dict[str, object] = {
        "genre": name, "tempo_bpm": genre.tempo[1], "key": "D", "mode": genre.mode, "meter": genre.meter,
        "parts": [{"name": n, "role": r} for n, r in genre.parts], "drums": genre.drums,
        "drum_kit": genre.drum_kit, "duration_s": seconds, "energy": genre.energy, "seed": seed,
    }  # fmt: skip
    fields.update(changes)
    return build_spec(fields)


def track(score: Score, name: str) -> Track:
    return next(t for t in score.tracks if t.name == name)


def melody(score: Score) -> list[tuple[float, int, float]]:
    lead = next(t for t in score.tracks if t.role == "melody")
    return [(n.start, n.pitch, n.duration) for n in lead.notes]


def silence_bars(score: Score, beats_per_bar: float) -> float:
    spans = sorted((n.start, n.start + n.duration) for t in score.tracks for n in t.notes)
    cursor, longest = 0.0, 0.0
    for start, end in spans:
        longest = max(longest, start - cursor)
        cursor = max(cursor, end)
    return max(longest, score.length_beats - cursor) / beats_per_bar


@pytest.mark.parametrize("name", sorted(GENRES))
def test_every_genre_keeps_the_contract(name: str) -> None:
    spec = genre_spec(name)
    score = compose(spec)
    assert score == compose(spec), "the same spec must give exactly the same score"
    assert score.length_beats == pytest.approx(spec.duration_s * spec.tempo_bpm / 60)
    assert (score.tempo_bpm, score.meter, score.key, score.mode) == (spec.tempo_bpm, spec.meter, "D", spec.mode)
    pitched = [t for t in score.tracks if not t.is_drum]
    assert [t.name for t in pitched] == spec.instruments
    for part, written in zip(spec.parts, pitched, strict=True):
        instrument = INSTRUMENTS[part.name]
        assert (written.program, written.role) == (instrument.program, part.role)
        assert all(instrument.low <= n.pitch <= instrument.high for n in written.notes), part.name
        assert any(n.velocity >= PITCHED_FLOOR for n in written.notes), f"{part.name} is not heard"
    drums = [t for t in score.tracks if t.is_drum]
    if spec.drums:
        assert len(drums) == 1 and drums[0].bank == 128 and drums[0].program == DRUM_KITS[spec.drum_kit]
    else:
        assert drums == []
    for written in score.tracks:
        assert 0 <= written.volume <= 127 and 0 <= written.pan <= 127 and 0 <= written.reverb <= 127
        for note in written.notes:
            assert 0 <= note.pitch <= 127 and 1 <= note.velocity <= 127
            assert note.start >= 0 and note.duration > 0
            assert note.start + note.duration <= score.length_beats + 1e-9
    assert silence_bars(score, spec.beats_per_bar) <= 2.0


@pytest.mark.parametrize("name", sorted(GENRES))
def test_every_genre_ends_on_a_held_tonic_chord(name: str) -> None:
    spec = genre_spec(name, seconds=20.0)
    score = compose(spec)
    plan = make_plan(spec)
    final = plan.sections[-1].chords[-1]
    assert final.root == spec.tonic_pc, "the last chord is the home chord"
    last_bar = (plan.total_bars - 1) * plan.beats_per_bar
    held = [
        n
        for t in score.tracks
        if not t.is_drum
        for n in t.notes
        if n.start >= last_bar - 0.1 and n.start + n.duration >= score.length_beats - 1e-6
    ]
    assert held, "something rings to the very end"
    assert {n.pitch % 12 for n in held} <= set(final.pitch_classes)


@pytest.mark.parametrize(("seconds", "tempo", "meter"), [
    (5, 40, "4/4"), (12, 120, "4/4"), (30, 61, "4/4"), (30, 175, "4/4"), (45, 96, "3/4"),
    (30, 120, "6/8"), (60, 140, "7/8"), (90, 116, "2/4"), (200, 128, "4/4"), (300, 240, "4/4"),
])  # fmt: skip
def test_the_plan_lasts_the_requested_time(seconds: float, tempo: int, meter: str) -> None:
    spec = genre_spec("pop", seconds=seconds, tempo_bpm=tempo, meter=meter)
    plan = make_plan(spec)
    wanted = seconds * tempo / 60
    planned = plan.total_bars * plan.beats_per_bar
    assert abs(planned - wanted) <= max(0.05 * wanted, plan.beats_per_bar / 2)
    bars = [s.start_bar for s in plan.sections]
    assert bars == sorted(bars) and bars[0] == 0
    assert all(s.chords for s in plan.sections)


def test_a_song_has_an_intro_a_chorus_that_returns_and_varies_and_an_ending() -> None:
    spec = genre_spec("pop", seconds=60.0, seed=11)
    plan = make_plan(spec)
    names = [s.name for s in plan.sections]
    assert names[0] == "intro" and names.count("chorus") >= 2
    choruses = [s for s in plan.sections if s.name == "chorus"]
    score = compose(spec)
    lead = next(t for t in score.tracks if t.role == "melody")

    def shape(section: object) -> set[tuple[int, int]]:
        start = section.start_bar * plan.beats_per_bar  # type: ignore[attr-defined]
        end = start + section.bars * plan.beats_per_bar  # type: ignore[attr-defined]
        return {(round((n.start - start) * 4), n.pitch) for n in lead.notes if start <= n.start < end}

    first, second = shape(choruses[0]), shape(choruses[1])
    common = len(first & second) / max(len(first), len(second))
    assert common >= 0.6, "the chorus comes back recognisably"
    assert first != second or choruses[-1] is plan.sections[-1], "the return is varied"
    assert choruses[1].energy > choruses[0].energy


def test_different_seeds_give_different_melodies() -> None:
    tunes = {tuple(melody(compose(genre_spec("folk", seed=seed)))) for seed in range(4)}
    assert len(tunes) == 4


def test_a_tempo_change_keeps_the_melody_note_for_note_in_beats() -> None:
    spec = genre_spec("pop", seconds=30.0, tempo_bpm=100, seed=8)
    faster = spec.replace(tempo_bpm=125, duration_s=30.0 * 100 / 125)
    assert melody(compose(faster)) == melody(compose(spec))


def test_adding_an_instrument_keeps_the_melody_and_the_other_parts() -> None:
    spec = genre_spec("pop", seconds=30.0, seed=8)
    parts = [*(p.model_dump() for p in spec.parts), {"name": "violin", "role": "counter"}]
    more = compose(spec.replace(parts=parts))
    before = compose(spec)
    for name in spec.instruments:
        assert track(more, name).notes == track(before, name).notes, name
    assert track(more, "violin").notes


def test_a_piano_alone_with_the_tune_plays_its_own_left_hand() -> None:
    spec = genre_spec(
        "pop",
        parts=[{"name": "piano", "role": "melody"}, {"name": "strings", "role": "pad"}],
        drums=False,
        seconds=20.0,
    )
    piano = track(compose(spec), "piano")
    low, _ = melody_window(INSTRUMENTS["piano"].low, INSTRUMENTS["piano"].high)
    assert any(n.pitch < low for n in piano.notes) and any(n.pitch >= low for n in piano.notes)


def test_a_part_style_borrows_another_genres_playing() -> None:
    spec = genre_spec(
        "pop",
        seconds=20.0,
        parts=[{"name": "synth lead", "role": "melody"}, {"name": "acoustic bass", "role": "bass", "style": "jazz"}],
    )
    walking = track(compose(spec), "acoustic bass")
    beats = {round(n.start) for n in walking.notes if abs(n.start - round(n.start)) < 0.05}
    assert len(beats) >= 0.8 * compose(spec).length_beats - 4, "a walking bass plays every beat"


def test_an_explicit_form_is_followed_with_its_energies() -> None:
    spec = genre_spec("rock", seconds=5.0).replace(form=[
        {"name": "intro", "bars": 2}, {"name": "verse", "bars": 4}, {"name": "chorus", "bars": 4, "energy": 0.9},
        {"name": "chorus", "bars": 4, "mood": "dark"}, {"name": "outro", "bars": 2},
    ])  # fmt: skip
    plan = make_plan(spec)
    assert [(s.name, s.bars) for s in plan.sections] == [
        ("intro", 2),
        ("verse", 4),
        ("chorus", 4),
        ("chorus", 4),
        ("outro", 2),
    ]
    assert plan.sections[2].energy == 0.9
    assert plan.sections[0].start_bar == 0 and plan.sections[-1].start_bar == 14


def test_swing_delays_the_offbeat_eighths() -> None:
    score = compose(genre_spec("jazz", seconds=20.0))
    ride = [n.start % 1 for n in track(score, "drums").notes if n.pitch == 51]
    offbeats = [f for f in ride if 0.2 < f < 0.9]
    assert offbeats and median(offbeats) > 0.6, "jazz eighths swing towards the triplet"


class FixedWriter:
    """A PartWriter that writes one held note as the melody and leaves the accompaniment to the rules."""

    name = "fixed"

    def melody(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        return [Note(0.0, 4.0, low + 3, 90)]

    def accompaniment(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        return None


def test_a_part_writer_supplies_the_melody_and_the_rules_the_rest() -> None:
    spec = genre_spec("pop", seconds=15.0)
    with_writer, rules = compose(spec, writer=FixedWriter()), compose(spec)
    assert [n.pitch for n in next(t for t in with_writer.tracks if t.role == "melody").notes] == [
        melody_window(INSTRUMENTS["synth lead"].low, INSTRUMENTS["synth lead"].high)[0] + 3
    ]
    assert track(with_writer, "piano").notes == track(rules, "piano").notes


def test_composing_a_thirty_second_piece_is_fast() -> None:
    spec = genre_spec("pop", seconds=30.0)
    compose(spec)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        compose(spec)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.2
