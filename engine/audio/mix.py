"""The mixer: dry per-part stems → processed stems (gain, EQ, width, pan, ducking) + an effects
return → the summed mix → the bus (character, glue compression), ready for mastering.

Every stem is narrowed until it is mono-compatible, then the whole mix is checked the same way; the
narrowing is applied to every stem, so the processed stems always sum exactly to the mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pedalboard

from engine.audio import effects, pocket, profiles
from engine.audio.stereo import correlation, from_mid_side, mid_side, mono_below, pan, width_for
from engine.errors import EngineError
from engine.score import Score, Track
from engine.spec import MixSpec

EFFECTS_STEM = "effects"  # the reverb and delay returns, delivered as a stem of their own
_BUS_RMS = 0.1  # −20 dBFS into the bus compressor, so its threshold means the same for every piece
_EFFECTS_MIN_CORRELATION = 0.2


@dataclass(frozen=True, slots=True)
class MixReport:
    """What the mixer measured and decided, for the evaluation, tests and logs."""

    correlations: dict[str, float]  # each processed stem's L/R correlation
    widths: dict[str, float]  # the side gain each stem got (1 untouched, 0 mono)
    mix_width: float  # the extra side gain the whole mix needed to stay mono-compatible
    mix_correlation: float


@dataclass(frozen=True, slots=True)
class Mixed:
    """The processed stems (they sum to `summed`), the mix after the bus, and which stem leads."""

    stems: dict[str, np.ndarray]
    summed: np.ndarray
    bus: np.ndarray
    lead: str | None
    report: MixReport


def sum_stems(stems: Mapping[str, np.ndarray]) -> np.ndarray:
    """The stems added up: the mix before the bus."""
    return np.asarray(np.sum(list(stems.values()), axis=0, dtype=np.float32), dtype=np.float32)


def _power(audio: np.ndarray) -> float:
    """Mean square over all samples (a BLAS dot product: no temporary arrays)."""
    flat = np.ascontiguousarray(audio).ravel()
    return float(np.dot(flat, flat)) / max(flat.size, 1)


def _db(value: float) -> float:
    return float(10 ** (value / 20))


def _role(name: str, track: Track | None) -> str:
    if name == profiles.LEAD_NAME:
        return "vocals"
    return track.role if track is not None and track.role in profiles.ROLES else "counter"


def lead_of(score: Score, names: list[str]) -> str | None:
    """The stem the listener follows: a sung part if there is one, else the first melody part."""
    if profiles.LEAD_NAME in names:
        return profiles.LEAD_NAME
    return next((t.name for t in score.tracks if t.role == "melody" and t.name in names), None)


def as_stereo(audio: np.ndarray, frames: int) -> np.ndarray:
    """Audio from another renderer (mono (n,) or stereo (n, 2)) fitted to `frames` stereo frames."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = np.repeat(audio[:, None], 2, axis=1)
    if audio.ndim != 2 or audio.shape[1] != 2:
        raise EngineError(f"expected mono or stereo audio, got shape {audio.shape}")
    fitted = np.zeros((frames, 2), dtype=np.float32)
    fitted[: min(frames, len(audio))] = audio[:frames]
    return fitted


def _gain_db(role: str, track: Track | None, genre: profiles.GenreMix, settings: MixSpec) -> float:
    # The composer's per-role, per-style balance (CC7 on FluidSynth's 40·log10 curve), then the mixer's.
    composed = 40 * np.log10(max(track.volume, 1) / 127) if track is not None else 0.0
    steps = settings.levels.get(role, 0)
    punch = profiles.PUNCH_STEP_DB * settings.punch if role == "drums" else 0.0
    return float(composed + genre.role_db.get(role, 0.0) + profiles.LEVEL_STEP_DB * steps + punch)


