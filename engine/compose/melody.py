"""Melody: motifs that repeat and develop in 2–4 bar phrases, chord tones on strong beats, call and response.

Each section name gets its own motifs from its own random stream, so a chorus that comes back sings
the same tune; later occurrences vary a few weak-beat notes. Rhythm cells use the grid language
('x' onset, '-' hold, '.' rest); vocabularies list them quiet to busy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.compose.grid import chord_at, parse_grid, step_beats
from engine.compose.theory import METER_GROUPS, bar_steps, rng_for, scale_pcs, scale_pitches, strong_steps
from engine.plan import Chord, Plan, Section
from engine.score import Note

RHYTHMS: dict[str, dict[str, tuple[str, ...]]] = {
    "pop": {
        "4/4": (
            "x-------x---x---",
            "x---x---x-x-x---",
            "..x-x-x-x---x---",
            "x-x-x---x-x-x---",
            "x--x--x-x-x-x---",
            "..x-x-x-x-x-x-x-",
        )
    },
    "ballad": {
        "4/4": (
            "x---------------",
            "x-------x-------",
            "x-----x-x-------",
            "x---x---x-------",
            "x-----x-x---x---",
            "x---x-x-x---x---",
        )
    },
    "riff": {"4/4": ("x---..x-..x-x---", "x-.x-.x-..x-x-..", "x-.x-.x-x-.x-.x-", "x.x.x.x.x..x.x..")},
    "swing": {
        "4/4": ("x---x---x-------", "x-x-x---x-x-x---", "..x-x-x-x---x---", "x-x-x-x-x-x-x-x-", "..x-x-x-x-x-x---")
    },
    "sparse": {"4/4": ("x---------------", "x-------x-------", "x-----------x---", "x-------x---x---")},
    "fast": {
        "4/4": ("x---x-x-x-x-x---", "x-x-x-x-x---x---", "x-x-x-x-x-x-x-x-"),
        "6/8": ("x---x-x---x-", "x-x-x-x---x-", "x-x-x-x-x-x-"),
    },
    "latin": {"4/4": ("x--x--x---x-x---", "..x-x--x--x-x---", "x-x--x--x-x--x--")},
    "march": {
        "4/4": ("x---x---x---x---", "x--xx---x--xx---", "x-x-x-x-x---x---"),
        "2/4": ("x-------", "x---x---", "x--xx---", "x-x-x-x-"),
    },
    "classical": {"4/4": ("x-------x-------", "x---x---x---x---", "x-x-x-x-x---x---", "x--xx---x-x-x---")},
}
# Shared cells for the other meters, whatever the style.
_METER_RHYTHMS: dict[str, tuple[str, ...]] = {
    "3/4": ("x-----------", "x-------x---", "x---x---x---", "x-----x-x-x-", "x---x-x-x-x-"),
    "6/8": ("x-----x-----", "x---x-x-----", "x---x-x---x-", "x-x-x-x-----", "x-x-x-x-x-x-"),
    "2/4": ("x-------", "x---x---", "x-x-x---", "x--xx---", "x-x-x-x-"),
}
_CADENCE_CELLS: dict[str, tuple[str, ...]] = {
    "4/4": ("x-------x-------", "x---x---x-------", "x-x-x---x-------", "x---x-------...."),
    "3/4": ("x-------x---", "x---x---x---", "x-----------"),
    "6/8": ("x---x-x-----", "x-----x-----", "x-x-x-x-----"),
    "2/4": ("x---x---", "x-------"),
}
_GROUP_CELLS = {2: ("x---", "x---", "x-x-"), 3: ("x-----", "x---x-", "x-x-x-")}
_PEAK_SECTIONS = frozenset({"chorus", "drop", "tune b", "episode", "solo", "swell"})
_PHRASE_FORMS = ("AABC", "ABAC", "AABC", "ABBC")


def _grouped_cells(meter: str, cadence: bool) -> tuple[str, ...]:
    """Cells for meters without a vocabulary, built from the meter's beat groups."""
    groups = METER_GROUPS[meter]
    if cadence:
        first = _GROUP_CELLS[groups[0]][1]
        return (first + "x" + "-" * (bar_steps(meter) - len(first) - 1),)
    return tuple("".join(_GROUP_CELLS[g][min(level, 2)] for g in groups) for level in range(3))


