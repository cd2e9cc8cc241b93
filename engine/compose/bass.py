"""Bass lines: pattern grids per style (root-fifth, octave disco, one drop, tumbao…) plus walking and 808.

Bass symbols: '1' root, '3' third, '5' fifth, '6' major sixth, '7' the chord's seventh (flat seventh
if it has none), '8' octave, 'l' the fifth below, 'n' the next chord's root (an anticipation),
'a' a chromatic approach to the next chord's root.
"""

from __future__ import annotations

import random

from engine.compose.grid import Hit, bar_slice, chord_at, generic_grid, next_chord, parse_grid, pick, step_beats
from engine.compose.theory import bar_steps, nearest_with_pc
from engine.plan import Chord, Plan
from engine.score import Note

BASS_STYLES: dict[str, dict[str, tuple[str, ...]]] = {
    "root": {
        "4/4": ("1---------------", "1-------1-------", "1-------1---5---"),
        "3/4": ("1-----------", "1-------5---"),
        "2/4": ("1-------", "1---5---"),
    },
    "pop8": {"4/4": ("1-------1-------", "1---1---1---5---", "1-1-1-1-1-1-1-1-")},
    "rock8": {"4/4": ("1-------1-------", "1-1-1-1-1-1-1-1-")},
    "punk": {"4/4": ("1-1-1-1-1-1-1-1-",)},
    "metal": {"4/4": ("1-1-1-1-1-1-1-1-", "1-11-11-1-11-1-1")},
    "boogie": {
        "4/4": ("1---5---6---5---", "1-3-5-6-7-6-5-3-"),
        "12/8": ("1-----1-----1-----1-----", "1-----1---5-1-----1---5-"),
    },
    "funk": {"4/4": ("1-----1-....5---", "1---.11-8---.15-", "1-.1-.8-1-.15-7-")},
    "soul": {"4/4": ("1-------5-------", "1-----1-5---8-7-")},
    "gospel": {"4/4": ("1-------5-------", "1---5---1---a---")},
    "boombap": {"4/4": ("1-------........", "1-----..1-......", "1-----.11-....5-")},
    "lofi": {"4/4": ("1---------------", "1-------5-------", "1-----5-..1-....")},
    "edm": {"4/4": ("1---------------", "1-------1-------", "..1-..1-..1-..1-", "1-1-1-1-1-1-1-1-")},
    "house": {"4/4": ("1---------------", "..1-..1-..1-..1-", "..1-..1-..1-..8-")},
    "techno": {"4/4": ("1---------------", "..1-..1-..1-..1-", "..1-.11-..1-.11-")},
    "dnb": {"4/4": ("1---------------", "1-------....1---", "1-----..1-....5-")},
    "synth8": {"4/4": ("1-------1-------", "1-1-1-1-1-1-1-1-", "1-1-8-1-1-1-8-1-")},
    "chip": {"4/4": ("1-------1-------", "1-8-1-8-1-8-1-8-")},
    "vapor": {"4/4": ("1---------------", "1-------5-------", "1-----1-..5-....")},
    "sustain": {"4/4": ("1---------------",), "3/4": ("1-----------",), "2/4": ("1-------",), "6/8": ("1-----------",)},
    "cinematic": {
        "4/4": ("1---------------", "1-------1-------", "1-1-1-1-1-1-1-1-"),
        "3/4": ("1-----------", "1---1---1---"),
    },
    "classical": {
        "4/4": ("1-------5-------", "1---5---8---5---"),
        "3/4": ("1-----------", "1---5---5---"),
        "2/4": ("1-------", "1---5---"),
    },
    "baroque": {"4/4": ("1---5---8---5---", "1-5-8-5-1-5-8-5-"), "3/4": ("1---5---8---",), "2/4": ("1-5-8-5-",)},
    "root_fifth": {
        "4/4": ("1-------5-------", "1---5---1---5---"),
        "3/4": ("1-----------",),
        "2/4": ("1---5---",),
        "6/8": ("1-----5-----",),
    },
    "country": {"4/4": ("1-------5-------", "1-------5---a---")},
    "celtic": {"6/8": ("1-----------", "1-----5-----", "1---5-1---5-"), "4/4": ("1-------5-------",)},
    "one_drop": {"4/4": ("1-------5-------", "1-----5-1---....", "1--1..5-..8-5-3-")},
    "tumbao": {"4/4": ("1-------5-------", "......5-----n---")},
    "bossa": {"4/4": ("1-------5-------", "1-----5-5-----n-")},
    "tango": {"2/4": ("1---5---", "1--15-5-"), "4/4": ("1---5---1---5---",)},
    "octave": {"4/4": ("1---8---1---8---", "1-8-1-8-1-8-1-8-")},
    "march": {"2/4": ("1---5---",), "4/4": ("1---5---1---5---",)},
    "waltz": {"3/4": ("1-----------", "1---........5---........")},
}


