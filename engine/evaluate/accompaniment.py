"""The piano accompaniment side by side: rules and model against POP909's PIANO track.

The composer's evaluation judges whole pieces; this one judges only the piano part that accompanies,
over the chords it was written for, so the learned accompaniment can be kept where it measures better.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import numpy as np

from engine.compose import compose, make_plan
from engine.compose.styles import STYLES
from engine.errors import EngineError
from engine.evaluate.reference import load_song, sample_folders, to_beats
from engine.evaluate.runner import Prompt
from engine.files import write_bytes_atomic
from engine.metrics import bass_on_root, groove_consistency, pitch_class_entropy, polyphony
from engine.partwriter import PartWriter
from engine.plan import Chord, chord_class
from engine.score import Note, Score, Track
from engine.settings import pop909_dir
from engine.spec import PITCH_CLASS, PartSpec

REFERENCE_FILE = Path(__file__).resolve().parent / "pop909_piano_reference.json"
METRICS = (
    "chord_tone_ratio", "bass_on_root", "notes_per_bar", "polyphony", "groove_consistency",
    "pitch_class_entropy", "register_span", "silent_bars",
)  # fmt: skip
PIANO = "piano"


@dataclass(frozen=True, slots=True)
class AccompanimentMetrics:
    """What one accompaniment does over its chords."""

    chord_tone_ratio: float  # note onsets whose pitch class is in the chord sounding then
    bass_on_root: float  # chords whose lowest note in their first beat is the root (or slash bass)
    notes_per_bar: float
    polyphony: float  # mean pitches sounding where anything sounds
    groove_consistency: float  # 1 − Hamming distance of consecutive bars' onset patterns
    pitch_class_entropy: float
    register_span: float  # 5th to 95th percentile pitch, in semitones
    silent_bars: float  # share of bars with no onset


def chord_at(chords: list[Chord], beat: float) -> Chord | None:
    """The chord sounding at a beat (chords sorted by start), None before the first or in a gap."""
    sounding = None
    for chord in chords:
        if chord.start > beat + 1e-6:
            break
        sounding = chord if beat < chord.start + chord.duration else None
    return sounding


def measure_accompaniment(
    notes: list[Note], chords: list[Chord], starts: list[float], length: float
) -> AccompanimentMetrics:
    """All accompaniment metrics of one part over its chords and bars."""
    chords = sorted(chords, key=lambda chord: chord.start)
    in_chord = [chord_at(chords, note.start) for note in notes]
    judged = [(note, chord) for note, chord in zip(notes, in_chord, strict=True) if chord is not None]
    tones = sum(note.pitch % 12 in chord.pitch_classes for note, chord in judged) / len(judged) if judged else 0.0
    score = Score(120.0, "4/4", "C", "major", [Track(PIANO, 0, "chords", notes)], length)
    bars = np.array(starts)
    played = {int(np.searchsorted(bars, note.start + 1e-6, side="right")) - 1 for note in notes}
    pitches = np.array([note.pitch for note in notes]) if notes else np.zeros(1)
    low, high = np.percentile(pitches, [5, 95])
    return AccompanimentMetrics(
        chord_tone_ratio=tones,
        bass_on_root=bass_on_root(notes, chords),
        notes_per_bar=len(notes) / max(1, len(starts)),
        polyphony=polyphony(score)[0],
        groove_consistency=groove_consistency(score, starts),
        pitch_class_entropy=pitch_class_entropy(score),
        register_span=float(high - low),
        silent_bars=1.0 - len(played & set(range(len(starts)))) / max(1, len(starts)),
    )


def pop909_chords(folder: Path) -> list[Chord]:
    """A POP909 song's chord annotation (chord_midi.txt) as chords in beats."""
    beat_times = np.array(
        [float(line.split()[0]) for line in (folder / "beat_midi.txt").read_text().splitlines() if line.strip()]
    )
    chords = []
    for line in (folder / "chord_midi.txt").read_text().splitlines():
        if not line.strip():
            continue
        start, end, label = line.split()[:3]
        root, _, quality = label.partition(":")
        klass = chord_class(quality) if root in PITCH_CLASS else None
        if klass is None:
            continue
        begin, finish = to_beats(np.array([float(start), float(end)]), beat_times)
        chords.append(Chord(PITCH_CLASS[root], klass, float(begin), float(finish - begin)))
    return chords


def compute_reference(directory: Path | None = None) -> dict[str, Any]:
    """Measure the PIANO track of the same fixed sample of POP909 songs the composer's reference uses."""
    directory = pop909_dir(directory)
    if not directory.is_dir():
        raise EngineError(f"POP909 not found at {directory}")
    measured: dict[str, AccompanimentMetrics] = {}
    for folder in sample_folders(directory):
        score, _melody, starts = load_song(folder)
        piano = next((track for track in score.tracks if track.name.strip().upper() == "PIANO"), None)
        if piano is None or not piano.notes or len(starts) < 8:
            continue
        measured[folder.name] = measure_accompaniment(piano.notes, pop909_chords(folder), starts, score.length_beats)
    return {
        "dataset": "POP909 (Wang et al., ISMIR 2020), PIANO track over chord_midi.txt, times from beat_midi.txt",
        "songs": sorted(measured),
        "metrics": summarise(list(measured.values())),
    }


