"""Words set to the melody: form from the stanzas, one note per syllable, stress on beats, the vocals track."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from music21 import midi as m21midi

from engine.compose import compose, make_plan
from engine.compose.prosody import line_bars, line_rhythm, on_beat
from engine.compose.sung import sung_length_s, vocal_range, voice_for
from engine.lyrics.measures import measure_setting, sung_lines
from engine.lyrics.words import read_lyrics
from engine.midi import score_to_midi
from engine.score import Score, Track
from engine.spec import VOICES, MusicSpec, build_spec

SONG = """[Verse]
I walked along the river
the water cold and slow
[Chorus]
hold on, hold on
the night is almost gone
[Verse]
the lights are in the window
and nobody at home
[Chorus]
hold on, hold on
the night is almost gone"""


def sung_spec(**changes: Any) -> MusicSpec:
    fields: dict[str, Any] = {
        "genre": "pop", "tempo_bpm": 100, "key": "C", "mode": "major", "meter": "4/4",
        "parts": [{"name": "flute", "role": "melody"}, {"name": "piano", "role": "chords"},
                  {"name": "electric bass", "role": "bass"}],
        "drums": True, "duration_s": 20.0, "vocals": True, "lyrics": SONG, "seed": 3,
    }  # fmt: skip
    return build_spec({**fields, **changes})


def vocals(score: Score) -> Track:
    return next(track for track in score.tracks if track.name == "vocals")


@pytest.fixture(scope="module")
def song() -> tuple[MusicSpec, Score]:
    spec = sung_spec()
    return spec, compose(spec, plan=make_plan(spec))


def test_the_form_follows_the_stanzas_and_the_length_follows_the_words(song: tuple[MusicSpec, Score]) -> None:
    spec, score = song
    assert [(s.name, s.bars) for s in score.sections] == [
        ("intro", 2),
        ("verse", 4),
        ("chorus", 4),
        ("verse", 4),
        ("chorus", 4),
        ("outro", 2),
    ]
    # Asked for 20 s, the words need 20 bars at 100 bpm: the piece is as long as the words.
    assert score.duration_s == pytest.approx(sung_length_s(spec)) == pytest.approx(20 * 4 * 0.6)


def test_one_note_per_syllable_with_stress_on_the_beats(song: tuple[MusicSpec, Score]) -> None:
    spec, score = song
    track = vocals(score)
    assert (track.program, track.role) == (53, "melody")
    report = measure_setting(track.notes, read_lyrics(SONG), spec.meter, spec.beats_per_bar)
    assert report.syllable_coverage == 1.0
    assert report.stressed_on_beats is not None and report.stressed_on_beats >= 0.8
    assert report.repeated_lines_identical == 1.0
    text = "".join(note.lyric for note in sorted(track.notes, key=lambda n: n.start))
    assert text.splitlines()[:2] == ["I walked along the river", "the water cold and slow"]
    assert text.endswith("gone\n")


def test_each_line_is_a_phrase_and_the_voice_stays_in_its_range(song: tuple[MusicSpec, Score]) -> None:
    spec, score = song
    track = vocals(score)
    low, high = vocal_range(spec)
    assert all(low <= note.pitch <= high for note in track.notes)
    ordered = sorted(track.notes, key=lambda n: n.start)
    assert all(a.start + a.duration <= b.start + 1e-6 for a, b in itertools.pairwise(ordered))
    lines = sung_lines(track.notes)
    assert len(lines) == 8
    for line in lines:  # each phrase comes to rest on its last syllable, held longer than any unstressed one
        last = next(n for n in line if n.lyric.endswith("\n"))
        held = sum(n.duration for n in line if n.start >= last.start)
        assert held >= 1.0
    syllables = [s for section in read_lyrics(SONG).sections for line in section.lines for s in line.syllables]
    sung = [n for n in ordered if n.lyric]
    unstressed = [n for n, s in zip(sung, syllables, strict=True) if s.stress == 0 and not n.lyric.endswith("\n")]
    assert max(n.duration for n in unstressed) <= 1.0  # passing syllables pass; none is held


def test_the_lead_instrument_leaves_the_tune_to_the_voice_where_it_sings(song: tuple[MusicSpec, Score]) -> None:
    spec, score = song
    flute = next(track for track in score.tracks if track.name == "flute")
    sung_from = 2 * 4
    sung_to = (2 + 16) * 4
    assert not [n for n in flute.notes if sung_from <= n.start < sung_to and n.velocity > 40]
    instrumental = compose(spec.replace(vocals=False))
    assert not [t for t in instrumental.tracks if t.name == "vocals"]
    assert [n for n in next(t for t in instrumental.tracks if t.name == "flute").notes if sung_from <= n.start]


def test_new_words_of_the_same_shape_keep_the_accompaniment() -> None:
    first = compose(sung_spec())
    other = SONG.replace("river", "harbour").replace("window", "garden")
    second = compose(sung_spec(lyrics=other))
    for a, b in zip(first.tracks, second.tracks, strict=True):
        if a.name != "vocals":
            assert a.notes == b.notes, a.name
    assert [n.lyric for n in vocals(first).notes] != [n.lyric for n in vocals(second).notes]


def test_lyric_meta_events_sit_on_their_notes(song: tuple[MusicSpec, Score]) -> None:
    _, score = song
    data = score_to_midi(score)
    midi = m21midi.MidiFile()
    midi.readstr(data)
    track = next(
        t
        for t in midi.tracks
        if any(e.type == m21midi.MetaEvents.SEQUENCE_TRACK_NAME and e.data == b"vocals" for e in t.events)
    )
    time, lyrics, note_ons = 0, [], set()
    for event in track.events:
        if isinstance(event, m21midi.DeltaTime):
            time += event.time
        elif event.type == m21midi.MetaEvents.LYRIC:
            assert isinstance(event.data, bytes), event
            lyrics.append((time, event.data.decode()))
        elif event.type == m21midi.ChannelVoiceMessages.NOTE_ON and event.velocity:
            note_ons.add(time)
    sung = [n for n in vocals(score).notes if n.lyric]
    assert len(lyrics) == len(sung)
    assert all(time in note_ons for time, _ in lyrics)
    assert "".join(text for _, text in lyrics) == "".join(n.lyric for n in sorted(sung, key=lambda n: n.start))
    assert io.BytesIO(data).read(4) == b"MThd"


def test_a_vocalise_sings_the_melody_when_there_are_no_words() -> None:
    score = compose(sung_spec(lyrics=None))
    track = vocals(score)
    assert track.notes and {note.lyric.strip() for note in track.notes} <= {"ooh", "la"}
    assert {"ooh", "la"} <= {note.lyric.strip() for note in track.notes}


def test_the_voice_follows_the_lead_register_and_the_request() -> None:
    assert voice_for(sung_spec()) == "female"
    cello = sung_spec(parts=[{"name": "cello", "role": "melody"}, {"name": "piano", "role": "chords"}])
    assert voice_for(cello) == "male"
    assert vocal_range(sung_spec(voice="male", vocal_shift=3)) == (VOICES["male"][0] + 3, VOICES["male"][1] + 3)
    low = vocals(compose(sung_spec(voice="male")))
    high = vocals(compose(sung_spec(voice="female")))
    assert max(n.pitch for n in low.notes) < min(n.pitch for n in high.notes) + 12


@pytest.mark.parametrize("meter", ["3/4", "6/8", "4/4"])
def test_stressed_syllables_land_on_beats_in_every_meter(meter: str) -> None:
    line = read_lyrics("dance with me slowly, the music is playing").sections[0].lines
    for lyric_line in line:
        stresses = tuple(s.stress for s in lyric_line.syllables)
        word_ends = tuple(s.word_end for s in lyric_line.syllables)
        bars = line_bars(len(stresses), meter, 110)
        onsets = line_rhythm(stresses, word_ends, bars, meter, True)
        assert len(onsets) == len(stresses) and list(onsets) == sorted(set(onsets))
        bar = 3 if meter in ("3/4", "6/8") else 4
        assert all(on_beat(t % bar, meter) for t, s in zip(onsets, stresses, strict=True) if s == 2)


def test_words_in_other_languages_are_sung_too() -> None:
    score = compose(sung_spec(lyrics="la luna sale sobre el mar, mi corazón canta contigo"))
    text = "".join(n.lyric for n in sorted(vocals(score).notes, key=lambda n: n.start))
    assert text.startswith("la luna sale sobre el mar")


def test_compound_meters_flow_in_eighths_without_habitual_syncopation() -> None:
    lines = read_lyrics("over the mountain and down to the sea\nthe wind in the heather is calling for me")
    for line in lines.sections[0].lines:
        stresses = tuple(s.stress for s in line.syllables)
        word_ends = tuple(s.word_end for s in line.syllables)
        onsets = line_rhythm(stresses, word_ends, line_bars(len(stresses), "6/8", 100), "6/8", True)
        slots = [round(t * 2) for t in onsets]
        held_over = [a for a, b in itertools.pairwise(slots) if a % 3 and b > a - a % 3 + 3]
        assert len(held_over) <= 1, slots  # a note struck between beats is held over the next one at most once
        gaps = [b - a for a, b in itertools.pairwise(slots)]
        assert sum(gap == 2 for gap in gaps) <= len(gaps) // 3, gaps  # not simple-meter quarters
