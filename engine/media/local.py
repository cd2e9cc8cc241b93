"""The embedded default: files stay where the engine wrote them, in the shared local media folder."""

from __future__ import annotations

from pathlib import Path

from engine.errors import EngineError
from engine.files import publish


class LocalMediaStore:
    """Media in one folder that the bot and the engine share (one machine, or a shared disk)."""

    def __init__(self, media_dir: Path) -> None:
        self.media_dir = media_dir

    def prepare(self) -> None:
        """Create the media folder."""
        self.media_dir.mkdir(parents=True, exist_ok=True)

    def reference_of(self, path: Path) -> str:
        """The absolute path."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.media_dir.resolve()):
            raise EngineError(f"{path} is outside the media folder {self.media_dir}")
        return str(resolved)

    def publish(self, path: Path, as_path: Path | None = None) -> str:
        """Moved into place atomically (if not already there); the reference is the absolute path."""
        final = as_path or path
        reference = self.reference_of(final)
        if final != path:
            publish(path, final)
        return reference

    def local_copy(self, reference: str) -> Path:
        """The file itself."""
        return Path(reference)

    def remove(self, reference: str) -> None:
        """Delete the file if it is there."""
        Path(reference).unlink(missing_ok=True)

    def references(self) -> set[str]:
        """Every published file (hidden temp files and the work folder are not published)."""
        if not self.media_dir.is_dir():
            return set()
        return {
            str(path.resolve())
            for path in self.media_dir.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(self.media_dir).parts)
        }
