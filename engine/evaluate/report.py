"""Evaluation output: the summary table for stdout and the README, the JSON report, piano-roll PNGs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.evaluate.runner import ATTRIBUTES
from engine.files import atomic_path, write_bytes_atomic
from engine.metrics import bar_features, bar_starts, pitched, self_similarity
from engine.score import Score


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(summaries: dict[str, dict[str, Any]], targets: dict[str, dict[str, bool]]) -> str:
    """Markdown tables: attribute accuracy, tempo errors, musicality against POP909, and the targets."""
    writers = list(summaries)
    first = summaries[writers[0]]
    header = ["attribute", *(f"{w}: explicit" for w in writers), *(f"{w}: all prompts" for w in writers)]
    rows = []
    for attribute in ATTRIBUTES:
        cells = [attribute]
        for w in writers:
            acc = summaries[w]["accuracy"][attribute]
            cells.append(f"{_percent(acc['explicit'])} (n={acc['explicit_n']})")
        for w in writers:
            acc = summaries[w]["accuracy"][attribute]
            cells.append(f"{_percent(acc['all'])} (n={acc['all_n']})")
        rows.append(cells)
    parts = [
        "Attribute accuracy (estimated from the output: tempo from audio, key/mode/meter from notes)",
        _markdown(header, rows),
    ]
    tempo_rows = [
        [w, *(str(summaries[w]["tempo_verdicts"].get(v, 0)) for v in ("exact", "octave", "metrical", "wrong"))]
        for w in writers
    ]
    parts += [
        "Tempo estimates (exact ±4 %; octave ×2 ×½ ×3 ×⅓ counts as correct; metrical 3:2 does not)",
        _markdown(["writer", "exact", "octave", "metrical", "wrong"], tempo_rows),
    ]
    header = ["metric", *writers, "POP909 q1", "POP909 median", "POP909 q3"]
    rows = []
    for name, stats in first["musicality"].items():
        cells = [name]
        for w in writers:
            entry = summaries[w]["musicality"].get(name)
            cells.append(_number(entry["median"]) + (" ✓" if entry and entry["inside_iqr"] else "") if entry else "–")
        cells += [_number(stats["pop909_q1"]), _number(stats["pop909_median"]), _number(stats["pop909_q3"])]
        rows.append(cells)
    parts += ["Musicality (median over pieces; ✓ inside POP909's inter-quartile range)", _markdown(header, rows)]
    other = [
        [
            w,
            _number(summaries[w]["longest_silence_bars"]),
            f"{summaries[w]['compose_ms']['p50']:.1f}",
            f"{summaries[w]['compose_ms']['max']:.1f}",
        ]
        for w in writers
    ]
    parts += [
        "Silence and speed",
        _markdown(["writer", "longest silence (bars)", "compose p50 (ms)", "compose max (ms)"], other),
    ]
    target_rows = [
        [name, *("met" if targets[w].get(name) else "MISSED" for w in writers)] for name in targets[writers[0]]
    ]
    parts += ["Targets", _markdown(["target", *writers], target_rows)]
    return "\n\n".join(parts)


def piece_table(rows: list[dict[str, Any]]) -> str:
    """One line per piece: what was asked, what was found, which checks failed."""
    header = ["id", "genre", "asked", "found", "failed"]
    lines = []
    for row in rows:
        asked, found = row["requested"], row["found"]
        tempo = f"{found['tempo_bpm']:.0f}" if found["tempo_bpm"] is not None else "?"
        failed = [name for name, ok in row["checks"].items() if not ok]
        lines.append(
            [
                row["id"],
                row["genre"],
                f"{asked['tempo_bpm']} {asked['key']} {asked['mode']} {asked['meter']}",
                f"{tempo} pc{found['tonic_pc']} {found['mode']} {found['meter']}",
                ", ".join(failed) or "–",
            ]
        )
    return _markdown(header, lines)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write the report atomically."""
    write_bytes_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


def piano_roll(score: Score, path: Path, title: str) -> None:
    """A piano roll (one colour per track, section names on top) beside the bar self-similarity matrix."""
    import matplotlib

    matplotlib.use("Agg")  # files only: the evaluation runs headless
    import matplotlib.pyplot as plt

    figure, (roll, matrix) = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 1]})
    colours = plt.get_cmap("tab10")
    for index, track in enumerate(pitched(score)):
        for note in track.notes:
            roll.add_patch(
                plt.Rectangle(
                    (note.start, note.pitch - 0.4),
                    note.duration,
                    0.8,
                    color=colours(index % 10),
                    alpha=0.3 + 0.7 * note.velocity / 127,
                )
            )
        roll.plot([], [], color=colours(index % 10), label=track.name, linewidth=6)
    for mark in score.sections:
        roll.axvline(mark.start_beat, color="black", linewidth=0.8)
        roll.text(mark.start_beat + 0.2, 1.0, mark.name, transform=roll.get_xaxis_transform(), va="bottom", fontsize=8)
    pitches = [n.pitch for t in pitched(score) for n in t.notes] or [60]
    roll.set_xlim(0, score.length_beats)
    roll.set_ylim(min(pitches) - 2, max(pitches) + 2)
    roll.set_xlabel("beat")
    roll.set_ylabel("MIDI pitch")
    roll.legend(loc="upper right", fontsize=7)
    roll.set_title(title, fontsize=10, pad=14)
    starts = bar_starts(score)
    similarity = self_similarity(bar_features([n for t in pitched(score) for n in t.notes], starts))
    matrix.imshow(similarity, cmap="magma", origin="lower", vmin=0, vmax=1)
    matrix.set_title("bar self-similarity", fontsize=10)
    matrix.set_xlabel("bar")
    matrix.set_ylabel("bar")
    figure.tight_layout()
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=90)
    plt.close(figure)
