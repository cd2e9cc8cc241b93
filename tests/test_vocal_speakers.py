"""The singer's speakers and vocoder: Festival's phonemes tied to the lyric's words, vowels sung voiced."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ConfigError, EngineError, UserError
from engine.evaluate.vocal_measures import track_pitch
from engine.score import Note, Score, Track
from engine.speech import Phone, word_offsets
from engine.vocals.align import Segment, is_vowel, word_units
from engine.vocals.festival import SAMPLE_RATE, speak_english
from engine.vocals.lines import SungNote
from engine.vocals.track import SINGER_UNAVAILABLE, sung_stem
from engine.vocals.vocoder import resynthesize
from engine.vocals.voices import VOICES
from tests.helpers import command_line


@pytest.mark.parametrize("voice", sorted({voice.festival for voice in VOICES.values()}))
def test_festival_ties_every_phoneme_to_its_word_of_the_line(voice: str) -> None:
    lines = [["walking", "down", "the", "road"], ["straße", "24", "ありがとう"]]
    first, second = speak_english(lines, voice)
    assert first.sample_rate == second.sample_rate == SAMPLE_RATE
    for words, speech in ((lines[0], first), (lines[1], second)):
        offsets = word_offsets(words)
        by_word = [[p for p in speech.phones if p.text_position == offset] for offset in offsets]
        assert all(any(is_vowel(p.ipa) for p in phones) or words[k] == "ありがとう" for k, phones in enumerate(by_word))
        assert all(0 <= p.start < p.end <= len(speech.audio) for p in speech.phones)
        assert all(a.end <= b.start for a, b in zip(speech.phones, speech.phones[1:], strict=False))
    assert [p.ipa for p in first.phones if p.text_position == 0][:3] == ["w", "ɔ", "k"]  # "walking", in IPA
    assert [p.ipa for p in second.phones if p.text_position == 0][:4] == ["s", "t", "ɹ", "ɑ"]  # "strasse"
    assert len([p for p in second.phones if p.text_position == word_offsets(lines[1])[1]]) >= 6  # "twenty four"
    assert [p.ipa for p in second.phones if p.text_position == word_offsets(lines[1])[2]] == ["h", "ʌ", "m"]  # hummed
    again = next(speak_english(lines[:1], voice))
    np.testing.assert_array_equal(again.audio, first.audio)  # the same words always sound the same


def test_a_festival_voice_not_installed_is_a_config_error_in_one_line() -> None:
    with pytest.raises(ConfigError, match="Festival has no voice no_such_voice") as raised:
        list(speak_english([["hello"]], "no_such_voice"))
    assert "\n" not in str(raised.value)


def test_festival_failing_on_a_line_is_an_engine_error_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "festival"  # a Festival that speaks nothing and dies, as a broken install would
    fake.write_text("#!/bin/sh\necho 'SIOD ERROR: out of memory' >&2\nexit 1\n", encoding="ascii")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(EngineError, match=r"Festival could not speak line 1 .*: SIOD ERROR: out of memory") as raised:
        list(speak_english([["hello"]], VOICES["male"].festival))
    assert not isinstance(raised.value, ConfigError)


def test_a_missing_singer_tells_the_user_to_ask_for_an_instrumental(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no festival here
    track = Track("vocals", 54, "melody", [Note(0.0, 1.0, 64, 90, "hel"), Note(1.0, 1.0, 62, 90, "lo\n")])
    score = Score(120.0, "4/4", "C", "major", [track], 4.0)
    with pytest.raises(UserError) as raised:
        sung_stem(track, score, 22_050, 22_050 * 3)
    assert raised.value.message == SINGER_UNAVAILABLE and "instrumental" in raised.value.message
    assert isinstance(raised.value.__cause__, ConfigError)


def _phone(ipa: str, start: int) -> Phone:
    return Phone(ipa, start, start + 100, 0)


def test_a_word_spoken_in_fewer_syllables_than_it_is_sung_starts_on_its_first_note() -> None:
    phones = [_phone("l", 0), _phone("æ", 100)]  # Festival reads "laooh" as one syllable
    notes = [[SungNote(0.0, 0.5, 64, 90)], [SungNote(0.5, 1.0, 67, 90)]]
    (unit,) = word_units(phones, notes)
    assert [p.ipa for p in unit.onset] == ["l"] and [p.ipa for p in unit.nucleus] == ["æ"]
    assert unit.notes == [notes[0][0], notes[1][0]]  # sung from the first note, the vowel held over the second


def test_the_vocoder_retimes_and_repitches_a_vowel_and_keeps_a_noise_consonant_unvoiced() -> None:
    rng = np.random.default_rng(1)
    consonant = rng.standard_normal(SAMPLE_RATE // 4) * 0.05
    seconds = np.arange(SAMPLE_RATE // 4) / SAMPLE_RATE
    vowel = sum(np.sin(2 * np.pi * 150 * k * seconds) / k for k in range(1, 12)) * 0.1  # a buzz at 150 Hz
    speech = np.concatenate([consonant, vowel]).astype(np.float32)
    half = SAMPLE_RATE // 4
    segments = [Segment(0, half, 0.0, 0.2), Segment(half, 2 * half, 0.2, 1.0, vowel=True)]  # the vowel held 3.2×
    sung = resynthesize(speech, SAMPLE_RATE, segments, [(0.0, 220.0), (1.0, 220.0)])
    assert len(sung) == SAMPLE_RATE
    times, hz = track_pitch(sung, SAMPLE_RATE)
    held, noise = (times > 0.3) & (times < 0.9), (times > 0.03) & (times < 0.17)
    assert (hz[held] > 0).mean() > 0.95 and abs(np.median(hz[held]) - 220.0) < 3
    assert (hz[noise] > 0).mean() < 0.1


def test_a_held_vowel_is_a_clear_tone_on_its_pitch_even_where_the_speech_is_breathy() -> None:
    breathy = (np.random.default_rng(2).standard_normal(SAMPLE_RATE // 2) * 0.1).astype(np.float32)
    quarter = SAMPLE_RATE // 4
    segments = [Segment(0, quarter, 0.0, 0.2), Segment(quarter, 2 * quarter, 0.2, 1.0, vowel=True)]
    sung = resynthesize(breathy, SAMPLE_RATE, segments, [(0.0, 196.0), (1.0, 196.0)])
    times, hz = track_pitch(sung, SAMPLE_RATE)
    held, consonant = (times > 0.3) & (times < 0.9), (times > 0.03) & (times < 0.17)
    assert (hz[held] > 0).mean() > 0.95 and abs(np.median(hz[held]) - 196.0) < 3  # voiced, and no longer noise
    assert (hz[consonant] > 0).mean() < 0.1


def test_festival_stops_and_leaves_nothing_behind_when_the_singer_stops_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    speeches = speak_english([["one", "line"], ["two", "lines"], ["three", "lines"]], "kal_diphone")
    assert next(speeches).phones  # the first line comes while Festival still speaks the others
    (folder,) = tmp_path.glob("bandmate-festival-*")
    speeches.close()
    assert not folder.exists()
    assert not [pid for pid in Path("/proc").glob("[0-9]*") if str(folder) in command_line(int(pid.name))]