def bass_register(low: int, high: int) -> tuple[int, int]:
    """The working window of a bass instrument: its bottom octave and a half."""
    return low, min(high, low + 19)


def _root_pitch(pc: int, low: int, high: int, previous: int | None) -> int:
    # Stay near the last note but below the window's middle so the bass keeps its weight.
    target = previous if previous is not None else low + 7
    target = min(target, low + 11)
    return nearest_with_pc(pc, target, low, high)


def _degree_pitch(symbol: str, chord: Chord, root: int, following: Chord, high: int) -> int:
    steps = [(pc - chord.root) % 12 for pc in chord.pitch_classes]
    third = next((s for s in steps if s in (3, 4)), 4)
    seventh = next((s for s in steps if s in (10, 11, 9)), 10)
    offsets = {"1": 0, "3": third, "5": 7, "6": 9, "7": seventh, "8": 12, "l": -5}
    if symbol in offsets:
        pitch = root + offsets[symbol]
        return pitch - 12 if pitch > high else pitch
    target = nearest_with_pc(following.root, root, root - 7, root + 7)
    if symbol == "n":
        return target
    return target - 1 if target > root else target + 1  # 'a': a half step from the side we come from


def _pattern_bass(
    plan: Plan, meter: str, style: str, low: int, high: int, end_beat: float, rng: random.Random
) -> list[Note]:
    grids = BASS_STYLES[style]
    chords = plan.chords
    notes: list[Note] = []
    previous: int | None = None
    final_bar = plan.total_bars - 1
    for section in plan.sections:
        velocity = 70 + 40 * section.energy
        for bar in range(section.bars):
            index = section.start_bar + bar
            start = index * plan.beats_per_bar
            if index == final_bar:
                chord = chord_at(chords, start)
                root = _root_pitch(chord.root, low, high, previous)
                notes.append(Note(start, end_beat - start, root, round(velocity)))
                break
            if section.name == "build" and index + 1 < final_bar:
                # A build rides a tonic pedal in eighths: the tension is in the harmony above it.
                tonic = _root_pitch(plan.tonic_pc, low, high, previous)
                notes += [
                    Note(start + step / 2, 0.45, tonic, round(velocity - 6 + 12 * step / 8))
                    for step in range(int(plan.beats_per_bar * 2))
                ]
                continue
            options = grids.get(meter)
            grid = bar_slice(pick(options, section.energy), meter, index) if options else _generic(meter)
            hits = parse_grid(grid[: bar_steps(meter)])
            if bar % 4 == 3 and index + 1 < final_bar and rng.random() < 0.7:
                hits = _fill(hits, bar_steps(meter))
            for hit in hits:
                onset = start + step_beats(hit.step)
                chord = chord_at(chords, onset)
                root = _root_pitch(chord.bass if chord.bass is not None else chord.root, low, high, previous)
                pitch = _degree_pitch(hit.symbol, chord, root, next_chord(chords, chord), high)
                length = min(step_beats(hit.length), chord.start + chord.duration - onset)
                if hit.symbol in "na":
                    length = step_beats(hit.length)
                accent = 8 if hit.step == 0 else 0
                notes.append(
                    Note(
                        onset,
                        max(0.1, length * 0.92),
                        max(low, min(high, pitch)),
                        round(velocity + accent + rng.uniform(-4, 4)),
                    )
                )
                previous = root
    return notes


def _generic(meter: str) -> str:
    """Roots on the beat groups of a meter no style spells out, the fifth on the last group (a turn home)."""
    grid = list(generic_grid(meter, "block").replace("x", "1"))
    onsets = [step for step, symbol in enumerate(grid) if symbol == "1"]
    if len(onsets) >= 3:
        grid[onsets[-1]] = "5"
    return "".join(grid)


