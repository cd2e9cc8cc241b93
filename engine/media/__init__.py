"""Where finished media lives: the local media folder (the default), or an S3-compatible object store.

An engine writes a piece's files locally (all-or-nothing), then *publishes* each one; the job's result
holds the references the store handed back. Whoever posts the piece (any bot process, on any machine)
asks the same kind of store for a local copy. References are plain strings: an absolute path for the
local folder, `s3://bucket/key` for the object store, so a result always says where its files are.
"""

from __future__ import annotations

from engine.media.local import LocalMediaStore
from engine.media.store import MediaSettings, MediaStore, open_media_store

__all__ = ["LocalMediaStore", "MediaSettings", "MediaStore", "open_media_store"]
