"""Audio → note events with basic-pitch's ONNX model on onnxruntime (its pre- and post-processing, ported).

basic-pitch's own Python modules import pretty_midi, resampy and (when present) TensorFlow, so only the
model file is taken from its wheel; the windowing and note decoding below follow basic_pitch/inference.py
and basic_pitch/note_creation.py (v0.4.0, Apache-2.0).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import argrelmax

from engine.errors import ConfigError
from engine.tune.audio_input import SAMPLE_RATE

FFT_HOP = 256
WINDOW_SAMPLES = SAMPLE_RATE * 2 - FFT_HOP  # the model's fixed input: two seconds less one hop
FRAMES_PER_SECOND = SAMPLE_RATE // FFT_HOP  # 86
FRAMES_PER_WINDOW = FRAMES_PER_SECOND * 2
OVERLAP_FRAMES = 30
MIDI_OFFSET = 21  # the model's lowest pitch bin is A0
N_PITCHES = 88
_OUTPUTS = ("StatefulPartitionedCall:1", "StatefulPartitionedCall:2")  # note frames, onsets
_INPUT = "serving_default_input_2:0"


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """One transcribed note: seconds, MIDI pitch and the model's mean frame activation (0–1)."""

    start_s: float
    end_s: float
    pitch: int
    amplitude: float


def model_path() -> Path:
    """The ONNX model shipped inside the basic-pitch wheel (found without importing basic_pitch)."""
    spec = importlib.util.find_spec("basic_pitch")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("basic-pitch is not installed; run `make deps`.")
    path = Path(next(iter(spec.submodule_search_locations))) / "saved_models" / "icassp_2022" / "nmp.onnx"
    if not path.is_file():
        raise ConfigError(f"basic-pitch's ONNX model is missing at {path}.")
    return path


class Transcriber:
    """The loaded model; one per process (loading takes ~0.1 s, a transcription of 10 s ~0.3 s)."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])

    def activations(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(note frames, onsets), each (frames, 88), for mono audio at SAMPLE_RATE."""
        overlap = OVERLAP_FRAMES * FFT_HOP
        hop = WINDOW_SAMPLES - overlap
        padded = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), audio.astype(np.float32)])
        starts = range(0, len(padded), hop)
        windows = np.zeros((len(starts), WINDOW_SAMPLES, 1), dtype=np.float32)
        for row, start in enumerate(starts):
            chunk = padded[start : start + WINDOW_SAMPLES]
            windows[row, : len(chunk), 0] = chunk
        frames, onsets = self._session.run(list(_OUTPUTS), {_INPUT: windows})
        keep = int(len(audio) * FRAMES_PER_SECOND / SAMPLE_RATE)
        half = OVERLAP_FRAMES // 2
        return (frames[:, half:-half, :].reshape(-1, N_PITCHES)[:keep],
                onsets[:, half:-half, :].reshape(-1, N_PITCHES)[:keep])  # fmt: skip

    def notes(
        self, audio: np.ndarray, onset_threshold: float = 0.5, frame_threshold: float = 0.3, infer_onsets: bool = True
    ) -> list[NoteEvent]:
        """Polyphonic note events, as basic-pitch's `predict` makes them (min note 128 ms, melodia trick)."""
        frames, onsets = self.activations(audio)
        if len(frames) < 3:
            return []
        events = decode_notes(frames, onsets, onset_threshold, frame_threshold, infer_onsets=infer_onsets)
        times = frame_times(len(frames))
        return sorted(
            (NoteEvent(float(times[start]), float(times[min(end, len(times) - 1)]), pitch, amplitude)
             for start, end, pitch, amplitude in events),
            key=lambda event: (event.start_s, event.pitch),
        )  # fmt: skip


def frame_times(n_frames: int) -> np.ndarray:
    """Seconds of each output frame, with basic-pitch's per-window alignment correction."""
    original = np.arange(n_frames) * FFT_HOP / SAMPLE_RATE
    window_numbers = np.floor(np.arange(n_frames) / FRAMES_PER_WINDOW)
    offset = (FFT_HOP / SAMPLE_RATE) * (FRAMES_PER_WINDOW - WINDOW_SAMPLES / FFT_HOP) + 0.0018
    return original - offset * window_numbers


