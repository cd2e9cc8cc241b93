"""Words that change the piece's sections: continue or extend it, add an intro or outro, and edits to one
section ("new bridge", "a bigger last chorus", "no drums in the intro", "key change up a step for the last
chorus", "make the verse calmer"). Everything else is left to the whole-piece refinements."""

from __future__ import annotations

import re

from engine.errors import UserError
from engine.section_edits import (
    before_outro,
    body_sections,
    edit_sections,
    insert_sections,
    pick,
    section_energy,
    section_names,
    written_form,
)
from engine.spec import FORM_SECTION_NAMES, MusicSpec

_NAMES = "|".join(sorted((re.escape(n) for n in FORM_SECTION_NAMES), key=len, reverse=True))
# A section is named after a determiner or an ordinal ("the chorus", "a bigger last chorus", "new bridge"),
# so the verbs among the names ("drop the bass", "build it up") are not read as sections.
_ORDINALS = r"first|last|final|second|1st|2nd"
_ORDINAL_NAMES = {"final": "last", "1st": "first", "2nd": "second"}
_SECTION = re.compile(
    rf"\b(?:the|a|an|this|that|new|another|different|fresh|{_ORDINALS})\s+"
    rf"((?:(?:bigger|calmer|quieter|louder|softer|new|{_ORDINALS})\s+)*)({_NAMES})e?s?\b"
)
_CONTINUE = re.compile(r"\b(continue|keep going|carry on|go on|extend)\b")
_LONGER = re.compile(r"\b(\d+|a|one|half a)\s*(seconds?|secs?|s|minutes?|mins?)\s+(longer|more)\b"
                     r"|\b(?:add|another)\s+(\d+|a|one|half a)\s*(seconds?|secs?|minutes?|mins?)\b")  # fmt: skip
_ADD = re.compile(rf"\b(?:add|put|insert|give it)\s+(?:an?\s+|one\s+|another\s+)?(?:new\s+)?({_NAMES})\b")
_NEW_TAKE = re.compile(r"\b(new|another|different|fresh|regenerate|redo|re-do|rewrite|re-?roll|re-?harmoni[sz]e)\b")
_BIGGER = re.compile(r"\b(bigger|louder|more energy|more energetic|stronger|huge|epic|more intense|lift)\b")
_CALMER = re.compile(r"\b(calmer|quieter|softer|gentler|less energy|calm|mellower|smaller|sparser)\b")
_NO_DRUMS = re.compile(r"\b(no|without|drop|remove|mute|lose)\b(?:\s+\w+){0,2}\s+drums?\b|\bdrums?\s+out\b")
_DRUMS = re.compile(r"\b(add|with|bring in|put)\b(?:\s+\w+){0,2}\s+drums?\b")
_KEY_CHANGE = re.compile(r"\b(key change|modulat\w*|change key|up a|down a|up one|up two|down one)\b")
_MOODS = {"darker": "dark", "sadder": "sad", "happier": "happy", "brighter": "happy", "tenser": "tense",
          "dreamier": "dreamy", "more tense": "tense"}  # fmt: skip
_WORD_NUMBERS = {"a": 1, "one": 1, "half a": 0.5}
_EDIT_STEP = 0.25  # how much "bigger" or "calmer" moves a section's energy


def section_edit(spec: MusicSpec, text: str) -> tuple[MusicSpec, tuple[str, ...]] | None:
    """The new spec and what changed, for a message about the piece's sections; None when it names none."""
    words = " ".join(text.lower().split())
    grown = _growth(spec, words)
    if grown is not None:
        return grown
    mention = _SECTION.search(words)
    if mention is None:
        return _reharmonised(spec, words)
    ordinal = re.search(rf"\b({_ORDINALS})\s+(?:\w+\s+)?{re.escape(mention.group(2))}", words)
    which = (
        {"final": "last", "1st": "first", "2nd": "second"}.get(ordinal.group(1), ordinal.group(1)) if ordinal else None
    )
    name = mention.group(2)
    form = written_form(spec)
    if re.search(r"\b(new|another)\b", words) and name not in {s.name for s in form} and name not in ("intro", "outro"):
        return _added(spec, name, _before_last(form, "chorus"), f"a new {name}")
    indices = pick(form, name, which)
    label = f"{which + ' ' if which else ''}{name}"
    changes: dict[str, object] = {}
    notes: list[str] = []
    if _KEY_CHANGE.search(words):
        steps = _semitones(words)
        changes["transpose"] = steps
        notes.append(f"key change {'up' if steps > 0 else 'down'} {abs(steps)} semitone{'s' * (abs(steps) != 1)} "
                     f"for the {label}")  # fmt: skip
    if _NO_DRUMS.search(words):
        changes["drums"] = False
        notes.append(f"no drums in the {label}")
    elif _DRUMS.search(words) and not spec.drums:
        changes["drums"] = True
        notes.append(f"drums in the {label}")
    if _BIGGER.search(words) or _CALMER.search(words):
        step = _EDIT_STEP if _BIGGER.search(words) else -_EDIT_STEP
        current = section_energy(spec, indices[0])
        changes["energy"] = round(min(1.0, max(0.05, current + step)), 2)
        notes.append(f"{'bigger' if step > 0 else 'calmer'} {label}")
        if step > 0 and current >= 1.0 and "transpose" not in changes:
            # Already played flat out: the lift a pop arranger reaches for is a key change.
            changes["transpose"] = 1
            notes[-1] += " (already at full energy: lifted a semitone)"
    mood = next((mood for word, mood in _MOODS.items() if re.search(rf"\b{word}\b", words)), None)
    if mood is not None:
        changes["mood"] = mood
        notes.append(f"{mood} {label}")
    if _NEW_TAKE.search(words) or (not changes and re.search(r"\bregenerat|\bre-?do", words)):
        changes["new_take"] = True
        notes.insert(0, f"new {label}")
    if not changes:
        return None
    edited = edit_sections(spec, indices, **changes)
    return edited, (*notes, f"sections: {section_names(edited.form)}")


