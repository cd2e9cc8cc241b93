"""The singer: notes with lyrics sung on pitch and on time, in two registers, deterministic, bad input named."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest
from pydub import AudioSegment

from engine.audio.render import Renderer
from engine.errors import EngineError, UserError
from engine.evaluate.vocal_measures import Written, track_pitch, vowel_onset_errors
from engine.midi import score_to_midi
from engine.pipeline import Generated, render
from engine.score import Note, Score, Track
from engine.spec import MusicSpec, PartSpec
from engine.vocals import LANGUAGE_CODES, VOICE_NAMES, octave_shift, sing
from engine.vocals.align import align, line_units
from engine.vocals.espeak import espeak
from engine.vocals.lines import read_lines
from engine.vocals.track import split_vocals
from engine.vocals.voices import LANGUAGES, VOICES
from tests.conftest import TEST_SOUNDFONT

RATE = 22_050
SECONDS_PER_BEAT = 0.5
LINE = [Note(1.0, 1.0, 64, 90, "take "), Note(2.0, 1.0, 67, 90, "the "), Note(3.0, 1.0, 65, 90, "pa"),
        Note(4.0, 2.0, 62, 90, "per\n")]  # fmt: skip


@pytest.fixture(scope="module")
def sung() -> dict[str, np.ndarray]:
    return {voice: sing(LINE, SECONDS_PER_BEAT, voice, "en", RATE) for voice in VOICE_NAMES}


def _median_midi(audio: np.ndarray, start_s: float, end_s: float) -> float:
    times, hz = track_pitch(audio, RATE)
    quarter = (end_s - start_s) / 4
    inside = (times >= start_s + quarter) & (times < end_s - quarter) & (hz > 0)
    assert inside.sum() >= 5, "the middle of the note is not voiced"
    return float(69 + 12 * np.log2(np.median(hz[inside]) / 440))


@pytest.mark.parametrize("voice", VOICE_NAMES)
def test_each_note_is_sung_on_its_written_pitch(sung: dict[str, np.ndarray], voice: str) -> None:
    shift = octave_shift(LINE, VOICES[voice])
    for note in LINE:
        start, end = note.start * SECONDS_PER_BEAT, (note.start + note.duration) * SECONDS_PER_BEAT
        assert abs(_median_midi(sung[voice], start, end) - (note.pitch + shift)) < 0.5, note


def test_output_is_mono_float32_to_the_last_note_and_a_short_tail(sung: dict[str, np.ndarray]) -> None:
    audio = sung["female"]
    end_s = 6.0 * SECONDS_PER_BEAT
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert end_s * RATE < len(audio) <= (end_s + 0.5) * RATE
    assert np.abs(audio[: int(0.2 * RATE)]).max() < 1e-3  # nothing before the first consonant
    assert 0.3 < np.abs(audio).max() <= 1.0


@pytest.mark.parametrize("voice", VOICE_NAMES)
def test_vowels_land_on_the_note_starts(sung: dict[str, np.ndarray], voice: str) -> None:
    shift = octave_shift(LINE, VOICES[voice])
    written = [Written(n.start * SECONDS_PER_BEAT, (n.start + n.duration) * SECONDS_PER_BEAT, n.pitch + shift)
               for n in LINE]  # fmt: skip
    errors = vowel_onset_errors(sung[voice], RATE, written)
    assert all(error is not None and abs(error) <= 0.05 for error in errors), errors


def test_consonants_come_before_the_note_so_the_vowel_starts_on_it() -> None:
    lines = read_lines(LINE, SECONDS_PER_BEAT, 0, LANGUAGES["en"])
    words = [word.text for word in lines[0]]
    speech = espeak().speak(" ".join(words), "en-us", rate=130, pitch=50)
    units = line_units(lines[0], speech, [sum(len(w) + 1 for w in words[:k]) for k in range(len(words))])
    segments = align(units, speech, 0.0)
    take = units[0]
    assert [phone.ipa for phone in take.onset] == ["t"]
    onset_segment = next(s for s in segments if s.src_start == take.onset[0].start)
    vowel_segment = next(s for s in segments if s.src_start == take.nucleus[0].start)
    assert onset_segment.end == pytest.approx(0.5) and onset_segment.start < 0.5
    assert vowel_segment.start == pytest.approx(0.5)
    assert all(later.start >= earlier.end - 1e-9 for earlier, later in itertools.pairwise(segments))


def test_the_two_voices_sing_in_different_registers(sung: dict[str, np.ndarray]) -> None:
    female = _median_midi(sung["female"], 2.0, 3.0)
    male = _median_midi(sung["male"], 2.0, 3.0)
    assert female - male == pytest.approx(12, abs=0.5)


def test_a_held_note_keeps_the_vowel_going_to_the_new_pitch() -> None:
    notes = [Note(0.5, 1.0, 64, 90, "la"), Note(1.5, 1.0, 69, 90, ""), Note(2.5, 1.0, 67, 90, "ooh\n")]
    audio = sing(notes, SECONDS_PER_BEAT, "female", "en", RATE)
    assert abs(_median_midi(audio, 0.75, 1.25) - 69) < 0.5
    times, hz = track_pitch(audio, RATE)
    across = (times > 0.45) & (times < 0.8)  # from inside "la" into the held note: no gap, no consonant
    # Praat may lose the voice for a few frames inside the 5-semitone glide; a consonant (≥ 35 ms) or a gap may not.
    assert (hz[across] > 0).mean() >= 0.9
    window = int(0.01 * RATE)
    level = np.convolve(np.abs(audio), np.ones(window) / window, mode="same")[int(0.45 * RATE) : int(0.8 * RATE)]
    assert level.min() >= 0.5 * float(np.median(level))  # the sound never dips by 6 dB: no gap


def test_the_same_input_gives_the_same_audio(sung: dict[str, np.ndarray]) -> None:
    again = sing(LINE, SECONDS_PER_BEAT, "female", "en", RATE)
    np.testing.assert_allclose(again, sung["female"], atol=1e-6)


WORDS = {"en": ("sing", "to", "me"), "es": ("can", "to", "mar"), "fr": ("é", "té", "là"),
         "de": ("sin", "ge", "mir"), "pt": ("co", "ra", "ção")}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_every_language_is_sung_on_pitch(language: str) -> None:
    first, second, third = WORDS[language]
    notes = [Note(0.0, 1.0, 62, 90, first), Note(1.0, 1.0, 64, 90, second + " "), Note(2.0, 2.0, 65, 90, third + "\n")]
    audio = sing(notes, SECONDS_PER_BEAT, "male", language, 44_100)
    assert len(audio) > 2.0 * 44_100
    shift = octave_shift(notes, VOICES["male"])
    resampled = audio[::2]  # 22.05 kHz for the tracker
    assert abs(_median_midi(resampled, 1.0, 2.0) - (65 + shift)) < 0.5


@pytest.mark.parametrize(
    ("notes", "voice", "language", "error", "words"),
    [
        ([], "female", "en", EngineError, "no notes"),
        ([Note(0, 1, 60, 90, ""), Note(1, 1, 62, 90, "la\n")], "female", "en", EngineError, "held note"),
        ([Note(0, 1, 60, 90, "こん")], "female", "en", UserError, "can't read"),
        ([Note(0, 1, 60, 90, "🎤 ")], "female", "en", UserError, "can't sing"),
        ([Note(0, 1, 60, 90, "?! ")], "female", "en", UserError, "no letters"),
        ([Note(0, 1, 60, 90, "la ")], "soprano", "en", UserError, "no voice 'soprano'"),
        ([Note(0, 1, 60, 90, "la ")], "female", "xx", UserError, "does not sing in 'xx'"),
    ],
)
def test_bad_input_is_named_in_one_line(notes: list[Note], voice: str, language: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words) as raised:
        sing(notes, SECONDS_PER_BEAT, voice, language, RATE)
    assert "\n" not in str(raised.value)


def test_words_and_lines_are_read_from_the_lyric_endings() -> None:
    notes = [Note(0, 1, 60, 90, "walk"), Note(1, 1, 62, 90, "ing "), Note(2, 1, 64, 90, ""),
             Note(3, 1, 65, 90, "home,\n"), Note(5, 1, 67, 90, "la\n")]  # fmt: skip
    lines = read_lines(notes, 1.0, 0, LANGUAGES["en"])
    assert [[word.text for word in line] for line in lines] == [["walking", "home"], ["la"]]
    assert len(lines[0][0].syllables[1].notes) == 2  # "ing" and the note it is held over
    held_to_the_end = [Note(0, 1, 60, 90, "ah"), Note(1, 1, 62, 90, "\n"), Note(2, 1, 64, 90, "oh\n")]
    lines = read_lines(held_to_the_end, 1.0, 0, LANGUAGES["en"])
    assert [[word.text for word in line] for line in lines] == [["ah"], ["oh"]]
    assert len(lines[0][0].syllables[0].notes) == 2


def _piece() -> Score:
    vocals = [Note(n.start + 2, n.duration, n.pitch, n.velocity, n.lyric) for n in LINE]
    bass = [Note(float(i), 1.0, 38, 40) for i in range(10)]
    return Score(tempo_bpm=120, meter="4/4", key="D", mode="major", length_beats=10,
                 tracks=[Track("acoustic bass", 32, "bass", bass), Track("vocals", 53, "melody", vocals)])  # fmt: skip


def test_the_vocals_track_is_taken_out_of_what_fluidsynth_plays() -> None:
    played, sung = split_vocals(_piece())
    assert [t.name for t in played.tracks] == ["acoustic bass"] and sung is not None and sung.name == "vocals"
    unsung = dataclasses.replace(_piece(), tracks=[Track("vocals", 53, "melody", [Note(0, 1, 60, 90)])])
    assert split_vocals(unsung)[1] is None  # a vocals part without words is played, not sung


def test_the_pipeline_sings_the_vocals_as_the_lead(tmp_path: Path) -> None:
    score = _piece()
    spec = MusicSpec(genre="pop", tempo_bpm=120, key="D", mode="major", meter="4/4", drums=False, duration_s=5,
                     parts=(PartSpec(name="voice", role="melody"),))  # fmt: skip
    generated = Generated(spec, score, score_to_midi(score), 0.0)
    with Renderer(TEST_SOUNDFONT, RATE) as renderer:
        rendered = render(generated, renderer, tmp_path / "song.mp3")
    decoded = AudioSegment.from_file(rendered.mp3_path).set_channels(1).set_frame_rate(RATE)
    mono = np.array(decoded.get_array_of_samples(), dtype=np.float32) / 32768
    for note in score.tracks[1].notes:
        start, end = note.start * score.seconds_per_beat, (note.start + note.duration) * score.seconds_per_beat
        assert abs(_median_midi(mono, start, end) - note.pitch) < 0.5, note


def test_a_line_moves_by_the_fewest_octaves_into_the_register() -> None:
    low_tune = [Note(float(i), 1.0, 50 + i, 90, "la ") for i in range(3)]
    assert octave_shift(low_tune, VOICES["female"]) == 12
    assert octave_shift(low_tune, VOICES["male"]) == 0
    assert octave_shift(LINE, VOICES["male"]) == -12


def test_every_voice_and_language_a_spec_allows_can_be_sung() -> None:
    from engine import spec as spec_module
    from engine.vocals import LANGUAGE_CODES, VOICE_NAMES

    assert set(spec_module.VOICES) <= set(VOICE_NAMES)
    assert set(spec_module.LANGUAGES) <= set(LANGUAGE_CODES)
