"""The plan: song form and harmony the parts are written over (produced by engine.compose)."""

from __future__ import annotations

from dataclasses import dataclass

CHORD_INTERVALS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "5": (0, 7),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "hdim7": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "maj9": (0, 4, 7, 11, 14),
    "min9": (0, 3, 7, 10, 14),
    "9": (0, 4, 7, 10, 14),
    "6": (0, 4, 7, 9),
    "min6": (0, 3, 7, 9),
}


# Chord classes the music model knows and the evaluation reads; richer qualities fold onto these.
CHORD_CLASSES = ("maj", "min", "dim", "aug", "sus2", "sus4", "7", "maj7", "min7", "hdim7", "dim7", "6", "min6")
PLAN_QUALITY_TO_CLASS = {"5": "maj", "maj9": "maj7", "min9": "min7", "9": "7"}
HARTE_QUALITY_TO_CLASS = {"maj6": "6", "minmaj7": "min", "sus4(b7)": "sus4", "min(9)": "min", "maj(9)": "maj"}


def chord_class(quality: str) -> str | None:
    """The chord class for a plan quality or a POP909 (Harte) quality; None for no chord."""
    base = quality.split("/")[0]
    if base in ("N", "X", ""):
        return None
    if base in CHORD_CLASSES:
        return base
    if base in PLAN_QUALITY_TO_CLASS:
        return PLAN_QUALITY_TO_CLASS[base]
    if base in HARTE_QUALITY_TO_CLASS:
        return HARTE_QUALITY_TO_CLASS[base]
    stem = base.split("(")[0]
    if stem in CHORD_CLASSES:
        return stem
    return "min" if stem.startswith("min") else "maj"


@dataclass(frozen=True, slots=True)
class Chord:
    """A chord over a span of beats: root pitch class and a quality from CHORD_INTERVALS."""

    root: int
    quality: str
    start: float
    duration: float
    bass: int | None = None  # pitch class of a slash-chord bass, None for root position

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """The chord's pitch classes, root first."""
        return tuple((self.root + step) % 12 for step in CHORD_INTERVALS[self.quality])


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the song form: its bars, energy and chords (times absolute, in beats)."""

    name: str
    start_bar: int
    bars: int
    energy: float
    chords: tuple[Chord, ...]
    occurrence: int = 0  # 0 the first time a section name appears, 1 the second, ...


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole form: sections in order plus the tempo, meter and key frame."""

    tempo_bpm: float
    beats_per_bar: float
    tonic_pc: int
    mode: str
    swing: float
    sections: tuple[Section, ...]

    @property
    def total_bars(self) -> int:
        """Bars in the whole piece."""
        return sum(section.bars for section in self.sections)

    @property
    def chords(self) -> tuple[Chord, ...]:
        """Every chord of the piece in order."""
        return tuple(chord for section in self.sections for chord in section.chords)
