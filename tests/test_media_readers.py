"""Whoever reads finished media asks the media store: a bot on another machine than the engine, over S3."""

from __future__ import annotations

import secrets
from pathlib import Path

from bench.servers import ObjectStoreServer
from bot.app import opened
from bot.messages import Request
from engine.media import open_media_store
from engine.queue.contract import JobResult
from tests.conftest import make_settings
from tests.helpers import origin


async def test_midi_of_a_piece_in_the_object_store_is_downloaded_for_the_bot(
    tmp_path: Path, object_store_env: ObjectStoreServer
) -> None:
    s3 = {"media_store": "s3", "s3_bucket": f"readers-{secrets.token_hex(4)}",
          "s3_endpoint_url": object_store_env.endpoint_url}  # fmt: skip
    bot_settings = make_settings(tmp_path / "bot", **s3)
    engine_media = make_settings(tmp_path / "engine", **s3).media()  # the engine's machine: another folder
    engine_store = open_media_store(engine_media)
    engine_store.prepare()
    async with opened(bot_settings) as runtime:
        await runtime.service.handle(Request(origin(), "compose", "sad piano ballad, 8 seconds", message_id="m"))
        claimed = await runtime.queue.claim("engine-elsewhere", 30, 3)
        assert claimed is not None
        made = engine_media.media_dir / "c1" / "made.mid"
        made.parent.mkdir(parents=True)
        made.write_bytes(b"MThd from the engine")
        reference = engine_store.publish(made)
        assert not made.exists() and reference.startswith("s3://")
        await runtime.queue.complete(claimed, JobResult(files={"midi": reference}))
        reply = await runtime.service.handle(Request(origin(), "midi"))
    assert reply.file is not None and reply.file.read_bytes() == b"MThd from the engine"
    assert reply.file.is_relative_to(bot_settings.media_dir / ".cache")  # fetched into the bot's own cache
