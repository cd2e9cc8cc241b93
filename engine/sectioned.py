"""Pieces written section by section: each section of a `sectioned` spec comes from the composition of its
own terms (the form it was written with, its own edits), so changing one section, or adding sections
after or before, leaves every other bar note for note."""

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
    """A section with none of its own edits: what it is when another section is being written."""
    return SectionSpec(name=section.name, bars=section.bars, tune=section.tune)


def has_edits(section: SectionSpec) -> bool:
    """Whether a section carries edits of its own (a new take, a mood, an energy, drums, a key change)."""
    return plain(section).model_copy(update={"span": section.span}) != section


def form_starts(form: tuple[SectionSpec, ...]) -> list[int]:
    """The first bar of each section, and the bar after the last."""
    return [0, *accumulate(section.bars for section in form)]


def _spliced(spec: MusicSpec, writer: PartWriter | None) -> Score:
    form = spec.form
    starts = form_starts(form)
    beats = spec.beats_per_bar
    groups: dict[tuple[int, int, int | None], list[int]] = defaultdict(list)
    for number, section in enumerate(form):
        low, high = section.span or (0, len(form))
        groups[(low, high, number if has_edits(section) else None)].append(number)
    notes: dict[str, list[Note]] = defaultdict(list)
    layout: dict[str, Track] = {}
    for (low, high, own), members in groups.items():
        written = tuple(section if index == own else plain(section) for index, section in
                        enumerate(form[low:high], start=low))  # fmt: skip
        own_drums = form[own].drums if own is not None else None
        bars = starts[high] - starts[low]
        part = spec.model_copy(update={
            "form": tuple(s.model_copy(update={"span": None}) for s in written), "sectioned": False,
            "duration_s": bars * beats * 60.0 / spec.tempo_bpm, "drums": spec.drums or bool(own_drums),
        })  # fmt: skip
        score = _whole(part, writer)
        offset = starts[low] * beats
        for track in score.tracks:
            layout.setdefault(track.name, track)
            for index in members:
                section = form[index]
                begin, end = (starts[index] - starts[low]) * beats, (starts[index + 1] - starts[low]) * beats
                if track.is_drum and section.drums is False:
                    continue
                shift = 0 if track.is_drum else section.transpose
                notes[track.name] += [
                    replace(n, start=n.start + offset, duration=min(n.duration, end - n.start), pitch=n.pitch + shift)
                    for n in track.notes
                    if begin <= n.start < end
                ]
    tracks = [replace(track, notes=sorted(notes[name], key=lambda n: (n.start, n.pitch)))
              for name, track in layout.items() if notes[name]]  # fmt: skip
    marks = [SectionMark(s.name, starts[n] * beats, s.bars) for n, s in enumerate(form)]
    return Score(float(spec.tempo_bpm), spec.meter, spec.key, spec.mode, tracks, starts[-1] * beats, marks)
