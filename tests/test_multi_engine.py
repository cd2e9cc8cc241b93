"""Past one machine: three `bandmate engine` processes on PostgreSQL and the S3 server, one killed mid-way."""

from __future__ import annotations

import asyncio
import secrets
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.servers import ObjectStoreServer
from bot.app import opened
from bot.messages import Request
from engine.media import open_media_store
from engine.queue.jobs import Job
from tests.conftest import cli_env, make_settings
from tests.helpers import RecordingSink, eventually, origin

PIECES = 30  # enough that the kill lands mid-queue with three engines: 5 delivered first, 25 still to go
STYLES = ("lofi hip hop", "sad piano ballad", "upbeat pop", "bossa nova", "jazz trio", "folk song")


async def test_three_engines_one_killed_deliver_every_piece_once_and_leave_no_orphans(
    tmp_path: Path, postgres_url: str, object_store_env: ObjectStoreServer
) -> None:
    bucket = f"multi-{secrets.token_hex(4)}"
    media = {"media_store": "s3", "s3_bucket": bucket, "s3_endpoint_url": object_store_env.endpoint_url}
    settings = make_settings(tmp_path, database_url=postgres_url, job_lease_seconds=3.0, **media)
    # Each engine is its own "machine": its own work folder, sharing only the database and the bucket.
    async with opened(settings) as runtime:
        env = cli_env(settings) | {"MEDIA_STORE": "s3", "S3_BUCKET": bucket, "JOB_LEASE_SECONDS": "3",
                                   "S3_ENDPOINT_URL": object_store_env.endpoint_url}  # fmt: skip
        command = (sys.executable, "-m", "bot.cli", "engine")
        engines = [await asyncio.create_subprocess_exec(*command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                                        stderr=subprocess.DEVNULL) for _ in range(3)]  # fmt: skip
        sink = RecordingSink()
        delivery = asyncio.create_task(runtime.delivery_loop([sink]).run())
        try:
            replies = [
                await runtime.service.handle(Request(origin(f"user-{n}", f"chat-{n}"), "compose",
                                                     f"{STYLES[n % len(STYLES)]}, 5 seconds", message_id=str(n)))
                for n in range(PIECES)
            ]  # fmt: skip
            job_ids = [reply.job_id for reply in replies if reply.job_id is not None]
            assert len(job_ids) == PIECES, [reply.text for reply in replies if reply.job_id is None]

            async def jobs() -> list[Job]:
                return [job for job_id in job_ids if (job := await runtime.queue.get(job_id)) is not None]

            victim = engines[0]
            held: list[Job] = []

            async def victim_is_mid_job() -> bool:
                owner = f":{victim.pid}:"
                held[:] = [job for job in await jobs() if job.status == "running" and owner in (job.lease_owner or "")]
                return bool(held)

            await eventually(lambda: len(sink.deliveries) >= 5, timeout=120)
            # Frozen first, so it cannot finish the job it holds between our look and the kill.
            for _ in range(200):
                victim.send_signal(signal.SIGSTOP)
                await asyncio.sleep(0.3)  # a commit it had already sent lands now
                if await victim_is_mid_job():
                    break
                victim.send_signal(signal.SIGCONT)
                await asyncio.sleep(0.1)
            assert held, "the engine to kill never held a job"
            victim.send_signal(signal.SIGKILL)
            await eventually(lambda: len(sink.deliveries) >= PIECES, timeout=240)
            await asyncio.sleep(1.0)  # a second post of any piece would show by now
        finally:
            delivery.cancel()
            for engine in engines:
                if engine.returncode is None:
                    engine.terminate()
            await asyncio.wait_for(asyncio.gather(*(engine.wait() for engine in engines)), timeout=60)
        finished = await jobs()
        posts = Counter(delivery.composition_id for delivery in sink.deliveries)
        assert set(posts) == {reply.composition_id for reply in replies} and set(posts.values()) == {1}
        assert [job.status for job in finished] == ["done"] * PIECES  # none lost, none failed
        taken_over = next(job for job in finished if job.id == held[0].id)
        assert taken_over.attempts >= 2  # the killed engine's job was finished by another engine
        assert all(d.mp3_path is not None and d.mp3_path.stat().st_size > 10_000 for d in sink.deliveries)
        referenced = {ref for job in finished if job.outcome is not None for ref in job.outcome.references()}
        assert all(ref.startswith(f"s3://{bucket}/") for ref in referenced)
        stored = await asyncio.to_thread(open_media_store(settings.media()).references)
        assert stored == referenced  # every object belongs to a finished piece: no orphans
