"""The plan and the arrangement: spec → plan (form + harmony) → one track per part, mixed and performed."""

from __future__ import annotations

from collections import Counter

from engine.compose.bass import write_bass
from engine.compose.comping import write_comping
from engine.compose.drums import write_drums
from engine.compose.form import song_form
from engine.compose.harmony import choose_progression, progression_chords, with_cadence
from engine.compose.humanize import perform
from engine.compose.lines import write_counter, write_pad, write_second_voice
from engine.compose.melody import write_melody
from engine.compose.styles import STYLES, Style, mix_for
from engine.compose.theory import derive_seed, nearest_with_pc, rng_for
from engine.genres import GENRES
from engine.instruments import DRUM_KITS, INSTRUMENTS
from engine.partwriter import PartWriter
from engine.plan import Plan, Section
from engine.score import Note, Score, SectionMark, Track
from engine.spec import MusicSpec, PartSpec

_PEAKS = frozenset({"chorus", "drop"})
PITCHED_FLOOR = 40  # every pitched note is at least this loud, so every named instrument is heard


def length_beats(spec: MusicSpec) -> float:
    """The requested duration in quarter-note beats."""
    return spec.duration_s * spec.tempo_bpm / 60.0


def make_plan(spec: MusicSpec) -> Plan:
    """The song form sized to the spec's duration, with each section's chords and energy."""
    style = STYLES[spec.genre]
    beats_per_bar = spec.beats_per_bar
    total_bars = max(1, round(length_beats(spec) / beats_per_bar))
    form = song_form(total_bars, style.form, spec.meter)
    progressions: dict[str, str] = {}
    sections: list[Section] = []
    bar = 0
    for number, part in enumerate(form):
        if part.name not in progressions:
            rng = rng_for(spec.seed, "harmony", part.name)
            progressions[part.name] = choose_progression(style.harmony, spec.mode, part.name, spec.valence, rng)
        chords = progression_chords(progressions[part.name], spec.tonic_pc, spec.mode, style.colour,
                                    bar * beats_per_bar, part.bars, beats_per_bar)
        following = form[number + 1] if number + 1 < len(form) else None
        chords = with_cadence(
            chords, final=following is None,
            leads_to_peak=following is not None and following.name in _PEAKS and following.name != part.name,
            cadence=style.cadence, mode=spec.mode, tonic_pc=spec.tonic_pc, level=style.colour,
            beats_per_bar=beats_per_bar,
        )
        energy = spec.energy + (part.level - 0.55) * 0.8 + spec.arousal * 0.1
        sections.append(Section(part.name, bar, part.bars, round(min(1.0, max(0.05, energy)), 3),
                                tuple(chords), part.occurrence))
        bar += part.bars
    return Plan(float(spec.tempo_bpm), beats_per_bar, spec.tonic_pc, spec.mode, GENRES[spec.genre].swing,
                tuple(sections))


def melody_window(low: int, high: int) -> tuple[int, int]:
    """A singable span (about an octave and a half) in the upper middle of an instrument's range."""
    width = min(high - low, 19)
    middle = (low + high) / 2 + 2
    bottom = round(max(low, min(middle - width / 2, high - width)))
    return bottom, bottom + width


