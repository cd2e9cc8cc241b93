"""The plan and the arrangement: spec → plan (form + harmony) → one track per part, mixed and performed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.compose.bass import write_bass
from engine.compose.comping import write_comping
from engine.compose.drums import write_drums
from engine.compose.form import FormSection, explicit_form, song_form
from engine.compose.harmony import choose_progression, progression_chords, with_cadence
from engine.compose.humanize import anticipate, perform
from engine.compose.lines import write_counter, write_pad, write_second_voice
from engine.compose.loops import write_loop
from engine.compose.melody import write_melody
from engine.compose.styles import STYLES, mix_for, style_for
from engine.compose.sung import VOCAL_PROGRAM, VOCAL_TRACK, sung_spans, words_form, write_sung
from engine.compose.theory import derive_seed, nearest_with_pc, rng_for
from engine.genres import GENRES
from engine.instruments import DRUM_KITS, INSTRUMENTS
from engine.partwriter import PartWriter
from engine.plan import Plan, Section
from engine.score import Note, Score, SectionMark, Track
from engine.spec import MusicSpec, PartSpec

_PEAKS = frozenset({"chorus", "drop"})
PITCHED_FLOOR = 40  # every pitched note is at least this loud, so every named instrument is heard
# How a section's mood word (from a jam: "make the chorus darker") tilts its harmony.
_MOOD_VALENCE = {"dark": -0.8, "sad": -0.7, "tense": -0.5, "happy": 0.7, "dreamy": 0.3}
# GM programs that can accompany themselves: pianos, chromatic keys, organs, accordions, guitars, harp.
_SELF_ACCOMPANYING = frozenset([*range(0, 8), 11, 12, *range(16, 22), 23, *range(24, 32), 46, 105])


_PIANOS = frozenset(range(0, 6))  # acoustic and electric pianos: what the learned accompaniment learned from


def length_beats(spec: MusicSpec) -> float:
    """The requested duration in quarter-note beats."""
    return spec.duration_s * spec.tempo_bpm / 60.0


def _form(spec: MusicSpec) -> list[FormSection]:
    if spec.form:
        return explicit_form([(section.name, section.bars) for section in spec.form])
    if spec.lyrics:
        return words_form(spec)  # the form follows the words' stanzas
    total_bars = max(1, round(length_beats(spec) / spec.beats_per_bar))
    return song_form(total_bars, STYLES[spec.genre].form, spec.meter)


def make_plan(spec: MusicSpec) -> Plan:
    """The song form sized to the spec's duration (or the spec's own form), each section's chords and energy."""
    style = STYLES[spec.genre]
    beats_per_bar = spec.beats_per_bar
    form = _form(spec)
    progressions: dict[tuple[str, str, int], str] = {}
    sections: list[Section] = []
    bar = 0
    # The first section that carries the song and the first peak both start at home, so the key is heard.
    opening = next((part.name for part in form if part.name != "intro"), form[0].name)
    peak = next((part.name for part in form if part.name in _PEAKS), opening)
    for number, part in enumerate(form):
        given = spec.form[number] if spec.form else None
        mood = given.mood if given is not None and given.mood else ""
        variant = given.variant if given is not None else 0
        key = (part.name, mood, variant)
        if key not in progressions:
            labels: tuple[str | int, ...] = ("harmony", part.name) + ((mood, variant) if mood or variant else ())
            valence = _MOOD_VALENCE.get(mood, spec.valence)
            progressions[key] = choose_progression(
                style.harmony,
                spec.mode,
                part.name,
                valence,
                rng_for(spec.seed, *labels),
                establish=part.name in (opening, peak),
            )
        chords = progression_chords(
            progressions[key], spec.tonic_pc, spec.mode, style.colour, bar * beats_per_bar, part.bars, beats_per_bar
        )
        following = form[number + 1] if number + 1 < len(form) else None
        chords = with_cadence(
            chords,
            final=following is None,
            leads_to_peak=following is not None and following.name in _PEAKS and following.name != part.name,
            cadence=style.cadence,
            mode=spec.mode,
            tonic_pc=spec.tonic_pc,
            level=style.colour,
            beats_per_bar=beats_per_bar,
        )
        energy = spec.energy + (part.level - 0.55) * 0.8 + spec.arousal * 0.1
        if given is not None and given.energy is not None:
            energy = given.energy
        sections.append(
            Section(part.name, bar, part.bars, round(min(1.0, max(0.05, energy)), 3), tuple(chords), part.occurrence)
        )
        bar += part.bars
    # Compound meters already divide the beat in three: swinging their eighths would break the meter.
    swing = 0.0 if spec.meter in ("6/8", "9/8", "12/8") else GENRES[spec.genre].swing
    return Plan(float(spec.tempo_bpm), beats_per_bar, spec.tonic_pc, spec.mode, swing, tuple(sections))


