"""Per-genre style definitions as data: harmony, form, the pattern each role plays, and the mix."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Style:
    """How one genre is played; pattern names point into the comping, bass, drum and melody tables."""

    harmony: str  # progression family (progressions.POOLS)
    colour: int  # 0 triads, 1 diatonic sevenths, 2 ninths
    cadence: str  # authentic | plagal | rock | modal
    form: str  # song | edm | blues | aaba | ternary | tune | ambient
    melody: str  # rhythm vocabulary (melody.RHYTHMS)
    comping: str  # first chords instrument (comping.COMP_STYLES)
    comping_alt: str  # a second chords instrument plays this instead
    bass: str  # bass.BASS_STYLES, or "walking" / "808"
    drums: str  # drums.DRUM_STYLES
    leap: float = 0.2  # chance of a melodic leap between motif notes
    chromatic: float = 0.25  # chance of a chromatic lead-in to a strong beat
    swing_unit: float = 0.5  # the note value that swings: eighths or sixteenths
    reverb: int = 45  # CC91 for melodic parts
    chorus: int = 10  # CC93 for melodic parts
    intro_melody: bool = False  # the lead plays the intro too
    pushes: bool = True  # chord changes at phrase ends are anticipated by a sixteenth (pop, rock, funk…)
    learned_piano: bool = False  # pop-style piano: the trained accompaniment model may play the piano part
    lead: str = "tune"  # tune | riff | arp: club music loops a 1–2-bar riff or an arpeggio instead of a tune
    left_hand: str = "left_hand"  # the comping a lead keyboard plays under its own tune (a jazz trio's shells)


def _s(
    harmony: str,
    colour: int,
    cadence: str,
    form: str,
    melody: str,
    comping: str,
    comping_alt: str,
    bass: str,
    drums: str,
    **extra: Any,
) -> Style:
    return Style(harmony, colour, cadence, form, melody, comping, comping_alt, bass, drums, **extra)


STYLES: dict[str, Style] = {
    "pop": _s("pop", 0, "authentic", "song", "pop", "pop_keys", "strum", "pop8", "pop", learned_piano=True),
    "rock": _s("rock", 0, "rock", "song", "pop", "power", "strum", "rock8", "rock", reverb=30, leap=0.25),
    "metal": _s(
        "rock", 0, "authentic", "song", "riff", "metal_power", "power", "metal", "metal", reverb=25, chorus=0, leap=0.3
    ),
    "punk": _s("rock", 0, "rock", "song", "pop", "power8", "power", "punk", "punk", reverb=20, chorus=0),
    "jazz": _s(
        "jazz",
        2,
        "authentic",
        "aaba",
        "swing",
        "shell",
        "block",
        "walking",
        "swing",
        leap=0.3,
        chromatic=0.35,
        reverb=40,
        left_hand="shell",
    ),
    "blues": _s(
        "blues",
        0,
        "authentic",
        "blues",
        "swing",
        "blues_comp",
        "shell",
        "boogie",
        "shuffle",
        leap=0.25,
        chromatic=0.3,
        reverb=40,
    ),
    "funk": _s("funk", 1, "modal", "song", "riff", "funk", "stabs", "funk", "funk", swing_unit=0.25, reverb=25),
    "soul": _s("soul", 1, "authentic", "song", "pop", "soul_keys", "block", "soul", "soul", learned_piano=True),
    "hip hop": _s(
        "lofi", 1, "modal", "song", "riff", "hiphop_keys", "block", "boombap", "boom_bap", swing_unit=0.25, reverb=30
    ),
    "trap": _s("edm", 0, "modal", "song", "riff", "pad", "stabs", "808", "trap", reverb=35),
    "lofi": _s(
        "lofi",
        2,
        "plagal",
        "song",
        "pop",
        "lofi_keys",
        "block",
        "lofi",
        "lofi",
        swing_unit=0.25,
        reverb=55,
        chorus=25,
        learned_piano=True,
    ),
    "edm": _s("edm", 0, "modal", "edm", "riff", "stabs", "pad", "edm", "four_floor", reverb=50, chorus=20, lead="arp"),
    "house": _s(
        "vamp", 1, "modal", "edm", "riff", "house_stab", "stabs", "house", "house", reverb=45, chorus=20, lead="riff"
    ),
    "techno": _s("vamp", 0, "modal", "edm", "riff", "stabs", "pad", "techno", "techno", reverb=45, lead="riff"),
    "drum and bass": _s("edm", 0, "modal", "edm", "riff", "pad", "stabs", "dnb", "breakbeat", reverb=40),
    "synthwave": _s(
        "edm", 0, "authentic", "song", "pop", "synth_pulse", "pad", "synth8", "synthwave", reverb=60, chorus=35
    ),
    "vaporwave": _s(
        "lofi",
        2,
        "plagal",
        "song",
        "ballad",
        "lofi_keys",
        "pad",
        "vapor",
        "vapor",
        reverb=75,
        chorus=40,
        learned_piano=True,
    ),
    "ambient": _s(
        "vamp",
        1,
        "modal",
        "ambient",
        "sparse",
        "pad",
        "pad",
        "sustain",
        "ambient",
        reverb=100,
        chorus=40,
        intro_melody=True,
        pushes=False,
    ),
    "cinematic": _s(
        "pop",
        0,
        "authentic",
        "song",
        "ballad",
        "cinematic",
        "ballad_arp",
        "cinematic",
        "cinematic",
        reverb=80,
        leap=0.3,
        learned_piano=True,
    ),
    "classical": _s(
        "classical",
        0,
        "authentic",
        "ternary",
        "classical",
        "alberti",
        "block",
        "classical",
        "generic",
        reverb=65,
        intro_melody=True,
        pushes=False,
    ),
    "baroque": _s(
        "classical",
        0,
        "authentic",
        "ternary",
        "fast",
        "baroque_arp",
        "block",
        "baroque",
        "generic",
        reverb=55,
        intro_melody=True,
        pushes=False,
    ),
    "folk": _s(
        "folk", 0, "authentic", "song", "pop", "strum", "pluck", "root_fifth", "folk", reverb=40, learned_piano=True
    ),
    "celtic": _s(
        "folk",
        0,
        "authentic",
        "tune",
        "fast",
        "celtic_strum",
        "strum",
        "celtic",
        "celtic",
        reverb=45,
        intro_melody=True,
        pushes=False,
    ),
    "country": _s(
        "folk", 0, "authentic", "song", "pop", "country", "strum", "country", "country", reverb=35, learned_piano=True
    ),
    "reggae": _s("folk", 0, "plagal", "song", "pop", "skank", "block", "one_drop", "one_drop", reverb=40),
    "latin": _s(
        "latin", 0, "authentic", "song", "latin", "montuno", "block", "tumbao", "latin", reverb=40, pushes=False
    ),
    "bossa nova": _s(
        "bossa", 1, "authentic", "song", "latin", "bossa", "block", "bossa", "bossa", reverb=45, pushes=False
    ),
    "tango": _s(
        "tango", 0, "authentic", "song", "march", "tango", "block", "tango", "march", reverb=40, leap=0.3, pushes=False
    ),
    "disco": _s(
        "soul",
        1,
        "authentic",
        "song",
        "pop",
        "disco",
        "stabs",
        "octave",
        "disco",
        swing_unit=0.25,
        reverb=40,
        chorus=20,
    ),
    "chiptune": _s("pop", 0, "authentic", "song", "riff", "chip_arp", "stabs", "chip", "chiptune", reverb=15, chorus=0),
    "gospel": _s(
        "gospel", 1, "plagal", "song", "pop", "gospel", "block", "gospel", "gospel", reverb=60, learned_piano=True
    ),
    "march": _s(
        "march",
        0,
        "authentic",
        "tune",
        "march",
        "march",
        "block",
        "march",
        "march",
        reverb=45,
        intro_melody=True,
        pushes=False,
    ),
    "waltz": _s(
        "waltz",
        0,
        "authentic",
        "ternary",
        "classical",
        "waltz",
        "block",
        "waltz",
        "waltz",
        reverb=60,
        intro_melody=True,
        pushes=False,
    ),
    "lullaby": _s(
        "folk",
        0,
        "authentic",
        "ternary",
        "ballad",
        "pluck",
        "pad",
        "root",
        "waltz",
        reverb=70,
        chorus=20,
        leap=0.1,
        intro_melody=True,
        pushes=False,
        learned_piano=True,
    ),
}


# Idioms a genre takes at some tempos: a cinematic cue at 120 bpm or more is an action cue (a battle, a
# chase), driven by a string ostinato in sixteenths over a pedal and by war drums, not by held chords.
TEMPO_IDIOMS: dict[str, tuple[int, Style]] = {
    "cinematic": (
        120,
        replace(
            STYLES["cinematic"], comping="action_ostinato", comping_alt="cinematic", drums="battle", learned_piano=False
        ),
    ),
}


def style_for(genre: str, tempo_bpm: float) -> Style:
    """The genre's style, or the idiom it takes at this tempo (cinematic at ≥ 120 bpm: the action cue)."""
    idiom = TEMPO_IDIOMS.get(genre)
    if idiom is not None and tempo_bpm >= idiom[0]:
        return idiom[1]
    return STYLES[genre]


