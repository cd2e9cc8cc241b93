"""Edits to a piece's sections as data: write its form down, grow it, or change one section, so that
engine/sectioned.py leaves every other bar note for note."""

from __future__ import annotations

from collections.abc import Sequence

from engine.compose import make_plan
from engine.errors import UserError
from engine.sectioned import context_of, end_s
from engine.spec import DURATION_RANGE, MusicSpec, SectionSpec

_BODY_SKIP = frozenset({"intro", "outro"})


def written_form(spec: MusicSpec) -> tuple[SectionSpec, ...]:
    """The spec's form as explicit sections (the one the composer sized, when the spec has none)."""
    if spec.form:
        return spec.form
    return tuple(SectionSpec(name=section.name, bars=section.bars) for section in make_plan(spec).sections)


def sectioned(spec: MusicSpec) -> MusicSpec:
    """The same piece with its form written down and each section written on its own terms."""
    if spec.sectioned and spec.form:
        return spec
    return spec.model_copy(update={"form": written_form(spec), "sectioned": True})


def section_names(form: Sequence[SectionSpec]) -> str:
    """'intro · verse · chorus · verse · chorus · outro'."""
    return " · ".join(section.name for section in form)


def _pinned(spec: MusicSpec) -> list[SectionSpec]:
    """Every section tied to the form it was written as part of (and where that ended), so growing the
    form leaves it as it was."""
    context = context_of(spec.form)
    bars_s = sum(s.bars for s in spec.form) * spec.beats_per_bar * 60 / spec.tempo_bpm
    seconds = end_s(spec, bars_s)
    ending = round(seconds * spec.tempo_bpm / 60, 4) if seconds != bars_s else None
    pin = {"context": context, "context_beats": ending}
    return [s if s.context is not None else s.model_copy(update={**pin, "position": i})
            for i, s in enumerate(spec.form)]  # fmt: skip


def _resized(spec: MusicSpec, form: Sequence[SectionSpec]) -> MusicSpec:
    seconds = sum(s.bars for s in form) * spec.beats_per_bar * 60.0 / spec.tempo_bpm
    if seconds > DURATION_RANGE[1] + 1e-6:
        raise UserError(f"That would make it {seconds / 60:.1f} minutes long; pieces go up to "
                        f"{DURATION_RANGE[1] / 60:.0f} minutes.")  # fmt: skip
    return spec.model_copy(update={"form": tuple(form), "duration_s": round(seconds, 2), "sectioned": True})


def insert_sections(spec: MusicSpec, new: Sequence[tuple[str, int]], index: int | None = None) -> MusicSpec:
    """New sections before section `index` (None: at the end); every existing section keeps its notes
    (moved later when something comes before it). The new sections are written as part of the whole new
    form, so they follow what comes before them."""
    base = sectioned(spec)
    form = _pinned(base)
    at = len(form) if index is None else index
    grown = form[:at] + [SectionSpec(name=name, bars=bars) for name, bars in new] + form[at:]
    return _resized(base, grown)


def before_outro(spec: MusicSpec) -> int:
    """Where music added to the body goes: before a closing outro, else at the end."""
    form = written_form(spec)
    return len(form) - 1 if len(form) > 1 and form[-1].name == "outro" else len(form)


def body_sections(spec: MusicSpec, bars: int) -> list[tuple[str, int]]:
    """About `bars` more bars in the piece's own sections (its verses and choruses again, the last cut)."""
    body = [s for s in written_form(spec) if s.name not in _BODY_SKIP] or list(written_form(spec))
    added: list[tuple[str, int]] = []
    total = 0
    while total < bars:
        section = body[len(added) % len(body)]
        take = min(section.bars, bars - total)
        if take < 2 and added:  # a one-bar scrap joins the section before it
            name, length = added[-1]
            added[-1] = (name, length + take)
        else:
            added.append((section.name, take))
        total += take
    return added


def pick(form: Sequence[SectionSpec], name: str, which: str | None) -> list[int]:
    """Indices of the named section: every occurrence, or the 'first', 'last' or 'second' one."""
    found = [i for i, s in enumerate(form) if s.name == name]
    if not found:
        raise UserError(f"This piece has no {name}; its sections are {section_names(form)}.")
    if which == "last":
        return found[-1:]
    if which == "first":
        return found[:1]
    if which == "second":
        if len(found) < 2:
            raise UserError(f"This piece has only one {name}; its sections are {section_names(form)}.")
        return found[1:2]
    return found


def edit_sections(spec: MusicSpec, indices: Sequence[int], **changes: object) -> MusicSpec:
    """The piece with these sections changed (a new take, energy, mood, drums, transpose), the rest kept.

    `variant=+1` style increments are given as the key 'new_take'."""
    base = sectioned(spec)
    form = list(base.form)
    for index in indices:
        section = form[index]
        update = dict(changes)
        if update.pop("new_take", False):
            update["variant"] = section.variant + 1
        form[index] = section.model_copy(update=update)
    return base.model_copy(update={"form": tuple(form)})


def section_energy(spec: MusicSpec, index: int) -> float:
    """The energy a section is played with now (its own, or the one the composer gives it)."""
    form = written_form(spec)
    own = form[index].energy
    if own is not None:
        return own
    return make_plan(spec.model_copy(update={"form": form})).sections[index].energy
