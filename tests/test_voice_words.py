"""Requests and replies about singing: lyrics with their lines, vocals on and off, voices, the words' length."""

from __future__ import annotations

import pytest

from bot.understanding import refine, understand
from bot.understanding.voice_words import lyrics_sheet, sung_lines, take_voice_words
from engine.compose import compose
from engine.compose.sung import sung_length_s
from engine.errors import UserError
from engine.spec import MusicSpec

SONG = 'folk ballad lyrics: "I walked along the river\nthe water cold and slow\n\nhold on, hold on\nthe night is gone"'


@pytest.fixture(scope="module")
def sung() -> MusicSpec:
    return understand(SONG, seed=4).spec


def test_lyrics_keep_their_lines_and_are_sung_for_as_long_as_they_need(sung: MusicSpec) -> None:
    assert sung.lyrics == "I walked along the river\nthe water cold and slow\n\nhold on, hold on\nthe night is gone"
    assert sung.vocals and sung.genre == "folk"
    assert sung.duration_s == pytest.approx(sung_length_s(sung), abs=0.1)
    assert sung.duration_s < 45.0  # no length asked: the words' length, not the default


def test_an_asked_length_too_short_for_the_words_is_stretched_and_said() -> None:
    understanding = understand(SONG.replace("folk ballad", "folk ballad 10 seconds"), seed=4)
    need = sung_length_s(understanding.spec)
    minutes, seconds = divmod(round(need), 60)
    assert f"the words need {minutes}:{seconds:02d}; made it {minutes}:{seconds:02d}" in understanding.understood
    assert understanding.spec.duration_s == pytest.approx(need, abs=0.1)
    longer = understand(SONG.replace("folk ballad", "folk ballad 2 minutes"), seed=4).spec
    assert longer.duration_s == 120.0  # a longer length is kept: the band plays on


@pytest.mark.parametrize(
    ("text", "vocals", "voice", "shift"),
    [
        ("pop song with vocals", True, None, 0),
        ("rock with female vocals", True, "female", 0),
        ("sad piano ballad, male voice", True, "male", 0),
        ("dark folk with a deep voice", True, "male", -2),
        ("instrumental hip hop", False, None, 0),
        ("lofi beat, no vocals", False, None, 0),
    ],
)
def test_requests_say_whether_and_how_to_sing(text: str, vocals: bool, voice: str | None, shift: int) -> None:
    spec = understand(text, seed=1).spec
    assert (spec.vocals, spec.voice, spec.vocal_shift) == (vocals, voice, shift)
    assert "choir" not in spec.instruments  # "vocals" is a singer, not a choir pad


def test_with_vocals_and_no_words_sings_a_vocalise() -> None:
    spec = understand("pop song with vocals", seed=1).spec
    assert sung_lines(spec).endswith("a vocalise (ooh, la) on the melody")
    track = next(t for t in compose(spec).tracks if t.name == "vocals")
    assert {note.lyric.strip() for note in track.notes} <= {"ooh", "la"}


@pytest.mark.parametrize(
    ("reply", "field", "value"),
    [
        ("instrumental", "vocals", False),
        ("no vocals please", "vocals", False),
        ("male voice", "voice", "male"),
        ("female voice", "voice", "female"),
        ("sing it higher", "vocal_shift", 3),
        ("sing it a lot lower", "vocal_shift", -6),
    ],
)
def test_replies_change_only_the_voice(sung: MusicSpec, reply: str, field: str, value: object) -> None:
    change = refine(sung, reply, new_seed=99)
    assert change.action == "update" and change.spec is not None
    assert getattr(change.spec, field) == value
    kept = {k: v for k, v in sung.model_dump().items() if k not in (field, "voice")}
    assert {k: v for k, v in change.spec.model_dump().items() if k not in (field, "voice")} == kept


def test_new_lyrics_by_reply_keep_the_band_and_change_the_words(sung: MusicSpec) -> None:
    change = refine(
        sung,
        'new lyrics: "I wandered by the harbour\nthe evening grey and slow\n\nhold on, hold on\nthe night is gone"',
        new_seed=99,
    )
    assert change.spec is not None and change.changes == ("new lyrics",)
    new = change.spec
    assert new.lyrics is not None and new.lyrics.startswith("I wandered by the harbour\n")
    assert (new.seed, new.parts, new.tempo_bpm, new.key, new.duration_s) == (
        sung.seed,
        sung.parts,
        sung.tempo_bpm,
        sung.key,
        sung.duration_s,
    )
    before, after = compose(sung), compose(new)
    for a, b in zip(before.tracks, after.tracks, strict=True):
        assert (a.notes == b.notes) == (a.name != "vocals"), a.name