@dataclass(frozen=True, slots=True)
class Mix:
    """A track's channel settings: CC7 volume, CC10 pan, CC91 reverb and CC93 chorus."""

    volume: int
    pan: int
    reverb: int
    chorus: int


# Melody up front and centred, chords and counter-lines left and right, bass and kick in the middle.
_ROLE_MIX: dict[str, tuple[int, int, float, float]] = {
    "melody": (104, 64, 1.0, 1.0),
    "chords": (88, 46, 0.9, 1.0),
    "pad": (76, 82, 1.3, 1.5),
    "counter": (84, 86, 1.0, 0.8),
    "bass": (100, 64, 0.25, 0.0),
    "drums": (98, 64, 0.45, 0.0),
}


def mix_for(style: Style, role: str, index_in_role: int) -> Mix:
    """Mix settings for a part: the role's place in the stereo field, the style's space; doubles spread out."""
    volume, pan, reverb_scale, chorus_scale = _ROLE_MIX.get(role, _ROLE_MIX["chords"])
    if index_in_role:
        # A second instrument in the same role mirrors the first across the centre, a little quieter.
        pan = 128 - pan if pan != 64 else 64 + (24 if index_in_role % 2 else -24)
        volume -= 6
    return Mix(
        volume=max(0, min(127, volume)),
        pan=max(0, min(127, pan)),
        reverb=max(0, min(127, round(style.reverb * reverb_scale))),
        chorus=max(0, min(127, round(style.chorus * chorus_scale))),
    )