def _fill(hits: list[Hit], steps: int) -> list[Hit]:
    """The end of a phrase: the last beat becomes a little run (fifth, third, a step into the next chord)."""
    beat = steps - 4
    kept = [Hit(h.step, h.symbol, min(h.length, beat - h.step)) for h in hits if h.step < beat]
    return [*kept, Hit(beat, "5", 1), Hit(beat + 1, "3", 1), Hit(beat + 2, "a", 2)]


def _walking_bass(plan: Plan, low: int, high: int, end_beat: float, rng: random.Random) -> list[Note]:
    """Quarter notes: the root on the chord's first beat, chord and scale tones, a chromatic approach last."""
    chords = plan.chords
    notes: list[Note] = []
    previous = low + 7
    final_start = (plan.total_bars - 1) * plan.beats_per_bar
    for chord in chords:
        if chord.start >= final_start:
            root = _root_pitch(chord.root, low, high, previous)
            notes.append(Note(chord.start, end_beat - chord.start, root, 92))
            break
        beats = max(1, round(chord.duration))
        following = next_chord(chords, chord)
        root = _root_pitch(chord.root, low, high, previous)
        line = [root]
        tones = sorted({nearest_with_pc(pc, root + 5, low, high) for pc in chord.pitch_classes})
        for beat in range(1, beats):
            if beat == beats - 1:
                target = nearest_with_pc(following.root, line[-1], low, high)
                line.append(target - 1 if rng.random() < 0.6 else target + 1)
            else:
                choices = [t for t in tones if t != line[-1]] or tones
                line.append(min(choices, key=lambda t: abs(t - line[-1]) + rng.random() * 4))
        energy = _energy_at(plan, chord.start)
        for beat, pitch in enumerate(line):
            velocity = 78 + 30 * energy + (6 if beat == 0 else 0) + rng.uniform(-4, 4)
            notes.append(Note(chord.start + beat, 0.9, max(low, min(high, pitch)), round(velocity)))
        previous = line[-1]
    return notes


def _energy_at(plan: Plan, beat: float) -> float:
    bar = int(beat // plan.beats_per_bar)
    for section in plan.sections:
        if section.start_bar <= bar < section.start_bar + section.bars:
            return section.energy
    return plan.sections[-1].energy


def _eight_oh_eight(plan: Plan, meter: str, low: int, high: int, end_beat: float, rng: random.Random) -> list[Note]:
    """Long 808 notes on the kick's rhythm with slides: a quick run of notes gliding into each new root."""
    notes = _pattern_bass(plan, meter, "dnb", low, high, end_beat, rng)
    glided: list[Note] = []
    for index, note in enumerate(notes):
        glided.append(note)
        following = notes[index + 1] if index + 1 < len(notes) else None
        if following is None or following.pitch == note.pitch or note.duration < 1.0 or rng.random() < 0.4:
            continue
        # Without pitch bend in the score, a slide is two fast chromatic steps ending on the new root.
        slide_start = following.start - 0.25
        direction = 1 if following.pitch > note.pitch else -1
        glided[-1] = Note(note.start, max(0.1, slide_start - note.start), note.pitch, note.velocity)
        for offset, step in ((0.0, 2), (0.125, 1)):
            pitch = max(low, min(high, following.pitch - direction * step))
            glided.append(Note(slide_start + offset, 0.125, pitch, max(40, note.velocity - 10)))
    return glided


def write_bass(
    plan: Plan, meter: str, style: str, low: int, high: int, end_beat: float, rng: random.Random
) -> list[Note]:
    """The bass part in the named style inside the instrument's bass window."""
    window_low, window_high = bass_register(low, high)
    if style == "walking" and plan.beats_per_bar in (2.0, 3.0, 4.0):
        return _walking_bass(plan, window_low, window_high, end_beat, rng)
    if style == "808":
        return _eight_oh_eight(plan, meter, window_low, window_high, end_beat, rng)
    if style == "walking":
        style = "root_fifth"
    return _pattern_bass(plan, meter, style, window_low, window_high, end_beat, rng)
