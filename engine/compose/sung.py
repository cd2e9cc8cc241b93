"""The sung line: the song form laid out from the words, and a tune set to them one note per syllable.

Each lyric line is a phrase of 2, 4 or 8 bars (prosody.line_rhythm places the syllables); pitches
walk by step in an arch, land on chord tones on the beats and close the phrase on an open chord tone
(a call) or on the tonic (the answer). A line sung again is sung to the same tune; a long last note
may turn into a two-note melisma. Without words the voice sings a vocalise on the rules' melody.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from engine.compose.form import FormSection, explicit_form
from engine.compose.grid import chord_at
from engine.compose.melody import write_melody
from engine.compose.prosody import line_bars, line_rhythm
from engine.compose.styles import STYLES
from engine.compose.theory import rng_for, scale_pcs, scale_pitches
from engine.instruments import INSTRUMENTS
from engine.lyrics.words import VOCALISE_LONG, VOCALISE_SHORT, LyricLine, LyricSection, read_lyrics
from engine.plan import Chord, Plan
from engine.score import Note
from engine.spec import VOICES, MusicSpec

VOCAL_TRACK, VOCAL_PROGRAM = "vocals", 53  # the contract with the singer: a melody track named "vocals"
INTRO_BARS, OUTRO_BARS = 2, 2
MAX_SOLO_BARS = 16
BREATH_BEATS = 0.5
# Where each kind of section sits in the voice (scale steps above the middle of its range).
_REGISTER = {"verse": -1, "pre-chorus": 1, "chorus": 2, "bridge": 1}
_ARCH = {"verse": 2, "pre-chorus": 2, "chorus": 3, "bridge": 3}
MELISMA_CHANCE = 0.45
_INSTRUMENTAL = frozenset({"intro", "outro", "solo", "breakdown", "drop"})  # sections sung over only by the band


@dataclass(frozen=True, slots=True)
class Block:
    """One section of a sung piece's form: its name, bars, and the words sung in it (None: instrumental)."""

    name: str
    bars: int
    words: LyricSection | None
    line_bars: int


def voice_for(spec: MusicSpec) -> str:
    """The voice that sings: the spec's, else the one whose register suits the lead instrument's tune."""
    if spec.voice:
        return spec.voice
    lead = next((part for part in spec.parts if part.role == "melody"), None)
    if lead is None:
        return "female"
    instrument = INSTRUMENTS[lead.name]
    middle = (instrument.low + instrument.high) / 2 + 2  # where arrange.melody_window centres the tune
    return min(VOICES, key=lambda name: abs(sum(VOICES[name]) / 2 - middle))


def vocal_range(spec: MusicSpec) -> tuple[int, int]:
    """The sung range: the voice's register moved by 'sing it higher/lower'."""
    low, high = VOICES[voice_for(spec)]
    return low + spec.vocal_shift, high + spec.vocal_shift


def layout(spec: MusicSpec) -> list[Block]:
    """The form of a piece with words: intro, one section per lyric stanza, a solo if time is left, outro."""
    if not spec.lyrics:
        return []
    lyrics = read_lyrics(spec.lyrics, spec.language)
    if spec.form:
        return fitted_layout(spec, lyrics.sections)
    blocks = [Block("intro", INTRO_BARS, None, 0)]
    for section in lyrics.sections:
        bars = max(line_bars(len(line.syllables), spec.meter, spec.tempo_bpm) for line in section.lines)
        blocks.append(Block(section.name, bars * len(section.lines), section, bars))
    asked = round(spec.duration_s * spec.tempo_bpm / 60.0 / spec.beats_per_bar)
    spare = asked - sum(block.bars for block in blocks) - OUTRO_BARS
    if spare >= 4 and len(blocks) > 2:
        solo = min(MAX_SOLO_BARS, spare - spare % 4)
        blocks.insert(len(blocks) - 1, Block("solo", solo, None, 0))
        spare -= solo
    blocks.append(Block("outro", OUTRO_BARS + max(0, spare), None, 0))
    return blocks