def _part_notes(
    part: PartSpec, index: int, spec: MusicSpec, plan: Plan, style: Style, writer: PartWriter | None,
    lead: list[Note] | None, end_beat: float, alone: bool,
) -> list[Note]:
    instrument = INSTRUMENTS[part.name]
    low, high = instrument.low, instrument.high
    seed = derive_seed(spec.seed, part.role, index)
    rng = rng_for(spec.seed, part.role, index, "lines")
    resting = frozenset() if alone else frozenset({"intro"})
    if part.role == "melody":
        low, high = melody_window(low, high)
        if index == 0:
            written = writer.melody(plan, spec, low, high, seed) if writer is not None else None
            if written is not None:
                return written
            rest = frozenset() if style.intro_melody else resting
            return write_melody(plan, spec.meter, style.melody, low, high, end_beat, seed, style.leap,
                                style.chromatic, rest)
        if lead:
            return write_second_voice(plan, lead, low, high, end_beat, rng)
        return write_melody(plan, spec.meter, style.melody, low, high, end_beat, seed, style.leap,
                            style.chromatic)
    if part.role == "chords":
        if index == 0 and writer is not None:
            written = writer.accompaniment(plan, spec, low, high, seed)
            if written is not None:
                return written
        pattern = style.comping if index == 0 else style.comping_alt
        return write_comping(plan, spec.meter, pattern, low, high, end_beat, rng)
    if part.role == "bass":
        return write_bass(plan, spec.meter, style.bass, low, high, end_beat, rng)
    if part.role == "pad":
        return write_pad(plan, low, high, end_beat, rng)
    return write_counter(plan, low, high, end_beat, rng, resting=resting)


def _ensure_heard(notes: list[Note], plan: Plan, low: int, high: int, end_beat: float) -> list[Note]:
    """A part that came out silent still plays the final chord's root, so no named instrument is missing."""
    if any(note.velocity >= PITCHED_FLOOR for note in notes):
        return notes
    final = plan.sections[-1].chords[-1]
    pitch = nearest_with_pc(final.root, (low + high) / 2, low, high)
    return [*notes, Note(final.start, max(0.5, end_beat - final.start), pitch, 80)]


def compose(spec: MusicSpec, *, writer: PartWriter | None = None, plan: Plan | None = None) -> Score:
    """Compose the spec into a score: one track per part plus drums, deterministic for the same spec."""
    plan = plan or make_plan(spec)
    style = STYLES[spec.genre]
    end_beat = length_beats(spec)
    counts: Counter[str] = Counter()
    lead: list[Note] | None = None
    tracks: list[Track] = []
    for part in spec.parts:
        index = counts[part.role]
        counts[part.role] += 1
        instrument = INSTRUMENTS[part.name]
        notes = _part_notes(part, index, spec, plan, style, writer, lead, end_beat, len(spec.parts) == 1)
        if part.role == "melody" and index == 0:
            lead = notes
        performed = perform(notes, rng_for(spec.seed, part.role, index, "performance"), swing=plan.swing,
                            swing_unit=style.swing_unit, floor=PITCHED_FLOOR, end_beat=end_beat)
        performed = _ensure_heard(performed, plan, instrument.low, instrument.high, end_beat)
        mix = mix_for(style, part.role, index)
        tracks.append(Track(part.name, instrument.program, part.role, performed, volume=mix.volume, pan=mix.pan,
                            reverb=mix.reverb, chorus=mix.chorus))
    if spec.drums:
        notes = write_drums(plan, spec.meter, style.drums, spec.drum_density, rng_for(spec.seed, "drums"))
        performed = perform(notes, rng_for(spec.seed, "drums", "performance"), swing=plan.swing,
                            swing_unit=style.swing_unit, timing=0.004, velocity=5.0, end_beat=end_beat)
        mix = mix_for(style, "drums", 0)
        tracks.append(Track("drums", DRUM_KITS[spec.drum_kit], "drums", _dedupe(performed), is_drum=True,
                            bank=128, volume=mix.volume, pan=mix.pan, reverb=mix.reverb, chorus=mix.chorus))
    marks = [SectionMark(s.name, s.start_bar * plan.beats_per_bar, s.bars) for s in plan.sections]
    return Score(float(spec.tempo_bpm), spec.meter, spec.key, spec.mode, tracks, end_beat, marks)


def _dedupe(notes: list[Note]) -> list[Note]:
    """One hit per drum and moment: a fill and a groove landing on the same sixteenth merge."""
    seen: dict[tuple[float, int], Note] = {}
    for note in notes:
        key = (round(note.start * 16) / 16, note.pitch)
        if key not in seen or note.velocity > seen[key].velocity:
            seen[key] = note
    return sorted(seen.values(), key=lambda n: (n.start, n.pitch))