def _tone_chain(role: str, settings: MixSpec, gain_db: float) -> pedalboard.Pedalboard:
    profile = profiles.ROLES[role]
    chain = [
        pedalboard.Gain(gain_db=gain_db),
        pedalboard.HighpassFilter(cutoff_frequency_hz=profile.highpass_hz),
        pedalboard.PeakFilter(cutoff_frequency_hz=3_000.0, gain_db=profile.presence_db, q=0.8),
    ]
    if settings.tone:  # brighter lifts the top and thins the bottom a little; warmer the other way round
        tilt = profiles.TONE_STEP_DB * settings.tone
        chain.append(pedalboard.HighShelfFilter(cutoff_frequency_hz=5_000.0, gain_db=tilt))
        chain.append(pedalboard.LowShelfFilter(cutoff_frequency_hz=250.0, gain_db=-0.4 * tilt))
    if role == "vocals":  # the sung lead sits steady on top: level it, like a vocal chain's compressor
        chain.append(pedalboard.Compressor(threshold_db=-24.0, ratio=3.0, attack_ms=5.0, release_ms=120.0))
    return pedalboard.Pedalboard(chain)


def _narrow(
    audio: np.ndarray, min_correlation: float, max_width: float, sample_rate: int, has_lows: bool = True
) -> tuple[np.ndarray, float]:
    mid, side = mid_side(audio)
    if has_lows:  # a stem already high-passed above LOW_MONO_HZ has no lows to centre
        side = mono_below(side, sample_rate, profiles.LOW_MONO_HZ)
    width = width_for(mid, side, min(min_correlation, 1.0), max_width) if min_correlation < 1.0 else 0.0
    if width == 1.0 and not has_lows:
        return audio, width
    return from_mid_side(mid, side * np.float32(width)), width


def _stem(
    audio: np.ndarray, role: str, track: Track | None, genre: profiles.GenreMix, settings: MixSpec,
    kicks: np.ndarray, beat_s: float, sample_rate: int,
) -> tuple[np.ndarray, float]:  # fmt: skip
    chain = _tone_chain(role, settings, _gain_db(role, track, genre, settings))
    processed = chain(np.ascontiguousarray(audio.T, dtype=np.float32), sample_rate).T
    if role == "vocals":
        processed = effects.de_ess(processed, sample_rate)
    floor = 1.0 if settings.mono else profiles.ROLES[role].min_correlation - profiles.WIDTH_STEP * settings.width
    has_lows = profiles.ROLES[role].highpass_hz < profiles.LOW_MONO_HZ
    processed, width = _narrow(processed, floor, 1.0 + 0.2 * max(settings.width, 0), sample_rate, has_lows)
    if track is not None and role != "vocals" and not settings.mono:
        processed = pan(processed, (track.pan - 64) / 63)
    depth = profiles.ROLES[role].ducked_db if genre.sidechain else 0.0
    if depth:
        processed = processed * duck(kicks, len(processed), sample_rate, depth, beat_s)[:, None]
    return processed.astype(np.float32, copy=False), width


def _balance_lead(stems: dict[str, np.ndarray], lead: str, steps: int) -> np.ndarray:
    """The lead brought into its window over the rest of the band: audible, never a karaoke track.

    The window (lead minus band, mean-square level) follows "bring the melody forward" steps.
    """
    rest = {name: audio for name, audio in stems.items() if name != lead}
    if not rest:
        return stems[lead]
    lead_power, band_power = _power(stems[lead]), _power(sum_stems(rest))
    if lead_power < 1e-12 or band_power < 1e-12:
        return stems[lead]
    ratio_db = 10 * np.log10(lead_power / band_power)
    low, high = (bound + profiles.LEVEL_STEP_DB * steps for bound in profiles.LEAD_WINDOW_DB)
    correction = min(max(ratio_db, low), high) - ratio_db
    return stems[lead] * np.float32(_db(float(np.clip(correction, -profiles.LEAD_MAX_CORRECTION_DB,
                                                       profiles.LEAD_MAX_CORRECTION_DB))))  # fmt: skip


def duck(kicks: np.ndarray, frames: int, sample_rate: int, depth_db: float, beat_s: float) -> np.ndarray:
    """The sidechain gain for one part: dips by `depth_db` on each kick, back within about half a beat."""
    return effects.duck_envelope(kicks, frames, sample_rate, depth_db, release_s=0.18 * beat_s)


