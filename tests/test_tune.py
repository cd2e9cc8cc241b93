"""Bring your own tune: transcription, MIDI tunes, bad input, harmonisation and the arranged lead."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile
import symusic

from bot.understanding import refine
from engine.errors import EngineError, UserError
from engine.evaluate.tune import kept_in_order, note_f1
from engine.evaluate.tune_inputs import generator, hum, placed_reference, whistle, with_noise
from engine.pipeline import generate
from engine.plan import CHORD_INTERVALS
from engine.sectioned import LEAD_TRACK
from engine.spec import build_spec
from engine.tune.arrange import tune_in_key, with_tune
from engine.tune.audio_input import MAX_FILE_BYTES, SAMPLE_RATE
from engine.tune.harmonise import harmonise
from engine.tune.listen import heard_line, read_tune, tune_from_audio
from engine.tune.meter import guess_meter, load_model
from engine.tune.midi_input import tune_from_midi
from engine.tune.transcribe import Transcriber
from engine.tune.tune import Tune

# "Alle meine Entchen" at 100 bpm: (onset s, offset s, pitch).
BEAT = 0.6
ENTCHEN = [(i * BEAT, (i + d) * BEAT, p) for i, d, p in (
    (0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65), (4, 2, 67), (6, 2, 67),
    (8, 1, 69), (9, 1, 69), (10, 1, 69), (11, 1, 69), (12, 4, 67),
    (16, 1, 65), (17, 1, 65), (18, 1, 65), (19, 1, 65), (20, 2, 64), (22, 2, 64),
    (24, 1, 62), (25, 1, 62), (26, 1, 62), (27, 1, 62), (28, 4, 60))]  # fmt: skip


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


def _wav(path: Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    soundfile.write(path, audio, rate)
    return path


def test_a_hum_is_transcribed_note_for_note(transcriber: Transcriber) -> None:
    audio = hum(ENTCHEN, generator(0))
    assert note_f1(placed_reference(ENTCHEN, "hum"), heard_line(audio, transcriber)) >= 0.9
    noisy = with_noise(audio, 10.0, generator(1))
    assert note_f1(placed_reference(ENTCHEN, "hum"), heard_line(noisy, transcriber)) >= 0.7


def test_the_tune_read_from_a_whistle_has_its_tempo_key_and_rhythm(transcriber: Transcriber) -> None:
    tune = tune_from_audio(whistle(ENTCHEN, generator(2)), transcriber, name="whistle.wav")
    assert abs(tune.tempo_bpm - 100) <= 3
    assert (tune.key, tune.mode) == ("C", "major")
    assert [p % 12 for _, _, p in tune.notes] == [p % 12 for _, _, p in ENTCHEN]
    starts = [s for s, _, _ in tune.notes]
    steps = [1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 4, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1]
    assert [b - a for a, b in pairwise(starts)] == steps
    assert tune.heard().startswith("heard 22 notes, ") and tune.heard().endswith("C major, 4/4")


def test_an_ogg_voice_message_is_decoded(transcriber: Transcriber, tmp_path: Path) -> None:
    wav = _wav(tmp_path / "hum.wav", hum(ENTCHEN, generator(3)))
    ogg = tmp_path / "voice.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "libopus", str(ogg)], check=True)
    tune = read_tune(ogg, transcriber)
    assert tune.file == "voice.ogg"
    assert kept_in_order([p for _, _, p in ENTCHEN], [p for _, _, p in tune.notes]) >= 0.9


def _midi(path: Path, tracks: list[tuple[str, bool, Sequence[tuple[float, float, int]]]], qpm: float = 90.0) -> Path:
    score = symusic.Score(480)
    score.tempos.append(symusic.Tempo(0, qpm=qpm))
    score.time_signatures.append(symusic.TimeSignature(0, 3, 4))
    for name, drum, notes in tracks:
        track = symusic.Track(name=name, program=0, is_drum=drum)
        for start, length, pitch in notes:
            track.notes.append(symusic.Note(round(start * 480), round(length * 480), pitch, 90))
        score.tracks.append(track)
    score.dump_midi(str(path))
    return path


WALTZ = [(beat, 1.0, pitch) for beat, pitch in enumerate([67, 71, 74, 74, 72, 71, 69, 72, 76, 74, 71, 67])]
CHORDS = [(bar * 3.0, 3.0, p) for bar, root in enumerate([43, 43, 50, 43]) for p in (root, root + 4, root + 7)]


def test_a_midi_tune_brings_its_melody_track_tempo_meter_and_chords(tmp_path: Path) -> None:
    path = _midi(tmp_path / "song.mid", [("Piano", False, CHORDS), ("Flute", False, WALTZ)])
    tune = tune_from_midi(path)
    assert [p for _, _, p in tune.notes] == [p for _, _, p in WALTZ]  # the high, one-at-a-time line
    assert (tune.tempo_bpm, tune.meter, tune.bars) == (90, "3/4", 4)
    assert [(root, quality) for _, _, root, quality in tune.chords] == [(7, "maj"), (7, "maj"), (2, "maj"),
                                                                         (7, "maj")]  # fmt: skip
    named = tune_from_midi(path, track="piano")
    assert {p for _, _, p in named.notes} <= {p for _, _, p in CHORDS}


def test_a_midi_named_mp3_is_still_read_as_midi(tmp_path: Path) -> None:
    path = _midi(tmp_path / "tune.mp3", [("lead", False, WALTZ)])
    assert read_tune(path).meter == "3/4"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _wav(p / "silence.wav", np.zeros(SAMPLE_RATE * 3, dtype=np.float32)), "silent"),
        (
            lambda p: _wav(p / "noise.wav", (generator(5).standard_normal(SAMPLE_RATE * 3) * 0.2).astype(np.float32)),
            "couldn't hear a tune",
        ),
        (lambda p: _wav(p / "long.wav", np.zeros(8000 * 600, dtype=np.int16), 8000), "10:00 long"),
        (
            lambda p: (p / "broken.ogg").write_bytes(b"OggS" + bytes(range(256)) * 40) and p / "broken.ogg",
            "couldn't read broken.ogg",
        ),
        (lambda p: (p / "notes.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage") and p / "notes.mid", "damaged"),
        (lambda p: _midi(p / "empty.mid", []), "no notes"),
        (lambda p: _midi(p / "drums.mid", [("kit", True, [(i / 2, 0.25, 36) for i in range(32)])]), "only drums"),
        (
            lambda p: _midi(p / "huge.mid", [("a", False, [(i / 8, 0.1, 40 + i % 40) for i in range(50_000)])]),
            "50,000 notes",
        ),
    ],
)
def test_bad_input_gets_one_clear_line(tmp_path: Path, transcriber: Transcriber, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(UserError) as caught:
        read_tune(path, transcriber)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_a_file_over_the_download_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.wav"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UserError, match="send a tune under 20 MB"):
        read_tune(path)


def test_speech_is_not_a_tune(tmp_path: Path, transcriber: Transcriber) -> None:
    path = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Hello, this is a voice message about the meeting tomorrow "
                    "at nine. Please bring the documents and the report we talked about."], check=True)  # fmt: skip
    with pytest.raises(UserError, match="couldn't hear a tune"):
        read_tune(path, transcriber)


def test_harmonisation_puts_the_tune_on_chord_tones_and_ends_at_home() -> None:
    notes = [(s / BEAT, (e - s) / BEAT, p) for s, e, p in ENTCHEN]
    chords = harmonise(notes, 8, 4.0, 0, "major")
    assert chords[0][2:] == (0, "maj") and chords[-1][2:] == (0, "maj")
    strong = [(s, p) for s, _, p in notes if s % 2 == 0]
    fitting = sum(p % 12 in {(c[2] + i) % 12 for i in CHORD_INTERVALS[c[3]]}
                  for s, p in strong for c in chords if c[0] <= s < c[0] + c[1])  # fmt: skip
    assert fitting / len(strong) >= 0.85


def _tune() -> Tune:
    notes = tuple((s / BEAT, (e - s) / BEAT, p) for s, e, p in ENTCHEN)
    return Tune(file="entchen.wav", notes=notes, bars=8, tempo_bpm=100, key="C", mode="major", meter="4/4")


BASE = build_spec({"genre": "bossa nova", "tempo_bpm": 130, "key": "A", "mode": "minor", "meter": "4/4",
                   "parts": [{"name": "flute", "role": "melody"}, {"name": "nylon guitar", "role": "chords"},
                             {"name": "acoustic bass", "role": "bass"}],
                   "drums": True, "duration_s": 30.0, "seed": 4})  # fmt: skip


def test_the_arrangement_keeps_the_tune_as_its_lead_at_its_tempo() -> None:
    spec = with_tune(BASE, _tune())
    assert (spec.tempo_bpm, spec.key, spec.mode, spec.meter) == (100, "C", "major", "4/4")
    score = generate(spec).score
    lead = next(track for track in score.tracks if track.name == LEAD_TRACK)
    assert kept_in_order([p for _, _, p in ENTCHEN] * 2, [n.pitch for n in lead.notes]) == 1.0
    assert {"nylon guitar", "acoustic bass", "drums"} <= {track.name for track in score.tracks}


def test_an_asked_key_moves_the_tune_and_an_asked_length_sizes_the_piece() -> None:
    spec = with_tune(BASE.replace(key="D", duration_s=40.0), _tune(), frozenset({"key", "duration_s"}))
    assert (spec.key, spec.mode) == ("D", "minor")
    moved = tune_in_key(_tune(), spec)
    assert [p - q for (_, _, p), (_, _, q) in zip(moved, _tune().notes, strict=True)][:3] == [2, 2, 1]  # E→F
    assert abs(spec.duration_s - 40.0) <= 4 * 60 / spec.tempo_bpm * 2


def test_replies_to_a_tune_piece_waltz_jazz_and_harmonise() -> None:
    spec = with_tune(BASE, _tune())
    waltz = refine(spec, "make it a waltz", new_seed=1).spec
    assert waltz is not None and waltz.meter == "3/4" and waltz.tune == spec.tune
    lead = next(t for t in generate(waltz).score.tracks if t.name == LEAD_TRACK)
    assert kept_in_order([p for _, _, p in ENTCHEN], [n.pitch for n in lead.notes]) >= 0.9
    jazz = refine(spec, "jazz it up", new_seed=1).spec
    assert jazz is not None and jazz.genre != spec.genre and jazz.tune == spec.tune
    again = refine(spec, "harmonise it", new_seed=1)
    assert again.spec is not None and again.changes[0] == "new chords under the tune"
    before, after = generate(spec).score, generate(again.spec).score
    tune_notes = [[(n.start, n.pitch) for n in t.notes if n.velocity] for s in (before, after)
                  for t in s.tracks if t.name == LEAD_TRACK]  # fmt: skip
    assert tune_notes[0] == tune_notes[1]  # the tune stays, the chords under it change
    chords = next(t for t in before.tracks if t.role == "chords").notes
    new_chords = next(t for t in after.tracks if t.role == "chords").notes
    assert [n.pitch for n in chords] != [n.pitch for n in new_chords]


# A jig (6/8: long-short, the bar's two dotted-quarter beats) after an eighth's pickup, and a waltz (3/4: a half
# and a quarter, or three quarters) after a quarter's: (start, length) in quarter-note beats from the first note.
JIG_RHYTHM = [(0.0, 0.5)] + [
    (0.5 + 3 * bar + s, d) for bar in range(4) for s, d in ((0, 1), (1, 0.5), (1.5, 1), (2.5, 0.5))
]
JIG_RHYTHM += [(12.5, 1.5), (14.0, 1.5)]
WALTZ_RHYTHM = [(0.0, 1.0)] + [(1.0 + 3 * bar + s, d) for bar in range(4)
                        for s, d in (((0, 2), (2, 1)) if bar % 2 == 0 else ((0, 1), (1, 1), (2, 1)))]  # fmt: skip
WALTZ_RHYTHM += [(13.0, 3.0)]
MARCH_RHYTHM = [(s / BEAT, (e - s) / BEAT) for s, e, _ in ENTCHEN]


@pytest.mark.parametrize(
    ("rhythm", "meter", "first_bar_line"),
    [(JIG_RHYTHM, "6/8", 0.5), (WALTZ_RHYTHM, "3/4", 1.0), (MARCH_RHYTHM, "4/4", 0.0)],
)
def test_the_meter_and_first_bar_line_are_read_from_where_long_notes_fall(
    rhythm: list[tuple[float, float]], meter: str, first_bar_line: float
) -> None:
    guess = guess_meter([s for s, _ in rhythm], [d for _, d in rhythm])
    assert (guess.meter, guess.beats_per_bar) == (meter, {"6/8": 3.0, "3/4": 3.0, "4/4": 4.0}[meter])
    assert guess.offset % guess.beats_per_bar == first_bar_line


def test_a_hummed_jig_is_heard_in_six_eight_with_its_bar_lines(transcriber: Transcriber) -> None:
    seconds = 0.4  # a quarter at 150 bpm: the jig at 100 dotted quarters a minute
    pitches = [67, 72, 71, 72, 74, 76, 74, 72, 71, 72, 74, 71, 67, 69, 71, 72, 74, 71, 72]
    notes = [(s * seconds, (s + d) * seconds, p) for (s, d), p in zip(JIG_RHYTHM, pitches, strict=True)]
    tune = tune_from_audio(hum(notes, generator(5)), transcriber, name="jig.wav")
    assert tune.meter == "6/8" and tune.heard().endswith("6/8")
    long_notes = [s for s, d, _ in tune.notes if d >= 1.0]
    assert sum(1 for s in long_notes if s % 1.5 == 0) >= 0.8 * len(long_notes)  # on the bar's two beats


def test_a_damaged_meter_model_is_an_engine_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "meter_model.json"
    path.write_text('{"log_probs": {"4/4": [0.0]}, "bias": {}}', encoding="utf-8")
    with pytest.raises(EngineError, match=r"meter_model\.json"):
        load_model(path)


def test_the_meter_model_fitted_on_written_tunes_reads_them_back() -> None:
    from engine.tune.meter_train import WrittenTune, _best_biases, fit, score

    def written(rhythm: list[tuple[float, float]], meter: str, first_bar_line: float) -> WrittenTune:
        return WrittenTune(meter, [s for s, _ in rhythm], [d for _, d in rhythm], meter, first_bar_line)

    tunes = [written(JIG_RHYTHM, "6/8", 0.5), written(WALTZ_RHYTHM, "3/4", 1.0), written(MARCH_RHYTHM, "4/4", 0.0)]
    tables = fit(tunes)
    assert all(abs(np.exp(table).sum() - 1.0) < 1e-9 for table in tables.values())  # each a distribution
    accuracy, bar_lines, confusion = score(tunes, _best_biases(tunes, tables))
    assert (accuracy, bar_lines) == (1.0, 1.0), confusion
