"""What one jam contribution changes: parts, their players and styles, grooves, sections, globals.

Pure functions over a JamState; anything not jam-specific ("faster", "in A minor", "add strings")
goes to the same refinement understanding that single pieces use.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.understanding import TextEncoder, refine
from bot.understanding.instrument_words import instrument_phrases, resolve
from engine.errors import UserError
from engine.genres import GENRES
from engine.instruments import INSTRUMENTS
from engine.spec import MAX_PARTS, SECTION_NAMES, MusicSpec, PartSpec, SectionSpec

START_FORM = (("intro", 4), ("verse", 8), ("chorus", 8), ("outro", 4))

# Groove and playing-style words → the genre whose pattern they mean.
GROOVES = {
    "boom bap": "hip hop", "boombap": "hip hop", "four on the floor": "house", "4 on the floor": "house",
    "breakbeat": "drum and bass", "breaks": "drum and bass", "one drop": "reggae", "bossa": "bossa nova",
    "swing": "jazz", "backbeat": "rock", "shuffle": "blues", "hip hop": "hip hop", "dnb": "drum and bass",
}  # fmt: skip
PART_STYLES = {
    "walking": "jazz", "jazzy": "jazz", "slap": "funk", "funky": "funk", "808": "trap", "octave": "disco",
    "skank": "reggae", "arpeggiated": "classical", "arpeggio": "classical", "montuno": "latin",
    "stabs": "edm", "power chord": "rock", "power chords": "rock", "strummed": "folk", "bossa": "bossa nova",
}  # fmt: skip
ENERGY_WORDS = {"more energy": 0.2, "bigger": 0.2, "louder": 0.15, "harder": 0.2, "less energy": -0.2,
                "calmer": -0.2, "quieter": -0.15, "softer": -0.15, "more energetic": 0.2}  # fmt: skip
SECTION_MOODS = {"darker": "dark", "sadder": "sad", "brighter": "happy", "happier": "happy",
                 "tenser": "tense", "dreamier": "dreamy"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Layer:
    """One instrument part of a jam and who brought it in."""

    role: str
    author: str
    author_id: int
    muted: bool = False
    style: str | None = None


@dataclass(frozen=True, slots=True)
class JamState:
    """A jam's piece: the spec the engine renders and the layers (muted ones included)."""

    spec: MusicSpec
    layers: dict[str, Layer]

    def to_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(spec, layers) as stored in the database."""
        layers = {name: asdict(layer) for name, layer in self.layers.items()}
        return self.spec.model_dump(mode="json"), layers

    @classmethod
    def from_json(cls, spec: dict[str, Any], layers: dict[str, Any]) -> JamState:
        """The state as loaded from the database."""
        return cls(MusicSpec.model_validate(spec), {name: Layer(**value) for name, value in layers.items()})


def with_form(spec: MusicSpec, form: tuple[SectionSpec, ...]) -> MusicSpec:
    """The spec with an explicit form; its length follows from bars, meter and tempo."""
    bars = sum(section.bars for section in form)
    seconds = bars * spec.beats_per_bar * 60.0 / spec.tempo_bpm
    if seconds > 300:
        raise UserError("The jam is at its 5-minute limit: change a section instead of adding one.")
    return spec.replace(form=form, duration_s=max(5.0, round(seconds, 2)))


def start(spec: MusicSpec, author: str, author_id: int) -> JamState:
    """A new jam's state: the understood spec in a short song form, every part the starter's."""
    form = tuple(SectionSpec(name=name, bars=bars) for name, bars in START_FORM)
    layers = {part.name: Layer(part.role, author, author_id, style=part.style) for part in spec.parts}
    return JamState(with_form(spec, form), layers)


def _find_instrument(text: str, genre: str) -> str | None:
    found = None
    for phrase, name in instrument_phrases().items():
        if re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) and (
            found is None or len(phrase) > len(found[0])
        ):
            found = (phrase, name)
    return resolve(found[1], genre) if found else None


def _present(state: JamState, name: str, genre: str) -> str | None:
    # "the sax" should find the alto sax already playing, not add a second sax.
    if name in state.layers:
        return name
    family = {n for n in state.layers if INSTRUMENTS[n].program // 8 == INSTRUMENTS[name].program // 8}
    return sorted(family)[0] if family else None


def _rebuild(state: JamState, layers: dict[str, Layer], **changes: Any) -> JamState:
    parts = tuple(PartSpec(name=name, role=layer.role, style=layer.style,
                           variant=_variant(state, name))
                  for name, layer in layers.items() if not layer.muted)  # fmt: skip
    if not parts:
        raise UserError("That would leave the jam silent: add another part first.")
    if len(parts) > MAX_PARTS:
        raise UserError(f"The jam already has {MAX_PARTS} parts: mute or remove one first.")
    spec = state.spec.replace(parts=parts, **changes)
    return JamState(spec, layers)


def _variant(state: JamState, name: str) -> int:
    return next((part.variant for part in state.spec.parts if part.name == name), 0)


def apply(
    state: JamState, text: str, *, author: str, author_id: int, new_seed: int, encoder: TextEncoder | None = None
) -> tuple[JamState, tuple[str, ...]]:
    """Apply one contribution; returns the new state and changelog lines naming the author."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    for handler in (_mute, _melody_to, _drums, _add_styled, _next_section, _section_change, _regenerate):
        outcome = handler(state, lowered, author, author_id)
        if outcome is not None:
            new_state, changes = outcome
            return new_state, tuple(f"{change} ({author})" for change in changes)
    refinement = refine(state.spec, text, new_seed=new_seed, encoder=encoder)
    if refinement.action in ("undo", "goto") or refinement.spec is None:
        raise UserError("In a jam, use /jam undo to take back the last change.")
    spec = refinement.spec
    layers = {name: layer for name, layer in state.layers.items() if layer.muted or name in spec.instruments}
    for part in spec.parts:
        old = state.layers.get(part.name)
        layers[part.name] = replace(old, role=part.role) if old else Layer(part.role, author, author_id)
    if spec.tempo_bpm != state.spec.tempo_bpm or spec.meter != state.spec.meter:
        spec = with_form(spec, state.spec.form)
    new_state = JamState(spec, layers)
    return new_state, tuple(f"{change} ({author})" for change in refinement.changes)


