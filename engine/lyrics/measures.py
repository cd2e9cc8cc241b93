"""How well words sit on a vocal line, read back from the score alone (no spec): stress, coverage, repeats."""

from __future__ import annotations

from dataclasses import dataclass

from engine.compose.prosody import on_beat
from engine.lyrics.syllables import PRIMARY
from engine.lyrics.words import Lyrics
from engine.score import Note


@dataclass(frozen=True, slots=True)
class SettingReport:
    """Shares over one sung piece (None when the piece gives nothing to count)."""

    stressed_on_beats: float | None  # stressed syllables whose note starts on a beat of the meter
    stressed_on_strong: float | None  # … on the downbeat or the bar's mid-point (beats 1 and 3 of 4/4)
    syllable_coverage: float | None  # syllables sung on a note of their own (one note per syllable)
    repeated_lines_identical: float | None  # repeats of a line sung to exactly its first tune
    melisma_notes: int


def sung_lines(notes: list[Note]) -> list[list[Note]]:
    """The vocal notes grouped by lyric line (a line ends on a syllable ending in a newline)."""
    lines: list[list[Note]] = [[]]
    for note in sorted(notes, key=lambda n: n.start):
        if not lines[-1] and not note.lyric and len(lines) > 1:
            lines[-2].append(note)  # a melisma note held on the line before
            continue
        lines[-1].append(note)
        if note.lyric.endswith("\n"):
            lines.append([])
    return [line for line in lines if line]


def _line_text(line: list[Note]) -> str:
    return "".join(note.lyric for note in line).strip().lower()


def measure_setting(notes: list[Note], lyrics: Lyrics, meter: str, beats_per_bar: float) -> SettingReport:
    """Compare the vocal notes with the words: stressed syllables on beats, coverage and identical repeats."""
    syllables = [s for section in lyrics.sections for line in section.lines for s in line.syllables]
    sung = [note for note in sorted(notes, key=lambda n: n.start) if note.lyric]
    # The words are sung once through, in order: the n-th sung note carries the n-th syllable.
    pairs = [
        (note, syllable)
        for note, syllable in zip(sung, syllables, strict=False)
        if note.lyric.strip().lower() == syllable.text.lower()
    ]
    stressed = [note for note, syllable in pairs if syllable.stress == PRIMARY]
    on_beats = sum(on_beat(note.start % beats_per_bar, meter) for note in stressed)
    on_strong = sum(on_beat(note.start % beats_per_bar, meter, 2.5) for note in stressed)
    tunes: dict[str, list[tuple[float, int, str]]] = {}
    repeats = same = 0
    for line in sung_lines(notes):
        shape = [(round(n.start - line[0].start, 3), n.pitch, n.lyric) for n in line]
        text = _line_text(line)
        if text in tunes:
            repeats += 1
            same += shape == tunes[text]
        else:
            tunes[text] = shape
    return SettingReport(
        stressed_on_beats=on_beats / len(stressed) if stressed else None,
        stressed_on_strong=on_strong / len(stressed) if stressed else None,
        syllable_coverage=len(pairs) / max(len(sung), len(syllables)) if syllables else None,
        repeated_lines_identical=same / repeats if repeats else None,
        melisma_notes=sum(1 for note in notes if not note.lyric),
    )
