"""Free text → MusicSpec: explicit values first, then the words, then the encoder, then defaults."""

from __future__ import annotations

from dataclasses import dataclass

from bot.understanding import ensembles, scenes
from bot.understanding.arrange import arrange, matching
from bot.understanding.encoder import Guess, TextEncoder
from bot.understanding.front import SIZE_FACTOR, Parsed, duration_label, encoder_phrase, parse, title_from
from bot.understanding.guidance import not_understood
from bot.understanding.instrument_words import INSTRUMENT_GENRES, resolve
from bot.understanding.moods import MOODS
from bot.understanding.styles import MOOD_GENRES, MOOD_STYLES, STYLES, Style
from bot.understanding.text import blank
from bot.understanding.voice_words import VoiceWords, sung_spec, take_voice_words
from engine.genres import DEFAULT_GENRE, GENRES, Genre
from engine.instruments import INSTRUMENTS
from engine.spec import TEMPO_RANGE, MusicSpec

DEFAULT_DURATION_S = 45.0
LENGTH_WORD_SECONDS = {"very short": 10.0, "short": 20.0, "long": 120.0, "very long": 180.0}
TEMPO_STEP = 0.15  # "faster" is +15%; "a bit" halves it, "much" doubles it
LENGTH_STEP = 0.5
ENERGY_STEP = 0.15
DENSITY_STEP = 0.2
_GUITAR_GENRES = frozenset({"rock", "metal", "punk", "blues", "country", "folk", "celtic"})
_FLAT_GENRES = frozenset({"jazz", "soul", "funk", "gospel", "march", "latin", "bossa nova"})
_KEYS = {
    ("guitar", "major"): ("E", "A", "D", "G"), ("guitar", "minor"): ("E", "A", "D", "B"),
    ("flat", "major"): ("F", "Bb", "Eb", "C", "Ab"), ("flat", "minor"): ("C", "F", "G", "D", "Bb"),
    ("any", "major"): ("C", "G", "D", "F", "Bb", "A", "Eb", "E"),
    ("any", "minor"): ("A", "E", "D", "C", "G", "B", "F#"),
}  # fmt: skip


@dataclass(frozen=True)
class Understanding:
    """A spec read from a request, with what was recognised and what was guessed, in plain words."""

    spec: MusicSpec
    understood: tuple[str, ...]
    guessed: tuple[str, ...]
    ignored: tuple[str, ...] = ()  # words that meant nothing to the lexicon or the encoder
    heard: tuple[str, ...] = ()  # what was recognised, without labels: "pop", "sad", "80 bpm" (the reply's "Heard:")
    asked: frozenset[str] = frozenset()  # spec fields the words set explicitly (a brought tune keeps the rest)


def understand(text: str, *, seed: int = 0, encoder: TextEncoder | None = None, max_chars: int = 1000) -> Understanding:
    """Read a free-text request into a spec; UserError for unusable text, NotUnderstood for none."""
    voice, text = take_voice_words(text, max_chars)
    parsed = parse(text, max_chars=max_chars)
    covered = ensembles.ensemble_words(parsed.rest)
    reading = parsed.reading
    reading.unknown = [word for word in reading.unknown if word not in covered]
    guess = _consult(encoder, parsed)
    guessed_anything = guess is not None and (guess.genre or guess.mood)
    if (
        not reading.describes
        and not parsed.explicit.anything
        and not guessed_anything
        and not covered
        and not voice.anything
    ):
        raise not_understood(reading.unknown)
    return _compose(parsed, guess, seed, voice)


def _consult(encoder: TextEncoder | None, parsed: Parsed) -> Guess | None:
    """Ask the encoder only when words are left over and the genre or mood is still open."""
    reading = parsed.reading
    if encoder is None or not reading.unknown:
        return None
    if (reading.genre or reading.styles) and (reading.moods or reading.mood_shifts):
        return None
    phrase = encoder_phrase(parsed.rest)
    return encoder.guess(phrase) if phrase else None


