"""Starting an engine: load the SoundFont and the model side by side, warm them, and time each step."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from engine.audio.render import Renderer
from engine.errors import ConfigError, RenderError
from engine.partwriter import PartWriter
from engine.pipeline import generate, render
from engine.queue import workspace
from engine.settings import EngineSettings
from engine.spec import MusicSpec, build_spec

log = logging.getLogger("bandmate.engine")
_T = TypeVar("_T")

UNAVAILABLE_MESSAGE = "Bandmate can't make music right now: its instrument sounds are missing. Please try again later."
"""Shown to people whose queued pieces no engine can make (no usable SoundFont)."""

# The smallest piece that still goes through every stage: the model writes a melody and an accompaniment,
# FluidSynth plays piano and drums, mastering and ffmpeg run once.
WARM_UP_SPEC: dict[str, object] = {
    "genre": "pop", "tempo_bpm": 120, "key": "C", "mode": "major", "meter": "4/4", "drums": True,
    "parts": [{"name": "flute", "role": "melody"}, {"name": "piano", "role": "chords"}],
    "duration_s": 5, "seed": 0,
}  # fmt: skip


@dataclass(slots=True)
class Startup:
    """What an engine's start took, step by step, in milliseconds (also logged)."""

    steps_ms: dict[str, float] = field(default_factory=dict)
    began: float = field(default_factory=time.perf_counter)

    def mark(self, step: str, since: float) -> None:
        """Record that `step` took from `since` until now."""
        self.steps_ms[step] = round((time.perf_counter() - since) * 1000, 1)

    @property
    def total_ms(self) -> float:
        """Milliseconds since the start began."""
        return round((time.perf_counter() - self.began) * 1000, 1)


def load_writer(enabled: bool, threads: int = 2) -> PartWriter | None:
    """The learned part writer if enabled and shipped, else None (the rules compose alone)."""
    if not enabled:
        return None
    # OpenMP threads that spin while they wait turn a busy machine into a stall: on the 2-core
    # development machine under load 9, a 30-s piece composed in ~100 s with spinning threads and in ~4 s
    # with sleeping ones (bench/engine_startup.py). libgomp reads this once, when torch loads it, so it is set
    # here, before the engine's first torch import; an operator's own value wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch

        from engine.model import load_writer as load_model_writer
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return load_model_writer()


def _open_renderer(settings: EngineSettings) -> Renderer:
    try:
        return Renderer(settings.soundfont, settings.sample_rate)
    except RenderError as exc:
        raise ConfigError(str(exc)) from exc


async def _timed(step: str, startup: Startup, function: Callable[[], _T]) -> _T:
    begun = time.perf_counter()
    result = await asyncio.to_thread(function)
    startup.mark(step, begun)
    return result


def limit_blas_threads() -> None:
    """One OpenBLAS thread for the whole process: the engine's matrices are small, and its stages run in threads.

    Two workers in one process once hung for 14 minutes with a stage's matrix product spinning inside
    OpenBLAS's own thread pool (numpy's OpenBLAS 0.3.31, found in the test suite); with one thread each call runs
    in its caller's thread and there is no pool to wait on. Only OpenBLAS: torch's OpenMP threads stay as set.
    """
    import scipy.linalg  # noqa: F401  SciPy brings an OpenBLAS of its own besides numpy's: load it to limit it
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # BLAS only; OpenMP (torch) keeps its threads


async def load(settings: EngineSettings, startup: Startup) -> tuple[Renderer, PartWriter | None]:
    """Open the synthesizer and the part writer in parallel (both spend most of their time outside Python)."""
    limit_blas_threads()
    soundfont = asyncio.create_task(_timed("soundfont", startup, lambda: _open_renderer(settings)))
    model = asyncio.create_task(
        _timed("model", startup, lambda: load_writer(settings.use_model, settings.model_threads))
    )
    try:
        renderer = await soundfont
    except BaseException:
        await asyncio.gather(model, return_exceptions=True)  # its thread cannot be stopped; let it finish
        raise
    try:
        writer = await model
    except BaseException:
        renderer.close()
        raise
    return renderer, writer


def warm_up(renderer: Renderer, writer: PartWriter | None, media_dir: Path) -> None:
    """Make one tiny piece end to end, so the first person's piece pays no first-call costs."""
    folder = workspace.temp_root(media_dir) / f"warm-up-{os.getpid()}"
    try:
        spec: MusicSpec = build_spec(WARM_UP_SPEC)
        generated = generate(spec, writer=writer)
        render(generated, renderer, folder / "warm-up.mp3")
    finally:
        workspace.remove(folder)


async def warm(renderer: Renderer, writer: PartWriter | None, media_dir: Path, startup: Startup) -> None:
    """Run the warm-up piece in a thread; a failure is logged, not fatal (the first job then pays instead)."""
    begun = time.perf_counter()
    try:
        await asyncio.to_thread(warm_up, renderer, writer, media_dir)
    except Exception:  # an optimisation only: never a reason for the engine not to start
        log.warning("the warm-up piece failed; the first job will be slower", exc_info=True)
    startup.mark("warm_up", begun)
