"""Drums: per-style layered grids (backbeat, four-on-the-floor, one drop, bossa…), fills, builds, rolls.

Each layer plays one kit piece while the section's energy lies in [low, high): quiet sections keep
the time with a few pieces, loud ones add the rest. Symbols: 'X' accent, 'x' normal, 'o' ghost.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine import instruments as kit
from engine.compose.grid import bar_slice, parse_grid, step_beats
from engine.plan import Plan, Section
from engine.score import Note

PIECES: dict[str, int] = {
    "kick": kit.KICK, "snare": kit.SNARE, "clap": kit.CLAP, "rim": kit.SIDE_STICK, "hat": kit.CLOSED_HAT,
    "open": kit.OPEN_HAT, "pedal": kit.PEDAL_HAT, "ride": kit.RIDE, "bell": kit.RIDE_BELL, "crash": kit.CRASH,
    "tamb": kit.TAMBOURINE, "cow": kit.COWBELL, "shaker": kit.SHAKER, "clave": kit.CLAVES,
    "conga_hi": kit.CONGA_HIGH, "conga_lo": kit.CONGA_LOW, "bongo": kit.BONGO_HIGH, "tom_lo": kit.LOW_TOM,
    "tom_mid": kit.MID_TOM, "tom_hi": kit.HIGH_TOM,
}  # fmt: skip
_VELOCITY = {"X": 112, "x": 90, "o": 50}
ALWAYS = 2.0  # an upper energy bound no section reaches

Layer = tuple[str, str, float, float]  # piece, grid, lowest energy, highest energy (exclusive)


@dataclass(frozen=True, slots=True)
class DrumStyle:
    """A style's drum layers per meter, its time-keeping piece and whether hi-hats roll (trap)."""

    layers: dict[str, tuple[Layer, ...]]
    keeper: str = "hat"
    rolls: bool = False


_GENERIC_GRIDS: dict[str, tuple[str, str, str]] = {
    "2/4": ("X.......", "....X...", "x.x.x.x."),
    "3/4": ("X...........", "....x...x...", "x.x.x.x.x.x."),
    "4/4": ("X.......X.......", "....X.......X...", "x.x.x.x.x.x.x.x."),
    "5/4": ("X...........x.......", "........X.......X...", "x.x.x.x.x.x.x.x.x.x."),
    "6/8": ("X...........", "......X.....", "x.x.x.x.x.x."),
    "7/8": ("X.......x.....", "....X.....x...", "x.x.x.x.x.x.x."),
    "9/8": ("X...........x.....", "......X...........", "x.x.x.x.x.x.x.x.x."),
    "12/8": ("X...........X...........", "......X...........X.....", "x.x.x.x.x.x.x.x.x.x.x.x."),
}


def generic_layers(meter: str, keeper: str) -> tuple[Layer, ...]:
    """Kick on the strong groups, snare (side-stick when quiet) on the others, the keeper on eighths."""
    kick, snare, keep = _GENERIC_GRIDS[meter]
    return (("kick", kick, 0.0, ALWAYS), ("snare", snare, 0.4, ALWAYS), ("rim", snare, 0.0, 0.4),
            (keeper, keep, 0.0, ALWAYS))  # fmt: skip