def _reharmonised(spec: MusicSpec, words: str) -> tuple[MusicSpec, tuple[str, ...]] | None:
    """'Harmonise it' / 'reharmonise': new chords under the tune (a new take of every section playing it)."""
    if not re.search(r"\b(re-?)?harmoni[sz]e\b", words):
        return None
    form = written_form(spec)
    playing = [i for i, s in enumerate(form) if s.tune] or list(range(len(form)))
    edited = edit_sections(spec, playing, new_take=True)
    return edited, ("new chords" + (" under the tune" if spec.tune else ""), f"sections: {section_names(edited.form)}")


def _growth(spec: MusicSpec, words: str) -> tuple[MusicSpec, tuple[str, ...]] | None:
    """Continue, N seconds longer, add an intro/outro/section: new bars, the old ones untouched."""
    form = written_form(spec)
    seconds_per_bar = spec.beats_per_bar * 60.0 / spec.tempo_bpm
    longer = _LONGER.search(words)
    if longer is not None:
        amount, unit = (longer.group(1), longer.group(2)) if longer.group(1) else (longer.group(4), longer.group(5))
        seconds = float(_WORD_NUMBERS.get(amount, amount)) * (60.0 if unit.startswith("m") else 1.0)
        bars = max(1, round(seconds / seconds_per_bar))
        return _grown(spec, body_sections(spec, bars), before_outro(spec), f"{seconds:g} seconds longer")
    added = _ADD.search(words)
    if added is not None:
        name = added.group(1)
        if name in ("intro", "outro") and any(s.name == name for s in form):
            raise UserError(f"It already has an {name}; its sections are {section_names(form)}.")
        index = 0 if name == "intro" else None if name == "outro" else _before_last(form, "chorus")
        return _added(spec, name, index, f"added an {name}" if name[0] in "aeiou" else f"added a {name}")
    if _CONTINUE.search(words):
        bars = max(8, sum(s.bars for s in form if s.name not in ("intro", "outro")) // 2)
        return _grown(spec, body_sections(spec, bars), before_outro(spec), "continued")
    return None


def _before_last(form: tuple, name: str) -> int | None:
    found = [i for i, s in enumerate(form) if s.name == name]
    return found[-1] if found else (len(form) - 1 if form and form[-1].name == "outro" else None)


def _added(spec: MusicSpec, name: str, index: int | None, note: str) -> tuple[MusicSpec, tuple[str, ...]]:
    same = [s.bars for s in written_form(spec) if s.name == name]
    bars = same[0] if same else (4 if name in ("intro", "outro") else 8)
    return _grown(spec, [(name, bars)], index, note)


def _grown(spec: MusicSpec, new: list[tuple[str, int]], index: int | None,
           note: str) -> tuple[MusicSpec, tuple[str, ...]]:  # fmt: skip
    grown = insert_sections(spec, new, index)
    minutes, seconds = divmod(round(grown.duration_s), 60)
    added = " · ".join(name for name, _ in new)
    return grown, (f"{note}: {added} (now {minutes}:{seconds:02d})", f"sections: {section_names(grown.form)}")


def _semitones(words: str) -> int:
    sign = -1 if re.search(r"\bdown\b", words) else 1
    counted = re.search(r"\b(\d+|one|two|three)\s+(semitones?|half[- ]steps?|steps?|tones?)\b", words)
    if counted:
        number = {"one": 1, "two": 2, "three": 3}.get(counted.group(1)) or int(counted.group(1))
        size = 1 if counted.group(2).startswith(("semi", "half")) else 2
        return sign * min(12, number * size)
    if re.search(r"\b(half[- ]step|semitone|half[- ]tone)\b", words):
        return sign
    return 2 * sign  # "up a step", "a key change": a whole step
