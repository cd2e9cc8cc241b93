"""The vocal part read as lyrics: notes grouped into syllables (with their melisma), words and lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.errors import EngineError
from engine.score import Note
from engine.vocals.voices import Language, Voice, readable_syllable

LEGATO_GAP_S = 0.08  # a shorter gap between two notes is sung through (legato), not as a rest


@dataclass(frozen=True, slots=True)
class SungNote:
    """A note in seconds at the pitch the voice sings it (the written pitch moved by whole octaves)."""

    start: float
    end: float
    pitch: int
    velocity: int


@dataclass(slots=True)
class Syllable:
    """One sung syllable: the letters espeak-ng reads, the note it starts on and any held notes after it."""

    text: str
    notes: list[SungNote] = field(default_factory=list)


@dataclass(slots=True)
class Word:
    """The syllables of one word, sung legato."""

    syllables: list[Syllable] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The word as espeak-ng reads it."""
        return "".join(syllable.text for syllable in self.syllables)


Line = list[Word]


def octave_shift(notes: Sequence[Note], voice: Voice) -> int:
    """Semitones (a multiple of 12) that bring the part's median pitch into the voice's register."""
    pitches = sorted(note.pitch for note in notes)
    median = pitches[len(pitches) // 2]
    for octaves in (0, 1, -1, 2, -2, 3, -3):  # the smallest move that lands inside the register
        if voice.low <= median + 12 * octaves <= voice.high:
            return 12 * octaves
    return 12 * round(((voice.low + voice.high) / 2 - median) / 12)


def read_lines(notes: Sequence[Note], seconds_per_beat: float, shift: int, language: Language) -> list[Line]:
    """Group the notes (sorted by start) into lines of words of syllables; a note with lyric "" holds on."""
    ordered = sorted(notes, key=lambda note: note.start)
    if not ordered:
        raise EngineError("the vocal part has no notes to sing")
    if not ordered[0].lyric.strip():
        raise EngineError('the vocal part starts on a held note (lyric "") with no syllable before it')
    lines: list[Line] = []
    line: Line = []
    word = Word()
    for index, note in enumerate(ordered):
        start = note.start * seconds_per_beat
        following = ordered[index + 1].start * seconds_per_beat if index + 1 < len(ordered) else None
        end = (note.start + note.duration) * seconds_per_beat
        if following is not None and following > start:
            end = following if following - end < LEGATO_GAP_S else min(end, following)
        sung = SungNote(start, max(end, start + 0.02), note.pitch + shift, note.velocity)
        if note.lyric.strip():
            word.syllables.append(Syllable(readable_syllable(note.lyric, language), [sung]))
        else:  # a held note ("", or only the space or line break that closes the word it holds)
            held = word.syllables or (line or lines[-1])[-1].syllables
            held[-1].notes.append(sung)
            if not note.lyric or not word.syllables:
                if note.lyric.endswith("\n") and line:
                    lines.append(line)
                    line = []
                continue
        if note.lyric[-1] in " \n":
            line.append(word)
            word = Word()
        if note.lyric.endswith("\n"):
            lines.append(line)
            line = []
    if word.syllables:
        line.append(word)
    if line:
        lines.append(line)
    return lines