_BACKBEAT = "....X.......X..."
DRUM_STYLES: dict[str, DrumStyle] = {
    "pop": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, 0.3),
                ("kick", "X.......X.x.....", 0.3, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.35),
                ("snare", _BACKBEAT, 0.35, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.8),
                ("hat", "xoxoxoxoxoxoxoxo", 0.8, ALWAYS),
            )
        }
    ),
    "rock": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.x.....", 0.0, 0.8),
                ("kick", "X.....x.X.x.....", 0.8, ALWAYS),
                ("snare", _BACKBEAT, 0.25, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.25),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.85),
                ("ride", "x.x.x.x.x.x.x.x.", 0.85, ALWAYS),
            )
        }
    ),
    "metal": DrumStyle(
        {
            "4/4": (
                ("kick", "X.x.X.x.X.x.X.x.", 0.0, 0.8),
                ("kick", "xxxxxxxxxxxxxxxx", 0.8, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("ride", "x.x.x.x.x.x.x.x.", 0.0, 0.85),
                ("crash", "x...x...x...x...", 0.85, ALWAYS),
            )
        },
        "ride",
    ),
    "punk": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, 0.75),
                ("snare", _BACKBEAT, 0.0, 0.75),
                ("kick", "X...X...X...X...", 0.75, ALWAYS),
                ("snare", "..X...X...X...X.", 0.75, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.75),
                ("ride", "x.x.x.x.x.x.x.x.", 0.75, ALWAYS),
            )
        }
    ),
    "swing": DrumStyle(
        {
            "4/4": (
                ("ride", "X...x.x.x...x.x.", 0.0, ALWAYS),
                ("pedal", "....x.......x...", 0.0, ALWAYS),
                ("kick", "o...............", 0.4, ALWAYS),
                ("snare", "..........o.....", 0.55, ALWAYS),
                ("snare", "......o........o", 0.75, ALWAYS),
            )
        },
        "ride",
    ),
    "shuffle": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.3, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.3),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.75),
                ("ride", "x.x.x.x.x.x.x.x.", 0.75, ALWAYS),
            ),
            "12/8": (
                ("kick", "X...........o...........", 0.0, ALWAYS),
                ("snare", "......X...........X.....", 0.0, ALWAYS),
                ("hat", "x...x.x...x.x...x.x...x.", 0.0, ALWAYS),
            ),
        }
    ),
    "funk": DrumStyle(
        {
            "4/4": (
                ("kick", "X.x.......X.x...", 0.0, ALWAYS),
                ("snare", "....X..o.o..X..o", 0.3, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.3),
                ("hat", "XoxoXoxoXoxoXoxo", 0.0, ALWAYS),
                ("open", "......x.........", 0.7, ALWAYS),
            )
        }
    ),
    "soul": DrumStyle(
        {
            "4/4": (
                ("kick", "X......xX.......", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.3, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.3),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
                ("tamb", "....x.......x...", 0.7, ALWAYS),
            )
        }
    ),
    "boom_bap": DrumStyle(
        {
            "4/4": (
                ("kick", "X......x..X.....", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("snare", "...........o....", 0.6, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
                ("open", "..............x.", 0.7, ALWAYS),
            )
        }
    ),
    "lofi": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......x.X.....", 0.0, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.5),
                ("snare", "....x.......x...", 0.5, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        }
    ),
    "trap": DrumStyle(
        {
            "4/4": (
                ("kick", "X.........X.....", 0.0, 0.7),
                ("kick", "X.....x...X..x..", 0.7, ALWAYS),
                ("clap", "........X.......", 0.3, ALWAYS),
                ("snare", "........X.......", 0.6, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        },
        rolls=True,
    ),
    "four_floor": DrumStyle(
        {
            "4/4": (
                ("kick", "X...X...X...X...", 0.3, ALWAYS),
                ("clap", _BACKBEAT, 0.45, ALWAYS),
                ("hat", "..x...x...x...x.", 0.0, 0.75),
                ("open", "..x...x...x...x.", 0.75, ALWAYS),
                ("shaker", "xoxoxoxoxoxoxoxo", 0.6, ALWAYS),
            )
        }
    ),
    "house": DrumStyle(
        {
            "4/4": (
                ("kick", "X...X...X...X...", 0.25, ALWAYS),
                ("clap", _BACKBEAT, 0.4, ALWAYS),
                ("hat", "..x...x...x...x.", 0.0, 0.7),
                ("open", "..x...x...x...x.", 0.7, ALWAYS),
                ("shaker", "xoxoxoxoxoxoxoxo", 0.5, ALWAYS),
                ("rim", "...x..x....x..x.", 0.75, ALWAYS),
            )
        }
    ),
    "techno": DrumStyle(
        {
            "4/4": (
                ("kick", "X...X...X...X...", 0.2, ALWAYS),
                ("hat", "..x...x...x...x.", 0.0, ALWAYS),
                ("clap", _BACKBEAT, 0.6, ALWAYS),
                ("rim", "...x..x..x....x.", 0.5, ALWAYS),
                ("ride", "x.x.x.x.x.x.x.x.", 0.85, ALWAYS),
            )
        }
    ),
    "disco": DrumStyle(
        {
            "4/4": (
                ("kick", "X...X...X...X...", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.3, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.4),
                ("open", "..x...x...x...x.", 0.4, ALWAYS),
                ("hat", "x...x...x...x...", 0.4, ALWAYS),
            )
        }
    ),
    "breakbeat": DrumStyle(
        {
            "4/4": (
                ("kick", "X.........X.....", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("snare", ".......o.o....o.", 0.6, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.8),
                ("ride", "x.x.x.x.x.x.x.x.", 0.8, ALWAYS),
            )
        }
    ),
    "synthwave": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, 0.6),
                ("kick", "X...X...X...X...", 0.6, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("hat", "xoxoxoxoxoxoxoxo", 0.0, ALWAYS),
            )
        }
    ),
    "vapor": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......x.......", 0.0, ALWAYS),
                ("snare", "........X.......", 0.0, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        }
    ),
    "ambient": DrumStyle(
        {
            "4/4": (
                ("kick", "X...............", 0.3, ALWAYS),
                ("shaker", "..x...x...x...x.", 0.0, ALWAYS),
                ("rim", "........x.......", 0.4, ALWAYS),
            )
        },
        "shaker",
    ),
    "cinematic": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.3, ALWAYS),
                ("tom_lo", "X.....x.X.....x.", 0.55, ALWAYS),
                ("tom_mid", "..........x.x...", 0.75, ALWAYS),
                ("snare", _BACKBEAT, 0.8, ALWAYS),
            ),
            "3/4": (("kick", "X...........", 0.3, ALWAYS), ("tom_lo", "X.......x.x.", 0.55, ALWAYS)),
        },
        "tom_lo",
    ),
    # War drums for an action cue: low toms drive the eighths, the kick and snare hit the downbeats.
    "battle": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, ALWAYS),
                ("tom_lo", "x.x.x.xxx.x.x.xx", 0.0, ALWAYS),
                ("tom_mid", "....x.......x.x.", 0.5, ALWAYS),
                ("snare", "....X.......X...", 0.6, ALWAYS),
                ("crash", "X...............", 0.85, ALWAYS),
            ),
            "3/4": (("kick", "X...........", 0.0, ALWAYS), ("tom_lo", "x.x.xxx.x.xx", 0.0, ALWAYS)),
        },
        "tom_lo",
    ),
    "folk": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.55),
                ("snare", "....x.......x...", 0.55, ALWAYS),
                ("shaker", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        },
        "shaker",
    ),
    "celtic": DrumStyle(
        {
            "6/8": (
                ("kick", "X.....x.....", 0.0, ALWAYS),
                ("snare", "......X.....", 0.5, ALWAYS),
                ("hat", "x.x.x.x.x.x.", 0.0, ALWAYS),
                ("tamb", "x.....x.....", 0.65, ALWAYS),
            )
        }
    ),
    "country": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.......", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.45, ALWAYS),
                ("rim", "....x.......x...", 0.0, 0.45),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
                ("snare", "o.o.o.o.o.o.o.o.", 0.8, ALWAYS),
            )
        }
    ),
    "one_drop": DrumStyle(
        {
            "4/4": (
                ("kick", "........X.......", 0.0, 0.85),
                ("kick", "X...X...X...X...", 0.85, ALWAYS),
                ("rim", "........X.......", 0.0, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
                ("open", "......x.......x.", 0.7, ALWAYS),
            )
        }
    ),
    "latin": DrumStyle(
        {
            "4/4": (
                ("clave", "o.....o.....o.......o...o.......", 0.0, ALWAYS),
                ("cow", "X...X...X...X...", 0.25, ALWAYS),
                ("conga_hi", "..x...x...x...x.", 0.0, ALWAYS),
                ("conga_lo", "............x.x.", 0.0, ALWAYS),
                ("kick", "X.....o.....x...", 0.4, ALWAYS),
                ("shaker", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        },
        "conga_hi",
    ),
    "bossa": DrumStyle(
        {
            "4/4": (
                ("kick", "X..xX..xX..xX..x", 0.0, ALWAYS),
                ("rim", "x.....x.....x.......x.....x.....", 0.0, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        }
    ),
    "march": DrumStyle(
        {
            "2/4": (("kick", "X...X...", 0.0, ALWAYS), ("snare", "X.xxx.x.", 0.0, ALWAYS)),
            "4/4": (("kick", "X...X...X...X...", 0.0, ALWAYS), ("snare", "X.xxx.x.X.xxx.x.", 0.0, ALWAYS)),
        },
        "snare",
    ),
    "chiptune": DrumStyle(
        {
            "4/4": (
                ("kick", "X.......X.x.....", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, 0.7),
                ("hat", "xoxoxoxoxoxoxoxo", 0.7, ALWAYS),
            )
        }
    ),
    "gospel": DrumStyle(
        {
            "4/4": (
                ("kick", "X.....x.X.......", 0.0, ALWAYS),
                ("snare", _BACKBEAT, 0.0, ALWAYS),
                ("hat", "x.x.x.x.x.x.x.x.", 0.0, ALWAYS),
                ("tamb", "....x.......x...", 0.6, ALWAYS),
            )
        }
    ),
    "waltz": DrumStyle(
        {
            "3/4": (
                ("kick", "X...........", 0.0, ALWAYS),
                ("snare", "....x...x...", 0.4, ALWAYS),
                ("rim", "....x...x...", 0.0, 0.4),
                ("hat", "x.x.x.x.x.x.", 0.0, ALWAYS),
            )
        }
    ),
    "generic": DrumStyle({}),
}


def _note(piece: str, beat: float, velocity: float) -> Note:
    return Note(beat, 0.25, PIECES[piece], max(1, min(127, round(velocity))))


def _groove(style: DrumStyle, meter: str, energy: float, bar_beat: float, bar: int, scale: float) -> list[Note]:
    layers = style.layers.get(meter) or generic_layers(meter, style.keeper)
    notes: list[Note] = []
    for piece, grid, low, high in layers:
        if not low <= energy < high:
            continue
        for hit in parse_grid(bar_slice(grid, meter, bar)):
            notes.append(_note(piece, bar_beat + step_beats(hit.step), _VELOCITY[hit.symbol] * scale))
    return notes


def _fill(start: float, beats: float, rng: random.Random, scale: float) -> list[Note]:
    """A fill over the last `beats` of a section: snare sixteenths or toms walking down, getting louder."""
    count = round(beats * 4)
    toms = rng.random() < 0.5
    notes = [_note("kick", start, 100 * scale)]
    for index in range(count):
        piece = "snare"
        if toms:
            piece = ("tom_hi", "tom_mid", "tom_lo")[min(2, index * 3 // count)]
        notes.append(_note(piece, start + index * 0.25, (62 + 50 * index / max(1, count - 1)) * scale))
    return notes


def _build(section: Section, beats_per_bar: float, scale: float) -> list[Note]:
    """A riser: kick on the beat, snare hits doubling in speed towards the drop, the last beat empty."""
    notes: list[Note] = []
    total = section.bars * beats_per_bar
    origin = section.start_bar * beats_per_bar
    beat = 0.0
    while beat < total - 1.0:
        progress = beat / total
        step = 1.0 if progress < 0.5 else 0.5 if progress < 0.75 else 0.25
        notes.append(_note("snare", origin + beat, (55 + 60 * progress) * scale))
        if beat == int(beat) and beat < total - beats_per_bar:
            notes.append(_note("kick", origin + beat, 100 * scale))
        beat += step
    return notes


def _rolls(notes: list[Note], bar_beat: float, beats_per_bar: float, rng: random.Random) -> list[Note]:
    """Trap hi-hats: some beats' eighths become a roll of sixteenths, triplets or thirty-seconds."""
    if rng.random() < 0.35:
        return notes
    beat = bar_beat + rng.choice([beats_per_bar - 1, beats_per_bar / 2 - 1, beats_per_bar - 2])
    division = rng.choice([4, 6, 8])
    kept = [n for n in notes if not (n.pitch == PIECES["hat"] and beat <= n.start < beat + 1)]
    for index in range(division):
        kept.append(_note("hat", beat + index / division, 58 + 40 * index / division))
    return kept


def write_drums(plan: Plan, meter: str, style_name: str, density: float, rng: random.Random) -> list[Note]:
    """The drum part: grooves by section energy, fills into new sections, builds, a final hit."""
    style = DRUM_STYLES[style_name]
    notes: list[Note] = []
    bpb = plan.beats_per_bar
    final_bar = plan.total_bars - 1
    for number, section in enumerate(plan.sections):
        energy = section.energy + (density - 0.5) * 0.4
        scale = 0.78 + 0.3 * section.energy
        following = plan.sections[number + 1] if number + 1 < len(plan.sections) else None
        if section.name == "build" and following is not None:
            notes.extend(_build(section, bpb, scale))
            continue
        for bar in range(section.bars):
            index = section.start_bar + bar
            bar_beat = index * bpb
            if index == final_bar:
                notes += [_note("crash", bar_beat, 105 * scale), _note("kick", bar_beat, 105 * scale)]
                break
            groove = _groove(style, meter, energy, bar_beat, index, scale)
            if style.rolls and energy >= 0.4:
                groove = _rolls(groove, bar_beat, bpb, rng)
            if bar == 0 and number > 0 and energy >= 0.45:
                groove.append(_note("crash", bar_beat, 100 * scale))
            last_bar = bar == section.bars - 1
            if last_bar and following is not None and energy >= 0.3 and following.start_bar != final_bar:
                length = min(bpb / 2, 2.0 if energy >= 0.6 else 1.0)
                fill_start = bar_beat + bpb - length
                groove = [n for n in groove if n.start < fill_start or n.pitch == PIECES["kick"]]
                groove += _fill(fill_start, length, rng, scale)
            notes.extend(groove)
    return notes
