"""The mixer, measured: mono safety, stems that add up, sidechain ducking, mix changes that move
what they name (and never the notes), and the same audio for the same piece."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.understanding import refine, understand
from engine.audio import effects
from engine.audio.mix import EFFECTS_STEM, mix
from engine.audio.profiles import ROLES
from engine.audio.render import Renderer
from engine.audio.stereo import correlation, mono_loss_db, width_for
from engine.midi import score_to_midi
from engine.pipeline import generate, render
from engine.score import Note, Score, Track
from engine.spec import MixSpec
from tests.conftest import TEST_SOUNDFONT

RATE = 22_050


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    with Renderer(TEST_SOUNDFONT, RATE) as opened:
        yield opened


def _noise(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(int(seconds * RATE)).astype(np.float32) * 0.1


def _score(*tracks: Track, beats: float = 16, tempo: float = 120) -> Score:
    return Score(tempo_bpm=tempo, meter="4/4", key="C", mode="major", tracks=list(tracks), length_beats=beats)


def _four_on_the_floor(beats: int) -> Track:
    return Track("drums", 0, "drums", [Note(float(b), 0.25, 36, 110) for b in range(beats)], is_drum=True, bank=128)


def test_an_anti_phase_stem_is_narrowed_until_mono_safe() -> None:
    noise = _noise(4.0)
    anti_phase = np.stack([noise, -noise * 0.9], axis=1)  # the left and right cancel in mono
    assert correlation(anti_phase) < -0.9 and mono_loss_db(anti_phase, RATE) > 15
    score = _score(Track("synth pad", 89, "pad"), beats=8)
    mixed = mix({"synth pad": anti_phase}, score, "pop", MixSpec(), RATE)
    assert correlation(mixed.stems["synth pad"]) >= ROLES["pad"].min_correlation - 0.01
    assert mixed.report.widths["synth pad"] < 0.2
    assert correlation(mixed.summed) >= 0.3
    assert mono_loss_db(mixed.summed, RATE) <= 3.0


def test_width_search_keeps_a_mono_compatible_stem_untouched() -> None:
    mid, side = _noise(2.0, 1), _noise(2.0, 2) * 0.2  # already well correlated
    assert width_for(mid, side, 0.5) == 1.0
    assert width_for(mid, _noise(2.0, 3) * 3, 0.5) < 1.0


def test_stems_sum_to_the_pre_bus_mix(renderer: Renderer) -> None:
    spec = understand("synthwave night drive, 8 seconds", seed=4).spec
    generated = generate(spec)
    dry = renderer.render_parts(generated.midi, generated.score.duration_s)
    assert set(dry) == {track.name for track in generated.score.tracks}
    mixed = mix(dry, generated.score, spec.genre, spec.mix, RATE)
    assert set(mixed.stems) == set(dry) | {EFFECTS_STEM}
    total = np.sum(list(mixed.stems.values()), axis=0)
    assert np.max(np.abs(total - mixed.summed)) < 1e-5 * max(1.0, float(np.max(np.abs(mixed.summed))))
    assert correlation(mixed.summed) >= 0.3 and mono_loss_db(mixed.bus, RATE) <= 3.0


def test_the_kick_ducks_the_pad_in_house() -> None:
    beats, tone_s = 8, np.arange(int(4.0 * RATE)) / RATE
    pad = np.repeat((0.1 * np.sin(2 * np.pi * 440 * tone_s)).astype(np.float32)[:, None], 2, axis=1)
    score = _score(Track("synth pad", 89, "pad"), _four_on_the_floor(beats), beats=beats)
    silent_drums = np.zeros_like(pad)
    house = mix({"synth pad": pad, "drums": silent_drums}, score, "house", MixSpec(), RATE).stems["synth pad"]
    jazz = mix({"synth pad": pad, "drums": silent_drums}, score, "jazz", MixSpec(), RATE).stems["synth pad"]

    def level_db(audio: np.ndarray, start_s: float, end_s: float) -> float:
        part = audio[int(start_s * RATE) : int(end_s * RATE)]
        return float(20 * np.log10(np.sqrt(np.mean(part**2)) + 1e-12))

    for kick in (1.0, 2.0, 3.0):  # a beat is 0.5 s: just after the kick against just before the next
        assert level_db(house, kick + 0.01, kick + 0.05) < level_db(house, kick + 0.40, kick + 0.49) - 4.0
        assert abs(level_db(jazz, kick + 0.01, kick + 0.05) - level_db(jazz, kick + 0.40, kick + 0.49)) < 0.5
    envelope = effects.duck_envelope(np.array([0.0]), RATE, RATE, 8.0, 0.1)
    assert envelope[int(0.006 * RATE)] == pytest.approx(10 ** (-8 / 20), abs=0.02) and envelope[-1] > 0.99


def _tail_s(audio: np.ndarray, after_s: float) -> float:
    """Seconds after `after_s` until the level falls 40 dB below what it was then (10 ms frames)."""
    frame = int(0.01 * RATE)
    mono = audio.mean(axis=1)[int(after_s * RATE) :]
    levels = np.sqrt(np.mean(mono[: len(mono) // frame * frame].reshape(-1, frame) ** 2, axis=1)) + 1e-12
    below = np.nonzero(20 * np.log10(levels / levels[0]) < -40)[0]
    return float(below[0] * 0.01) if below.size else len(levels) * 0.01


def test_more_reverb_gives_a_longer_tail_and_the_same_midi(renderer: Renderer) -> None:
    spec = understand("folk song with acoustic guitar, 8 seconds", seed=3).spec
    wetter = refine(spec, "more reverb", new_seed=9)
    assert wetter.changes == ("reverb ↑",) and wetter.spec is not None
    assert generate(wetter.spec).midi == generate(spec).midi
    stab = Track("acoustic guitar", 25, "melody", [Note(0.0, 1.0, 64, 110), Note(0.0, 1.0, 67, 110)], reverb=60)
    score = _score(stab, beats=8)  # one chord, then four seconds of room
    dry = renderer.render_parts(score_to_midi(score), score.duration_s)
    tails = [_tail_s(mix(dry, score, spec.genre, settings.mix, RATE).summed, 0.7) for settings in (spec, wetter.spec)]
    assert tails[1] > tails[0] + 0.1, tails


def test_louder_drums_raise_the_drum_stem_and_keep_the_midi(renderer: Renderer) -> None:
    spec = understand("funk groove with slap bass, 6 seconds", seed=2).spec
    louder = refine(spec, "louder drums", new_seed=9).spec
    quieter_bass = refine(spec, "quieter bass", new_seed=9).spec
    assert louder is not None and quieter_bass is not None
    generated = generate(spec)
    assert generate(louder).midi == generated.midi == generate(quieter_bass).midi
    dry = renderer.render_parts(generated.midi, generated.score.duration_s)
    bass = next(track.name for track in generated.score.tracks if track.role == "bass")

    def share_db(settings: MixSpec, name: str) -> float:
        mixed = mix(dry, generated.score, spec.genre, settings, RATE)
        return float(10 * np.log10(np.mean(mixed.stems[name] ** 2) / np.mean(mixed.summed**2)))

    assert share_db(louder.mix, "drums") > share_db(spec.mix, "drums") + 1.5
    assert share_db(quieter_bass.mix, bass) < share_db(spec.mix, bass) - 1.5


def test_mono_and_telephone_fold_to_one_channel_and_lofi_loses_the_top(renderer: Renderer) -> None:
    spec = understand("synthwave night drive, 6 seconds", seed=1).spec
    generated = generate(spec)
    dry = renderer.render_parts(generated.midi, generated.score.duration_s)
    mono = mix(dry, generated.score, spec.genre, MixSpec(mono=True), RATE)
    assert correlation(mono.summed) > 0.999
    phone = mix(dry, generated.score, spec.genre, MixSpec(character="telephone"), RATE)
    assert correlation(phone.bus) > 0.999

    def top_share(audio: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
        freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
        return float(spectrum[freqs > 6_000].sum() / spectrum.sum())

    clean = mix(dry, generated.score, spec.genre, MixSpec(), RATE)
    lofi = mix(dry, generated.score, spec.genre, MixSpec(character="lofi"), RATE)
    assert top_share(lofi.bus) < top_share(clean.bus) * 0.5


def test_same_piece_same_audio_and_sung_stems_join_the_mix(renderer: Renderer, tmp_path: Path) -> None:
    spec = understand("pop song with piano, 6 seconds", seed=5).spec
    generated = generate(spec)
    voice = (0.2 * np.sin(2 * np.pi * 330 * np.arange(int(5 * RATE)) / RATE)).astype(np.float32)  # mono
    first = render(generated, renderer, tmp_path / "a.mp3", voices={"vocals": voice}, wav=True, stems=True)
    second = render(generate(spec), renderer, tmp_path / "b.mp3", voices={"vocals": voice})
    assert first.mix.correlations == pytest.approx(second.mix.correlations, abs=1e-6)
    assert first.master.loudness_lufs == pytest.approx(second.master.loudness_lufs, abs=1e-3)
    assert first.wav_path is not None and first.wav_path.stat().st_size > 6 * RATE * 4 * 0.9
    assert "vocals" in first.stem_paths and EFFECTS_STEM in first.stem_paths
    assert all(path.is_file() for path in first.stem_paths.values()) and first.stems_zip is not None


def test_bring_the_melody_forward_raises_the_lead_over_the_band(renderer: Renderer) -> None:
    spec = understand("pop song with piano, 6 seconds", seed=6).spec
    forward = refine(spec, "bring the melody forward", new_seed=9).spec
    assert forward is not None and forward.mix.levels == {"melody": 1}
    generated = generate(spec)
    dry = renderer.render_parts(generated.midi, generated.score.duration_s)

    def lead_over_band_db(settings: MixSpec) -> float:
        mixed = mix(dry, generated.score, spec.genre, settings, RATE)
        assert mixed.lead is not None
        band = sum(audio for name, audio in mixed.stems.items() if name not in (mixed.lead, EFFECTS_STEM))
        return float(10 * np.log10(np.mean(mixed.stems[mixed.lead] ** 2) / np.mean(np.asarray(band) ** 2)))

    assert lead_over_band_db(forward.mix) > lead_over_band_db(spec.mix) + 1.5