def melody_window(low: int, high: int) -> tuple[int, int]:
    """A singable span (about an octave and a half) in the upper middle of an instrument's range."""
    width = min(high - low, 19)
    middle = (low + high) / 2 + 2
    bottom = round(max(low, min(middle - width / 2, high - width)))
    return bottom, bottom + width


@dataclass(frozen=True, slots=True)
class _Context:
    """What every part writer of one piece shares."""

    spec: MusicSpec
    plan: Plan
    writer: PartWriter | None
    end_beat: float
    alone: bool  # a single part: it plays every section
    comped: bool  # some part plays chords
    section_variants: tuple[int, ...]
    lead_floor: int | None  # the bottom of the tune's register: accompaniment stays about under it
    sung: tuple[tuple[float, float], ...] = ()  # spans where the voice has the tune and the lead rests


def _part_seed(spec: MusicSpec, part: PartSpec, index: int) -> int:
    labels: tuple[str | int, ...] = (part.role, index) + (("variant", part.variant) if part.variant else ())
    return derive_seed(spec.seed, *labels)


def _learned_accompaniment(part: PartSpec, context: _Context, low: int, high: int, seed: int) -> list[Note] | None:
    """The model's piano part, for a piano in a genre that plays pop-style piano; None leaves it to the rules."""
    learned = STYLES[part.style or context.spec.genre].learned_piano
    if context.writer is None or not learned or INSTRUMENTS[part.name].program not in _PIANOS:
        return None
    return context.writer.accompaniment(context.plan, context.spec, low, high, seed)


def _lead(part: PartSpec, index: int, context: _Context, seed: int) -> list[Note]:
    spec, plan = context.spec, context.plan
    style = style_for(part.style or spec.genre, spec.tempo_bpm)
    instrument = INSTRUMENTS[part.name]
    low, high = melody_window(instrument.low, instrument.high)
    looped = style.lead != "tune" and not spec.lyrics
    written = context.writer.melody(plan, spec, low, high, seed) if context.writer and not looped else None
    if looped:
        notes = write_loop(plan, spec.meter, style.lead, low, high, context.end_beat, rng_for(seed, "loop"))
    elif written is not None:
        notes = written
    else:
        resting = frozenset() if style.intro_melody or context.alone else frozenset({"intro"})
        notes = write_melody(
            plan,
            spec.meter,
            style.melody,
            low,
            high,
            context.end_beat,
            seed,
            style.leap,
            style.chromatic,
            resting,
            context.section_variants,
        )
    notes = [note for note in notes if not any(begin <= note.start < end for begin, end in context.sung)]
    left_low, left_high = max(instrument.low, 33), low - 1
    if context.comped or instrument.program not in _SELF_ACCOMPANYING or left_high - left_low < 14:
        return notes
    # Nobody comps and this instrument can: it plays its own accompaniment below the tune.
    left = _learned_accompaniment(part, context, left_low, left_high, derive_seed(seed, "left hand"))
    if left is None:
        left = write_comping(
            plan, spec.meter, style.left_hand, left_low, left_high, context.end_beat, rng_for(seed, "left hand")
        )
    return notes + [Note(n.start, n.duration, n.pitch, max(PITCHED_FLOOR, n.velocity - 14)) for n in left]


def _part_notes(part: PartSpec, index: int, context: _Context, lead: list[Note] | None) -> list[Note]:
    spec, plan = context.spec, context.plan
    style = style_for(part.style or spec.genre, spec.tempo_bpm)
    instrument = INSTRUMENTS[part.name]
    low, high = instrument.low, instrument.high
    seed = _part_seed(spec, part, index)
    rng = rng_for(seed, "lines")
    resting = frozenset() if context.alone else frozenset({"intro"})
    if part.role == "melody" and index == 0:
        return _lead(part, index, context, seed)
    if part.role == "melody":
        low, high = melody_window(low, high)
        if lead:
            return write_second_voice(plan, lead, low, high, context.end_beat, rng)
        return write_melody(
            plan, spec.meter, style.melody, low, high, context.end_beat, seed, style.leap, style.chromatic
        )
    if part.role == "chords":
        if context.lead_floor is not None and context.lead_floor + 7 - max(low, 48) >= 14:
            high = min(high, context.lead_floor + 7)  # chords under the tune, where there is room
        written = _learned_accompaniment(part, context, low, high, seed) if index == 0 else None
        if written is not None:
            return written
        pattern = style.comping if index == 0 else style.comping_alt
        return write_comping(plan, spec.meter, pattern, low, high, context.end_beat, rng)
    if part.role == "bass":
        return write_bass(plan, spec.meter, style.bass, low, high, context.end_beat, rng)
    if part.role == "pad":
        ceiling = context.lead_floor + 2 if context.lead_floor is not None else None
        return write_pad(plan, low, high, context.end_beat, rng, ceiling=ceiling)
    return write_counter(plan, low, high, context.end_beat, rng, resting=resting)


