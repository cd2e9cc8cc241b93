"""The tune as the lead of a new piece: its form, its chords (harmonised or the file's own), its place in the
key and register, and the part writer that hands it to the composer."""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.compose.melody import write_melody
from engine.compose.styles import STYLES
from engine.compose.theory import rng_for
from engine.partwriter import PartWriter
from engine.plan import Chord, Plan, Section
from engine.score import Note
from engine.spec import DURATION_RANGE, PITCH_CLASS, MusicSpec, SectionSpec
from engine.tune.harmonise import harmonise
from engine.tune.tune import Tune, TuneNote

INTRO_BARS = 2
MAX_OUTRO_BARS = 8  # a longer remainder than this takes another statement of the tune
TUNE_VELOCITY = 92
_MINOR_LIKE = frozenset({"minor", "dorian", "phrygian", "locrian"})


def statements_for(tune: Tune, total_bars: int | None) -> int:
    """How many times the tune is played: twice by default, as often as fits a requested length."""
    if total_bars is None:
        return 2
    return max(1, min(16, round((total_bars - INTRO_BARS - MAX_OUTRO_BARS / 2) / tune.bars)))


def tune_form(tune: Tune, total_bars: int | None) -> tuple[SectionSpec, ...]:
    """Intro, the tune as a verse then a chorus (as often as fits), and an ending bar or few."""
    statements = statements_for(tune, total_bars)
    body = INTRO_BARS + statements * tune.bars
    outro = 2 if total_bars is None else min(MAX_OUTRO_BARS, max(1, total_bars - body))
    sections = [SectionSpec(name="intro", bars=INTRO_BARS)]
    sections += [SectionSpec(name="verse" if number % 2 == 0 else "chorus", bars=tune.bars, tune=True)
                 for number in range(statements)]  # fmt: skip
    sections.append(SectionSpec(name="outro", bars=outro))
    return tuple(sections)


def _shift_to(spec: MusicSpec, tune: Tune) -> int:
    """Semitones from the tune's key to the spec's, the smaller way round."""
    shift = (spec.tonic_pc - PITCH_CLASS[tune.key]) % 12
    return shift - 12 if shift > 6 else shift


def _mode_map(tune: Tune, spec: MusicSpec) -> dict[int, int]:
    """Pitch-class steps (above the spec's tonic) that move when a major tune is asked in minor, or back."""
    tune_minor, spec_minor = tune.mode in _MINOR_LIKE, spec.mode in _MINOR_LIKE
    if tune_minor == spec_minor:
        return {}
    return {4: 3, 9: 8, 11: 10} if spec_minor else {3: 4, 8: 9, 10: 11}


def tune_in_key(tune: Tune, spec: MusicSpec) -> list[TuneNote]:
    """The tune's notes moved to the spec's key and mode (degrees kept: a major tune asked in minor
    takes the minor third, sixth and seventh)."""
    shift, moves = _shift_to(spec, tune), _mode_map(tune, spec)
    notes = []
    for start, length, pitch in rebarred(tune, spec.beats_per_bar):
        moved = pitch + shift
        step = (moved - spec.tonic_pc) % 12
        notes.append((start, length, moved + moves.get(step, step) - step))
    return notes


def rebarred(tune: Tune, beats_per_bar: float) -> list[TuneNote]:
    """The tune's notes in bars of another length ("make it a waltz"): each bar squeezed or stretched to
    the new one, on an eighth grid, so every note keeps its bar and its place in it."""
    top, bottom = (int(n) for n in tune.meter.split("/"))
    own = top * 4 / bottom
    if own == beats_per_bar:
        return list(tune.notes)
    factor = beats_per_bar / own
    notes: list[TuneNote] = []
    for start, length, pitch in tune.notes:
        moved = round(start * factor * 2) / 2
        if notes and moved <= notes[-1][0]:
            continue  # two notes squeezed onto one eighth: the first keeps it
        notes.append((moved, max(0.5, round(length * factor * 2) / 2), pitch))
    return [(s, min(d, notes[i + 1][0] - s) if i + 1 < len(notes) else d, p) for i, (s, d, p) in enumerate(notes)]


