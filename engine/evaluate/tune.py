"""`python -m engine.evaluate --tune`: how well tunes are heard (note F1) and kept (the arrangement's lead)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.audio.render import Renderer
from engine.evaluate.tune_inputs import (
    Melody,
    folk_melodies,
    generator,
    hum,
    piano,
    placed_reference,
    sung_la,
    whistle,
    with_noise,
)
from engine.sectioned import LEAD_TRACK
from engine.tune.line import LineNote
from engine.tune.listen import heard_line, tune_from_audio
from engine.tune.transcribe import Transcriber

KINDS = ("hum", "sung la", "whistle", "piano")
NOISY_SNR_DB = 10.0
F1_TARGETS = {"clean": 0.8, f"{NOISY_SNR_DB:.0f} dB": 0.6}
KEPT_TARGET = 0.9
PROMPTS = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval_prompts.jsonl"


def _hz(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def note_f1(reference: list[tuple[float, float, int]], estimate: list[LineNote]) -> float:
    """mir_eval's note F1, onsets within 50 ms and pitch within 50 cents, offsets ignored."""
    import mir_eval

    if not estimate:
        return 0.0
    ref_intervals = np.array([[s, max(e, s + 0.01)] for s, e, _ in reference])
    est_intervals = np.array([[n.start_s, max(n.end_s, n.start_s + 0.01)] for n in estimate])
    _, _, f1, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_intervals, np.array([_hz(p) for _, _, p in reference]), est_intervals,
        np.array([_hz(n.pitch) for n in estimate]), onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None,
    )  # fmt: skip
    return float(f1)


def kept_in_order(reference: list[int], lead: list[int]) -> float:
    """Share of the reference's notes found, in order, in the lead, at the best transposition (any octave)."""
    best = 0
    for shift in range(12):
        wanted = [(p + shift) % 12 for p in reference]
        heard = [p % 12 for p in lead]
        row = [0] * (len(heard) + 1)
        for pc in wanted:  # longest common subsequence, one row at a time
            previous_diagonal = 0
            for j, other in enumerate(heard, start=1):
                keep = row[j]
                row[j] = previous_diagonal + 1 if pc == other else max(row[j], row[j - 1])
                previous_diagonal = keep
        best = max(best, row[-1])
    return best / len(reference)


def _render(kind: str, melody: Melody, index: int, renderer: Renderer) -> np.ndarray:
    if kind == "piano":
        return piano(melody.notes, renderer)
    if kind == "sung la":
        return sung_la(melody.notes)
    return (hum if kind == "hum" else whistle)(melody.notes, generator(index))


@dataclass(frozen=True, slots=True)
class TuneRow:
    """One input's measures."""

    tune: str
    kind: str
    condition: str
    f1: float
    tempo_error: float  # relative, heard tempo against the melody's


def transcription_rows(melodies: list[Melody], renderer: Renderer, transcriber: Transcriber) -> list[TuneRow]:
    """Every melody in every kind, clean and noisy: note F1 and tempo error."""
    rows = []
    for index, melody in enumerate(melodies):
        for kind in KINDS:
            clean = _render(kind, melody, index, renderer)
            reference = placed_reference(melody.notes, kind)
            for condition, audio in (
                ("clean", clean),
                (f"{NOISY_SNR_DB:.0f} dB", with_noise(clean, NOISY_SNR_DB, generator(100 + index))),
            ):
                try:
                    line = heard_line(audio, transcriber)
                    tempo = tune_from_audio(audio, transcriber).tempo_bpm
                except Exception:  # a failed read scores zero; the table shows it
                    line, tempo = [], 0
                f1 = note_f1(reference, line)
                error = min(abs(tempo * k - melody.tempo_bpm) for k in (0.5, 1, 2)) / melody.tempo_bpm
                rows.append(TuneRow(melody.name, kind, condition, round(f1, 3), round(error, 3)))
    return rows