def fitted_layout(spec: MusicSpec, stanzas: tuple[LyricSection, ...]) -> list[Block]:
    """Words sung over a form given by hand (a jam's): stanzas in order, one per section that isn't an ending.

    A stanza's lines share the section's bars evenly (1, 2, 4 or 8 bars a line); stanzas beyond the
    sections are left unsung, which `unsung_stanzas` reports.
    """
    waiting = list(stanzas)
    blocks: list[Block] = []
    for section in spec.form:
        words = waiting.pop(0) if waiting and section.name not in _INSTRUMENTAL else None
        if words is not None:
            fits = [bars for bars in (8, 4, 2, 1) if bars * len(words.lines) <= section.bars]
            if not fits:
                waiting.insert(0, words)
                words = None
        blocks.append(Block(section.name, section.bars, words, fits[0] if words is not None else 0))
    return blocks


def unsung_stanzas(spec: MusicSpec) -> int:
    """How many stanzas of the words find no section to be sung in (only a hand-made form can leave some)."""
    if not spec.lyrics:
        return 0
    sung = sum(1 for block in layout(spec) if block.words is not None)
    return len(read_lyrics(spec.lyrics, spec.language).sections) - sung


def words_form(spec: MusicSpec) -> list[FormSection]:
    """The song form that follows the words (empty when the piece has none)."""
    return explicit_form([(block.name, block.bars) for block in layout(spec)])


def sung_length_s(spec: MusicSpec) -> float:
    """Seconds the words need at the spec's tempo and meter, intro and ending included."""
    bars = sum(block.bars for block in layout(spec.replace(duration_s=5.0)))
    return bars * spec.beats_per_bar * 60.0 / spec.tempo_bpm


def _syllable_text(line: LyricLine, index: int) -> str:
    syllable = line.syllables[index]
    if index == len(line.syllables) - 1:
        return syllable.text + "\n"
    return syllable.text + (" " if syllable.word_end else "")


def _goal(chord: Chord, tonic_pc: int, answer: bool) -> tuple[int, ...]:
    """A call ends open on a chord tone other than the tonic; an answer comes home."""
    if answer and tonic_pc in chord.pitch_classes:
        return (tonic_pc,)
    open_tones = tuple(pc for pc in chord.pitch_classes[1:3] if pc != tonic_pc)
    return open_tones or chord.pitch_classes


def _nearest(scale: list[int], target: float, pcs: tuple[int, ...] | None = None) -> int:
    pool = [i for i, p in enumerate(scale) if pcs is None or p % 12 in pcs] or list(range(len(scale)))
    return min(pool, key=lambda i: (abs(scale[i] - target), scale[i]))


def set_line(
    line: LyricLine,
    start: float,
    bars: int,
    plan: Plan,
    meter: str,
    scale: list[int],
    centre: float,
    arch: int,
    answer: bool,
    pickup: bool,
    rng: random.Random,
    velocity: int,
) -> list[Note]:
    """The notes of one sung line starting at beat `start`: one per syllable, a melisma at most at the end."""
    stresses = tuple(s.stress for s in line.syllables)
    word_ends = tuple(s.word_end for s in line.syllables)
    onsets = [start + t for t in line_rhythm(stresses, word_ends, bars, meter, pickup)]
    end = start + bars * plan.beats_per_bar - BREATH_BEATS
    count = len(onsets)
    index = _nearest(scale, centre, chord_at(plan.chords, onsets[0]).pitch_classes)
    pitches: list[int] = []
    for k, onset in enumerate(onsets):
        chord = chord_at(plan.chords, onset)
        if k == count - 1:
            index = _nearest(scale, scale[index], _goal(chord, plan.tonic_pc, answer))
        elif k > 0:
            shape = centre + arch * 1.7 * math.sin(math.pi * k / max(1, count - 1))
            step = max(-2, min(2, _nearest(scale, shape) - index))
            if step == 0 or rng.random() < 0.3:
                step += rng.choice([-1, 1, 0])
            index = max(0, min(len(scale) - 1, index + step))
            if stresses[k] or (onset - start) % 1 == 0:
                index = _nearest(scale, scale[index], chord.pitch_classes)
        pitches.append(scale[index])
    notes: list[Note] = []
    for k, (onset, pitch) in enumerate(zip(onsets, pitches, strict=True)):
        accent = 8 if stresses[k] else 0
        if k < count - 1:
            gap = 0.05 if not word_ends[k] else 0.12
            notes.append(
                Note(onset, max(0.2, onsets[k + 1] - onset - gap), pitch, velocity + accent, _syllable_text(line, k))
            )
            continue
        hold = max(0.5, end - onset)
        if hold >= 2.0 and rng.random() < MELISMA_CHANCE:
            above = scale[min(len(scale) - 1, scale.index(pitch) + 1)]
            notes.append(Note(onset, hold / 2 - 0.05, above, velocity + accent, _syllable_text(line, k)))
            notes.append(Note(onset + hold / 2, hold / 2, pitch, velocity))
        else:
            notes.append(Note(onset, hold, pitch, velocity + accent, _syllable_text(line, k)))
    return notes