def summarise(values: list[AccompanimentMetrics]) -> dict[str, dict[str, float]]:
    """Quartiles per metric."""
    summary = {}
    for name in METRICS:
        column = [float(getattr(value, name)) for value in values]
        if len(column) >= 2:
            q1, middle, q3 = quantiles(column, n=4, method="inclusive")
            summary[name] = {"q1": q1, "median": middle, "q3": q3, "n": len(column)}
    return summary


def load_reference(path: Path = REFERENCE_FILE) -> dict[str, Any]:
    """The committed POP909 piano reference."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EngineError(f"no POP909 piano reference at {path}; run with --recompute-reference") from exc


def save_reference(reference: dict[str, Any], path: Path = REFERENCE_FILE) -> None:
    """Write the reference atomically."""
    write_bytes_atomic(path, (json.dumps(reference, indent=1, sort_keys=True) + "\n").encode())


def accompaniment_prompts(prompts: list[Prompt]) -> list[Prompt]:
    """The 4/4 prompts in genres that play pop-style piano, each with a piano as its (first) chords part."""
    chosen = []
    for prompt in prompts:
        spec = prompt.spec
        if not STYLES[spec.genre].learned_piano or spec.meter != "4/4":
            continue
        parts = [part for part in spec.parts if part.role != "chords"]
        lead = next((index for index, part in enumerate(parts) if part.role == "melody"), -1)
        parts.insert(lead + 1, PartSpec(name=PIANO, role="chords"))
        if parts[0].name == PIANO:  # a piano lead would take the accompaniment's register
            parts[0] = PartSpec(name="flute", role="melody")
        chosen.append(Prompt(prompt.id, prompt.text, prompt.explicit, spec.replace(parts=parts[:8])))
    return chosen


def piano_part(prompt: Prompt, writer: PartWriter | None) -> AccompanimentMetrics:
    """Compose a prompt and measure its piano chords part over the plan's chords."""
    spec = prompt.spec
    plan = make_plan(spec)
    score = compose(spec, writer=writer, plan=plan)
    track = next(track for track in score.tracks if track.role == "chords" and track.name == PIANO)
    starts = [bar * plan.beats_per_bar for bar in range(plan.total_bars)]
    return measure_accompaniment(track.notes, list(plan.chords), starts, score.length_beats)


def compare(prompts: list[Prompt], writers: dict[str, PartWriter | None]) -> dict[str, list[AccompanimentMetrics]]:
    """Every writer's piano part on every prompt."""
    return {name: [piano_part(prompt, writer) for prompt in prompts] for name, writer in writers.items()}


def distance_to_reference(value: float, stats: dict[str, float]) -> float:
    """0 inside POP909's inter-quartile range, else how far outside it, in IQR widths."""
    width = max(1e-9, stats["q3"] - stats["q1"])
    if value < stats["q1"]:
        return (stats["q1"] - value) / width
    return max(0.0, value - stats["q3"]) / width


def side_by_side(results: dict[str, list[AccompanimentMetrics]], reference: dict[str, Any]) -> dict[str, Any]:
    """Medians per writer and metric, whether each is inside POP909's IQR, and which writer is closer."""
    table: dict[str, Any] = {}
    for name in METRICS:
        stats = reference["metrics"][name]
        medians = {writer: median(float(getattr(m, name)) for m in values) for writer, values in results.items()}
        distances = {writer: distance_to_reference(value, stats) for writer, value in medians.items()}
        best = min(distances.values())
        closer = [writer for writer, distance in distances.items() if distance == best]
        table[name] = {
            "medians": medians,
            "distances": distances,
            "closer": closer if len(closer) == 1 else [],
            "pop909": stats,
        }
    return table


def side_by_side_markdown(table: dict[str, Any], pieces: int) -> str:
    """The table for stdout, the README and the model card."""
    writers = list(next(iter(table.values()))["medians"])
    header = ["piano part (median)", *writers, "POP909 q1", "median", "q3", "closer to POP909"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for name, row in table.items():
        cells = [name]
        for writer in writers:
            inside = row["distances"][writer] == 0
            cells.append(f"{row['medians'][writer]:.3f}" + (" ✓" if inside else ""))
        stats = row["pop909"]
        cells += [f"{stats[key]:.3f}" for key in ("q1", "median", "q3")]
        cells.append(", ".join(row["closer"]) or "tie")
        lines.append("| " + " | ".join(cells) + " |")
    distances = ["total distance outside POP909's IQR (IQR widths, lower is closer)"]
    distances += [f"{sum(row['distances'][writer] for row in table.values()):.2f}" for writer in writers]
    lines.append("| " + " | ".join([*distances, "", "", "", ""]) + " |")
    wins = {writer: sum(writer in row["closer"] for row in table.values()) for writer in writers}
    tally = ", ".join(f"{writer} {count}" for writer, count in wins.items())
    return "\n".join(lines) + f"\n\n{pieces} pieces per writer; closer to POP909 on: {tally} of {len(table)} metrics"


def piece_rows(prompts: list[Prompt], results: dict[str, list[AccompanimentMetrics]]) -> list[dict[str, Any]]:
    """Per prompt, every writer's metrics (for the JSON report)."""
    return [
        {"id": prompt.id, "genre": prompt.spec.genre, **{w: asdict(values[i]) for w, values in results.items()}}
        for i, prompt in enumerate(prompts)
    ]