def _returns(
    reverb_send: np.ndarray, delay_send: np.ndarray, genre: profiles.GenreMix, settings: MixSpec,
    beat_s: float, sample_rate: int,
) -> np.ndarray:  # fmt: skip
    room = float(np.clip(genre.reverb_room + profiles.REVERB_ROOM_STEP * settings.reverb, 0.05, 0.98))
    reverb = pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=180.0),
        pedalboard.Reverb(room_size=room, damping=0.45, wet_level=1.0, dry_level=0.0, width=1.0),
    ])  # fmt: skip
    level = genre.reverb_return_db + profiles.REVERB_STEP_DB * settings.reverb
    wet = reverb(np.ascontiguousarray(reverb_send.T), sample_rate).T * np.float32(_db(level))
    if genre.delay_beats:
        echo = pedalboard.Delay(delay_seconds=genre.delay_beats * beat_s, feedback=genre.delay_feedback, mix=1.0)
        wet = wet + echo(np.ascontiguousarray(delay_send.T), sample_rate).T * np.float32(_db(genre.delay_return_db))
    floor = 1.0 if settings.mono else _EFFECTS_MIN_CORRELATION
    return _narrow(wet.astype(np.float32), floor, 1.0, sample_rate, has_lows=False)[0]  # high-passed at 180 Hz


def mix(dry: Mapping[str, np.ndarray], score: Score, genre: str, settings: MixSpec, sample_rate: int) -> Mixed:
    """Mix dry stereo stems (keyed by track name; extra names such as "vocals" are welcome) for `genre`."""
    if not dry:
        raise EngineError("nothing to mix")
    profile = profiles.GENRES.get(genre, profiles.DEFAULT_GENRE)
    tracks = {track.name: track for track in score.tracks}
    frames = max(len(audio) for audio in dry.values())
    kicks, beat_s = effects.kick_times(score), score.seconds_per_beat
    stems: dict[str, np.ndarray] = {}
    widths: dict[str, float] = {}
    reverb_send = np.zeros((frames, 2), dtype=np.float32)
    delay_send = np.zeros((frames, 2), dtype=np.float32)
    roles = {name: _role(name, tracks.get(name)) for name in dry}
    for name, audio in dry.items():
        track, fitted = tracks.get(name), as_stereo(audio, frames)
        stems[name], widths[name] = _stem(fitted, roles[name], track, profile, settings, kicks, beat_s, sample_rate)
    lead = lead_of(score, list(dry))
    if lead is not None:
        stems[lead] = _balance_lead(stems, lead, settings.levels.get(roles[lead], 0))
    if lead == profiles.LEAD_NAME:  # a sung lead gets a pocket in the accompaniment's presence band
        stems = pocket.carve(stems, lead, {name: profiles.ROLES[roles[name]].pocket_db for name in stems}, sample_rate)
    for name in dry:
        track, role = tracks.get(name), roles[name]
        send = (track.reverb if track is not None else 50) / 127
        reverb_send += stems[name] * np.float32(send)
        delay_send += stems[name] * np.float32(profiles.ROLES[role].delay_send)
    stems[EFFECTS_STEM] = _returns(reverb_send, delay_send, profile, settings, beat_s, sample_rate)
    summed = sum_stems(stems)
    mid, side = mid_side(summed)
    floor = profiles.MIX_MIN_CORRELATION - 0.05 * max(settings.width, 0)
    mix_width = width_for(mid, side, floor, 1.0)
    rms = float(np.sqrt(_power(summed)))
    scale = np.float32(_BUS_RMS / rms) if rms > 1e-9 else np.float32(1.0)
    for name, audio in stems.items():
        if mix_width < 1.0:
            stem_mid, stem_side = mid_side(audio)
            audio = from_mid_side(stem_mid, stem_side * np.float32(mix_width))
        stems[name] = audio * scale
    summed = sum_stems(stems)
    bus = _bus(summed, profile, settings, sample_rate)
    report = MixReport({name: correlation(audio) for name, audio in stems.items()}, widths, mix_width,
                       correlation(summed))  # fmt: skip
    return Mixed(stems, summed, bus, lead, report)


def _bus(summed: np.ndarray, genre: profiles.GenreMix, settings: MixSpec, sample_rate: int) -> np.ndarray:
    coloured = effects.CHARACTERS[settings.character](summed, sample_rate) if settings.character != "clean" else summed
    glue = pedalboard.Compressor(
        threshold_db=genre.bus_threshold_db - 1.5 * settings.punch,
        ratio=genre.bus_ratio + 0.5 * settings.punch,
        attack_ms=10.0 + 12.0 * settings.punch,  # a slower attack lets each hit's transient through
        release_ms=150.0,
    )
    return np.ascontiguousarray(glue(np.ascontiguousarray(coloured.T, dtype=np.float32), sample_rate).T)
