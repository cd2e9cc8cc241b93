"""MIDI → dry per-part stereo stems with FluidSynth in one pass, offline and faster than real time.

Every MIDI channel gets its own stereo output pair (`synth.audio-channels` = 16 with
`fluid_synth_nwrite_float`), so one pass yields one stem per track. The built-in reverb and chorus
are off: space comes from the mixer's send effects. Measured against one render per part (22 s
pieces, 6 parts, FluidR3): see `bench/render_routes.py`.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import numpy as np
import symusic

from engine.errors import RenderError

DRUM_CHANNEL = 9
DRUM_BANK = 128
_NOTE_OFF, _NOTE_ON, _CONTROL, _PROGRAM = 0, 2, 1, -1  # sort order at equal times: programs first
_CHANNELS = 16
_BLOCK = 8192  # frames per FluidSynth write into the scratch buffer
# Volume, pan and the built-in effect sends belong to the mixer now; stems come out dry, centred, at unity.
_MIXER_CONTROLS = frozenset({7, 10, 91, 93})


@dataclass(frozen=True, slots=True)
class _Event:
    frame: int
    order: int
    channel: int
    a: int
    b: int


def _load_fluidsynth() -> ModuleType:
    try:
        # pyfluidsynth prints where it found the library when CI is set; stdout belongs to our output.
        with contextlib.redirect_stdout(io.StringIO()):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise RenderError("libfluidsynth is not installed (apt-get install libfluidsynth3)") from exc
    return fluidsynth


class Renderer:
    """One SoundFont loaded once and kept (loading is the slow part); every piece gets a fresh synth.

    A reused synth carries state from the last piece (voice and modulator state survive a reset:
    measured up to 0.05 apart on the same MIDI), so each render opens a new one; with the samples
    already loaded by the kept synth that costs about 70 ms with FluidR3, and the same MIDI renders
    the same samples every time.
    """

    def __init__(self, soundfont: Path, sample_rate: int = 44_100, gain: float = 0.3) -> None:
        fluidsynth = _load_fluidsynth()
        if not soundfont.is_file():
            raise RenderError(f"SoundFont not found: {soundfont}")
        self.sample_rate = sample_rate
        self.soundfont = soundfont
        self._fluidsynth, self._gain = fluidsynth, gain
        self._synth, self._sfid = self._open_synth()  # kept: it holds the SoundFont's samples in memory
        # pyfluidsynth wraps neither; float output keeps headroom for the mixer and the mastering stage.
        self._nwrite_float = fluidsynth.cfunc(
            "fluid_synth_nwrite_float", ctypes.c_int,
            ("synth", ctypes.c_void_p, 1), ("len", ctypes.c_int, 1),
            ("left", ctypes.c_void_p, 1), ("right", ctypes.c_void_p, 1),
            ("fx_left", ctypes.c_void_p, 1), ("fx_right", ctypes.c_void_p, 1),
        )  # fmt: skip

    def _open_synth(self) -> tuple[Any, int]:
        settings = {"synth.reverb.active": 0, "synth.chorus.active": 0, "synth.polyphony": 512,
                    "synth.audio-channels": _CHANNELS, "synth.audio-groups": _CHANNELS}  # fmt: skip
        synth = self._fluidsynth.Synth(gain=self._gain, samplerate=float(self.sample_rate), **settings)
        sfid = synth.sfload(str(self.soundfont))
        if sfid < 0:
            synth.delete()
            raise RenderError(f"FluidSynth could not load the SoundFont {self.soundfont}")
        return synth, sfid

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Free the synthesizer."""
        if self._synth is not None:
            self._synth.delete()
            self._synth = None

    def render(self, midi: bytes, length_s: float | None = None) -> np.ndarray:
        """Render MIDI bytes to float32 stereo frames (n, 2), every part summed dry and centred."""
        stems = self.render_parts(midi, length_s)
        if not stems:
            total = round((length_s if length_s is not None else 1.5) * self.sample_rate)
            return np.zeros((max(total, 1), 2), dtype=np.float32)
        return np.asarray(np.sum(list(stems.values()), axis=0, dtype=np.float32), dtype=np.float32)

    def render_parts(self, midi: bytes, length_s: float | None = None) -> dict[str, np.ndarray]:
        """Render MIDI bytes to one dry stereo stem (n, 2) per track, keyed by track name, in one pass."""
        if self._synth is None:
            raise RenderError("the renderer is closed")
        try:
            score = symusic.Score.from_midi(midi).to("second")
        except Exception as exc:  # symusic raises plain RuntimeError/ValueError on bad files
            raise RenderError(f"unreadable MIDI: {exc}") from exc
        events, channels = self._events(score)
        end_s = max((event.frame for event in events), default=0) / self.sample_rate
        total = max(1, round((length_s if length_s is not None else end_s + 1.5) * self.sample_rate))
        used = sorted(set(channels.values()))
        # Planar output only for the channels that play; FluidSynth writes all 16 pairs into a small
        # scratch block that is copied out, so a 5-minute piece never holds 16 idle channels in memory.
        planes = np.zeros((len(used), 2, total), dtype=np.float32)
        scratch = np.zeros((_CHANNELS, 2, _BLOCK), dtype=np.float32)
        pointers = self._pointers(scratch)
        synth, sfid = self._open_synth()
        try:
            cursor = 0
            for event in events:
                frame = min(event.frame, total)
                if frame > cursor:
                    self._write(synth, planes, used, scratch, pointers, cursor, frame - cursor)
                    cursor = frame
                if frame >= total:
                    break
                self._apply(synth, sfid, event)
            if cursor < total:
                self._write(synth, planes, used, scratch, pointers, cursor, total - cursor)
        finally:
            synth.delete()
        return {name: np.ascontiguousarray(planes[used.index(channel)].T) for name, channel in channels.items()}

    @staticmethod
    def _pointers(scratch: np.ndarray) -> tuple[ctypes.Array[ctypes.c_void_p], ctypes.Array[ctypes.c_void_p]]:
        base, (channel_stride, side_stride, _) = scratch.ctypes.data, scratch.strides
        left = (ctypes.c_void_p * _CHANNELS)(*(base + c * channel_stride for c in range(_CHANNELS)))
        right = (ctypes.c_void_p * _CHANNELS)(*(base + c * channel_stride + side_stride for c in range(_CHANNELS)))
        return left, right

    def _write(
        self, synth: Any, planes: np.ndarray, used: list[int], scratch: np.ndarray,
        pointers: tuple[ctypes.Array[ctypes.c_void_p], ctypes.Array[ctypes.c_void_p]], start: int, frames: int,
    ) -> None:  # fmt: skip
        while frames > 0:
            block = min(frames, _BLOCK)
            if self._nwrite_float(synth.synth, block, pointers[0], pointers[1], None, None) != 0:
                raise RenderError("FluidSynth failed while writing audio")
            planes[:, :, start : start + block] = scratch[used, :, :block]
            start, frames = start + block, frames - block

    @staticmethod
    def _apply(synth: Any, sfid: int, event: _Event) -> None:
        if event.order == _PROGRAM:
            bank = DRUM_BANK if event.channel == DRUM_CHANNEL else 0
            if synth.program_select(event.channel, sfid, bank, event.a) != 0:
                synth.program_select(event.channel, sfid, bank, 0)  # kit/program missing in this font
        elif event.order == _CONTROL:
            synth.cc(event.channel, event.a, event.b)
        elif event.order == _NOTE_ON:
            synth.noteon(event.channel, event.a, event.b)
        else:
            synth.noteoff(event.channel, event.a)

    def _events(self, score: symusic.Score) -> tuple[list[_Event], dict[str, int]]:
        rate = self.sample_rate
        events: list[_Event] = []
        channels: dict[str, int] = {}
        free_channels = [c for c in range(16) if c != DRUM_CHANNEL]
        for index, track in enumerate(score.tracks):
            if track.is_drum:
                channel = DRUM_CHANNEL
            elif free_channels:
                channel = free_channels.pop(0)
            else:
                raise RenderError("more than 15 melodic tracks")
            name = track.name or f"part {index + 1}"
            if name in channels:
                raise RenderError(f"two tracks are both named {name!r}")
            if channel not in channels.values():  # a second drum track shares the drum channel's stem
                channels[name] = channel
            events.append(_Event(0, _PROGRAM, channel, track.program, 0))
            for control in track.controls:
                if control.number in _MIXER_CONTROLS:
                    continue
                frame = round(control.time * rate)
                events.append(_Event(frame, _CONTROL, channel, control.number, control.value))
            for note in track.notes:
                start = round(note.time * rate)
                end = max(start + 1, round((note.time + note.duration) * rate))
                events.append(_Event(start, _NOTE_ON, channel, note.pitch, note.velocity))
                events.append(_Event(end, _NOTE_OFF, channel, note.pitch, 0))
        events.sort(key=lambda e: (e.frame, e.order, e.channel, e.a))
        return events, channels
