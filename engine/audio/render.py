"""MIDI → stereo float audio with FluidSynth, offline and faster than real time."""

from __future__ import annotations

import contextlib
import ctypes
import io
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import symusic

from engine.errors import RenderError

DRUM_CHANNEL = 9
DRUM_BANK = 128
_NOTE_OFF, _NOTE_ON, _CONTROL, _PROGRAM = 0, 2, 1, -1  # sort order at equal times: programs first


@dataclass(frozen=True, slots=True)
class _Event:
    frame: int
    order: int
    channel: int
    a: int
    b: int


def _load_fluidsynth():  # type: ignore[no-untyped-def]
    try:
        # pyfluidsynth prints where it found the library when CI is set; stdout belongs to our output.
        with contextlib.redirect_stdout(io.StringIO()):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise RenderError("libfluidsynth is not installed (apt-get install libfluidsynth3)") from exc
    return fluidsynth


class Renderer:
    """A FluidSynth instance with one SoundFont loaded, reused across pieces (loading is the slow part)."""

    def __init__(self, soundfont: Path, sample_rate: int = 44_100, gain: float = 0.3) -> None:
        fluidsynth = _load_fluidsynth()
        if not soundfont.is_file():
            raise RenderError(f"SoundFont not found: {soundfont}")
        self.sample_rate = sample_rate
        self.soundfont = soundfont
        self._synth = fluidsynth.Synth(
            gain=gain,
            samplerate=float(sample_rate),
            **{"synth.reverb.active": 1, "synth.chorus.active": 1, "synth.polyphony": 512},
        )
        self._synth.set_reverb(roomsize=0.55, damping=0.4, width=0.8, level=0.7)
        self._sfid = self._synth.sfload(str(soundfont))
        if self._sfid < 0:
            raise RenderError(f"FluidSynth could not load the SoundFont {soundfont}")
        # pyfluidsynth only wraps the int16 writer; float output keeps headroom for the mastering stage.
        self._write_float = fluidsynth.cfunc(
            "fluid_synth_write_float", ctypes.c_int,
            ("synth", ctypes.c_void_p, 1), ("len", ctypes.c_int, 1),
            ("lout", ctypes.c_void_p, 1), ("loff", ctypes.c_int, 1), ("lincr", ctypes.c_int, 1),
            ("rout", ctypes.c_void_p, 1), ("roff", ctypes.c_int, 1), ("rincr", ctypes.c_int, 1),
        )  # fmt: skip

    def __enter__(self) -> Renderer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Free the synthesizer."""
        if self._synth is not None:
            self._synth.delete()
            self._synth = None

    def render(self, midi: bytes, length_s: float | None = None) -> np.ndarray:
        """Render MIDI bytes to float32 stereo frames (n, 2); `length_s` fixes the length exactly."""
        if self._synth is None:
            raise RenderError("the renderer is closed")
        try:
            score = symusic.Score.from_midi(midi).to("second")
        except Exception as exc:  # symusic raises plain RuntimeError/ValueError on bad files
            raise RenderError(f"unreadable MIDI: {exc}") from exc
        events = self._events(score)
        end_s = max((event.frame for event in events), default=0) / self.sample_rate
        total = round((length_s if length_s is not None else end_s + 1.5) * self.sample_rate)
        audio = np.zeros((max(total, 1), 2), dtype=np.float32)
        self._synth.system_reset()
        cursor = 0
        for event in events:
            frame = min(event.frame, total)
            if frame > cursor:
                self._write(audio, cursor, frame - cursor)
                cursor = frame
            if frame >= total:
                break
            self._apply(event)
        if cursor < total:
            self._write(audio, cursor, total - cursor)
        return audio

    def _write(self, audio: np.ndarray, start: int, frames: int) -> None:
        pointer = audio.ctypes.data
        left, right = start * 2, start * 2 + 1
        status = self._write_float(self._synth.synth, frames, pointer, left, 2, pointer, right, 2)
        if status != 0:
            raise RenderError("FluidSynth failed while writing audio")

    def _apply(self, event: _Event) -> None:
        synth = self._synth
        if event.order == _PROGRAM:
            bank = DRUM_BANK if event.channel == DRUM_CHANNEL else 0
            if synth.program_select(event.channel, self._sfid, bank, event.a) != 0:
                synth.program_select(event.channel, self._sfid, bank, 0)  # kit/program missing in this font
        elif event.order == _CONTROL:
            synth.cc(event.channel, event.a, event.b)
        elif event.order == _NOTE_ON:
            synth.noteon(event.channel, event.a, event.b)
        else:
            synth.noteoff(event.channel, event.a)

    def _events(self, score: symusic.Score) -> list[_Event]:
        rate = self.sample_rate
        events: list[_Event] = []
        free_channels = [c for c in range(16) if c != DRUM_CHANNEL]
        for track in score.tracks:
            if track.is_drum:
                channel = DRUM_CHANNEL
            elif free_channels:
                channel = free_channels.pop(0)
            else:
                raise RenderError("more than 15 melodic tracks")
            events.append(_Event(0, _PROGRAM, channel, track.program, 0))
            for control in track.controls:
                frame = round(control.time * rate)
                events.append(_Event(frame, _CONTROL, channel, control.number, control.value))
            for note in track.notes:
                start = round(note.time * rate)
                end = max(start + 1, round((note.time + note.duration) * rate))
                events.append(_Event(start, _NOTE_ON, channel, note.pitch, note.velocity))
                events.append(_Event(end, _NOTE_OFF, channel, note.pitch, 0))
        events.sort(key=lambda e: (e.frame, e.order, e.channel, e.a))
        return events
