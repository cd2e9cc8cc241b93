"""The engine as a separate process: killed mid-job, tied to `bandmate run`, refusing a broken SoundFont."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.app import Runtime
from bot.delivery import DeliveryLoop
from bot.messages import Request
from tests.conftest import cli_env, make_settings
from tests.helpers import RecordingSink, command_line, eventually, origin


def _engine(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "engine"], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _children(pid: int, name: str | None = None) -> list[int]:
    """Live processes whose parent is `pid` (and whose command name is `name`), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited while we looked
        command, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z" and (name is None or command == name):
            found.append(int(stat.parent.name))
    return found


async def _caught(parent: int, name: str, argument: str, timeout: float = 60) -> list[int]:
    """The children named `name` of `parent` whose command line holds `argument`, polled every few ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [pid for pid in _children(parent, name) if argument in command_line(pid)]
        if found:
            return found
        await asyncio.sleep(0.002)
    raise AssertionError(f"no {name} with {argument} under {parent} within {timeout} s")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_an_engine_killed_while_encoding_leaves_no_children_or_temp_files_and_its_job_is_delivered_once(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, job_lease_seconds=1.5)
    private_tmp = tmp_path / "tmpdir"  # where pydub used to leave a WAV per killed encode
    private_tmp.mkdir()
    env = cli_env(settings) | {"JOB_LEASE_SECONDS": "1.5", "TMPDIR": str(private_tmp)}
    runtime = await Runtime.open(settings)
    sink = RecordingSink()
    loop = DeliveryLoop(runtime.store, runtime.queue, [sink], poll_seconds=0.05)
    delivery = asyncio.create_task(loop.run())
    first = _engine(env, tmp_path)
    second = None
    encoders: list[int] = []
    try:
        reply = await runtime.service.handle(
            Request(origin(), "compose", "epic orchestral battle theme, 20 seconds", message_id="m")
        )
        assert reply.job_id is not None, reply.text
        job_id = reply.job_id

        async def at(stages: tuple[str, ...]) -> bool:
            job = await runtime.queue.get(job_id)
            return job is not None and job.stage in stages

        # The job's own ffmpeg (the engine's warm-up piece encodes too) is caught the moment it starts and
        # frozen, so the kill lands mid-encode however short the piece; SIGKILL still reaches a stopped process.
        # The quick /proc polling starts once the piece is being played, a few seconds before it encodes.
        await eventually(lambda: at(("rendering", "mixing", "encoding")), timeout=180)
        encoders = await _caught(first.pid, "ffmpeg", f"job{job_id}-a1")
        for encoder in encoders:
            os.kill(encoder, signal.SIGSTOP)

        await eventually(lambda: at(("encoding",)), timeout=30)
        assert all(_alive(pid) for pid in encoders)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        await eventually(lambda: not any(_alive(pid) for pid in encoders), timeout=5)  # ffmpeg died with it
        assert list(private_tmp.iterdir()) == []
        job = await runtime.queue.get(job_id)
        assert job is not None and job.status == "running" and job.attempts == 1
        media = settings.media_dir
        assert [p.name for p in (media / ".tmp").iterdir()] == [f"job{job_id}-a1"]  # the dead attempt's folder
        assert [p for p in media.rglob("*") if p.is_file() and ".tmp" not in p.parts] == []  # nothing published

        second = _engine(env, tmp_path)
        await eventually(lambda: len(sink.deliveries) == 1, timeout=240)  # made again from the start
        await asyncio.sleep(0.5)
        assert len(sink.deliveries) == 1
        delivered = sink.deliveries[0]
        assert delivered.error is None and delivered.mp3_path is not None and delivered.mp3_path.is_file()
        job = await runtime.queue.get(job_id)
        assert job is not None and job.status == "done" and job.attempts == 2
        assert list((media / ".tmp").iterdir()) == []  # the takeover removed the dead attempt's files
        assert [p.name for p in media.rglob(".*") if p.name != ".tmp"] == []
        assert list(private_tmp.iterdir()) == []
        assert any(sink.progress_updates), "progress was recorded while it composed"
    finally:
        delivery.cancel()
        for encoder in filter(_alive, encoders):  # a frozen ffmpeg that outlived its engine (the test failed)
            os.kill(encoder, signal.SIGKILL)
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        await runtime.close()


def _run(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    # The console adapter reads stdin; an open pipe keeps it (and so the run) going.
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=cwd, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


async def test_the_engine_exits_when_bandmate_run_is_killed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    run = _run(cli_env(settings), tmp_path)
    try:
        await eventually(lambda: bool(_children(run.pid)), timeout=60)  # its only child is the engine
        [engine] = _children(run.pid)
        await asyncio.sleep(1.0)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        await eventually(lambda: not _alive(engine), timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()


async def test_a_broken_soundfont_is_refused_at_start_and_the_queued_jobs_fail_with_a_message(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"\x00" * 4096)  # not a RIFF 'sfbk' file: a truncated download, say
    settings = make_settings(tmp_path, soundfont=broken)
    runtime = await Runtime.open(settings)
    try:
        reply = await runtime.service.handle(Request(origin(), "compose", "sad piano, 10 seconds", message_id="m"))
        assert reply.job_id is not None
        command = [sys.executable, "-m", "bot.cli", "engine"]
        engine = await asyncio.to_thread(
            subprocess.run, command, env=cli_env(settings), cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert engine.returncode != 0
        lines = engine.stderr.strip().splitlines()
        assert lines[-1].startswith("bandmate: ") and "SoundFont" in lines[-1] and str(broken) in lines[-1]
        job = await runtime.queue.get(reply.job_id)
        assert job is not None and job.status == "failed" and job.error and "instrument sounds" in job.error
    finally:
        await runtime.close()


async def test_bandmate_run_exits_non_zero_with_one_line_when_its_engine_cannot_start(tmp_path: Path) -> None:
    # The header says SoundFont, so `run` starts its engine; FluidSynth then cannot load it.
    looks_right = tmp_path / "looks-right.sf2"
    looks_right.write_bytes(b"RIFF\x00\x10\x00\x00sfbk" + b"\x00" * 4096)
    settings = make_settings(tmp_path, soundfont=looks_right)
    run = _run(cli_env(settings), tmp_path)
    try:
        await eventually(lambda: bool(_children(run.pid)), timeout=60)
        [engine] = _children(run.pid)
        await eventually(lambda: not _alive(engine), timeout=120)
        # The console reads stdin in a thread that only its input can end (a console matter, not the
        # engine's): end the input, as a person leaving the terminal would.
        assert run.stdin is not None and run.stderr is not None
        run.stdin.close()
        await asyncio.to_thread(run.wait, 60)
        err = run.stderr.read()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode != 0
    ours = [line for line in err.splitlines() if line.startswith("bandmate: ")]
    assert len(ours) == 1 and ours[0].startswith("bandmate: the engine stopped: ") and str(looks_right) in ours[0]
