"""Loading the readable request/refinement tables in tests/data and checking a spec against a row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.spec import MODES, MusicSpec

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Row:
    """One table row: its line number (for test ids) and its cells by column name."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def test_id(self) -> str:
        """A short readable id for pytest."""
        first = next(iter(self.cells.values()), "")
        return f"L{self.line}:{first[:40]}"


def load(name: str) -> list[Row]:
    """The rows of a tab-separated table; '#' lines are comments, the first other line is the header."""
    rows: list[Row] = []
    header: list[str] | None = None
    for number, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#") or (not line.strip("\t\n") and header is None):
            continue
        cells = [cell.strip() if index else cell for index, cell in enumerate(line.split("\t"))]
        if header is None:
            header = cells
            continue
        rows.append(Row(number, dict(zip(header, cells, strict=False))))
    return rows


def tempo_matches(expected: str, tempo: int) -> bool:
    """'120' means exactly 120; '60-75' means anywhere in that range."""
    if "-" in expected:
        low, high = (int(value) for value in expected.split("-"))
        return low <= tempo <= high
    return tempo == int(expected)


def key_matches(expected: str, spec: MusicSpec) -> bool:
    """'D minor' checks tonic and mode, 'minor' only the mode, 'Bb' only the tonic."""
    if " " in expected:
        tonic, mode = expected.split(" ", 1)
        return (spec.key, spec.mode) == (tonic, mode)
    if expected in MODES:
        return spec.mode == expected
    return spec.key == expected


def check_instruments(expected: str, spec: MusicSpec) -> list[str]:
    """Problems with the 'has' column: names that should (or with '-', should not) play."""
    problems = []
    for item in filter(None, (part.strip() for part in expected.split(","))):
        name = item.lstrip("-")
        present = name in spec.instruments
        if item.startswith("-") and present:
            problems.append(f"{name} should not play")
        if not item.startswith("-") and not present:
            problems.append(f"{name} should play")
    return problems


def lead(spec: MusicSpec) -> str | None:
    """The instrument playing the melody."""
    return next((part.name for part in spec.parts if part.role == "melody"), None)


def dotless(text: str) -> str:
    """The text as a Turkish keyboard may type it: every i a dotless ı, every I a dotted İ."""
    return text.replace("i", "ı").replace("I", "İ")