def _choose_genre(
    parsed: Parsed,
    style: Style | None,
    guess: Guess | None,
    specific: list[str],
    mood_label: str | None,
    notes: list[str],
) -> tuple[str, Style | None]:
    """The genre (and style) to write in: named, implied by a style, guessed, or suggested."""
    reading = parsed.reading
    if reading.genre:
        return reading.genre, style
    if style is not None and style.genre is not None:
        return style.genre, style
    if guess is not None and guess.genre is not None:
        return guess.genre, style
    for name in specific:
        if name in INSTRUMENT_GENRES:
            notes.append(f"no style named — {name} suggests {INSTRUMENT_GENRES[name]}")
            return INSTRUMENT_GENRES[name], style
    if style is None and mood_label in MOOD_STYLES:
        suggested = STYLES[MOOD_STYLES[mood_label]]
        notes.append(f"no style named — {mood_label} suggests a {suggested.name}")
        return suggested.genre or DEFAULT_GENRE, suggested
    if mood_label in MOOD_GENRES:
        notes.append(f"no style named — {mood_label} suggests {MOOD_GENRES[mood_label]}")
        return MOOD_GENRES[mood_label], style
    notes.append(f"no style named — went with {DEFAULT_GENRE}")
    return DEFAULT_GENRE, style


def pick_key(genre: str, mode: str, seed: int) -> str:
    """A comfortable key for the genre and mode, chosen by the seed."""
    family = "guitar" if genre in _GUITAR_GENRES else ("flat" if genre in _FLAT_GENRES else "any")
    brightness = "major" if mode in {"major", "lydian", "mixolydian"} else "minor"
    choices = _KEYS[(family, brightness)]
    return choices[seed % len(choices)]


def _tempo(parsed: Parsed, genre: Genre, style: Style | None, mood_label: str | None) -> int:
    explicit = parsed.explicit
    if explicit.tempo_bpm is not None:
        return explicit.tempo_bpm
    low, typical, high = style.tempo if style is not None and style.tempo else genre.tempo
    tempo = float(typical)
    if mood_label is not None:
        tempo = min(max(tempo * MOODS[mood_label].tempo_factor, low), high)
    # Repeats correct rather than add up: in "faster, much faster" the last one counts.
    for word, size in parsed.reading.tempo_words[-1:]:
        tempo *= 1 + TEMPO_STEP * SIZE_FACTOR[size] * (1 if word == "fast" else -1)
    for word, size in parsed.reading.tempo_shifts[-1:]:
        tempo = shifted_tempo(tempo, word, size)
    if explicit.tempo_factor is not None:
        tempo *= explicit.tempo_factor
    if explicit.tempo_delta is not None:
        tempo += explicit.tempo_delta
    return clamp_tempo(tempo)


def shifted_tempo(tempo: float, word: str, size: str) -> float:
    """Tempo after 'faster'/'slower'/'double'/'half', sized by 'a bit' or 'much'."""
    if word == "double":
        return tempo * 2
    if word == "half":
        return tempo / 2
    return tempo * (1 + TEMPO_STEP * SIZE_FACTOR[size] * (1 if word == "faster" else -1))


def clamp_tempo(tempo: float) -> int:
    """A tempo rounded and kept inside what the engine plays."""
    return int(min(max(round(tempo), TEMPO_RANGE[0]), TEMPO_RANGE[1]))


def _duration(parsed: Parsed, style: Style | None) -> float:
    if parsed.explicit.duration_s is not None:
        return parsed.explicit.duration_s
    seconds = DEFAULT_DURATION_S
    if style is not None and style.duration_s is not None:
        seconds = style.duration_s
    for word in parsed.reading.length_words[-1:]:
        seconds = LENGTH_WORD_SECONDS[word]
    for word, size in parsed.reading.length_shifts[-1:]:
        seconds = shifted_length(seconds, word, size)
    return seconds


def shifted_length(seconds: float, word: str, size: str) -> float:
    """Length after 'longer'/'shorter'/'twice as long'/'half as long', within the spec's bounds."""
    factors = {"double": 2.0, "half": 0.5}
    factor = factors.get(word, 1 + LENGTH_STEP * SIZE_FACTOR[size])
    if word == "shorter":
        factor = 1 / factor
    return round(min(max(seconds * factor, 5.0), 300.0), 1)