def into_window(notes: list[TuneNote], low: int, high: int) -> list[TuneNote]:
    """The tune moved by octaves so its middle sits in the middle of [low, high]."""
    pitches = sorted(p for _, _, p in notes)
    middle = pitches[len(pitches) // 2]
    octaves = round(((low + high) / 2 - middle) / 12)
    return [(s, d, p + 12 * octaves) for s, d, p in notes]


def tune_chords(spec: MusicSpec, tune: Tune, take: int = 0) -> list[tuple[float, float, int, str]]:
    """The chords under one statement of the tune: the file's own (moved with the tune) or harmonised;
    a new take (a section regenerated) harmonises it afresh."""
    if tune.chords and not _mode_map(tune, spec) and take == 0 and spec.meter == tune.meter:
        shift = _shift_to(spec, tune)
        return [(s, d, (root + shift) % 12, q) for s, d, root, q in tune.chords]
    variety = rng_for(spec.seed, "reharmonise", take) if take else None
    return harmonise(tune_in_key(tune, spec), tune.bars, spec.beats_per_bar, spec.tonic_pc, spec.mode, variety)


def tune_plan(spec: MusicSpec, plan: Plan) -> Plan:
    """The composer's plan with the tune's chords under every section that plays the tune."""
    assert spec.tune is not None
    sections = []
    for number, section in enumerate(plan.sections):
        if number < len(spec.form) and spec.form[number].tune:
            statement = tune_chords(spec, spec.tune, spec.form[number].variant)
            origin = section.start_bar * plan.beats_per_bar
            limit = origin + section.bars * plan.beats_per_bar
            chords = tuple(Chord(root, quality, origin + start, min(length, limit - origin - start))
                           for start, length, root, quality in statement if origin + start < limit)  # fmt: skip
            section = replace(section, chords=chords)
        sections.append(section)
    return replace(plan, sections=tuple(sections))


def tune_sections(spec: MusicSpec, plan: Plan) -> list[Section]:
    """The plan's sections that play the tune."""
    return [s for n, s in enumerate(plan.sections) if n < len(spec.form) and spec.form[n].tune]


@dataclass(slots=True)
class TuneWriter:
    """A part writer whose melody is the user's tune where the form plays it, the composer's elsewhere."""

    inner: PartWriter | None
    name: str = "tune"

    def melody(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """The tune at each of its sections (in key, in the lead's register), a written melody around it."""
        assert spec.tune is not None
        placed = into_window(tune_in_key(spec.tune, spec), low, high)
        playing = tune_sections(spec, plan)
        notes: list[Note] = []
        for section in playing:
            origin = section.start_bar * plan.beats_per_bar
            limit = origin + section.bars * plan.beats_per_bar
            notes += [Note(origin + s, min(d, limit - origin - s), p, TUNE_VELOCITY)
                      for s, d, p in placed if origin + s < limit]  # fmt: skip
        if len(playing) < len(plan.sections):
            notes += self._around(plan, spec, low, high, seed, playing)
        return sorted(notes, key=lambda n: n.start)

    def _around(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int,
                playing: list[Section]) -> list[Note]:  # fmt: skip
        """The rules' melody for the sections without the tune (the intro rests, as a singer would); the
        model would write the whole piece only to have most of it replaced by the tune."""
        style = STYLES[spec.genre]
        end = plan.total_bars * plan.beats_per_bar
        written = write_melody(plan, spec.meter, style.melody, low, high, end, seed, style.leap, style.chromatic)
        taken = [(s.start_bar * plan.beats_per_bar, (s.start_bar + s.bars) * plan.beats_per_bar)
                 for s in (*playing, *(s for s in plan.sections if s.name == "intro"))]  # fmt: skip
        return [n for n in written if not any(a <= n.start < b for a, b in taken)]

    def accompaniment(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """The inner writer's accompaniment (the rules' when there is none)."""
        return self.inner.accompaniment(plan, spec, low, high, seed) if self.inner is not None else None


def with_tune(spec: MusicSpec, tune: Tune, asked: frozenset[str] = frozenset()) -> MusicSpec:
    """The spec rebuilt around the tune: its tempo, key and meter unless `asked` names them
    ("tempo_bpm", "key", "duration_s"), a form that plays it, sectioned so later edits stay local."""
    tempo = spec.tempo_bpm if "tempo_bpm" in asked else tune.tempo_bpm
    key, mode = (spec.key, spec.mode) if "key" in asked else (tune.key, tune.mode)
    probe = spec.model_copy(update={"meter": tune.meter, "tempo_bpm": tempo})
    seconds_per_bar = probe.beats_per_bar * 60.0 / tempo
    wanted = round(spec.duration_s / seconds_per_bar) if "duration_s" in asked else None
    if wanted is None and (INTRO_BARS + 2 * tune.bars + 2) * seconds_per_bar > DURATION_RANGE[1]:
        wanted = int(DURATION_RANGE[1] / seconds_per_bar)
    if wanted is None and (INTRO_BARS + 2 * tune.bars + 2) * seconds_per_bar < 20.0:
        wanted = round(20.0 / seconds_per_bar)  # a very short hum still makes a piece worth hearing
    form = tune_form(tune, wanted)
    bars = sum(section.bars for section in form)
    duration = min(DURATION_RANGE[1], max(DURATION_RANGE[0], bars * seconds_per_bar))
    return spec.replace(tune=tune, tempo_bpm=tempo, key=key, mode=mode, meter=tune.meter, form=form,
                        duration_s=duration, sectioned=True)  # fmt: skip
