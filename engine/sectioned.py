"""Pieces written section by section: each section of a `sectioned` spec comes from the composition of its
own terms (the form it was written as part of, its own edits), so changing one section, or adding sections
after or before it, leaves every other bar note for note."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from itertools import accumulate

from engine.compose import compose, make_plan
from engine.partwriter import PartWriter
from engine.score import Note, Score, SectionMark, Track
from engine.spec import MusicSpec, SectionSpec
from engine.tune.arrange import TuneWriter, tune_plan

LEAD_TRACK = "melody"  # the contract: a piece with the user's tune names its lead track so
Context = tuple[tuple[str, int, bool], ...]
_LEAN = 1 / 16  # beats: more than humanised timing moves a note, less than the shortest written step


def compose_piece(spec: MusicSpec, *, writer: PartWriter | None = None) -> Score:
    """The score of a spec: composed whole, or spliced section by section when the spec is sectioned."""
    if spec.sectioned and spec.form:
        return _spliced(spec, writer)
    return _whole(spec, writer)


def _whole(spec: MusicSpec, writer: PartWriter | None) -> Score:
    plan = make_plan(spec)
    if spec.tune is None:
        return compose(spec, writer=writer, plan=plan)
    score = compose(spec, writer=TuneWriter(writer), plan=tune_plan(spec, plan))
    lead = next((track for track in score.tracks if track.role == "melody"), None)
    if lead is not None:
        lead.name = LEAD_TRACK
    return score


def plain(section: SectionSpec) -> SectionSpec:
    """A section with none of its own edits: what it is while another section is being written."""
    return SectionSpec(name=section.name, bars=section.bars, tune=section.tune)


def has_edits(section: SectionSpec) -> bool:
    """Whether a section carries edits of its own (a new take, a mood, an energy, drums, a key change)."""
    return plain(section) != section.model_copy(update={"context": None, "position": 0, "context_beats": None})


def context_of(form: tuple[SectionSpec, ...]) -> Context:
    """A form as the context its sections are written in."""
    return tuple((section.name, section.bars, section.tune) for section in form)


def form_starts(bars: list[int]) -> list[int]:
    """The first bar of each section, and the bar after the last."""
    return [0, *accumulate(bars)]


def _spliced(spec: MusicSpec, writer: PartWriter | None) -> Score:
    form, beats = spec.form, spec.beats_per_bar
    starts = form_starts([s.bars for s in form])
    # Each section's source: its context and place in it, and (when it has edits) which section it is.
    groups: dict[tuple[Context, float | None, int | None], list[int]] = defaultdict(list)
    for number, section in enumerate(form):
        context = section.context if section.context is not None else context_of(form)
        groups[(context, section.context_beats, number if has_edits(section) else None)].append(number)
    notes: dict[str, list[Note]] = defaultdict(list)
    layout: dict[str, Track] = {}
    for (context, context_beats, own), members in groups.items():
        written = [SectionSpec(name=name, bars=bars, tune=tune) for name, bars, tune in context]
        if own is not None:
            mine = form[own]
            place = mine.position if mine.context is not None else own
            written[place] = mine.model_copy(update={"context": None, "position": 0, "context_beats": None})
        context_starts = form_starts([bars for _, bars, _ in context])
        seconds = (context_beats or context_starts[-1] * beats) * 60 / spec.tempo_bpm
        if context == context_of(form) and context_beats is None:
            seconds = end_s(spec, seconds)
        part = spec.model_copy(update={
            "form": tuple(written), "sectioned": False, "duration_s": seconds,
            "drums": spec.drums or (own is not None and bool(form[own].drums)),
        })  # fmt: skip
        score = _whole(part, writer)
        for track in score.tracks:
            layout.setdefault(track.name, track)
            for index in members:
                section = form[index]
                place = section.position if section.context is not None else index
                begin, end = context_starts[place] * beats, context_starts[place + 1] * beats
                if track.is_drum and section.drums is False:
                    continue
                offset = starts[index] * beats - begin
                shift = 0 if track.is_drum else section.transpose
                # A played note may lean a hair ahead of its beat: it belongs where it was written.
                notes[track.name] += [replace(n, start=n.start + offset, pitch=n.pitch + shift)
                                      for n in track.notes if begin - _LEAN <= n.start < end - _LEAN]  # fmt: skip
    tracks = [replace(track, notes=sorted(notes[name], key=lambda n: (n.start, n.pitch)))
              for name, track in layout.items() if notes[name]]  # fmt: skip
    marks = [SectionMark(s.name, starts[n] * beats, s.bars) for n, s in enumerate(form)]
    end = end_s(spec, starts[-1] * beats * 60 / spec.tempo_bpm) * spec.tempo_bpm / 60
    return Score(float(spec.tempo_bpm), spec.meter, spec.key, spec.mode, tracks, end, marks)


def end_s(spec: MusicSpec, form_seconds: float) -> float:
    """Where the piece ends: its form's last bar line, or a little before it when the spec asked so (a piece
    whose length was not a whole number of bars when its form was written down ends where it did)."""
    bar_seconds = spec.beats_per_bar * 60 / spec.tempo_bpm
    return spec.duration_s if 0 < form_seconds - spec.duration_s < bar_seconds else form_seconds