def _compose(parsed: Parsed, guess: Guess | None, seed: int, voice: VoiceWords) -> Understanding:
    reading, explicit = parsed.reading, parsed.explicit
    understood: list[str] = []
    guessed: list[str] = []
    style = STYLES[reading.styles[0]] if reading.styles else None
    mood_label = next(iter(reading.moods + [mood for mood, _ in reading.mood_shifts]), None)
    mood_label = mood_label or (style.mood if style else None)
    named_moods = list(dict.fromkeys(reading.moods))
    if len(named_moods) > 1:  # one piece has one mood: say which won rather than drop the rest silently
        every = "both" if len(named_moods) == 2 else "all"
        guessed.append(f"{' and '.join(named_moods)} {every} named — the mood is {named_moods[0]}")
    provisional = reading.genre or (style.genre if style and style.genre else DEFAULT_GENRE)
    raw_named = reading.instruments + reading.added + [new for _, new in reading.swaps]
    named = [resolve(word, provisional) for word in raw_named]
    if guess is not None and (guess.genre or guess.mood) and not (reading.genre or (style and style.genre)):
        described = ", ".join(label for label in (guess.genre, None if mood_label else guess.mood) if label)
        if described:
            guessed.append(f"“{guess.phrase}” sounded like {described}")
    if guess is not None and guess.mood and mood_label is None:
        mood_label = guess.mood
    specific = [word for word in raw_named if word in INSTRUMENTS]
    ensemble = ensembles.find_ensemble(parsed.rest, provisional if reading.genre or style else None)
    inside_ensemble = ensemble is not None and ensembles.genre_only_in_ensemble(parsed.rest, ensemble)
    named_genre = reading.genre is not None and not inside_ensemble
    if ensemble is not None and ensemble.genre and not named_genre and not (style and style.genre):
        genre_name = ensemble.genre
        guessed.append(f"no style named — a {ensemble.name} suggests {genre_name}")
    else:
        genre_name, style = _choose_genre(parsed, style, guess if guessed else None, specific, mood_label, guessed)
    genre = GENRES[genre_name]
    if style is not None and style.genre not in {None, genre_name}:
        style = Style(
            style.name,
            None,
            style.tempo,
            style.meter,
            style.mode,
            None,
            style.drums,
            style.kit,
            style.energy,
            style.duration_s,
            style.mood,
        )
    understood.append(f"genre: {genre_name}" + (f" ({style.name})" if style else ""))
    named = [resolve(word, genre_name) for word in raw_named]
    defaults = (style.part_pairs() if style else None) or genre.parts
    removed = [
        name
        for word in reading.removed + [old for old, _ in reading.swaps if old]
        for name in (matching(defaults, word, genre_name) or [resolve(word, genre_name)])
    ]
    if guess is not None and guess.instrument and not named:
        named.append(guess.instrument)
        guessed.append(f"“{guess.phrase}” sounded like {guess.instrument}")
    mood = MOODS.get(mood_label or "")
    if mood_label:
        understood.append(f"mood: {mood_label}")
    understood.extend(f"instrument: {name}" for name in dict.fromkeys(named))
    understood.extend(f"without {name}" for name in dict.fromkeys(removed))

    parts = arrange(defaults, named, only=reading.only, removed=removed)
    mode = explicit.mode or next(iter(reading.modes), None) or (style.mode if style else None)
    mode = mode or (mood.mode if mood and mood.mode else None) or genre.mode
    key = explicit.key or pick_key(genre_name, mode, seed)
    drums = reading.drums
    if drums is None:
        drums = False if reading.only else (style.drums if style and style.drums is not None else genre.drums)
        if reading.kit is not None or reading.drum_shifts:
            drums = True
    elif drums:
        understood.append("drums: on")
    if reading.drums is False:
        understood.append("drums: off")
    obeyed = ensembles.obey(parsed.rest, genre_name, named, defaults, reading.drums, reading.only)
    if obeyed is not None:
        parts = obeyed.parts
        drums = drums if obeyed.drums is None else obeyed.drums
        understood.append(obeyed.note)
    kit = reading.kit or (style.kit if style and style.kit else genre.drum_kit)
    density = 0.5
    for word, size in reading.drum_shifts:
        density += DENSITY_STEP * SIZE_FACTOR[size] * (1 if word == "busy" else -1)
    energy = style.energy if style is not None and style.energy is not None else genre.energy
    energy += mood.energy_shift if mood else 0.0
    for word in reading.energy_words:
        energy += ENERGY_STEP * (1 if word == "up" else -1)
    for word, size in reading.energy_shifts:
        energy += ENERGY_STEP * SIZE_FACTOR[size] * (1 if word == "up" else -1)
    energy = round(min(max(energy, 0.0), 1.0), 2)
    tempo = _tempo(parsed, genre, style, mood_label)
    scene = scenes.find_scene(parsed.rest)
    if scene is not None and explicit.tempo_bpm is None and not reading.tempo_words and not reading.tempo_shifts:
        tempo = scenes.scene_tempo(scene, tempo)
        energy = max(energy, scene.energy or 0.0)
        if obeyed is None and not reading.only:
            parts = scenes.with_scene_parts(scene, parts)
        understood.append(f"scene: {scene.name} ({tempo} bpm)")
    meter = explicit.meter or next(iter(reading.meters), None) or (style.meter if style else None) or genre.meter
    duration = _duration(parsed, style)
    _note_explicit(parsed, understood, key, mode, tempo, meter, duration)
    fields = {
        "genre": genre_name, "mood": mood_label or "neutral",
        "valence": mood.valence if mood else 0.0,
        "arousal": mood.arousal if mood else round(energy * 2 - 1, 2),
        "tempo_bpm": tempo, "key": key, "mode": mode, "meter": meter,
        "parts": [{"name": name, "role": role} for name, role in parts],
        "drums": drums, "drum_kit": kit, "drum_density": round(min(max(density, 0.0), 1.0), 2),
        "duration_s": duration, "energy": energy, "lyrics": explicit.lyrics,
        "title": title_from(blank(parsed.cleaned, parsed.explicit.spans, " ")), "seed": seed,
    }  # fmt: skip
    heard_by_encoder = guess is not None and any(note.startswith("“") for note in guessed)
    ignored = () if heard_by_encoder else tuple(reading.unknown)
    asked = explicit.duration_s is not None or bool(reading.length_words or reading.length_shifts)
    spec = sung_spec(fields, voice, asked, understood)
    heard = tuple(note.split(": ", 1)[-1] for note in understood)  # the notes are written "label: value" here
    return Understanding(spec, tuple(understood), tuple(guessed), ignored, heard, _asked_fields(parsed))


def _asked_fields(parsed: Parsed) -> frozenset[str]:
    explicit, reading = parsed.explicit, parsed.reading
    asked = {
        "tempo_bpm": explicit.tempo_bpm is not None or bool(reading.tempo_words or reading.tempo_shifts),
        "key": explicit.key is not None,
        "duration_s": explicit.duration_s is not None or bool(reading.length_words or reading.length_shifts),
    }
    return frozenset(field for field, named in asked.items() if named)


def _note_explicit(
    parsed: Parsed, understood: list[str], key: str, mode: str, tempo: int, meter: str, duration: float
) -> None:
    explicit, reading = parsed.explicit, parsed.reading
    if explicit.tempo_bpm is not None or reading.tempo_words or reading.tempo_shifts:
        understood.append(f"tempo: {tempo} bpm")
    if explicit.key is not None:
        understood.append(f"key: {key} {mode}")
    elif explicit.mode or reading.modes:
        understood.append(f"mode: {mode}")
    if explicit.meter or reading.meters:
        understood.append(f"meter: {meter}")
    if explicit.duration_s is not None or reading.length_words or reading.length_shifts:
        understood.append(f"length: {duration_label(duration)}")
    if explicit.lyrics:
        understood.append("lyrics")
