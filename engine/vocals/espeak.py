"""espeak-ng through its C library: lines of words → speech audio with the time of every phoneme (IPA).

espeak-ng carries state from one utterance to the next (its pitch flutter, its echo), so the same words
do not give the same samples twice in one process. `speak_lines` therefore speaks a whole vocal part in a
fresh child process (one spawn per part, not per syllable): the same part always sounds the same.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import ConfigError, EngineError
from engine.speech import Phone, Speech

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_PHONEME_EVENTS_IPA = 0x0001 | 0x0002  # espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_PHONEME_IPA
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED, _EVENT_PHONEME = 0, 7
_RATE, _PITCH, _RANGE = 1, 3, 4  # espeak_PARAMETER


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
        ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p), ("id", _EventId),
    ]  # fmt: skip


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class Espeak:
    """The espeak-ng library, loaded once per process; it is not re-entrant, so calls take a lock."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self._lib = ctypes.CDLL(path)
        except OSError as exc:
            raise ConfigError("espeak-ng is not installed (Debian package espeak-ng); the singer needs it") from exc
        self._libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        self._lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int, int]] = []
        self._callback = _Callback(self._collect)  # kept referenced: the library calls it later
        self.sample_rate = int(self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _PHONEME_EVENTS_IPA))
        if self.sample_rate <= 0:
            raise ConfigError("espeak-ng could not start (its data folder is missing?)")
        self._lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: ctypes._Pointer, count: int, events: ctypes._Pointer) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_PHONEME:
                name = event.id.string.decode("utf-8", "ignore")
                self._events.append((name, int(event.sample), int(event.text_position)))
            index += 1
        return 0

    def speak(self, text: str, voice: str, *, rate: int, pitch: int, pitch_range: int = 0) -> Speech:
        """Speak `text` with espeak-ng voice `voice` ("en-us+f3") at base `pitch` (0..100), `rate` words/min.

        `pitch_range` 0 is a monotone, which the singer repitches; 50 is espeak-ng's normal intonation.
        """
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            self._chunks, self._events = [], []
            if self._lib.espeak_SetVoiceByName(voice.encode("ascii")) != 0:
                raise EngineError(f"espeak-ng has no voice {voice!r}")
            for parameter, value in ((_RATE, rate), (_PITCH, pitch), (_RANGE, pitch_range)):
                self._lib.espeak_SetParameter(parameter, value, 0)
            self._libc.srand(0)  # espeak-ng draws its breath and jitter noise from libc's rand(): same text, same audio
            status = self._lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            chunks, events = self._chunks, self._events
        if status != 0 or not chunks:
            raise EngineError(f"espeak-ng could not speak {text!r} (status {status})")
        audio = np.concatenate(chunks).astype(np.float32) / 32768.0
        phones = []
        for index, (name, sample, position) in enumerate(events):
            following = events[index + 1][1] if index + 1 < len(events) else len(audio)
            if name and following > sample:
                phones.append(Phone(name, sample, min(following, len(audio)), max(position - 1, 0)))
        return Speech(audio, self.sample_rate, phones)


@functools.cache
def espeak() -> Espeak:
    """The process's espeak-ng (the C library keeps one state per process)."""
    return Espeak()


@dataclass(frozen=True, slots=True)
class Utterance:
    """One text for espeak-ng to speak, and how."""

    text: str
    voice: str
    rate: int
    pitch: int
    pitch_range: int = 0


_ROOT = Path(__file__).resolve().parents[2]
_CHILD_TIMEOUT_S = 60


def speak_lines(utterances: list[Utterance]) -> list[Speech]:
    """Speak every utterance, in order, in a fresh espeak-ng (a child process): deterministic."""
    request = json.dumps([[u.text, u.voice, u.rate, u.pitch, u.pitch_range] for u in utterances]).encode()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")])}
    try:
        # Run as a file, not `-m engine.vocals.espeak`: that would import the package (Praat, SciPy) first.
        done = subprocess.run([sys.executable, str(Path(__file__).resolve())], input=request, capture_output=True,
                              env=environment, timeout=_CHILD_TIMEOUT_S, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"espeak-ng did not answer: {exc}") from exc
    header, _, body = done.stdout.partition(b"\n")
    if done.returncode != 0 or not header:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EngineError(f"espeak-ng failed: {message[-1] if message else done.returncode}")
    meta = json.loads(header)
    samples = np.frombuffer(body, dtype=np.int16).astype(np.float32) / 32768.0
    speeches, offset = [], 0
    for item in meta["speeches"]:
        audio = samples[offset : offset + item["samples"]]
        offset += item["samples"]
        speeches.append(Speech(audio, meta["sample_rate"], [Phone(*phone) for phone in item["phones"]]))
    return speeches


def _serve() -> None:
    """The child's side: read utterances as JSON on stdin; write a JSON header line, then int16 samples."""
    engine = espeak()
    header: dict[str, object] = {"sample_rate": engine.sample_rate, "speeches": []}
    audio = []
    for text, voice, rate, pitch, pitch_range in json.loads(sys.stdin.buffer.read()):
        speech = engine.speak(text, voice, rate=rate, pitch=pitch, pitch_range=pitch_range)
        phones = [[p.ipa, p.start, p.end, p.text_position] for p in speech.phones]
        header["speeches"].append({"samples": len(speech.audio), "phones": phones})  # type: ignore[attr-defined]
        audio.append(np.round(speech.audio * 32768.0).clip(-32768, 32767).astype(np.int16))
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n")
    sys.stdout.buffer.write(np.concatenate(audio).tobytes() if audio else b"")


if __name__ == "__main__":
    _serve()
