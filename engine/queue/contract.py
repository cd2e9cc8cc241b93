"""What crosses the process boundary between the bot and an engine: a typed, validated job request and result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import EngineError
from engine.spec import MusicSpec

Extra = Literal["stems", "wav", "sheet"]
"""Files an engine makes only when asked, besides the MP3 and the MIDI that every piece gets."""

FileKind = Literal["mp3", "midi", "stems", "wav", "sheet", "sheet_pdf"]


class JobRequest(BaseModel):
    """One piece for an engine to make: the spec, where its files go, and which extras are wanted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spec: MusicSpec
    target: str  # the MP3's path; every other file is a sibling with its own suffix
    name: str = "piece"  # a file-name-safe title ("sad-piano-ballad") for copies people keep
    comment: str = ""  # written into the MP3's tags
    extras: frozenset[Extra] = frozenset()

    @property
    def target_path(self) -> Path:
        """The MP3's path as a Path."""
        return Path(self.target)

    def written_paths(self) -> list[Path]:
        """Every path this request may write, so a takeover can clear a dead attempt's temp files."""
        mp3 = self.target_path
        return [mp3, *(mp3.with_suffix(suffix) for suffix in (".mid", ".zip", ".wav", ".png", ".pdf"))]


class JobResult(BaseModel):
    """What an engine made: the files by kind, the per-part stems, and what it measured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: dict[FileKind, str] = Field(default_factory=dict)
    stems: dict[str, str] = Field(default_factory=dict)  # part name → audio file
    duration_s: float = 0.0
    timings_ms: dict[str, float] = Field(default_factory=dict)
    loudness_lufs: float | None = None
    true_peak_db: float | None = None

    def path(self, kind: FileKind) -> Path | None:
        """The file of this kind, if it was made."""
        value = self.files.get(kind)
        return Path(value) if value else None

    def references(self) -> set[str]:
        """Every media reference this result holds (files and stems)."""
        return {*self.files.values(), *self.stems.values()}

    def resolved(self, local_copy: Callable[[str], Path]) -> JobResult:
        """The same result with every reference replaced by the local file the media store hands back."""
        return self.model_copy(update={
            "files": {kind: str(local_copy(reference)) for kind, reference in self.files.items()},
            "stems": {part: str(local_copy(reference)) for part, reference in self.stems.items()},
        })  # fmt: skip


def parse_request(data: object) -> JobRequest:
    """A stored request, validated; a malformed one is an EngineError (the job fails, the engine goes on)."""
    try:
        return JobRequest.model_validate(data)
    except ValidationError as exc:
        raise EngineError(f"malformed job request: {exc.errors()[0]['msg']}") from exc


def parse_result(data: object) -> JobResult | None:
    """A stored result, validated (None when the job has none yet)."""
    if data is None:
        return None
    try:
        return JobResult.model_validate(data)
    except ValidationError as exc:
        raise EngineError(f"malformed job result: {exc.errors()[0]['msg']}") from exc