def write_sung(plan: Plan, spec: MusicSpec, seed: int) -> list[Note]:
    """The vocal line: the words set to a tune over the plan, or a vocalise on the melody when there are none."""
    low, high = vocal_range(spec)
    if not spec.lyrics:
        return vocalise(plan, spec, low, high, seed)
    scale = scale_pitches(scale_pcs(plan.tonic_pc, plan.mode), low, high)
    middle = (low + high) / 2
    tunes: dict[str, list[Note]] = {}  # a line sung again keeps its tune: notes relative to its start
    notes: list[Note] = []
    bar = 0
    for block, section in zip(layout(spec), plan.sections, strict=False):
        if block.words is not None:
            velocity = round(70 + 30 * section.energy)
            for number, line in enumerate(block.words.lines):
                start = (bar + number * block.line_bars) * plan.beats_per_bar
                if line.key not in tunes:
                    centre = middle + _REGISTER.get(block.name, 0) * 1.7
                    rng = rng_for(seed, "sung line", line.key)
                    written = set_line(
                        line,
                        start,
                        block.line_bars,
                        plan,
                        spec.meter,
                        scale,
                        centre,
                        _ARCH.get(block.name, 2),
                        number % 2 == 1,
                        start > 0,
                        rng,
                        velocity,
                    )
                    tunes[line.key] = [Note(n.start - start, n.duration, n.pitch, n.velocity, n.lyric) for n in written]
                notes += [Note(n.start + start, n.duration, n.pitch, n.velocity, n.lyric) for n in tunes[line.key]]
        bar += block.bars
    return _no_overlaps(notes)


def _no_overlaps(notes: list[Note]) -> list[Note]:
    """A pickup into the next line cuts the note before it short: one voice sings one note at a time."""
    notes = sorted(notes, key=lambda n: n.start)
    out: list[Note] = []
    for index, note in enumerate(notes):
        following = notes[index + 1].start if index + 1 < len(notes) else None
        if following is not None and note.start + note.duration > following - 0.05:
            note = Note(note.start, max(0.1, following - 0.05 - note.start), note.pitch, note.velocity, note.lyric)
        out.append(note)
    return out


def vocalise(plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note]:
    """Wordless singing: the rules' melody in the voice's range, "ooh" on long notes and "la" on short ones."""
    style = STYLES[spec.genre]
    end_beat = plan.total_bars * plan.beats_per_bar
    tune = write_melody(
        plan, spec.meter, style.melody, low, high, end_beat, seed, style.leap, 0.0, frozenset({"intro", "outro"})
    )
    sung: list[Note] = []
    for index, note in enumerate(tune):
        following = tune[index + 1].start if index + 1 < len(tune) else math.inf
        phrase_end = following - (note.start + note.duration) >= 0.9
        syllable = VOCALISE_LONG if note.duration >= 0.9 else VOCALISE_SHORT
        sung.append(
            Note(note.start, note.duration, note.pitch, note.velocity, syllable + ("\n" if phrase_end else " "))
        )
    return sung


def sung_spans(notes: list[Note], plan: Plan) -> list[tuple[float, float]]:
    """The (start, end) beats of every section the voice sings in, where the lead instrument leaves it the tune."""
    spans: list[tuple[float, float]] = []
    for section in plan.sections:
        begin = section.start_bar * plan.beats_per_bar
        end = begin + section.bars * plan.beats_per_bar
        if any(begin <= note.start < end for note in notes):
            spans.append((begin, end))
    return spans