Outcome = tuple[JamState, tuple[str, ...]] | None


def _mute(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(un)?mute (?:the )?(.+)$", text)
    if not match:
        return None
    genre = state.spec.genre
    name = _find_instrument(match.group(2), genre)
    present = _present(state, name, genre) if name else None
    if present is None:
        raise UserError(f"There's no {match.group(2)} in the jam to {'un' if match.group(1) else ''}mute.")
    layers = dict(state.layers)
    layers[present] = replace(layers[present], muted=not match.group(1))
    return _rebuild(state, layers), (f"{'unmuted' if match.group(1) else 'muted'} {present}",)


def _melody_to(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(?:give|pass|hand) (?:the )?(?:melody|lead|tune) to (?:the )?(.+)$", text) or re.match(
        r"^(?:let )?(?:the )?(.+?) (?:takes?|gets?|plays?) the (?:melody|lead|tune)$", text
    )
    if not match:
        return None
    genre = state.spec.genre
    name = _find_instrument(match.group(1), genre)
    if name is None:
        raise UserError(f"I don't know the instrument '{match.group(1)}'.")
    target = _present(state, name, genre) or name
    layers = {n: (replace(layer, role="counter") if layer.role == "melody" else layer)
              for n, layer in state.layers.items()}  # fmt: skip
    old = layers.get(target)
    layers[target] = replace(old, role="melody", muted=False) if old else Layer("melody", author, author_id)
    return _rebuild(state, layers), (f"melody → {target}",)


def _drums(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(?:make the )?drums?(?: to|:| =| play| in)? (.+)$", text) or re.match(r"^(.+?) drums$", text)
    if not match:
        return None
    word = match.group(1).strip(" .!").removesuffix(" beat").removesuffix(" style")
    groove = GROOVES.get(word) or (word if word in GENRES else None)
    if groove is None:
        return None  # "drums louder" and the like are the refinement's business
    return _rebuild(state, dict(state.layers), drums=True, drum_style=groove), (f"drums → {word}",)


def _add_styled(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(?:add|bring in|put in|throw in) (?:an? |some |the )?(.+)$", text)
    if not match:
        return None
    words = match.group(1)
    style_word = next((w for w in sorted(PART_STYLES, key=len, reverse=True) if words.startswith(w + " ")), None)
    genre_word = next((g for g in sorted(GENRES, key=len, reverse=True) if words.startswith(g + " ")), None)
    style = PART_STYLES.get(style_word or "") or genre_word
    if style is None:
        return None  # a plain "add strings" is the refinement's business
    name = _find_instrument(words, state.spec.genre)
    if name is None:
        return None
    present = _present(state, name, state.spec.genre)
    layers = dict(state.layers)
    label = f"{style_word or genre_word} {name}"
    if present is not None:
        # Reshaping a part makes it the contributor's: "walking bass by Bob" even if Ana brought a bass.
        layers[present] = replace(layers[present], style=style, muted=False, author=author, author_id=author_id)
        return _rebuild(state, layers), (f"{present} → {style_word or genre_word}",)
    role = INSTRUMENTS[name].role
    if role == "melody" and any(layer.role == "melody" and not layer.muted for layer in layers.values()):
        role = "counter"
    layers[name] = Layer(role, author, author_id, style=style)
    return _rebuild(state, layers), (f"+ {label}",)


def _energy_and_mood(rest: str) -> tuple[float, str | None]:
    delta = sum(value for word, value in ENERGY_WORDS.items() if word in rest)
    mood = next((label for word, label in SECTION_MOODS.items() if word in rest), None)
    return delta, mood


def _section_name(word: str) -> str | None:
    word = word.strip().removesuffix(" section")
    return word if word in SECTION_NAMES else None


def _next_section(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(?:next|new|add an?(?: new)?) section:? ?([a-z-]+)(.*)$", text)
    if not match:
        return None
    name = _section_name(match.group(1))
    if name is None:
        raise UserError(f"Sections can be: {', '.join(SECTION_NAMES)}.")
    delta, mood = _energy_and_mood(match.group(2))
    previous = state.spec.form[-2] if len(state.spec.form) > 1 else None
    base = previous.energy if previous and previous.energy is not None else state.spec.energy
    section = SectionSpec(name=name, bars=8, energy=min(1.0, max(0.0, base + delta)) if delta else None, mood=mood)
    form = state.spec.form
    # New sections go before the outro so the piece still ends like an ending.
    form = (*form[:-1], section, form[-1]) if form and form[-1].name == "outro" else (*form, section)
    spec = with_form(state.spec, form)
    detail = ", more energy" if delta > 0 else ", less energy" if delta < 0 else ""
    return JamState(spec, state.layers), (f"+ {name}{detail}{f', {mood}' if mood else ''}",)


def _section_change(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^make (?:the )?([a-z-]+)(?: section)? (.+)$", text)
    if not match or _section_name(match.group(1)) is None:
        return None
    name = _section_name(match.group(1))
    delta, mood = _energy_and_mood(match.group(2))
    if not delta and mood is None:
        return None
    if not any(section.name == name for section in state.spec.form):
        raise UserError(f"There's no {name} yet: add one with 'next section: {name}'.")
    form = tuple(
        section.model_copy(update={
            "energy": min(1.0, max(0.0, (section.energy if section.energy is not None else state.spec.energy) + delta))
            if delta else section.energy,
            "mood": mood or section.mood,
        }) if section.name == name else section
        for section in state.spec.form
    )  # fmt: skip
    return JamState(with_form(state.spec, form), state.layers), (f"{name} → {match.group(2)}",)


def _regenerate(state: JamState, text: str, author: str, author_id: int) -> Outcome:
    match = re.match(r"^(?:regenerate|redo|rewrite|new take on|reroll) (?:the )?(.+)$", text)
    if not match:
        return None
    section = _section_name(match.group(1))
    if section is not None:
        if not any(s.name == section for s in state.spec.form):
            raise UserError(f"There's no {section} to regenerate.")
        form = tuple(s.model_copy(update={"variant": s.variant + 1}) if s.name == section else s
                     for s in state.spec.form)  # fmt: skip
        return JamState(with_form(state.spec, form), state.layers), (f"new take on the {section}",)
    name = _find_instrument(match.group(1), state.spec.genre)
    present = _present(state, name, state.spec.genre) if name else None
    if present is None:
        raise UserError(f"There's no {match.group(1)} in the jam to regenerate.")
    parts = tuple(p.model_copy(update={"variant": p.variant + 1}) if p.name == present else p
                  for p in state.spec.parts)  # fmt: skip
    return JamState(state.spec.replace(parts=parts), state.layers), (f"new take on the {present}",)
