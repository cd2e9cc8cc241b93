"""Run the fixed prompt set through the composer and measure every piece against what was asked."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median
from typing import Any

from engine.audio.render import Renderer
from engine.compose import compose
from engine.errors import EngineError
from engine.evaluate.attributes import (
    heard_in_midi,
    key_from_notes,
    meter_from_notes,
    modal_key,
    score_from_midi,
    tempo_from_audio,
    tempo_verdict,
)
from engine.metrics import measure
from engine.midi import score_to_midi
from engine.partwriter import PartWriter
from engine.score import Score
from engine.spec import PITCH_CLASS, MusicSpec, build_spec

ATTRIBUTES = ("tempo", "key", "mode", "meter", "instruments", "duration")
TARGETED = ("pitch_class_entropy", "scale_consistency", "groove_consistency")
DURATION_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Prompt:
    """One request of the fixed set: its words, the attributes it names outright, and the spec it means."""

    id: str
    text: str
    explicit: tuple[str, ...]
    spec: MusicSpec


def load_prompts(path: Path) -> list[Prompt]:
    """Read the JSON-lines prompt set (one {id, prompt, explicit, spec} object per line)."""
    prompts: list[Prompt] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompts.append(Prompt(row["id"], row["prompt"], tuple(row["explicit"]), build_spec(row["spec"])))
        except (ValueError, KeyError) as exc:
            raise EngineError(f"{path}:{number}: bad prompt line: {exc}") from exc
    return prompts


def _checks(spec: MusicSpec, found: dict[str, Any]) -> dict[str, bool]:
    programs = sorted({part.program for part in spec.parts})
    checks = {
        "key": found["tonic_pc"] == PITCH_CLASS[spec.key],
        "mode": found["mode"] == spec.mode,
        "meter": found["meter"] == spec.meter,
        "instruments": found["programs"] == programs and found["drums"] == spec.drums,
        "duration": abs(found["duration_s"] - spec.duration_s) <= DURATION_TOLERANCE * spec.duration_s,
    }
    if found.get("tempo_verdict") is not None:
        checks["tempo"] = found["tempo_verdict"] in ("exact", "octave")
    return checks


def evaluate_piece(
    prompt: Prompt, writer: PartWriter | None, renderer: Renderer | None
) -> tuple[dict[str, Any], Score]:
    """Compose one prompt, read the result back, estimate its attributes and measure its musicality."""
    spec = prompt.spec
    started = time.perf_counter()
    score = compose(spec, writer=writer)
    compose_ms = (time.perf_counter() - started) * 1000
    midi = score_to_midi(score)
    back = score_from_midi(midi, {track.name: track.role for track in score.tracks})
    heard = heard_in_midi(midi)
    # Major and minor requests are judged by Krumhansl–Schmuckler; church modes by collection and final.
    tonic, found_mode = key_from_notes(back) if spec.mode in ("major", "minor") else modal_key(back)
    found: dict[str, Any] = {
        "tonic_pc": tonic, "mode": found_mode, "meter": meter_from_notes(back),
        "programs": sorted(heard.programs), "drums": heard.drums, "duration_s": round(heard.end_s, 3),
        "tempo_bpm": None, "tempo_verdict": None,
    }  # fmt: skip
    if renderer is not None:
        audio = renderer.render(midi, length_s=score.duration_s)
        bpm = tempo_from_audio(audio, renderer.sample_rate)
        found["tempo_bpm"] = round(bpm, 1)
        found["tempo_verdict"] = tempo_verdict(bpm, spec.tempo_bpm, spec.meter)
    melody = next((t for t in back.tracks if t.role == "melody"), None)
    metrics = measure(back, melody)
    row = {
        "id": prompt.id, "prompt": prompt.text, "genre": spec.genre, "explicit": list(prompt.explicit),
        "requested": {"tempo_bpm": spec.tempo_bpm, "key": spec.key, "mode": spec.mode, "meter": spec.meter,
                      "programs": sorted({p.program for p in spec.parts}), "drums": spec.drums,
                      "duration_s": spec.duration_s},
        "found": found, "checks": _checks(spec, found), "compose_ms": round(compose_ms, 2),
        "musicality": asdict(metrics), "sections": [(s.name, s.bars) for s in score.sections],
    }  # fmt: skip
    return row, score


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(rows: list[dict[str, Any]], reference: dict[str, Any]) -> dict[str, Any]:
    """Accuracy per attribute (explicit requests and all prompts), tempo errors, musicality vs POP909."""
    accuracy: dict[str, dict[str, Any]] = {}
    for attribute in ATTRIBUTES:
        explicit = [r["checks"][attribute] for r in rows if attribute in r["explicit"] and attribute in r["checks"]]
        everyone = [r["checks"][attribute] for r in rows if attribute in r["checks"]]
        accuracy[attribute] = {
            "explicit": _share(explicit),
            "explicit_n": len(explicit),
            "all": _share(everyone),
            "all_n": len(everyone),
        }
    verdicts = [r["found"]["tempo_verdict"] for r in rows if r["found"]["tempo_verdict"] is not None]
    tempo = {v: verdicts.count(v) for v in ("exact", "octave", "metrical", "wrong")}
    musicality: dict[str, dict[str, Any]] = {}
    for name, stats in reference["metrics"].items():
        values = [r["musicality"][name] for r in rows if r["musicality"].get(name) is not None]
        if not values:
            continue
        middle = median(values)
        musicality[name] = {
            "median": middle,
            "pop909_q1": stats["q1"],
            "pop909_median": stats["median"],
            "pop909_q3": stats["q3"],
            "inside_iqr": stats["q1"] <= middle <= stats["q3"],
        }
    compose_ms = sorted(r["compose_ms"] for r in rows)
    return {
        "pieces": len(rows),
        "accuracy": accuracy,
        "tempo_verdicts": tempo,
        "musicality": musicality,
        "longest_silence_bars": max(r["musicality"]["longest_silence_bars"] for r in rows),
        "compose_ms": {"p50": median(compose_ms), "max": compose_ms[-1]},
    }


def targets_met(summary: dict[str, Any]) -> dict[str, bool]:
    """The issue's targets: ≥ 95 % on explicit attributes, three metrics inside POP909's IQR, no long silence."""
    met = {
        f"{a} ≥ 95%": (summary["accuracy"][a]["explicit"] or 0) >= 0.95
        for a in ATTRIBUTES
        if summary["accuracy"][a]["explicit_n"]
    }
    met.update(
        {f"{m} in POP909 IQR": summary["musicality"][m]["inside_iqr"] for m in TARGETED if m in summary["musicality"]}
    )
    met["no silence over 2 bars"] = summary["longest_silence_bars"] <= 2.0
    met["compose p50 ≤ 200 ms"] = summary["compose_ms"]["p50"] <= 200
    return met
