"""Pitch-synchronous overlap-add (Praat, through parselmouth): speech retimed and repitched onto a tune."""

from __future__ import annotations

import numpy as np
import parselmouth
from parselmouth.praat import call

from engine.errors import EngineError
from engine.vocals.align import Segment

PITCH_FLOOR_HZ = 60.0
PITCH_CEILING_HZ = 600.0
CONTEXT_S = 0.04


def _tier_script(points: list[tuple[float, float]]) -> str:
    return "\n".join(f"Add point: {time:.6f}, {value:.6f}" for time, value in points)


def resynthesize(speech: np.ndarray, sample_rate: int, segments: list[Segment],
                 pitch_points: list[tuple[float, float]]) -> np.ndarray:  # fmt: skip
    """Sing `segments` of `speech` (contiguous in sung time) with `pitch_points` (sung seconds, Hz).

    Returns the audio of the sung phrase, starting at segments[0].start.
    """
    if segments[-1].src_end - segments[0].src_start < sample_rate // 100:
        raise EngineError("espeak-ng gave too little speech to sing")
    # Praat finds the glottal pulses of a cut badly at its very edges: give it some speech either side,
    # spoken at its own speed, and trim that off the result.
    context = int(CONTEXT_S * sample_rate)
    first = max(segments[0].src_start - context, 0)
    last = min(segments[-1].src_end + context, len(speech))
    lead, trail = (segments[0].src_start - first) / sample_rate, (last - segments[-1].src_end) / sample_rate
    start, end = segments[0].start, segments[-1].end
    segments = [Segment(first, segments[0].src_start, start - lead, start), *segments,
                Segment(segments[-1].src_end, last, end, end + trail)]  # fmt: skip
    segments = [segment for segment in segments if segment.src_end > segment.src_start]
    cut = speech[first:last].astype(np.float64)
    src_edges = [segment.src_start - first for segment in segments] + [last - first]
    durations: list[tuple[float, float]] = []
    sung_to_source: list[tuple[float, float, float, float]] = []  # (sung start, sung end, src start, src end)
    for segment, a, b in zip(segments, src_edges, src_edges[1:], strict=False):
        lo, hi = a / sample_rate, b / sample_rate
        if hi - lo <= 0:
            continue
        factor = max((segment.end - segment.start) / (hi - lo), 1e-3)
        edge = min(0.0005, (hi - lo) / 4)
        durations += [(lo + edge, factor), (hi - edge, factor)]
        sung_to_source.append((segment.start, segment.end, lo, hi))
    pitch: list[tuple[float, float]] = []
    for time, hz in pitch_points:
        for sung_start, sung_end, lo, hi in sung_to_source:
            if sung_start <= time < sung_end:
                source_time = lo + (time - sung_start) / (sung_end - sung_start) * (hi - lo)
                if not pitch or source_time > pitch[-1][0] + 1e-5:
                    pitch.append((source_time, hz))
                break
    try:
        sound = parselmouth.Sound(cut, sampling_frequency=sample_rate)
        manipulation = call(sound, "To Manipulation", 0.01, PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
        span = sound.xmax
        duration_tier = call("Create DurationTier", "sung", 0.0, span)
        parselmouth.praat.run(duration_tier, _tier_script(durations))
        pitch_tier = call("Create PitchTier", "sung", 0.0, span)
        parselmouth.praat.run(pitch_tier, _tier_script(pitch))
        call([manipulation, duration_tier], "Replace duration tier")
        call([manipulation, pitch_tier], "Replace pitch tier")
        # Overlap-add spaces the periods of unvoiced stretches at random: seed it, so a part always sounds the same.
        parselmouth.praat.run("seeded = random_initializeWithSeedUnsafelyButPredictably (1)")
        sung = call(manipulation, "Get resynthesis (overlap-add)")
    except parselmouth.PraatError as exc:
        raise EngineError(f"Praat could not sing the phrase: {exc}") from exc
    sung_audio = np.asarray(sung.values[0], dtype=np.float32)
    keep = round((end - start) * sample_rate)
    skip = round(lead * sample_rate)
    return sung_audio[skip : skip + keep]
