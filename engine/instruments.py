"""The instruments the engine can play: canonical lower-case names mapped to General MIDI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["melody", "chords", "bass", "pad", "counter"]
ROLES: tuple[Role, ...] = ("melody", "chords", "bass", "pad", "counter")


@dataclass(frozen=True, slots=True)
class Instrument:
    """A playable instrument: GM program, the role it takes by default and its useful range."""

    name: str
    program: int
    role: Role
    low: int
    high: int


def _table(*rows: tuple[str, int, Role, int, int]) -> dict[str, Instrument]:
    return {name: Instrument(name, program, role, low, high) for name, program, role, low, high in rows}


# Ranges are MIDI note numbers where the sound is idiomatic, not the instrument's extremes.
INSTRUMENTS: dict[str, Instrument] = _table(
    ("piano", 0, "chords", 36, 96),
    ("bright piano", 1, "chords", 36, 96),
    ("electric grand", 2, "chords", 36, 96),
    ("honky-tonk piano", 3, "chords", 36, 96),
    ("electric piano", 4, "chords", 40, 88),
    ("fm piano", 5, "chords", 40, 88),
    ("harpsichord", 6, "chords", 36, 89),
    ("clavinet", 7, "chords", 40, 84),
    ("celesta", 8, "melody", 60, 96),
    ("glockenspiel", 9, "melody", 72, 105),
    ("music box", 10, "melody", 60, 96),
    ("vibraphone", 11, "melody", 53, 89),
    ("marimba", 12, "melody", 45, 96),
    ("xylophone", 13, "melody", 65, 108),
    ("tubular bells", 14, "melody", 60, 77),
    ("dulcimer", 15, "melody", 50, 86),
    ("organ", 16, "chords", 36, 96),
    ("percussive organ", 17, "chords", 36, 96),
    ("rock organ", 18, "chords", 36, 96),
    ("church organ", 19, "pad", 24, 96),
    ("reed organ", 20, "chords", 36, 89),
    ("accordion", 21, "melody", 53, 89),
    ("harmonica", 22, "melody", 60, 84),
    ("bandoneon", 23, "melody", 45, 89),
    ("nylon guitar", 24, "chords", 40, 79),
    ("acoustic guitar", 25, "chords", 40, 79),
    ("jazz guitar", 26, "chords", 40, 79),
    ("electric guitar", 27, "chords", 40, 84),
    ("muted guitar", 28, "chords", 40, 76),
    ("overdriven guitar", 29, "chords", 40, 84),
    ("distorted guitar", 30, "chords", 40, 84),
    ("acoustic bass", 32, "bass", 28, 55),
    ("electric bass", 33, "bass", 28, 55),
    ("picked bass", 34, "bass", 28, 55),
    ("fretless bass", 35, "bass", 28, 55),
    ("slap bass", 36, "bass", 28, 55),
    ("synth bass", 38, "bass", 24, 55),
    ("808 bass", 39, "bass", 24, 48),
    ("violin", 40, "melody", 55, 96),
    ("second violin", 40, "counter", 55, 88),  # a second desk of violins: string quartets, chamber orchestras
    ("viola", 41, "counter", 48, 84),
    ("cello", 42, "counter", 36, 72),
    ("contrabass", 43, "bass", 28, 55),
    ("tremolo strings", 44, "pad", 40, 84),
    ("pizzicato strings", 45, "chords", 40, 84),
    ("harp", 46, "chords", 36, 91),
    ("timpani", 47, "bass", 40, 55),
    ("strings", 48, "pad", 40, 84),
    ("slow strings", 49, "pad", 40, 84),
    ("synth strings", 50, "pad", 40, 84),
    ("choir", 52, "pad", 48, 79),
    ("voice", 53, "melody", 55, 79),
    ("bass voice", 52, "bass", 36, 62),  # the low voice that carries an a cappella group's bass line
    ("synth voice", 54, "pad", 48, 79),
    ("orchestra hit", 55, "counter", 48, 79),
    ("trumpet", 56, "melody", 55, 82),
    ("second trumpet", 56, "counter", 55, 79),  # the second chair of a brass quintet or big band
    ("trombone", 57, "counter", 40, 72),
    ("tuba", 58, "bass", 28, 53),
    ("muted trumpet", 59, "melody", 55, 82),
    ("french horn", 60, "counter", 41, 77),
    ("brass section", 61, "chords", 43, 79),
    ("synth brass", 62, "chords", 40, 84),
    ("soprano sax", 64, "melody", 56, 87),
    ("alto sax", 65, "melody", 49, 81),
    ("tenor sax", 66, "melody", 44, 76),
    ("baritone sax", 67, "counter", 36, 69),
    ("oboe", 68, "melody", 58, 91),
    ("english horn", 69, "melody", 52, 81),
    ("bassoon", 70, "counter", 34, 72),
    ("clarinet", 71, "melody", 50, 91),
    ("piccolo", 72, "melody", 74, 108),
    ("flute", 73, "melody", 60, 96),
    ("recorder", 74, "melody", 72, 98),
    ("pan flute", 75, "melody", 60, 96),
    ("blown bottle", 76, "melody", 60, 84),
    ("shakuhachi", 77, "melody", 55, 84),
    ("tin whistle", 78, "melody", 74, 98),
    ("ocarina", 79, "melody", 60, 84),
    ("square lead", 80, "melody", 60, 96),
    ("synth lead", 81, "melody", 55, 91),
    ("calliope", 82, "melody", 60, 91),
    ("supersaw", 87, "chords", 48, 84),
    ("new age pad", 88, "pad", 48, 84),
    ("synth pad", 89, "pad", 48, 84),
    ("polysynth", 90, "chords", 48, 84),
    ("choir pad", 91, "pad", 48, 84),
    ("bowed pad", 92, "pad", 48, 84),
    ("halo pad", 94, "pad", 48, 84),
    ("sweep pad", 95, "pad", 48, 84),
    ("sitar", 104, "melody", 48, 84),
    ("banjo", 105, "chords", 48, 84),
    ("shamisen", 106, "melody", 50, 84),
    ("koto", 107, "melody", 55, 91),
    ("kalimba", 108, "melody", 60, 91),
    ("bagpipe", 109, "melody", 60, 84),
    ("fiddle", 110, "melody", 55, 93),
    ("shanai", 111, "melody", 60, 88),
    ("steel drums", 114, "melody", 52, 88),
    ("taiko", 116, "bass", 36, 60),
    ("ukulele", 24, "chords", 60, 81),
    ("mandolin", 25, "chords", 55, 88),
)

BY_PROGRAM: dict[int, Instrument] = {}
for _instrument in INSTRUMENTS.values():
    BY_PROGRAM.setdefault(_instrument.program, _instrument)

# General MIDI percussion (channel 10) notes the composer uses.
KICK, RIMSHOT, SNARE, CLAP, ELECTRIC_SNARE = 36, 37, 38, 39, 40
LOW_TOM, CLOSED_HAT, MID_TOM, PEDAL_HAT, OPEN_HAT, HIGH_TOM = 45, 42, 47, 44, 46, 50
CRASH, RIDE, RIDE_BELL, TAMBOURINE, SPLASH, COWBELL = 49, 51, 53, 54, 55, 56
SIDE_STICK, SHAKER, CLAVES, CONGA_HIGH, CONGA_LOW, BONGO_HIGH = 37, 70, 75, 62, 64, 60

# GM2/GS drum kits live at bank 128; FluidR3_GM and MuseScore General ship these presets.
DRUM_KITS: dict[str, int] = {
    "standard": 0,
    "room": 8,
    "power": 16,
    "electronic": 24,
    "808": 25,
    "jazz": 32,
    "brush": 40,
    "orchestra": 48,
}


def instrument(name: str) -> Instrument:
    """The instrument with this canonical name; KeyError names the unknown one."""
    return INSTRUMENTS[name]
