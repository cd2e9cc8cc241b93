"""The vocal pocket: the accompaniment's presence band dips where a sung voice is buried, nowhere else."""

from __future__ import annotations

import numpy as np

from engine.audio import pocket
from engine.audio.mix import mix
from engine.audio.profiles import ROLES
from engine.score import Score, Track
from engine.spec import MixSpec

RATE = 22_050


def _tone(hz: float, seconds: float, level: float) -> np.ndarray:
    times = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * hz * times)).astype(np.float32)


def _stereo(mono: np.ndarray) -> np.ndarray:
    return np.stack([mono, mono], axis=1)


def _band_db(audio: np.ndarray, start_s: float, end_s: float) -> float:
    """Presence-band level of a stretch, measured away from the dip's edges."""
    cut = pocket.presence(audio, RATE)[int(start_s * RATE) : int(end_s * RATE)]
    return float(10 * np.log10(np.mean(cut.astype(np.float64) ** 2) + 1e-20))


def _sung_then_silent(voice_level: float) -> dict[str, np.ndarray]:
    """A 2-kHz voice for the first 2 s then a rest; bright chords (2.5 kHz) and a low bass all along."""
    voice = np.concatenate([_tone(2_000, 2.0, voice_level), np.zeros(2 * RATE, dtype=np.float32)])
    chords = _tone(2_500, 4.0, 0.2) + _tone(300, 4.0, 0.2)
    return {"vocals": _stereo(voice), "guitar": _stereo(chords), "bass": _stereo(_tone(80, 4.0, 0.3))}


def test_the_band_is_in_time_with_the_audio_so_subtracting_it_removes_the_presence_and_nothing_else() -> None:
    presence, low = _tone(2_000, 1.0, 0.5), _tone(200, 1.0, 0.5)
    left = (presence + low) - pocket.presence(presence + low, RATE)
    middle = slice(RATE // 4, 3 * RATE // 4)
    residue = left[middle] - low[middle]
    assert 20 * np.log10(np.std(residue) / np.std(presence[middle])) < -30  # the 2-kHz tone is gone
    assert abs(20 * np.log10(np.std(left[middle]) / np.std(low[middle]))) < 0.2  # the 200-Hz tone is intact


def test_a_buried_voice_gets_a_pocket_while_it_sings_and_the_chords_are_untouched_in_its_rest() -> None:
    stems = _sung_then_silent(voice_level=0.05)  # 12 dB under the chords' presence
    carved = pocket.carve(stems, "vocals", {"guitar": 6.0, "bass": 0.0, "vocals": 6.0}, RATE)
    sung = _band_db(carved["guitar"], 0.5, 1.5) - _band_db(stems["guitar"], 0.5, 1.5)
    rest = _band_db(carved["guitar"], 2.6, 3.8) - _band_db(stems["guitar"], 2.6, 3.8)
    assert -6.3 < sung < -5.5  # as deep as the chords' cap allows, since the voice needs more
    assert abs(rest) < 0.05
    low = slice(int(0.5 * RATE), int(1.5 * RATE))  # the chords' 300-Hz part is not touched
    kept = carved["guitar"][low] - pocket.presence(carved["guitar"], RATE)[low]
    original = stems["guitar"][low] - pocket.presence(stems["guitar"], RATE)[low]
    np.testing.assert_allclose(kept, original, atol=1e-4)
    np.testing.assert_array_equal(carved["bass"], stems["bass"])  # no depth, no dip
    np.testing.assert_array_equal(carved["vocals"], stems["vocals"])  # the lead is never carved


def test_a_voice_already_clear_of_the_band_leaves_every_stem_as_it_was() -> None:
    stems = _sung_then_silent(voice_level=0.8)  # 12 dB over the chords' presence
    carved = pocket.carve(stems, "vocals", {"guitar": 6.0}, RATE)
    assert all(carved[name] is stems[name] for name in stems)


def test_the_dip_is_only_what_the_voice_needs() -> None:
    stems = _sung_then_silent(voice_level=0.2 * 10 ** (1.5 / 20))  # 1.5 dB over: needs 1.5 dB more
    carved = pocket.carve(stems, "vocals", {"guitar": 6.0}, RATE)
    dip = _band_db(carved["guitar"], 0.5, 1.5) - _band_db(stems["guitar"], 0.5, 1.5)
    assert -2.2 < dip < -0.8


def test_the_mixer_carves_a_pocket_for_a_sung_lead_but_not_for_an_instrumental_one() -> None:
    stems = _sung_then_silent(voice_level=0.01)  # still buried after the lead's level window and presence lift
    chords = Track("guitar", 30, "chords")
    assert ROLES["chords"].pocket_db > 0
    sung = mix(stems, Score(120.0, "4/4", "C", "major", [chords], 8.0), "rock", MixSpec(), RATE)
    played = dict(stems)
    played["flute"] = played.pop("vocals")
    flute = Track("flute", 73, "melody")
    instrumental = mix(played, Score(120.0, "4/4", "C", "major", [chords, flute], 8.0), "rock", MixSpec(), RATE)
    for mixed in (sung, instrumental):  # the chords' presence, where the lead plays, against its rest
        guitar = mixed.stems["guitar"]
        mixed_gap = _band_db(guitar, 0.5, 1.5) - _band_db(guitar, 2.6, 3.8)
        if mixed is sung:
            assert mixed_gap < -4.0
        else:
            assert abs(mixed_gap) < 0.5
