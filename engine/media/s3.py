"""Media in an S3-compatible object store, for bots and engines on different machines.

An object appears whole or not at all (a PUT is atomic), so a reader never sees half a file; the job's
completion in the database is what publishes the reference. Local copies are cached in the media folder
under `.cache/`, written all-or-nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.files import atomic_path
from engine.media.store import MediaSettings

SCHEME = "s3://"


class S3MediaStore:
    """Media in one bucket; keys mirror the paths under the media folder."""

    def __init__(self, settings: MediaSettings) -> None:
        import boto3
        from botocore.config import Config

        self.settings = settings
        self.bucket = settings.s3_bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60),
        )
        self._cache = settings.media_dir / ".cache"

    def _call(self, what: str, function: Any, **arguments: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return function(**arguments)
        except (BotoCoreError, ClientError) as exc:
            raise EngineError(f"object store: could not {what}: {exc}") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (deployments may also create it beforehand)."""
        from botocore.exceptions import ClientError

        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._call("create the bucket", self._client.create_bucket, Bucket=self.bucket)

    def prepare(self) -> None:
        """Ensure the bucket exists."""
        self.ensure_bucket()

    def reference_of(self, path: Path) -> str:
        """`s3://bucket/key`, the key being the path under the media folder."""
        return f"{SCHEME}{self.bucket}/{self.key_of(path)}"

    def key_of(self, path: Path) -> str:
        """The object key for a file under the media folder."""
        resolved, root = path.resolve(), self.settings.media_dir.resolve()
        if not resolved.is_relative_to(root):
            raise EngineError(f"{path} is outside the media folder {self.settings.media_dir}")
        return resolved.relative_to(root).as_posix()

    def publish(self, path: Path, as_path: Path | None = None) -> str:
        """Upload the finished file (under `as_path`'s key if given), then drop the local copy (engines keep none)."""
        key = self.key_of(as_path or path)
        self._call(f"upload {key}", self._client.upload_file, Filename=str(path), Bucket=self.bucket, Key=key)
        path.unlink(missing_ok=True)
        return f"{SCHEME}{self.bucket}/{key}"

    def _split(self, reference: str) -> tuple[str, str]:
        if not reference.startswith(SCHEME) or "/" not in reference[len(SCHEME) :]:
            raise EngineError(f"not an object store reference: {reference!r}")
        bucket, key = reference[len(SCHEME) :].split("/", 1)
        return bucket, key

    def local_copy(self, reference: str) -> Path:
        """Download once into the cache (all-or-nothing), then serve the cached file."""
        bucket, key = self._split(reference)
        target = self._cache / bucket / key
        if not target.is_file():
            with atomic_path(target) as temp:
                self._call(f"download {key}", self._client.download_file, Bucket=bucket, Key=key, Filename=str(temp))
        return target

    def remove(self, reference: str) -> None:
        """Delete the object and any cached copy."""
        bucket, key = self._split(reference)
        self._call(f"delete {key}", self._client.delete_object, Bucket=bucket, Key=key)
        (self._cache / bucket / key).unlink(missing_ok=True)

    def references(self) -> set[str]:
        """Every object in the bucket."""

        def listing() -> set[str]:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
            return {f"{SCHEME}{self.bucket}/{item['Key']}" for page in pages for item in page.get("Contents", [])}

        return set(self._call("list the bucket", listing))
