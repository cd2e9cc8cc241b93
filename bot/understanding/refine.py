"""Refinements: a reply like "faster and add strings" applied to the spec it replies to.

A refinement changes only what it names. Key, instruments and seed (and so the melody) stay unless
the message asks for them; "another version" keeps the spec and takes the new seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.understanding import arrange
from bot.understanding.encoder import TextEncoder
from bot.understanding.front import SIZE_FACTOR, Parsed, duration_label, encoder_phrase, parse
from bot.understanding.guidance import change_not_understood, no_change_named
from bot.understanding.instrument_words import resolve
from bot.understanding.lexicon import CHATTER
from bot.understanding.mix_words import read_mix
from bot.understanding.moods import MOODS, Mood
from bot.understanding.request import (
    DENSITY_STEP,
    ENERGY_STEP,
    LENGTH_WORD_SECONDS,
    clamp_tempo,
    shifted_length,
    shifted_tempo,
)
from bot.understanding.section_words import section_edit
from bot.understanding.styles import STYLES
from bot.understanding.text import only_symbols
from bot.understanding.voice_words import fit_words, take_voice_words, voice_changes
from engine.errors import UserError
from engine.genres import GENRES
from engine.spec import TEMPO_RANGE, MusicSpec

Action = Literal["update", "variation", "undo", "goto"]
MOOD_STEP = 0.5  # a comparative ("sadder") moves half-way to the mood; "much sadder" all the way


@dataclass(frozen=True)
class Refinement:
    """What a reply asks for: a new spec ('update'/'variation'), or a step back ('undo'/'goto')."""

    action: Action
    spec: MusicSpec | None
    changes: tuple[str, ...]
    version: int | None = None


def refine(
    spec: MusicSpec, text: str, *, new_seed: int, encoder: TextEncoder | None = None, max_chars: int = 1000
) -> Refinement:
    """Apply a reply to `spec`; NotUnderstood when no change was recognised, UserError when impossible.

    A reaction rather than a request ("🎹🎶", "lol", "thanks") raises NoChangeNamed: it makes no version.
    """
    if len(text) <= max_chars and only_symbols(text):
        raise no_change_named()  # emoji alone answer the piece; they do not ask to change it
    voice, text = take_voice_words(text, max_chars)
    if voice.anything and not any(char.isalnum() for char in text):
        return _voice_only(spec, voice_changes(spec, voice))
    parsed = parse(text, max_chars=max_chars, versions=True)
    edit = section_edit(spec, text)  # "continue it", "new bridge": the other bars stay note for note
    if edit is not None:
        return Refinement("update", *edit)
    reading = parsed.reading
    if parsed.explicit.version is not None:
        version = parsed.explicit.version
        return Refinement("goto", None, (f"back to v{version}",), version=version)
    if "undo" in reading.actions:
        return Refinement("undo", None, ("back to the previous version",))
    mixing = read_mix(text, spec)  # mix words first: "louder drums" is a level, not more energy
    if mixing.only_mix:
        return Refinement("update", spec.replace(mix=mixing.mix), mixing.notes)
    if mixing.notes:
        parsed = parse(mixing.rest, max_chars=max_chars, versions=True)
        reading = parsed.reading
    changes: dict[str, Any] = {"mix": mixing.mix} if mixing.notes else {}
    notes: list[str] = list(mixing.notes)
    _apply_genre(spec, parsed, changes, notes)
    _apply_mood(spec, parsed, changes, notes)
    _apply_tempo(spec, parsed, changes, notes)
    _apply_key_meter_length(spec, parsed, changes, notes)
    _apply_instruments(spec, parsed, changes, notes)
    _apply_drums_energy(spec, parsed, changes, notes)
    if parsed.explicit.lyrics is not None and voice.lyrics is None:
        voice = replace(voice, lyrics=parsed.explicit.lyrics, vocals=True if voice.vocals is None else voice.vocals)
    voice_fields, voice_notes = voice_changes(spec, voice)
    changes.update(voice_fields)
    notes.extend(voice_notes)
    variation = "variation" in reading.actions
    changes = {field: value for field, value in changes.items() if value != _plain(getattr(spec, field))}
    chatter = all(word in CHATTER for word in reading.unknown)
    if not changes and not variation and not chatter:
        _apply_guess(spec, parsed, encoder, changes, notes)
    if not changes and not variation:
        if reading.describes or parsed.explicit.anything:
            said = "; ".join(_already(spec, parsed)) or "that already describes this version"
            raise UserError(f"Nothing to change — {said}. Try “make it faster” or “another version”.")
        raise no_change_named() if chatter else change_not_understood(reading.unknown)
    if variation:
        changes["seed"] = new_seed
        notes.append("new variation")
    # An unplayable tempo ("0 bpm") keeps the length: the spec refuses the tempo in one line.
    tempo_playable = TEMPO_RANGE[0] <= changes.get("tempo_bpm", spec.tempo_bpm) <= TEMPO_RANGE[1]
    if "tempo_bpm" in changes and "duration_s" not in changes and not spec.form and tempo_playable:
        # The same bars at the new tempo, so the tune stays note for note, only faster or slower.
        seconds = round(min(max(spec.duration_s * spec.tempo_bpm / changes["tempo_bpm"], 5.0), 300.0), 2)
        changes["duration_s"] = seconds
        notes.append(f"length {duration_label(spec.duration_s)} → {duration_label(seconds)} (same bars)")
    new_spec, fitted = fit_words(spec.replace(**changes), "duration_s" in changes, previous=spec)
    notes.extend([fitted] if fitted else [])
    return Refinement("variation" if variation else "update", new_spec, tuple(notes))


def _voice_only(spec: MusicSpec, said: tuple[dict[str, Any], list[str]]) -> Refinement:
    """A reply only about the voice ("instrumental", "male voice", "sing it higher")."""
    changes, notes = said
    if not changes:
        raise UserError("Nothing to change — that's how this version already sings. Try “sing it higher”.")
    new_spec, fitted = fit_words(spec.replace(**changes), False, previous=spec)
    return Refinement("update", new_spec, tuple([*notes, *([fitted] if fitted else [])]))


def _plain(value: Any) -> Any:
    """A spec value in the shape changes use (parts as a list of dicts)."""
    if isinstance(value, tuple) and value and hasattr(value[0], "role"):
        return [part.model_dump() for part in value]
    return value


def _part_dicts(spec: MusicSpec, pairs: tuple[arrange.Part, ...]) -> list[dict[str, Any]]:
    """Parts as spec fields; an instrument that stays keeps its playing style and variant."""
    kept = {part.name: part.model_dump() for part in spec.parts}
    return [{**kept.get(name, {}), "name": name, "role": role} for name, role in pairs]


def _current(spec: MusicSpec, changes: dict[str, Any], field: str) -> Any:
    return changes.get(field, getattr(spec, field))


def _apply_genre(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    reading = parsed.reading
    style = STYLES[reading.styles[0]] if reading.styles else None
    genre_name = reading.genre or (style.genre if style else None)
    if genre_name is None or (genre_name == spec.genre and style is None):
        return
    genre = GENRES[genre_name]
    parts = (style.part_pairs() if style and style.genre == genre_name else None) or genre.parts
    low, typical, high = style.tempo if style and style.tempo else genre.tempo
    mood = MOODS.get(spec.mood)
    tempo = clamp_tempo(min(max(typical * (mood.tempo_factor if mood else 1.0), low), high))
    energy = style.energy if style and style.energy is not None else genre.energy
    changes.update(
        genre=genre_name,
        parts=_part_dicts(spec, arrange.ordered(parts)),  # type: ignore[arg-type]
        drums=style.drums if style and style.drums is not None else genre.drums,
        drum_kit=style.kit if style and style.kit else genre.drum_kit,
        tempo_bpm=tempo,
        meter=style.meter if style and style.meter else genre.meter,
        energy=round(min(max(energy + (mood.energy_shift if mood else 0.0), 0.0), 1.0), 2),
    )
    label = genre_name + (f" ({style.name})" if style else "")
    notes.append(f"genre {spec.genre} → {label}")


def _mood_toward(spec: MusicSpec, target: Mood, weight: float, changes: dict[str, Any]) -> None:
    """Move valence/arousal, mode, energy and tempo toward a mood by `weight` (1 = all the way)."""
    old = MOODS.get(_current(spec, changes, "mood"))
    changes["mood"] = target.label
    changes["valence"] = round(spec.valence + (target.valence - spec.valence) * weight, 2)
    changes["arousal"] = round(spec.arousal + (target.arousal - spec.arousal) * weight, 2)
    if target.mode is not None:
        changes["mode"] = target.mode
    energy_shift = target.energy_shift - (old.energy_shift if old and weight >= 1 else 0.0)
    energy = _current(spec, changes, "energy") + energy_shift * min(weight, 1.0)
    changes["energy"] = round(min(max(energy, 0.0), 1.0), 2)
    old_factor = old.tempo_factor if old and weight >= 1 else 1.0
    factor = 1 + (target.tempo_factor / old_factor - 1) * min(weight, 1.0)
    changes["tempo_bpm"] = clamp_tempo(_current(spec, changes, "tempo_bpm") * factor)


def _apply_mood(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    reading = parsed.reading
    if reading.moods:
        target, weight = MOODS[reading.moods[0]], 1.0
    elif reading.mood_shifts:
        label, size = reading.mood_shifts[0]
        target, weight = MOODS[label], MOOD_STEP * SIZE_FACTOR[size]
    else:
        return
    if target.label == spec.mood and weight >= 1:
        return
    _mood_toward(spec, target, weight, changes)
    notes.append(f"mood {spec.mood} → {target.label}" if target.label != spec.mood else f"mood even more {spec.mood}")


def _apply_tempo(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    explicit, reading = parsed.explicit, parsed.reading
    tempo = _current(spec, changes, "tempo_bpm")
    if explicit.tempo_bpm is not None:
        tempo = explicit.tempo_bpm  # out of range is the user's to fix: the spec says the allowed range
    else:
        moved = float(tempo)
        # Repeats correct rather than add up: in "faster, much faster" the last one counts.
        for word, size in reading.tempo_words[-1:]:
            moved = shifted_tempo(moved, "faster" if word == "fast" else "slower", size)
        for word, size in reading.tempo_shifts[-1:]:
            moved = shifted_tempo(moved, word, size)
        if explicit.tempo_factor is not None:
            moved *= explicit.tempo_factor
        if explicit.tempo_delta is not None:
            moved += explicit.tempo_delta
        tempo = clamp_tempo(moved)
    changes["tempo_bpm"] = tempo
    if tempo != spec.tempo_bpm:
        notes.append(f"tempo {spec.tempo_bpm} → {tempo} bpm")


def _apply_key_meter_length(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    explicit, reading = parsed.explicit, parsed.reading
    if explicit.key is not None:
        changes["key"] = explicit.key
    mode = explicit.mode or next(iter(reading.modes), None)
    if mode is not None:
        changes["mode"] = mode
    key, new_mode = _current(spec, changes, "key"), _current(spec, changes, "mode")
    if (key, new_mode) != (spec.key, spec.mode):
        notes.append(f"key {spec.key} {spec.mode} → {key} {new_mode}")
    meter = explicit.meter or next(iter(reading.meters), None)
    if meter is not None and meter != _current(spec, changes, "meter"):
        changes["meter"] = meter
    if _current(spec, changes, "meter") != spec.meter:
        notes.append(f"meter {spec.meter} → {changes['meter']}")
    seconds = spec.duration_s
    if explicit.duration_s is not None:
        seconds = explicit.duration_s
    else:
        for word in reading.length_words[-1:]:
            seconds = LENGTH_WORD_SECONDS[word]
        for word, size in reading.length_shifts[-1:]:
            seconds = shifted_length(seconds, word, size)
    if seconds != spec.duration_s:
        changes["duration_s"] = seconds
        notes.append(f"length {duration_label(spec.duration_s)} → {duration_label(seconds)}")


def _apply_instruments(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    reading = parsed.reading
    genre = _current(spec, changes, "genre")
    before = arrange.ordered((part.name, part.role) for part in spec.parts)
    parts = tuple((item["name"], item["role"]) for item in changes["parts"]) if "parts" in changes else before
    for old_word, new_word in reading.swaps:
        new = resolve(new_word, genre)
        olds = arrange.matching(parts, old_word, genre) if old_word else [""]
        if not olds:
            parts = arrange.add_part(parts, new)
            notes.append(f"+ {new} (there was no {old_word} to swap)")
            continue
        parts = arrange.swap_part(parts, olds[0], new)
        notes.append(f"{olds[0] or 'lead'} → {new}")
    for word in reading.removed:
        gone = arrange.matching(parts, word, genre)
        if not gone:
            raise UserError(f"There's no {word} in this piece to remove.")
        for name in gone:
            parts = arrange.remove_part(parts, name)
            notes.append(f"- {name}")
    for word in reading.added + reading.instruments:
        name = resolve(word, genre)
        if name in arrange.names(parts):
            continue
        parts = arrange.add_part(parts, name)
        notes.append(f"+ {name}")
    if reading.only:
        keep = {resolve(word, genre) for word in reading.instruments + reading.added}
        for name in [name for name in arrange.names(parts) if name not in keep]:
            parts = arrange.remove_part(parts, name)
            notes.append(f"- {name}")
        if _current(spec, changes, "drums"):
            changes["drums"] = False
    if parts != before:
        changes["parts"] = _part_dicts(spec, parts)


def _apply_drums_energy(spec: MusicSpec, parsed: Parsed, changes: dict[str, Any], notes: list[str]) -> None:
    reading = parsed.reading
    drums = _current(spec, changes, "drums")
    if reading.drums is not None:
        drums = reading.drums
    if reading.kit is not None:
        changes["drum_kit"] = reading.kit
        drums = True if reading.drums is None else drums
    density = spec.drum_density
    for word, size in reading.drum_shifts:
        if word == "busy" and not drums and reading.drums is None:
            drums = True  # "more drums" on a drumless piece brings them in
            continue
        density += DENSITY_STEP * SIZE_FACTOR[size] * (1 if word == "busy" else -1)
    density = round(min(max(density, 0.0), 1.0), 2)
    if drums != spec.drums:
        changes["drums"] = drums
        notes.append("drums on" if drums else "drums off")
    elif "drums" in changes:
        changes["drums"] = drums  # "only piano, with brushes": the kit keeps the drums an earlier word dropped
    if _current(spec, changes, "drum_kit") != spec.drum_kit:
        notes.append(f"drum kit {spec.drum_kit} → {changes['drum_kit']}")
    if density != spec.drum_density:
        changes["drum_density"] = density
        notes.append(f"{'busier' if density > spec.drum_density else 'lighter'} drums")
    energy = _current(spec, changes, "energy")
    for word in reading.energy_words:
        energy += ENERGY_STEP * (1 if word == "up" else -1)
    for word, size in reading.energy_shifts:
        energy += ENERGY_STEP * SIZE_FACTOR[size] * (1 if word == "up" else -1)
    energy = round(min(max(energy, 0.0), 1.0), 2)
    if energy != _current(spec, changes, "energy"):
        arousal = _current(spec, changes, "arousal") + energy - _current(spec, changes, "energy")
        changes["energy"] = energy
        changes["arousal"] = round(min(max(arousal, -1.0), 1.0), 2)
        notes.append(f"energy {spec.energy:.2f} → {energy:.2f}")


def _already(spec: MusicSpec, parsed: Parsed) -> list[str]:
    """Why a recognised request changed nothing, in the user's terms ('strings are already playing')."""
    reading, explicit = parsed.reading, parsed.explicit
    reasons = [
        f"{name} is already playing"
        for name in dict.fromkeys(resolve(word, spec.genre) for word in reading.added + reading.instruments)
        if name in spec.instruments
    ]
    if reading.drums is not None and reading.drums == spec.drums:
        reasons.append("the drums are already on" if spec.drums else "it already has no drums")
    if reading.moods and reading.moods[0] == spec.mood:
        reasons.append(f"it's already {spec.mood}")
    if reading.genre == spec.genre:
        reasons.append(f"it's already {spec.genre}")
    if explicit.key or explicit.mode or reading.modes:
        reasons.append(f"it's already in {spec.key} {spec.mode}")
    if explicit.meter or reading.meters:
        reasons.append(f"it's already in {spec.meter}")
    if explicit.tempo_bpm is not None:
        reasons.append(f"it's already at {spec.tempo_bpm} bpm")
    if explicit.duration_s is not None:
        reasons.append(f"it's already {duration_label(spec.duration_s)} long")
    return reasons


def _apply_guess(
    spec: MusicSpec, parsed: Parsed, encoder: TextEncoder | None, changes: dict[str, Any], notes: list[str]
) -> None:
    """Last resort: let the encoder hear a mood in words the lexicon did not know."""
    if encoder is None or not parsed.reading.unknown:
        return
    phrase = encoder_phrase(parsed.rest)
    guess = encoder.guess(phrase) if phrase else None
    if guess is None or guess.mood is None or guess.mood == spec.mood:
        return
    _mood_toward(spec, MOODS[guess.mood], 1.0, changes)
    notes.append(f"mood {spec.mood} → {guess.mood} (“{phrase}” sounded {guess.mood})")