def rhythm_cells(vocabulary: str, meter: str) -> tuple[str, ...]:
    """The rhythm cells a style's melody uses in this meter, quiet to busy."""
    cells = RHYTHMS.get(vocabulary, {}).get(meter) or _METER_RHYTHMS.get(meter)
    return cells or _grouped_cells(meter, cadence=False)


def cadence_cells(meter: str) -> tuple[str, ...]:
    """Phrase-ending cells: a few notes then a long one."""
    return _CADENCE_CELLS.get(meter) or _grouped_cells(meter, cadence=True)


@dataclass(frozen=True, slots=True)
class Motifs:
    """A section's melodic material: two rhythm cells, their step contours and the phrase form."""

    cells: tuple[str, str]
    contours: tuple[tuple[int, ...], tuple[int, ...]]
    cadence: str
    form: str
    register_shift: int


def _contour(onsets: int, rng: random.Random, leap: float) -> tuple[int, ...]:
    # Mostly steps, some thirds, an occasional leap: the interval profile of sung melodies.
    steps = [0]
    for _ in range(onsets - 1):
        if rng.random() < leap * 0.5:
            steps.append(rng.choice([-4, -3, 3, 4]))
        else:
            steps.append(rng.choice([-1, -1, -1, 1, 1, 1, 0, -2, 2]))
    return tuple(steps)


def make_motifs(section: Section, vocabulary: str, meter: str, rng: random.Random, leap: float) -> Motifs:
    """Draw a section's motifs: busier cells for louder sections, a higher register for choruses."""
    cells = rhythm_cells(vocabulary, meter)
    centre = min(len(cells) - 1, int(section.energy * len(cells)))
    first = max(0, min(len(cells) - 1, centre + rng.choice([-1, 0, 0, 1])))
    second = max(0, min(len(cells) - 1, first + rng.choice([-1, 1])))
    chosen = (cells[first], cells[second])
    contours = (_contour(len(parse_grid(chosen[0])), rng, leap), _contour(len(parse_grid(chosen[1])), rng, leap))
    cadence = rng.choice(cadence_cells(meter))
    shift = 4 if section.name in _PEAK_SECTIONS else -2 if section.name in ("verse", "intro") else 0
    return Motifs(chosen, contours, cadence, rng.choice(_PHRASE_FORMS), shift)


class _Line:
    """The running state of one melodic line: scale pitches in the window and the last note."""

    def __init__(self, scale: list[int], start: int) -> None:
        self.scale = scale
        self.index = min(range(len(scale)), key=lambda i: abs(scale[i] - start))

    @property
    def pitch(self) -> int:
        return self.scale[self.index]

    def step(self, steps: int) -> int:
        target = self.index + steps
        if not 0 <= target < len(self.scale):
            target = self.index - steps  # turn back at the edge of the window
        self.index = max(0, min(len(self.scale) - 1, target))
        return self.pitch

    def land(self, pitch_classes: tuple[int, ...] | list[int], toward: float | None = None) -> int:
        """Move to the nearest pitch of these classes (nearest to `toward` if given)."""
        aim = self.pitch if toward is None else toward
        options = [i for i, p in enumerate(self.scale) if p % 12 in pitch_classes]
        if not options:
            return self.pitch
        self.index = min(options, key=lambda i: (abs(self.scale[i] - aim), self.scale[i]))
        return self.pitch