def kept_rows(melodies: list[Melody], transcriber: Transcriber) -> list[dict[str, Any]]:
    """Each melody hummed and arranged over one of the evaluation's prompts (every other one in the prompt's
    key, so the tune is moved): the share of its notes found in order in the lead."""
    from engine.evaluate.runner import load_prompts
    from engine.pipeline import generate
    from engine.tune.arrange import with_tune

    prompts = load_prompts(PROMPTS)
    rows = []
    for index, melody in enumerate(melodies):
        prompt = prompts[(index * 3) % len(prompts)]
        request = prompt.text
        audio = hum(melody.notes, generator(index))
        tune = tune_from_audio(audio, transcriber, name=f"{melody.name}.wav")
        # Every other tune is asked in the prompt's key, in the mode it was heard in (a mode change moves notes).
        asked = frozenset({"key"}) if index % 2 else frozenset()
        spec = with_tune(prompt.spec.replace(mode=tune.mode), tune, asked)
        score = generate(spec).score
        lead = next(track for track in score.tracks if track.name == LEAD_TRACK)
        kept = kept_in_order([p for _, _, p in melody.notes], [n.pitch for n in lead.notes])
        rows.append({"tune": melody.name, "written": melody.meter, "request": request,
                     "key": f"{spec.key} {spec.mode}", "heard": tune.heard(), "kept": round(kept, 3)})  # fmt: skip
    return rows


def summary(rows: list[TuneRow]) -> list[dict[str, Any]]:
    """Median and worst F1 and the tempo hit rate per kind and condition."""
    table = []
    for kind in KINDS:
        for condition, target in F1_TARGETS.items():
            chosen = [r for r in rows if r.kind == kind and r.condition == condition]
            if not chosen:
                continue
            median = statistics.median(r.f1 for r in chosen)
            tempo_hits = sum(r.tempo_error <= 0.04 for r in chosen) / len(chosen)
            table.append({"input": kind, "condition": condition, "n": len(chosen), "f1_median": round(median, 3),
                          "f1_min": min(r.f1 for r in chosen), "target": target, "met": median >= target,
                          "tempo_within_4%": round(tempo_hits, 2)})  # fmt: skip
    return table


def markdown(table: list[dict[str, Any]], kept: list[dict[str, Any]]) -> str:
    """The two tables as Markdown."""
    lines = [
        "| input | condition | n | note F1 median | min | target | tempo within 4 % |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {r['input']} | {r['condition']} | {r['n']} | {r['f1_median']:.2f} {'✓' if r['met'] else '✗'} | "
              f"{r['f1_min']:.2f} | ≥ {r['target']} | {r['tempo_within_4%']:.0%} |" for r in table]  # fmt: skip
    lines += ["", "| tune | written in | request | arranged in | heard | kept in order |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['tune']} | {r['written']} | {r['request']} | {r['key']} | {r['heard']} | {r['kept']:.0%} "
              f"{'✓' if r['kept'] >= KEPT_TARGET else '✗'} |" for r in kept]  # fmt: skip
    share = sum(r["kept"] >= KEPT_TARGET for r in kept) / max(1, len(kept))
    lines.append(f"\ntune kept ≥ {KEPT_TARGET:.0%}: {share:.0%} of {len(kept)} arrangements")
    return "\n".join(lines)


def run(soundfont: Path, count: int, out: Path) -> dict[str, Any]:
    """Synthesize, transcribe, arrange and measure; returns the report (also written as JSON)."""
    from engine.evaluate.report import write_json

    melodies = folk_melodies(count)
    transcriber = Transcriber()
    with Renderer(soundfont, 22_050) as renderer:
        rows = transcription_rows(melodies, renderer, transcriber)
    kept = kept_rows(melodies, transcriber)
    table = summary(rows)
    print(markdown(table, kept))
    report = {"transcription": table, "rows": [asdict(r) for r in rows], "kept": kept}
    write_json(out / "tune.json", report)
    print(f"\nreport: {out / 'tune.json'}")
    return report
