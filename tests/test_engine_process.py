"""The engine as a separate process: killed mid-job, its job is taken over and delivered once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.app import Runtime
from bot.delivery import DeliveryLoop
from bot.messages import Request
from tests.conftest import cli_env, make_settings
from tests.helpers import RecordingSink, eventually, origin


def _engine(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "engine"], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


async def test_killed_engine_job_is_claimed_again_and_delivered_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, job_lease_seconds=1.5)
    env = cli_env(settings) | {"JOB_LEASE_SECONDS": "1.5"}
    runtime = await Runtime.open(settings)
    sink = RecordingSink()
    loop = DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.05)
    delivery = asyncio.create_task(loop.run())
    first = _engine(env, tmp_path)
    second = None
    try:
        # A long piece so the engine is surely mid-way when it is killed.
        reply = await runtime.service.handle(
            Request(origin(), "compose", "epic orchestral battle theme, 4 minutes", message_id="m")
        )
        assert reply.job_id is not None, reply.text
        job_id = reply.job_id

        async def mid_way() -> bool:
            job = await runtime.queue.get(job_id)
            return job is not None and job.status == "running"

        await eventually(mid_way, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        job = await runtime.queue.get(job_id)
        assert job is not None and job.status == "running" and job.attempts == 1

        second = _engine(env, tmp_path)
        await eventually(lambda: len(sink.deliveries) == 1, timeout=120)
        await asyncio.sleep(0.5)
        assert len(sink.deliveries) == 1
        delivered = sink.deliveries[0]
        assert delivered.error is None and delivered.mp3_path is not None and delivered.mp3_path.is_file()
        job = await runtime.queue.get(job_id)
        assert job is not None and job.status == "done" and job.attempts == 2
        leftovers = [p.name for p in delivered.mp3_path.parent.iterdir() if p.name.startswith(".")]
        assert leftovers == []  # the killed engine's half-written temp files never became media
        assert any(sink.progress_updates), "progress was recorded while it composed"
    finally:
        delivery.cancel()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        await runtime.close()
