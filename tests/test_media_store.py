"""The media stores: the local folder, and a real S3-compatible server (moto, as its own process)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from bench.servers import ObjectStoreServer
from engine.errors import EngineError
from engine.media import LocalMediaStore, MediaSettings, open_media_store
from engine.media.s3 import S3MediaStore


def _s3(tmp_path: Path, server: ObjectStoreServer, folder: str = "media") -> S3MediaStore:
    store = S3MediaStore(MediaSettings(tmp_path / folder, "s3", f"bucket-{secrets.token_hex(4)}", server.endpoint_url))
    store.ensure_bucket()
    return store


def _finished(media: Path, name: str, data: bytes) -> Path:
    path = media / "telegram" / "c1" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_the_local_store_publishes_files_in_place_and_hides_temps(tmp_path: Path) -> None:
    media = tmp_path / "media"
    store = open_media_store(MediaSettings(media))
    assert isinstance(store, LocalMediaStore)
    path = _finished(media, "v1-jazz.mp3", b"mp3 bytes")
    (path.parent / ".v1-jazz.mp3.tmp").write_bytes(b"half")
    reference = store.publish(path)
    assert store.local_copy(reference).read_bytes() == b"mp3 bytes"
    assert store.references() == {reference}
    store.remove(reference)
    assert store.references() == set()
    with pytest.raises(EngineError):
        store.publish(tmp_path / "elsewhere.mp3")


def test_an_engine_publishes_to_the_object_store_and_another_machine_reads_it(
    tmp_path: Path, object_store_env: ObjectStoreServer
) -> None:
    engine_side = _s3(tmp_path, object_store_env, "engine-media")
    path = _finished(tmp_path / "engine-media", "v2-bossa-nova.mid", b"MThd midi")
    reference = engine_side.publish(path)
    assert reference.startswith("s3://") and reference.endswith("telegram/c1/v2-bossa-nova.mid")
    assert not path.exists()  # engine machines keep no media
    bot_side = open_media_store(
        MediaSettings(tmp_path / "bot-media", "s3", engine_side.bucket, object_store_env.endpoint_url)
    )
    copy = bot_side.local_copy(reference)
    assert copy.read_bytes() == b"MThd midi" and copy.is_relative_to(tmp_path / "bot-media")
    assert bot_side.local_copy(reference) == copy  # cached, not fetched again
    assert bot_side.references() == {reference}
    bot_side.remove(reference)
    assert bot_side.references() == set() and not copy.exists()


def test_a_missing_object_or_a_bad_reference_is_an_engine_error(
    tmp_path: Path, object_store_env: ObjectStoreServer
) -> None:
    store = _s3(tmp_path, object_store_env)
    with pytest.raises(EngineError, match="could not download"):
        store.local_copy(f"s3://{store.bucket}/nothing/here.mp3")
    with pytest.raises(EngineError, match="not an object store reference"):
        store.local_copy("/tmp/some/path.mp3")
    assert not list((tmp_path / "media").rglob("*.mp3"))  # a failed download leaves nothing half-written