def _goal(chord: Chord, tonic_pc: int, response: bool) -> tuple[int, ...]:
    """Where a phrase comes to rest: home after a response, an open chord tone after a call."""
    pcs = chord.pitch_classes
    if response and tonic_pc in pcs:
        return (tonic_pc,)
    if response:
        return (chord.root,)
    open_tones = tuple(pc for pc in pcs[1:3] if pc != tonic_pc)
    return open_tones or pcs


def vary_rhythm(cell: str, rng: random.Random) -> str:
    """The motif's rhythm told again with one change: a long note split in two, or a short one tied over."""
    hits = parse_grid(cell)
    long_notes = [h for h in hits if h.length >= 4 and h.length % 2 == 0]
    cells = list(cell)
    if long_notes and rng.random() < 0.6:
        hit = rng.choice(long_notes)
        cells[hit.step + hit.length // 2] = "x"
    elif len(hits) > 2:
        hit = rng.choice(hits[1:])
        cells[hit.step] = "-" if cells[hit.step - 1] != "." else "."
    return "".join(cells)


def _bar_notes(
    cell: str,
    contour: tuple[int, ...],
    line: _Line,
    bar_beat: float,
    chords: tuple[Chord, ...],
    strong: set[int],
    velocity: float,
) -> list[Note]:
    notes: list[Note] = []
    for index, hit in enumerate(parse_grid(cell)):
        onset = bar_beat + step_beats(hit.step)
        chord = chord_at(chords, onset)
        if index > 0:
            line.step(contour[index % len(contour)])
        if hit.step in strong or hit.length >= 4:
            line.land(chord.pitch_classes)
        accent = 8 if hit.step == 0 else 4 if hit.step in strong else 0
        notes.append(Note(onset, step_beats(hit.length) * 0.92, line.pitch, round(velocity + accent)))
    return notes


def _cadence_notes(
    cell: str,
    line: _Line,
    bar_beat: float,
    chords: tuple[Chord, ...],
    goal_response: bool,
    tonic_pc: int,
    velocity: float,
) -> list[Note]:
    hits = parse_grid(cell)
    last_chord = chord_at(chords, bar_beat + step_beats(hits[-1].step))
    goal = _goal(last_chord, tonic_pc, goal_response)
    target = _Line(line.scale, line.pitch)
    target.land(goal)
    notes: list[Note] = []
    for index, hit in enumerate(hits):
        onset = bar_beat + step_beats(hit.step)
        remaining = len(hits) - 1 - index
        gap = target.index - line.index
        if remaining == 0:
            line.index = target.index
        elif index == 0:
            line.land(chord_at(chords, onset).pitch_classes)
        elif gap:
            # Walk by step towards the goal so the phrase lands rather than jumps.
            line.step((1 if gap > 0 else -1) * (2 if abs(gap) > remaining + 1 else 1))
        else:
            line.step(1)
        length = step_beats(hit.length) * (0.92 if remaining else 0.98)
        notes.append(Note(onset, length, line.pitch, round(velocity - (4 if remaining == 0 else 0))))
    return notes


def _chromatic_approaches(
    notes: list[Note], strong_beats: set[float], beats_per_bar: float, rng: random.Random, amount: float
) -> list[Note]:
    """Now and then a short weak note becomes a half-step lead-in to the strong note after it."""
    out = list(notes)
    for index in range(len(out) - 1):
        note, after = out[index], out[index + 1]
        on_strong = round(after.start % beats_per_bar, 3) in strong_beats or after.duration >= 1.0
        if note.duration <= 0.5 and on_strong and abs(after.pitch - note.pitch) <= 3 and rng.random() < amount:
            out[index] = Note(note.start, note.duration, after.pitch - 1, note.velocity)
    return out


def _vary(notes: list[Note], rng: random.Random, scale: list[int]) -> list[Note]:
    """A later occurrence: a few weak-beat notes move by a step, the shape stays recognisable."""
    out = list(notes)
    half = len(out) // 2
    for index in range(half, len(out) - 1):
        note = out[index]
        if note.start % 1 != 0 and rng.random() < 0.3 and note.pitch in scale:
            position = scale.index(note.pitch) + rng.choice([-1, 1])
            if 0 <= position < len(scale):
                out[index] = Note(note.start, note.duration, scale[position], note.velocity)
    return out


def section_melody(
    plan: Plan,
    section: Section,
    meter: str,
    vocabulary: str,
    low: int,
    high: int,
    seed: int,
    leap: float,
    chromatic: float,
    final: bool,
    variant: int = 0,
) -> list[Note]:
    """The melody of one section, the same for every section of that name up to cadences and variation."""
    rng = rng_for(seed, "section", section.name, *(("variant", variant) if variant else ()))
    # The tune is drawn for the first time this section appears, so later, louder returns sing it again.
    first = next(s for s in plan.sections if s.name == section.name)
    motifs = make_motifs(first, vocabulary, meter, rng, leap)
    scale = scale_pitches(scale_pcs(plan.tonic_pc, plan.mode), low, high)
    centre = (low + high) / 2 + motifs.register_shift
    line = _Line(scale, round(centre))
    strong = strong_steps(meter)
    chords = section.chords
    velocity = 66 + 38 * section.energy
    phrase = 4 if section.bars >= 4 else section.bars
    notes: list[Note] = []
    first_pitch: int | None = None
    for bar in range(section.bars):
        position = bar % phrase
        phrase_index = bar // phrase
        bar_beat = (section.start_bar + bar) * plan.beats_per_bar
        last_of_section = bar == section.bars - 1
        if position == phrase - 1 or last_of_section:
            response = phrase_index % 2 == 1 or last_of_section
            cell = "x" + "-" * (bar_steps(meter) - 1) if (final and last_of_section) else motifs.cadence
            notes += _cadence_notes(cell, line, bar_beat, chords, response, plan.tonic_pc, velocity)
            continue
        letter = motifs.form[min(position, 3)] if phrase == 4 else "AB"[position % 2]
        which = 0 if letter == "A" else 1
        if position == 0:
            line.land(chord_at(chords, bar_beat).pitch_classes, toward=centre if phrase_index == 0 else None)
            first_pitch = line.pitch
        elif letter == "A" and first_pitch is not None:
            # The motif again as a sequence: same shape from the chord tone nearest its first start.
            line.land(chord_at(chords, bar_beat).pitch_classes, toward=first_pitch + rng.choice([0, 2, -2]))
        cell = motifs.cells[which]
        if position > 0 and letter == "A":
            cell = vary_rhythm(cell, rng)
        notes += _bar_notes(cell, motifs.contours[which], line, bar_beat, chords, strong, velocity)
    strong_beats = {round(step_beats(s), 3) for s in strong}
    notes = _chromatic_approaches(notes, strong_beats, plan.beats_per_bar, rng, chromatic)
    if section.occurrence > 0:
        notes = _vary(notes, rng_for(seed, "variation", section.name, section.occurrence), scale)
    return notes


def write_melody(
    plan: Plan,
    meter: str,
    vocabulary: str,
    low: int,
    high: int,
    end_beat: float,
    seed: int,
    leap: float = 0.2,
    chromatic: float = 0.05,
    resting: frozenset[str] = frozenset(),
    variants: tuple[int, ...] = (),
) -> list[Note]:
    """The lead melody over the whole plan; sections named in `resting` are left to the other parts.

    `variants` (one per section, from an explicit form) re-roll a section's tune when non-zero.
    """
    notes: list[Note] = []
    last = len(plan.sections) - 1
    for number, section in enumerate(plan.sections):
        if section.name in resting and number != last:
            continue
        variant = variants[number] if number < len(variants) else 0
        notes += section_melody(
            plan, section, meter, vocabulary, low, high, seed, leap, chromatic, final=number == last, variant=variant
        )
    if notes:
        tail = notes[-1]
        notes[-1] = Note(tail.start, max(tail.duration, end_beat - tail.start), tail.pitch, tail.velocity)
    return notes
