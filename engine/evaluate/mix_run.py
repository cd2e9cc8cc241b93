"""`python -m engine.evaluate --mix`: every prompt through the real audio path (FluidR3, 44.1 kHz), the
final MP3 and the stems measured, per-genre tables printed and one contact sheet per piece drawn."""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

from engine.audio.encode import write_mp3
from engine.audio.master import master
from engine.audio.mix import EFFECTS_STEM, mix
from engine.audio.render import Renderer
from engine.evaluate.mix_measures import OCTAVE_CENTRES_HZ, TARGET_CURVE_DB, measure_mix, read_mp3, verdicts
from engine.evaluate.runner import Prompt
from engine.files import atomic_path
from engine.pipeline import generate
from engine.score import Score

CHECKS = ("correlation", "mono_loss", "loudness", "true_peak", "lead")


def mix_piece(prompt: Prompt, renderer: Renderer, folder: Path, sheet: bool) -> dict[str, Any]:
    """Make one piece the way the engine does, measure it, and draw its contact sheet."""
    spec = prompt.spec
    generated = generate(spec)
    dry = renderer.render_parts(generated.midi, length_s=generated.score.duration_s)
    mixed = mix(dry, generated.score, spec.genre, spec.mix, renderer.sample_rate)
    mastered, _ = master(mixed.bus, renderer.sample_rate)
    mp3 = write_mp3(mastered, renderer.sample_rate, folder / f"{prompt.id}.mp3", tags={"title": prompt.text})
    row = {"id": prompt.id, "prompt": prompt.text, "genre": spec.genre, "lead": mixed.lead,
           **measure_mix(mp3, mixed.stems, mixed.lead, renderer.sample_rate, {EFFECTS_STEM}),
           "stem_correlations": {name: round(value, 2) for name, value in mixed.report.correlations.items()},
           "mix_width": round(mixed.report.mix_width, 2)}  # fmt: skip
    row["checks"] = verdicts(row, spec.genre)
    if sheet:
        contact_sheet(generated.score, mp3, folder / f"{prompt.id}.png", f"{prompt.id} · {prompt.text}", row)
    return row


def contact_sheet(score: Score, mp3: Path, path: Path, title: str, row: dict[str, Any]) -> None:
    """One piano roll per part above the final mix's spectrogram and its octave balance: listening by eye."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    audio, rate = read_mp3(mp3)
    tracks = [track for track in score.tracks if track.notes]
    heights = [1.0] * len(tracks) + [2.2]
    figure, axes = plt.subplots(len(tracks) + 1, 1, figsize=(13, 1.3 * len(tracks) + 4.2),
                                gridspec_kw={"height_ratios": heights}, squeeze=False)  # fmt: skip
    seconds = score.seconds_per_beat
    for axis, track in zip(axes[:-1, 0], tracks, strict=True):
        for note in track.notes:
            axis.add_patch(plt.Rectangle((note.start * seconds, note.pitch - 0.4), note.duration * seconds, 0.8,
                                         color="tab:blue" if not track.is_drum else "tab:red",
                                         alpha=0.25 + 0.75 * note.velocity / 127))  # fmt: skip
        pitches = [note.pitch for note in track.notes]
        axis.set_ylim(min(pitches) - 2, max(pitches) + 2)
        axis.set_xlim(0, len(audio) / rate)
        correlation = row["stem_correlations"].get(track.name)
        axis.set_ylabel(f"{track.name}\n({track.role}, r={correlation})", fontsize=7, rotation=0, ha="right")
        axis.tick_params(labelsize=6, labelbottom=False)
    spectrum = axes[-1, 0]
    spectrum.specgram(audio.mean(axis=1), NFFT=2048, Fs=rate, noverlap=1024, cmap="magma", vmin=-120)
    spectrum.set_yscale("symlog", linthresh=200)
    spectrum.set_ylim(30, rate / 2)
    spectrum.set_xlabel("seconds")
    spectrum.set_ylabel("Hz")
    axes[0, 0].set_title(
        f"{title}\nr={row['correlation']}  mono loss {row['mono_loss_db']} dB  {row['lufs']} LUFS  "
        f"{row['true_peak_db']} dBTP  LRA {row['lra_lu']} LU  lead {row['lead_ratio_lu']} LU  "
        f"curve ±{row['curve_deviation_db']} dB", fontsize=9)  # fmt: skip
    figure.tight_layout()
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=80)
    plt.close(figure)


def _cell(values: list[float], digits: int = 2) -> str:
    return "–" if not values else f"{median(values):.{digits}f} ({min(values):.{digits}f}…{max(values):.{digits}f})"


def genre_table(rows: list[dict[str, Any]]) -> str:
    """Per genre: median (min…max) of each measure, and how many pieces meet every target."""
    lines = ["| genre | n | L/R corr | mono loss dB | LUFS | dBTP | LRA LU | curve ±dB | lead LU | all targets |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for genre in sorted({row["genre"] for row in rows}):
        group = [row for row in rows if row["genre"] == genre]
        ratios = [row["lead_ratio_lu"] for row in group if row["lead_ratio_lu"] is not None]
        passed = sum(all(row["checks"].values()) for row in group)
        lines.append(
            f"| {genre} | {len(group)} | {_cell([r['correlation'] for r in group])} | "
            f"{_cell([r['mono_loss_db'] for r in group], 1)} | {_cell([r['lufs'] for r in group], 1)} | "
            f"{_cell([r['true_peak_db'] for r in group], 1)} | {_cell([r['lra_lu'] for r in group], 1)} | "
            f"{_cell([r['curve_deviation_db'] for r in group], 1)} | {_cell(ratios, 1)} | {passed}/{len(group)} |"
        )
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Targets met over all pieces, the worst case of each measure, and the mean octave balance."""
    bands = np.mean([row["bands_db"] for row in rows], axis=0) if rows else np.zeros(len(OCTAVE_CENTRES_HZ))
    return {
        "pieces": len(rows),
        "met": {check: sum(row["checks"][check] for row in rows) for check in CHECKS},
        "worst": {
            "correlation": min((row["correlation"] for row in rows), default=None),
            "mono_loss_db": max((row["mono_loss_db"] for row in rows), default=None),
            "lufs": [min((r["lufs"] for r in rows), default=None), max((r["lufs"] for r in rows), default=None)],
            "true_peak_db": max((row["true_peak_db"] for row in rows), default=None),
            "clipped": sum(row["clipped"] for row in rows),
        },
        "mean_bands_db": dict(zip(map(str, OCTAVE_CENTRES_HZ), (round(float(b), 1) for b in bands), strict=True)),
        "target_curve_db": dict(zip(map(str, OCTAVE_CENTRES_HZ), TARGET_CURVE_DB, strict=True)),
    }


def summary_lines(result: dict[str, Any]) -> str:
    """The summary in a few readable lines."""
    met, worst, count = result["met"], result["worst"], result["pieces"]
    return "\n".join([
        f"pieces: {count}; targets met — " + ", ".join(f"{check} {met[check]}/{count}" for check in CHECKS),
        f"worst: L/R corr {worst['correlation']}, mono loss {worst['mono_loss_db']} dB, LUFS {worst['lufs']}, "
        f"true peak {worst['true_peak_db']} dBTP, clipped samples {worst['clipped']}",
        "octave balance (mean, dB re 1 kHz) vs target: " + ", ".join(
            f"{hz} {value:+.1f}/{target:+.1f}" for (hz, value), target in
            zip(result["mean_bands_db"].items(), result["target_curve_db"].values(), strict=True)),
    ])  # fmt: skip