def test_a_reply_with_other_changes_and_a_voice_change_applies_both(sung: MusicSpec) -> None:
    change = refine(sung, "faster and sing it lower", new_seed=99)
    assert change.spec is not None
    assert change.spec.tempo_bpm > sung.tempo_bpm and change.spec.vocal_shift == -3
    assert change.spec.duration_s == pytest.approx(sung_length_s(change.spec), abs=0.1)  # same bars, faster


def test_voice_words_inside_the_lyrics_are_sung_not_obeyed() -> None:
    words, rest = take_voice_words('rock lyrics: "no vocals can hold me, I sing it higher"', 1000)
    assert words.said == () and words.vocals is True
    assert words.lyrics == "no vocals can hold me, I sing it higher"
    assert rest.startswith("rock lyrics:")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("pop lyrics: ?!?! ... !!", "no words to sing"),
        ("pop lyrics: 🎵🎶🎵🎶", "no words to sing"),
        ("pop lyrics: 夜空に星が輝いている", "Latin alphabet"),
        ("pop lyrics: " + "la " * 700, "send a verse and a chorus"),
        ("sad slow piano ballad lyrics: " + "hold on, " * 100, "a piece can be at most 5:00"),
    ],
)
def test_bad_lyrics_get_one_clear_line(text: str, answer: str) -> None:
    with pytest.raises(UserError, match=answer) as caught:
        understand(text, seed=1)
    assert "\n" not in caught.value.message


def test_singing_higher_than_the_voice_goes_is_refused_in_one_line(sung: MusicSpec) -> None:
    top = sung.replace(vocal_shift=7)
    with pytest.raises(UserError, match="as high as this voice sings"):
        refine(top, "sing it higher", new_seed=1)


def test_the_lyrics_reply_shows_the_words_as_written(sung: MusicSpec) -> None:
    assert lyrics_sheet(sung, 2).splitlines()[1:] == (sung.lyrics or "").splitlines()
    assert "instrumental now" in lyrics_sheet(sung.replace(vocals=False), 3)
    assert "has no words" in lyrics_sheet(sung.replace(vocals=False, lyrics=None), 1)
    assert sung_lines(sung).startswith("🎤 female voice, English: I walked along the river / the water cold")


def test_a_jam_member_contributes_lyrics_sung_over_the_jams_own_form() -> None:
    from bot.jam.contributions import apply, start

    state = start(understand("lofi in F 85bpm", seed=1).spec, "ana", 1)
    words = 'lyrics: "slow morning light\nthe coffee getting cold\n\n[Chorus]\nstay a while\nstay a while"'
    sung, changes = apply(state, words, author="bob", author_id=2, new_seed=3)
    assert changes == ("lyrics (bob)", "vocals (bob)")
    assert (sung.spec.form, sung.spec.duration_s) == (state.spec.form, state.spec.duration_s)
    vocal = next(t for t in compose(sung.spec).tracks if t.name == "vocals")
    text = "".join(n.lyric for n in sorted(vocal.notes, key=lambda n: n.start))
    assert text == "slow morning light\nthe coffee getting cold\nstay a while\nstay a while\n"
    verse = next(s for s in compose(sung.spec).sections if s.name == "verse")
    first = min(n.start for n in vocal.notes)
    assert verse.start_beat - 1.5 <= first < verse.start_beat + verse.bars * 4  # sung in the verse
    with pytest.raises(UserError, match="3 stanzas of these words find no section"):
        apply(state, 'lyrics: "one\n\ntwo\n\nthree\n\nfour\n\nfive"', author="bob", author_id=2, new_seed=3)


def test_a_sung_piece_made_longer_keeps_its_words_and_gets_longer(sung: MusicSpec) -> None:
    longer = refine(sung, "make it longer", new_seed=1).spec
    assert longer is not None and longer.duration_s > sung.duration_s + 5
    assert longer.lyrics == sung.lyrics
    score = compose(longer)
    assert [s.name for s in score.sections][-2:] == ["solo", "outro"] or score.sections[-1].bars > 2
    # New words on the longer piece keep the asked length; shorter words never shorten it.
    renewed = refine(longer, 'new lyrics: "one short line"', new_seed=1).spec
    assert renewed is not None and renewed.duration_s == longer.duration_s
