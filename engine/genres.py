"""Every genre the engine can write, with the defaults a request in that genre starts from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Genre:
    """A genre's usual tempo range, meter, mode, instrumentation and drums."""

    name: str
    tempo: tuple[int, int, int]  # low, typical, high bpm
    meter: str
    mode: str
    parts: tuple[tuple[str, str], ...]  # (instrument, role), melody first
    drums: bool
    drum_kit: str = "standard"
    energy: float = 0.5
    swing: float = 0.0  # 0 straight, 0.33 full triplet swing


def _g(
    name: str,
    tempo: tuple[int, int, int],
    meter: str,
    mode: str,
    parts: str,
    drums: bool,
    kit: str = "standard",
    energy: float = 0.5,
    swing: float = 0.0,
) -> Genre:
    # parts as "instrument:role, ..." keeps the table one readable line per genre.
    pairs = tuple((item.split(":")[0].strip(), item.split(":")[1].strip()) for item in parts.split(","))
    return Genre(name, tempo, meter, mode, pairs, drums, kit, energy, swing)


GENRES: dict[str, Genre] = {
    g.name: g
    for g in (
        _g(
            "pop",
            (90, 110, 130),
            "4/4",
            "major",
            "synth lead:melody, piano:chords, electric bass:bass, synth pad:pad",
            True,
            energy=0.6,
        ),
        _g(
            "rock",
            (100, 120, 150),
            "4/4",
            "major",
            "electric guitar:melody, distorted guitar:chords, electric bass:bass",
            True,
            "power",
            0.75,
        ),
        _g(
            "metal",
            (120, 150, 200),
            "4/4",
            "minor",
            "overdriven guitar:melody, distorted guitar:chords, picked bass:bass",
            True,
            "power",
            0.95,
        ),
        _g(
            "punk",
            (150, 175, 200),
            "4/4",
            "major",
            "overdriven guitar:melody, distorted guitar:chords, picked bass:bass",
            True,
            "power",
            0.9,
        ),
        _g(
            "jazz",
            (90, 130, 200),
            "4/4",
            "major",
            "tenor sax:melody, piano:chords, acoustic bass:bass",
            True,
            "jazz",
            0.5,
            0.3,
        ),
        _g(
            "blues",
            (70, 95, 130),
            "4/4",
            "major",
            "harmonica:melody, electric guitar:chords, electric bass:bass",
            True,
            "standard",
            0.5,
            0.33,
        ),
        _g(
            "funk",
            (95, 108, 125),
            "4/4",
            "minor",
            "brass section:melody, clavinet:chords, slap bass:bass",
            True,
            energy=0.75,
        ),
        _g(
            "soul",
            (65, 85, 105),
            "4/4",
            "major",
            "alto sax:melody, electric piano:chords, electric bass:bass, strings:pad",
            True,
            energy=0.5,
            swing=0.1,
        ),
        _g(
            "hip hop",
            (80, 90, 100),
            "4/4",
            "minor",
            "electric piano:melody, piano:chords, synth bass:bass",
            True,
            "standard",
            0.6,
            0.15,
        ),
        _g(
            "trap",
            (130, 140, 160),
            "4/4",
            "minor",
            "synth lead:melody, synth pad:chords, 808 bass:bass",
            True,
            "808",
            0.7,
        ),
        _g(
            "lofi",
            (70, 80, 90),
            "4/4",
            "major",
            "electric piano:melody, piano:chords, electric bass:bass",
            True,
            "standard",
            0.35,
            0.2,
        ),
        _g(
            "edm",
            (120, 128, 132),
            "4/4",
            "minor",
            "synth lead:melody, supersaw:chords, synth bass:bass, synth pad:pad",
            True,
            "electronic",
            0.85,
        ),
        _g(
            "house",
            (118, 124, 128),
            "4/4",
            "minor",
            "electric piano:melody, polysynth:chords, synth bass:bass",
            True,
            "808",
            0.75,
        ),
        _g(
            "techno",
            (125, 132, 140),
            "4/4",
            "minor",
            "synth lead:melody, polysynth:chords, synth bass:bass",
            True,
            "electronic",
            0.8,
        ),
        _g(
            "drum and bass",
            (160, 172, 180),
            "4/4",
            "minor",
            "synth lead:melody, synth pad:chords, synth bass:bass",
            True,
            "electronic",
            0.9,
        ),
        _g(
            "synthwave",
            (80, 100, 118),
            "4/4",
            "minor",
            "synth lead:melody, polysynth:chords, synth bass:bass, synth pad:pad",
            True,
            "electronic",
            0.65,
        ),
        _g(
            "vaporwave",
            (60, 75, 90),
            "4/4",
            "major",
            "electric piano:melody, synth pad:chords, fretless bass:bass",
            True,
            "808",
            0.3,
        ),
        _g(
            "ambient",
            (60, 70, 85),
            "4/4",
            "major",
            "halo pad:melody, synth pad:chords, new age pad:pad",
            False,
            energy=0.2,
        ),
        _g(
            "cinematic",
            (70, 90, 140),
            "4/4",
            "minor",
            "french horn:melody, strings:chords, contrabass:bass, choir:pad",
            True,
            "orchestra",
            0.7,
        ),
        _g("classical", (70, 96, 130), "4/4", "major", "violin:melody, piano:chords, cello:bass", False, energy=0.45),
        _g(
            "baroque",
            (80, 100, 120),
            "4/4",
            "major",
            "violin:melody, harpsichord:chords, cello:bass",
            False,
            energy=0.5,
        ),
        _g(
            "folk",
            (80, 100, 120),
            "4/4",
            "major",
            "fiddle:melody, acoustic guitar:chords, acoustic bass:bass",
            True,
            "brush",
            0.5,
        ),
        _g(
            "celtic",
            (100, 115, 130),
            "6/8",
            "major",
            "tin whistle:melody, acoustic guitar:chords, acoustic bass:bass",
            True,
            "standard",
            0.6,
        ),
        _g(
            "country",
            (90, 110, 130),
            "4/4",
            "major",
            "fiddle:melody, acoustic guitar:chords, electric bass:bass",
            True,
            "standard",
            0.55,
        ),
        _g(
            "reggae",
            (65, 75, 90),
            "4/4",
            "minor",
            "harmonica:melody, organ:chords, electric bass:bass",
            True,
            "standard",
            0.5,
        ),
        _g(
            "latin",
            (160, 180, 210),
            "4/4",
            "minor",
            "trumpet:melody, piano:chords, acoustic bass:bass",
            True,
            "standard",
            0.75,
        ),
        _g(
            "bossa nova",
            (110, 130, 145),
            "4/4",
            "major",
            "flute:melody, nylon guitar:chords, acoustic bass:bass",
            True,
            "brush",
            0.4,
        ),
        _g(
            "tango",
            (110, 120, 130),
            "2/4",
            "minor",
            "bandoneon:melody, piano:chords, contrabass:bass, violin:counter",
            False,
            energy=0.6,
        ),
        _g(
            "disco",
            (110, 118, 125),
            "4/4",
            "minor",
            "strings:melody, electric guitar:chords, electric bass:bass",
            True,
            energy=0.8,
        ),
        _g(
            "chiptune",
            (120, 150, 180),
            "4/4",
            "major",
            "square lead:melody, calliope:chords, synth bass:bass",
            True,
            "electronic",
            0.8,
        ),
        _g(
            "gospel",
            (70, 90, 120),
            "4/4",
            "major",
            "choir:melody, organ:chords, electric bass:bass",
            True,
            "standard",
            0.6,
            0.2,
        ),
        _g(
            "march",
            (100, 116, 125),
            "2/4",
            "major",
            "trumpet:melody, brass section:chords, tuba:bass",
            True,
            "orchestra",
            0.7,
        ),
        _g("waltz", (84, 96, 180), "3/4", "major", "violin:melody, piano:chords, contrabass:bass", False, energy=0.45),
        _g("lullaby", (55, 66, 80), "3/4", "major", "music box:melody, harp:chords, strings:pad", False, energy=0.15),
    )
}

DEFAULT_GENRE = "pop"
# How a title writes a genre mid-sentence, where that differs from its name: "Energetic EDM", "Chill lo-fi".
WRITTEN_NAMES = {"edm": "EDM", "lofi": "lo-fi"}


def written_name(name: str) -> str:
    """A genre as a title writes it ("EDM", "lo-fi", "hip hop"); the sentence capitalises its first letter."""
    return WRITTEN_NAMES.get(name, name)


def genre(name: str) -> Genre:
    """The genre with this name; KeyError names the unknown one."""
    return GENRES[name]
