"""Lyrics text → sections of lines of syllables: labels like [Chorus], blank lines, repeated stanzas."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import UserError
from engine.lyrics.language import check_script, detect_language
from engine.lyrics.syllables import Syllable, line_syllables, words_of
from engine.spec import MusicSpec

MAX_LINE_SYLLABLES = 14  # a longer line is split at a comma, or between words, into two phrases
MIN_CLAUSE_SYLLABLES = 4  # a shorter clause of one-line lyrics joins its neighbour
# Section labels people write, in the five languages, and the song-form section each one is.
SECTION_LABELS: dict[str, str] = {
    "verse": "verse", "verso": "verse", "estrofa": "verse", "couplet": "verse", "strophe": "verse",
    "chorus": "chorus", "refrain": "chorus", "hook": "chorus", "coro": "chorus", "estribillo": "chorus",
    "refrão": "chorus", "refrao": "chorus", "pre-chorus": "pre-chorus", "prechorus": "pre-chorus",
    "pre chorus": "pre-chorus", "bridge": "bridge", "puente": "bridge", "pont": "bridge", "ponte": "bridge",
    "brücke": "bridge", "intro": "intro", "outro": "outro",
}  # fmt: skip
_LABEL = re.compile(
    r"^\s*[\[(]?\s*(" + "|".join(sorted(SECTION_LABELS, key=len, reverse=True)) + r")\s*\d*\s*[\])]?\s*:?\s*(.*)$", re.I
)
VOCALISE_LONG, VOCALISE_SHORT = "ooh", "la"


@dataclass(frozen=True, slots=True)
class LyricLine:
    """One sung phrase: its text and its syllables."""

    text: str
    syllables: tuple[Syllable, ...]

    @property
    def key(self) -> str:
        """The line's words folded, so "Hold on," and "hold on" are the same repeated line."""
        return " ".join(words_of(self.text.lower()))


@dataclass(frozen=True, slots=True)
class LyricSection:
    """A labelled or blank-line-separated stanza and the song-form section it becomes."""

    name: str
    lines: tuple[LyricLine, ...]


@dataclass(frozen=True, slots=True)
class Lyrics:
    """The words of a song, read: their language and their sections."""

    language: str
    sections: tuple[LyricSection, ...]

    @property
    def syllable_count(self) -> int:
        """How many syllables are sung in all."""
        return sum(len(line.syllables) for section in self.sections for line in section.lines)


def _stanzas(text: str) -> list[tuple[str | None, list[str]]]:
    """(label or None, lines) in order; a label or a blank line starts a new stanza."""
    stanzas: list[tuple[str | None, list[str]]] = []
    label: str | None = None
    lines: list[str] = []
    for raw in text.replace("\r", "\n").replace(" / ", "\n").split("\n"):
        match = _LABEL.match(raw)
        if match:
            if lines:
                stanzas.append((label, lines))
            label, lines = SECTION_LABELS[match[1].lower()], [match[2].strip()] if match[2].strip() else []
        elif not raw.strip():
            if lines:
                stanzas.append((label, lines))
                label, lines = None, []
        else:
            lines.append(raw.strip())
    if lines:
        stanzas.append((label, lines))
    return [(name, body) for name, body in stanzas if body]


def _split_long(text: str, language: str) -> list[str]:
    """A line too long to sing in one breath, cut at a comma or between words."""
    if len(line_syllables(text, language)) <= MAX_LINE_SYLLABLES:
        return [text]
    clauses = [c.strip() for c in re.split(r"(?<=[,;:.!?])\s+", text) if c.strip()]
    if len(clauses) > 1:
        middle = len(clauses) // 2
        return [*_split_long(" ".join(clauses[:middle]), language), *_split_long(" ".join(clauses[middle:]), language)]
    words = text.split()
    middle = len(words) // 2
    return [*_split_long(" ".join(words[:middle]), language), *_split_long(" ".join(words[middle:]), language)]


def _clauses(line: str, language: str) -> list[str]:
    """One-line lyrics sing a phrase per clause; very short clauses join the one before."""
    clauses: list[str] = []
    for clause in (c.strip() for c in re.split(r"(?<=[,;.!?])\s+", line) if c.strip()):
        if clauses and len(line_syllables(clauses[-1], language)) < MIN_CLAUSE_SYLLABLES:
            clauses[-1] = f"{clauses[-1]} {clause}"
        else:
            clauses.append(clause)
    if len(clauses) > 1 and len(line_syllables(clauses[-1], language)) < MIN_CLAUSE_SYLLABLES:
        clauses[-2:] = [f"{clauses[-2]} {clauses[-1]}"]
    return clauses


def _names(stanzas: list[tuple[str | None, list[str]]]) -> list[str]:
    """Unlabelled stanzas: one sung again word for word is the chorus, the others are verses."""
    folded = [tuple(" ".join(words_of(line.lower())) for line in lines) for _, lines in stanzas]
    return [label or ("chorus" if folded.count(folded[i]) > 1 else "verse") for i, (label, _) in enumerate(stanzas)]


def read_lyrics(text: str, language: str | None = None) -> Lyrics:
    """Read lyrics into sections and lines of syllables; UserError when nothing can be sung."""
    check_script(text)
    language = language or detect_language(text)
    stanzas = _stanzas(text)
    if len(stanzas) == 1 and len(stanzas[0][1]) == 1:
        stanzas = [(stanzas[0][0], _clauses(stanzas[0][1][0], language))]
    sections: list[LyricSection] = []
    for name, (_, raw_lines) in zip(_names(stanzas), stanzas, strict=True):
        lines = [
            LyricLine(part, tuple(line_syllables(part, language)))
            for raw in raw_lines
            for part in _split_long(raw, language)
        ]
        lines = [line for line in lines if line.syllables]
        if lines:
            sections.append(LyricSection(name, tuple(lines)))
    if not sections:
        raise UserError(
            'The lyrics have no words to sing — write them in letters, e.g. lyrics: "walking down the road".'
        )
    return Lyrics(language, tuple(sections))


def language_for(spec: MusicSpec) -> str:
    """The language the voice sings in: the spec's, else read from the words, else English."""
    if spec.language:
        return spec.language
    return detect_language(spec.lyrics) if spec.lyrics else "en"
