"""The listener's measures of a sung stem: words heard independently of what was heard before, edit distance."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluate.vocal_measures import recognise, slowed, track_pitch, word_errors, words_of
from engine.vocals.espeak import Utterance, speak_lines

LINES = ("I heard you calling soft and low", "summer sun upon the hill")


def test_each_line_is_heard_as_if_it_were_the_first() -> None:
    """The recogniser's cepstral mean used to carry over, so a slow high voice changed how the next line was heard."""
    *plain, earlier = speak_lines([*(Utterance(text, "en-us", 160, 50, 50) for text in LINES),
                                   Utterance(LINES[0], "en-us+f3", 80, 99, 0)])  # fmt: skip
    first = [recognise(speech.audio, speech.sample_rate) for speech in plain]
    after = []
    for speech in plain:
        recognise(earlier.audio, earlier.sample_rate)
        after.append(recognise(speech.audio, speech.sample_rate))
    assert after == first
    assert any(words_of(heard) for heard in first)  # it hears words at all


@pytest.mark.parametrize(
    ("reference", "heard", "errors"),
    [
        ("walking down the road", "walking down the road", 0),
        ("walking down the road", "walking town the road", 1),  # a substitution
        ("walking down the road", "walking the road", 1),  # a deletion
        ("walking down the road", "oh walking down the road oh", 2),  # two insertions
        ("under skies of grey", "", 4),
        ("", "la la", 2),
    ],
)
def test_word_errors_count_substitutions_deletions_and_insertions(reference: str, heard: str, errors: int) -> None:
    assert word_errors(words_of(reference), words_of(heard)) == errors


def test_words_are_compared_without_case_or_punctuation() -> None:
    assert words_of("Walk-ing, DOWN the road!") == ["walking", "down", "the", "road"]


def test_slowed_speech_lasts_as_long_as_asked_at_its_own_pitch() -> None:
    (speech,) = speak_lines([Utterance("hold the light above the water", "en-us", 160, 50, 0)])
    seconds = 3 * len(speech.audio) / speech.sample_rate
    longer = slowed(speech.audio, speech.sample_rate, seconds)
    assert len(longer) / speech.sample_rate == pytest.approx(seconds, rel=0.02)
    _, before = track_pitch(speech.audio, speech.sample_rate)
    _, after = track_pitch(longer, speech.sample_rate)
    assert np.median(after[after > 0]) == pytest.approx(np.median(before[before > 0]), rel=0.03)
    np.testing.assert_array_equal(slowed(speech.audio, speech.sample_rate, seconds), longer)  # repeats exactly
