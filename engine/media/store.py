"""The media store interface and the one place that picks an implementation from settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

MediaBackend = Literal["local", "s3"]


class MediaStore(Protocol):
    """Publishes finished files for every machine and hands back local copies of them."""

    def prepare(self) -> None:
        """Make the store ready to take files (the folder, the bucket); engines call it at start."""
        ...

    def reference_of(self, path: Path) -> str:
        """The reference a file at this path under the media folder gets when it is published."""
        ...

    def publish(self, path: Path, as_path: Path | None = None) -> str:
        """Make a finished local file readable everywhere as the file at `as_path` (default: `path`); its reference."""
        ...

    def local_copy(self, reference: str) -> Path:
        """A local path holding the referenced file's bytes (remote files are fetched once)."""
        ...

    def remove(self, reference: str) -> None:
        """Delete the referenced file; no error if it is already gone."""
        ...

    def references(self) -> set[str]:
        """Every file the store holds (for clean-up and for checking nothing is orphaned)."""
        ...


@dataclass(frozen=True, slots=True)
class MediaSettings:
    """Which store, and what it needs: the local folder always (work and cache), S3 details when used."""

    media_dir: Path
    backend: MediaBackend = "local"
    s3_bucket: str = "bandmate-media"
    s3_endpoint_url: str | None = None  # None: AWS itself; set for MinIO, Ceph, Garage, moto…
    s3_region: str = "us-east-1"


def open_media_store(settings: MediaSettings) -> MediaStore:
    """The configured store (the S3 client is imported only when S3 is used)."""
    if settings.backend == "s3":
        from engine.media.s3 import S3MediaStore

        return S3MediaStore(settings)
    from engine.media.local import LocalMediaStore

    return LocalMediaStore(settings.media_dir)
