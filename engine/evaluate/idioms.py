"""`evaluate --idioms`: compose one request per genre, read the MIDI back, and check each idiom's ranges.

The prompt set (tests/data/idiom_prompts.jsonl) holds the specs the understanding makes of the words;
every piece is composed, written to MIDI, read back, and measured by engine/idiom_features.py alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from engine.compose import compose
from engine.errors import EngineError
from engine.evaluate.attributes import score_from_midi
from engine.evaluate.idiom_ranges import INF, Range, ranges_for
from engine.files import atomic_path
from engine.idiom_features import FEATURES
from engine.midi import score_to_midi
from engine.partwriter import PartWriter
from engine.score import Score
from engine.spec import MusicSpec, build_spec

TARGET = 0.9  # share of (piece, feature) checks inside their range


@dataclass(frozen=True, slots=True)
class IdiomPrompt:
    """One request of the idiom set: its id, the idiom it is judged as, the words and the spec."""

    id: str
    idiom: str
    text: str
    spec: MusicSpec


def load_idiom_prompts(path: Path) -> list[IdiomPrompt]:
    """Read the JSON-lines idiom set (one {id, idiom, prompt, spec} object per line)."""
    prompts: list[IdiomPrompt] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompts.append(IdiomPrompt(row["id"], row["idiom"], row["prompt"], build_spec(row["spec"])))
        except (ValueError, KeyError) as exc:
            raise EngineError(f"{path}:{number}: bad idiom prompt line: {exc}") from exc
    return prompts


def written_score(spec: MusicSpec, writer: PartWriter | None = None) -> Score:
    """The piece as its MIDI file holds it: composed, written to MIDI and read back."""
    return score_from_midi(score_to_midi(compose(spec, writer=writer)))


def measure_idiom(score: Score, idiom: str) -> dict[str, tuple[float, bool]]:
    """Each feature the idiom is judged on: (measured value, inside its range)."""
    measured = {}
    for feature, allowed in ranges_for(idiom).items():
        value = float(FEATURES[feature](score))
        measured[feature] = (value, allowed.holds(value))
    return measured


def run(prompts: list[IdiomPrompt], seeds: int, writer: PartWriter | None = None) -> list[dict[str, Any]]:
    """One row per prompt and seed: the idiom, the seed and every judged feature."""
    rows = []
    for prompt in prompts:
        for k in range(seeds):
            spec = prompt.spec.replace(seed=prompt.spec.seed + 1000 * k)
            measured = measure_idiom(written_score(spec, writer), prompt.idiom)
            rows.append(
                {
                    "id": prompt.id,
                    "idiom": prompt.idiom,
                    "prompt": prompt.text,
                    "seed": spec.seed,
                    "features": {
                        name: {"value": round(value, 3), "in_range": inside}
                        for name, (value, inside) in measured.items()
                    },
                }
            )
    return rows


def share_in_range(rows: list[dict[str, Any]]) -> float:
    """Share of all (piece, feature) checks inside their range."""
    checks = [feature["in_range"] for row in rows for feature in row["features"].values()]
    return sum(checks) / len(checks) if checks else 0.0


def _bound(value: float) -> str:
    return "∞" if value >= INF else f"{value:g}"


def _range_text(allowed: Range) -> str:
    if allowed.high >= INF:
        return f"≥ {_bound(allowed.low)}"
    if allowed.low <= 0:
        return f"≤ {_bound(allowed.high)}"
    return f"{_bound(allowed.low)} – {_bound(allowed.high)}"


def table_markdown(rows: list[dict[str, Any]]) -> str:
    """Per idiom and feature: the range, the median measured, and how many pieces fell inside."""
    lines = ["| idiom | feature | range | median | inside | why |", "|---|---|---|---|---|---|"]
    idioms = list(dict.fromkeys(row["idiom"] for row in rows))
    for idiom in idioms:
        mine = [row for row in rows if row["idiom"] == idiom]
        for feature, allowed in ranges_for(idiom).items():
            values = [row["features"][feature]["value"] for row in mine]
            inside = sum(row["features"][feature]["in_range"] for row in mine)
            mark = "" if inside == len(mine) else " ✗"
            lines.append(
                f"| {idiom} | {feature} | {_range_text(allowed)} | {median(values):.2f} | "
                f"{inside}/{len(mine)}{mark} | {allowed.why} |"
            )
    share = share_in_range(rows)
    verdict = "met" if share >= TARGET else "missed"
    lines.append(
        f"\n{share:.1%} of {sum(len(row['features']) for row in rows)} checks inside their range "
        f"({len(rows)} pieces; target ≥ {TARGET:.0%}: {verdict})"
    )
    return "\n".join(lines)


def contact_sheet(score: Score, path: Path, title: str) -> None:
    """A piano roll per part, stacked on one time axis (drums as hits per drum note), as a small PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only: the evaluation runs headless
    import matplotlib.pyplot as plt

    tracks = [track for track in score.tracks if track.notes]
    figure, axes = plt.subplots(len(tracks), 1, figsize=(11, 1.25 * len(tracks) + 0.6), sharex=True, squeeze=False)
    for axis, track in zip(axes[:, 0], tracks, strict=True):
        for note in track.notes:
            width = 0.12 if track.is_drum else note.duration
            axis.add_patch(
                plt.Rectangle(
                    (note.start, note.pitch - 0.4),
                    width,
                    0.8,
                    color="black" if track.is_drum else "tab:blue",
                    alpha=0.25 + 0.75 * note.velocity / 127,
                    linewidth=0,
                )
            )
        pitches = [note.pitch for note in track.notes]
        axis.set_ylim(min(pitches) - 2, max(pitches) + 2)
        axis.set_ylabel(track.name, rotation=0, ha="right", va="center", fontsize=8)
        axis.tick_params(labelsize=7)
        for mark in score.sections:
            axis.axvline(mark.start_beat, color="grey", linewidth=0.5)
    axes[0, 0].set_xlim(0, score.length_beats)
    axes[0, 0].set_title(title, fontsize=9)
    axes[-1, 0].set_xlabel("beat", fontsize=8)
    figure.tight_layout()
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=60)
    plt.close(figure)