def _inferred_onsets(onsets: np.ndarray, frames: np.ndarray, n_diff: int = 2) -> np.ndarray:
    """Onsets plus large rises in frame activation (a re-attacked note the onset head missed)."""
    diffs = []
    for n in range(1, n_diff + 1):
        shifted = np.concatenate([np.zeros((n, frames.shape[1])), frames])
        diffs.append(shifted[n:, :] - shifted[:-n, :])
    rise = np.min(diffs, axis=0)
    rise[rise < 0] = 0
    rise[:n_diff, :] = 0
    peak = np.max(rise)
    if peak > 0:
        rise = np.max(onsets) * rise / peak
    return np.max([onsets, rise], axis=0)


def _clear(energy: np.ndarray, start: int, end: int, pitch: int) -> None:
    energy[start:end, max(0, pitch - 1) : pitch + 2] = 0


def decode_notes(
    frames: np.ndarray, onsets: np.ndarray, onset_threshold: float, frame_threshold: float,
    min_frames: int = 11, energy_tolerance: int = 11, infer_onsets: bool = True,
) -> list[tuple[int, int, int, float]]:  # fmt: skip
    """(start frame, end frame, MIDI pitch, amplitude) per note: onset peaks first, then the melodia trick."""
    n_frames = frames.shape[0]
    if infer_onsets:
        onsets = _inferred_onsets(onsets, frames)
    peaks = np.zeros(onsets.shape)
    found = argrelmax(onsets, axis=0)
    peaks[found] = onsets[found]
    onset_rows, onset_cols = np.where(peaks >= onset_threshold)
    energy = frames.copy()
    notes: list[tuple[int, int, int, float]] = []
    for start, pitch in zip(onset_rows[::-1], onset_cols[::-1], strict=True):  # backwards in time
        if start >= n_frames - 1:
            continue
        i, below = start + 1, 0
        while i < n_frames - 1 and below < energy_tolerance:
            below = below + 1 if energy[i, pitch] < frame_threshold else 0
            i += 1
        i -= below
        if i - start <= min_frames:
            # Unlike basic-pitch: a fragment ended by the later note it runs into (a vibrato wobble read
            # as a new onset) is that note's real beginning, not a blip to drop.
            later = next((n for n, note in enumerate(notes) if note[2] == pitch + MIDI_OFFSET
                          and abs(note[0] - i) <= 1), None)  # fmt: skip
            if later is not None:
                _, end, midi_pitch, _ = notes[later]
                notes[later] = (int(start), end, midi_pitch, float(np.mean(frames[start:end, pitch])))
                _clear(energy, start, i, pitch)
            continue
        _clear(energy, start, i, pitch)
        notes.append((int(start), int(i), int(pitch) + MIDI_OFFSET, float(np.mean(frames[start:i, pitch]))))
    # The melodia trick: notes the onset head missed, grown from the strongest remaining frames.
    while np.max(energy) > frame_threshold:
        found_middle, found_pitch = np.unravel_index(np.argmax(energy), energy.shape)
        middle, pitch = int(found_middle), int(found_pitch)
        energy[middle, pitch] = 0
        end = _walk(energy, middle, pitch, 1, frame_threshold, energy_tolerance)
        start = _walk(energy, middle, pitch, -1, frame_threshold, energy_tolerance)
        if end - start <= min_frames:
            continue
        notes.append((int(start), int(end), int(pitch) + MIDI_OFFSET, float(np.mean(frames[start:end, pitch]))))
    return notes


def _walk(energy: np.ndarray, middle: int, pitch: int, step: int, threshold: float, tolerance: int) -> int:
    """Follow a pitch from `middle` in one direction until the energy stays low; clear what it passes."""
    n_frames = energy.shape[0]
    i, below = middle + step, 0
    while (0 < i < n_frames - 1) and below < tolerance:
        below = below + 1 if energy[i, pitch] < threshold else 0
        energy[i, max(0, pitch - 1) : pitch + 2] = 0
        i += step
    return i - step - step * below if step > 0 else i + 1 + below
