"""Words → sections, lines and stressed syllables; language and script checks."""

from __future__ import annotations

import pytest

from engine.errors import UserError
from engine.lyrics.language import detect_language
from engine.lyrics.syllables import PRIMARY, UNSTRESSED, line_syllables, word_syllables
from engine.lyrics.words import read_lyrics

SONG = """[Verse 1]
I walked along the river
the water cold and slow

[Chorus]
hold on, hold on
the night is almost gone

[Verse 2]
the lights are in the window

[Chorus]
hold on, hold on
the night is almost gone"""


def test_english_syllables_take_their_stress_from_the_dictionary() -> None:
    syllables = word_syllables("beautiful", "en")
    assert [s.text for s in syllables] == ["beau", "ti", "ful"]
    assert [s.stress for s in syllables] == [PRIMARY, UNSTRESSED, UNSTRESSED]
    assert [s.word_end for s in syllables] == [False, False, True]
    assert [s.stress for s in word_syllables("tonight", "en")] == [UNSTRESSED, PRIMARY]
    # pyphen leaves "heather" whole; the dictionary's two syllables split it before the "th" they begin with
    assert [s.text for s in word_syllables("heather", "en")] == ["hea", "ther"]


def test_short_function_words_are_unstressed_and_content_words_stressed() -> None:
    line = line_syllables("walking down the empty road", "en")
    assert [s.text for s in line] == ["walk", "ing", "down", "the", "emp", "ty", "road"]
    assert [s.stress for s in line] == [PRIMARY, UNSTRESSED, PRIMARY, UNSTRESSED, PRIMARY, UNSTRESSED, PRIMARY]


@pytest.mark.parametrize(
    ("language", "word", "pieces", "stressed"),
    [
        ("es", "corazón", ["co", "ra", "zón"], 2),
        ("es", "canta", ["can", "ta"], 0),
        ("pt", "saudade", ["sau", "da", "de"], 1),
        ("de", "verlassen", ["ver", "las", "sen"], 1),
        ("fr", "chanson", ["chan", "son"], 1),
    ],
)
def test_other_languages_are_syllabified_with_their_stress_rule(
    language: str, word: str, pieces: list[str], stressed: int
) -> None:
    syllables = word_syllables(word, language)
    assert [s.text for s in syllables] == pieces
    assert [s.stress for s in syllables].index(PRIMARY) == stressed


def test_labels_and_blank_lines_make_sections_and_a_repeated_stanza_is_a_chorus() -> None:
    lyrics = read_lyrics(SONG)
    assert [s.name for s in lyrics.sections] == ["verse", "chorus", "verse", "chorus"]
    assert [line.text for line in lyrics.sections[1].lines] == ["hold on, hold on", "the night is almost gone"]
    unlabelled = read_lyrics("la luna sale\nsobre el mar\n\nmi corazón canta\n\nla luna sale\nsobre el mar")
    assert [s.name for s in unlabelled.sections] == ["chorus", "verse", "chorus"]
    assert unlabelled.language == "es"


def test_one_line_lyrics_sing_a_phrase_per_clause_and_long_lines_are_split() -> None:
    lyrics = read_lyrics("walking down the empty road, under skies of grey")
    assert [line.text for line in lyrics.sections[0].lines] == ["walking down the empty road,", "under skies of grey"]
    long_line = "and every single morning I remember all the places that we wandered through together"
    lines = read_lyrics(f"{long_line}\nshort one").sections[0].lines
    assert len(lines) == 3 and all(len(line.syllables) <= 14 for line in lines)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the night is long and I am here", "en"),
        ("je t'aime mon amour dans la nuit", "fr"),
        ("ich liebe dich und die Nacht", "de"),
        ("eu não sei o que fazer, meu coração", "pt"),
        ("no sé qué hacer con mi corazón", "es"),
        ("hmm hmm yeah", "en"),
    ],
)
def test_language_is_read_from_common_words(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["?!... ---", "🎵🎶🎵 ❤️", "   "])
def test_lyrics_without_letters_get_one_clear_line(text: str) -> None:
    with pytest.raises(UserError, match="no words to sing"):
        read_lyrics(text)


def test_a_script_no_voice_speaks_gets_one_clear_line() -> None:
    with pytest.raises(UserError, match="Latin alphabet"):
        read_lyrics("夜空に星が輝いている")


def test_emoji_between_words_are_not_sung() -> None:
    lyrics = read_lyrics("hold on 🎵 hold on ❤️")
    assert [s.text for s in lyrics.sections[0].lines[0].syllables] == ["hold", "on", "hold", "on"]
