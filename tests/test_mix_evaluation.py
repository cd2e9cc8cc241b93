"""The mix evaluation measures what it says, on signals whose answer is known, and on a real piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.understanding import understand
from engine.audio.render import Renderer
from engine.evaluate.mix_measures import active_correlation, loudness_range, octave_bands_db, verdicts
from engine.evaluate.mix_run import mix_piece
from engine.evaluate.runner import Prompt
from tests.conftest import TEST_SOUNDFONT

RATE = 22_050


def test_correlation_ignores_silence_and_sees_phase() -> None:
    noise = np.random.default_rng(1).standard_normal(RATE * 2).astype(np.float32) * 0.1
    quiet = np.zeros(RATE * 4, dtype=np.float32)
    anti = np.stack([np.concatenate([noise, quiet]), np.concatenate([-noise, quiet])], axis=1)
    assert active_correlation(anti, RATE) < -0.99
    assert active_correlation(np.stack([noise, noise], axis=1), RATE) > 0.99


def test_octave_bands_and_loudness_range() -> None:
    times = np.arange(RATE * 12) / RATE
    tone = np.sin(2 * np.pi * 1_000 * times).astype(np.float32) * 0.1
    bands = octave_bands_db(np.stack([tone, tone], axis=1), RATE)
    assert bands[4] == 0.0 and max(bands[:4] + bands[5:]) < -20  # all the energy in the 1 kHz band
    steady = np.stack([tone, tone], axis=1)
    stepped = steady * np.where(times < 6, 1.0, 0.1).astype(np.float32)[:, None]  # 20 dB step
    assert loudness_range(steady, RATE) < 1.0 and loudness_range(stepped, RATE) > 15.0


def test_a_real_piece_is_measured_judged_and_drawn(tmp_path: Path) -> None:
    spec = understand("house groove, 8 seconds", seed=3).spec
    with Renderer(TEST_SOUNDFONT, 44_100) as renderer:  # the rate pieces are made at (the MP3's band)
        row = mix_piece(Prompt("t1", "house groove", (), spec), renderer, tmp_path, sheet=True)
    assert (tmp_path / "t1.mp3").is_file() and (tmp_path / "t1.png").stat().st_size > 10_000
    assert row["correlation"] >= 0.3 and row["mono_loss_db"] <= 3.0 and abs(row["lufs"] + 14) <= 1.0
    assert row["lead"] is not None and row["lead_ratio_lu"] is not None
    assert set(row["checks"]) == {"correlation", "mono_loss", "loudness", "true_peak", "lead"}
    assert verdicts({**row, "lufs": -18.0}, "house")["loudness"] is False