def push_points(spec: MusicSpec, plan: Plan) -> list[float]:
    """Bar lines where the band anticipates the chord change: some phrase starts inside the piece."""
    if not STYLES[spec.genre].pushes or spec.meter in ("6/8", "9/8", "12/8"):
        return []  # a sixteenth push would fall off the triplet grid of a compound meter
    points: list[float] = []
    for section in plan.sections:
        for bar in range(0, section.bars, 4):
            index = section.start_bar + bar
            if 0 < index < plan.total_bars - 1 and rng_for(spec.seed, "push", index).random() < 0.5:
                points.append(index * plan.beats_per_bar)
    return points


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
    # A piece with words is as long as the form its stanzas make (whole bars), whatever rounding the length had.
    end_beat = plan.total_bars * plan.beats_per_bar if spec.lyrics and not spec.form else length_beats(spec)
    vocal = write_sung(plan, spec, derive_seed(spec.seed, "vocals")) if spec.vocals else []
    variants = tuple(section.variant for section in spec.form) if spec.form else ()
    lead_part = next((part for part in spec.parts if part.role == "melody"), None)
    floor = melody_window(INSTRUMENTS[lead_part.name].low, INSTRUMENTS[lead_part.name].high)[0] if lead_part else None
    context = _Context(
        spec,
        plan,
        writer,
        end_beat,
        len(spec.parts) == 1,
        any(part.role == "chords" for part in spec.parts),
        variants,
        floor,
        tuple(sung_spans(vocal, plan)),
    )
    genre_style = STYLES[spec.genre]
    pushes = push_points(spec, plan)
    counts: Counter[str] = Counter()
    lead: list[Note] | None = None
    tracks: list[Track] = []
    for part in spec.parts:
        index = counts[part.role]
        counts[part.role] += 1
        instrument = INSTRUMENTS[part.name]
        notes = _part_notes(part, index, context, lead)
        if part.role == "melody" and index == 0:
            lead = [n for n in notes if n.pitch >= melody_window(instrument.low, instrument.high)[0]]
        if part.role in ("chords", "bass") and pushes:
            notes = anticipate(notes, pushes)
        performed = perform(
            notes,
            rng_for(_part_seed(spec, part, index), "performance"),
            swing=plan.swing,
            swing_unit=genre_style.swing_unit,
            floor=PITCHED_FLOOR,
            end_beat=end_beat,
        )
        performed = _ensure_heard(performed, plan, instrument.low, instrument.high, end_beat)
        mix = mix_for(genre_style, part.role, index)
        tracks.append(
            Track(
                part.name,
                instrument.program,
                part.role,
                performed,
                volume=mix.volume,
                pan=mix.pan,
                reverb=mix.reverb,
                chorus=mix.chorus,
            )
        )
    if spec.vocals:
        mix = mix_for(genre_style, "melody", 0)
        tracks.append(
            Track(
                VOCAL_TRACK,
                VOCAL_PROGRAM,
                "melody",
                vocal,
                volume=min(127, mix.volume + 10),
                pan=64,
                reverb=max(mix.reverb, 50),
            )
        )
    if spec.drums:
        groove = style_for(spec.drum_style or spec.genre, spec.tempo_bpm).drums
        notes = write_drums(plan, spec.meter, groove, spec.drum_density, rng_for(spec.seed, "drums"))
        performed = perform(
            notes,
            rng_for(spec.seed, "drums", "performance"),
            swing=plan.swing,
            swing_unit=genre_style.swing_unit,
            timing=0.004,
            velocity=5.0,
            end_beat=end_beat,
        )
        mix = mix_for(genre_style, "drums", 0)
        tracks.append(
            Track(
                "drums",
                DRUM_KITS[spec.drum_kit],
                "drums",
                _dedupe(performed),
                is_drum=True,
                bank=128,
                volume=mix.volume,
                pan=mix.pan,
                reverb=mix.reverb,
                chorus=mix.chorus,
            )
        )
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
