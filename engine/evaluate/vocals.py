"""`python -m engine.evaluate --vocals`: sing a fixed set of lyrics and measure pitch, timing and words.

The tunes are built here, deterministically (one note per syllable on a scale pattern, a long note and a
rest at each line end), so the singer is judged on its own, whatever writes melodies to words.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import EngineError
from engine.evaluate.vocal_measures import (
    Written,
    margin_interval,
    pitch_accuracy,
    recognise,
    share_on_time,
    slowed,
    vowel_onset_errors,
    word_errors,
    words_of,
)
from engine.score import Note
from engine.vocals import VOICE_NAMES, octave_shift, sing
from engine.vocals.espeak import Utterance, speak_lines
from engine.vocals.festival import speak_english
from engine.vocals.voices import voice_named

LYRICS_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval_lyrics.jsonl"
SAMPLE_RATE = 22_050
TEMPO_BPM = 96.0
SCALE = (0, 2, 4, 5, 7, 9, 11, 12)
CONTOUR = (0, 1, 2, 3, 4, 3, 2, 1, 2, 4, 5, 4)  # scale steps the syllables walk through, line after line
RHYTHM = (1.0, 0.5, 0.5, 1.0, 1.0, 0.5, 0.5)  # beats per syllable, cycled; a line's last syllable gets 3
TONIC = 62  # D4: a line's median sits inside both voices' registers
TARGETS = {"pitch": 0.90, "onsets": 0.90, "wer_margin": 0.15}


@dataclass(frozen=True, slots=True)
class LyricSet:
    """One fixed lyric: lines of words of syllables ("walk-ing"), its language, and whether it is a vocalise."""

    id: str
    language: str
    lines: list[list[list[str]]]
    vocalise: bool


def load_lyrics(path: Path = LYRICS_FILE) -> list[LyricSet]:
    """The fixed lyric set: one JSON object a line with id, language, lyrics ("-" between syllables)."""
    sets = []
    try:
        rows = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"cannot read the lyric set {path}: {exc}") from exc
    for number, row in enumerate(rows, 1):
        if row.strip():
            try:
                item = json.loads(row)
                lines = [[word.split("-") for word in line.split()] for line in item["lyrics"].split("\n")]
                sets.append(LyricSet(item["id"], item["language"], lines, bool(item.get("vocalise", False))))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise EngineError(f"{path} line {number} is not a lyric (id, language, lyrics): {exc!r}") from exc
    return sets


def tune(lines: list[list[list[str]]]) -> list[Note]:
    """One note per syllable, karaoke lyrics on them; each line ends on a held note and a beat's rest."""
    notes: list[Note] = []
    beat, step = 1.0, 0
    for line in lines:
        syllables = [(syllable, k == len(word) - 1) for word in line for k, syllable in enumerate(word)]
        for index, (syllable, ends_word) in enumerate(syllables):
            last = index == len(syllables) - 1
            length = 3.0 if last else RHYTHM[step % len(RHYTHM)]
            pitch = TONIC + SCALE[CONTOUR[step % len(CONTOUR)]]
            lyric = syllable + ("\n" if last else " " if ends_word else "")
            notes.append(Note(beat, length * 0.95, pitch, 90, lyric))
            beat += length
            step += 1
        beat += 1.0
    return notes


def _written(notes: list[Note], shift: int, seconds_per_beat: float) -> list[Written]:
    return [Written(n.start * seconds_per_beat, (n.start + n.duration) * seconds_per_beat, n.pitch + shift,
                    bool(n.lyric)) for n in notes]  # fmt: skip


def _line_spans(notes: list[Note], seconds_per_beat: float) -> list[tuple[float, float]]:
    spans, first = [], notes[0].start
    for note in notes:
        if note.lyric.endswith("\n"):
            spans.append(((first - 0.5) * seconds_per_beat, (note.start + note.duration + 0.4) * seconds_per_beat))
            first = None  # type: ignore[assignment]
        elif first is None:
            first = note.start
    return spans


def _intelligibility(item: LyricSet, voice: str, audio: np.ndarray, notes: list[Note],
                     seconds_per_beat: float) -> dict[str, Any]:  # fmt: skip
    """WER of the sung lines, of espeak-ng's plain speech of them, and of that speech slowed to the sung length.

    The slowed speech is a diagnostic: pocketsphinx loses words on slow speech alone, and a tune holds syllables
    2-4× their spoken length, so it shows how much of the sung WER the note lengths cost before any singing.
    So is the singer's own source: the plain speech of the Festival voice the lines were sung from.
    """
    spans = _line_spans(notes, seconds_per_beat)
    references = [words_of(" ".join("".join(word) for word in line)) for line in item.lines]
    speeches = speak_lines([Utterance(" ".join(words), "en-us", 160, 50, 50) for words in references])
    sources = list(speak_english(references, voice_named(voice).festival))
    heard: dict[str, list[str]] = {"sung": [], "spoken": [], "slowed": [], "source": []}
    wrong: dict[str, list[int]] = {kind: [] for kind in heard}  # word errors per line
    for reference, speech, source, (start, end) in zip(references, speeches, sources, spans, strict=True):
        sung_line = audio[max(0, int(start * SAMPLE_RATE)) : int(end * SAMPLE_RATE)]
        sounding = np.flatnonzero(np.abs(sung_line) > 1e-3)
        sung_seconds = (sounding[-1] - sounding[0]) / SAMPLE_RATE if len(sounding) else 0.0
        versions = {"sung": (sung_line, SAMPLE_RATE), "spoken": (speech.audio, speech.sample_rate),
                    "slowed": (slowed(speech.audio, speech.sample_rate, sung_seconds), speech.sample_rate),
                    "source": (source.audio, source.sample_rate)}  # fmt: skip
        for kind, (sound, rate) in versions.items():
            text = recognise(sound, rate)
            heard[kind].append(text)
            wrong[kind].append(word_errors(reference, words_of(text)))
    total = sum(len(reference) for reference in references)
    return {
        **{f"wer_{kind}": sum(counts) / total for kind, counts in wrong.items()},
        "words": total,
        "line_words": [len(reference) for reference in references],
        "line_errors_sung": wrong["sung"],
        "line_errors_spoken": wrong["spoken"],
        **{f"heard_{kind}": texts for kind, texts in heard.items()},
    }


def evaluate_item(item: LyricSet, voice: str) -> dict[str, Any]:
    """Sing one lyric set with one voice and measure it."""
    notes = tune(item.lines)
    seconds_per_beat = 60.0 / TEMPO_BPM
    started = time.perf_counter()
    audio = sing(notes, seconds_per_beat, voice, item.language, SAMPLE_RATE)
    elapsed = time.perf_counter() - started
    written = _written(notes, octave_shift(notes, voice_named(voice)), seconds_per_beat)
    pitch, frames = pitch_accuracy(audio, SAMPLE_RATE, written)
    errors = vowel_onset_errors(audio, SAMPLE_RATE, written)
    onsets, syllables = share_on_time(errors)
    measured = [abs(e) for e in errors if e is not None]
    row: dict[str, Any] = {
        "id": item.id, "language": item.language, "voice": voice, "pitch": pitch, "voiced_frames": frames,
        "onsets": onsets, "syllables": syllables, "onset_median_ms": 1000 * statistics.median(measured) if measured
        else None, "sing_ms": round(1000 * elapsed, 1), "sung_s": round(len(audio) / SAMPLE_RATE, 2),
    }  # fmt: skip
    if item.language == "en" and not item.vocalise:
        row.update(_intelligibility(item, voice, audio, notes, seconds_per_beat))
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled figures and whether each target is met."""
    english = [row for row in rows if "wer_sung" in row]
    words = sum(row["words"] for row in english)
    summary = {
        "pitch": sum(r["pitch"] * r["voiced_frames"] for r in rows) / max(sum(r["voiced_frames"] for r in rows), 1),
        "onsets": sum(r["onsets"] * r["syllables"] for r in rows) / max(sum(r["syllables"] for r in rows), 1),
        "wer_sung": sum(r["wer_sung"] * r["words"] for r in english) / words if words else None,
        "wer_spoken": sum(r["wer_spoken"] * r["words"] for r in english) / words if words else None,
        "wer_slowed": sum(r["wer_slowed"] * r["words"] for r in english) / words if words else None,
        "wer_source": sum(r["wer_source"] * r["words"] for r in english) / words if words else None,
        "sing_ms_per_sung_s": sum(r["sing_ms"] for r in rows) / sum(r["sung_s"] for r in rows),
    }
    if not english:
        raise EngineError("the lyric set has no English lines to judge intelligibility on")
    lines = {key: [n for row in english for n in row[key]]
             for key in ("line_words", "line_errors_sung", "line_errors_spoken")}  # fmt: skip
    summary["margin_interval"] = margin_interval(lines["line_words"], lines["line_errors_sung"],
                                                 lines["line_errors_spoken"])  # fmt: skip
    summary["targets"] = {
        "pitch": summary["pitch"] >= TARGETS["pitch"],
        "onsets": summary["onsets"] >= TARGETS["onsets"],
        "intelligibility": summary["wer_sung"] <= summary["wer_spoken"] + TARGETS["wer_margin"],
    }
    return summary


def table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """The per-piece rows and the pooled figures as Markdown."""
    lines = ["| lyrics | lang | voice | pitch within 50 ct | vowel onsets within 50 ms | WER sung | WER spoken "
             "| WER spoken, slowed to the sung length | WER of the singer's source speech |",
             "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        kinds = ("wer_sung", "wer_spoken", "wer_slowed", "wer_source")
        wer = [f"{r[kind]:.2f}" for kind in kinds] if "wer_sung" in r else [""] * len(kinds)
        lines.append(f"| {r['id']} | {r['language']} | {r['voice']} | {r['pitch']:.1%} (n={r['voiced_frames']}) "
                     f"| {r['onsets']:.1%} (n={r['syllables']}) | {' | '.join(wer)} |")  # fmt: skip
    mark = {True: "✓", False: "✗"}
    t = summary["targets"]
    lines += ["", "| target | measured |", "|---|---|",
              f"| pitch: voiced frames within 50 cents ≥ 90 % | {summary['pitch']:.1%} {mark[t['pitch']]} |",
              f"| timing: vowel onsets within 50 ms ≥ 90 % | {summary['onsets']:.1%} {mark[t['onsets']]} |",
              f"| intelligibility: WER sung ≤ spoken + 0.15 | {summary['wer_sung']:.2f} vs "
              f"{summary['wer_spoken']:.2f} {mark[t['intelligibility']]} |",
              "| (scatter) margin sung − spoken, 95 % bootstrap interval over lines | "
              f"{summary['wer_sung'] - summary['wer_spoken']:.3f} ({summary['margin_interval'][0]:.2f}–"
              f"{summary['margin_interval'][1]:.2f}) |",
              f"| (diagnostic) WER of the plain speech slowed to the sung length | {summary['wer_slowed']:.2f} |",
              f"| (diagnostic) WER of the singer's source speech (Festival) | {summary['wer_source']:.2f} |",
              f"| singing time per second sung | {summary['sing_ms_per_sung_s']:.1f} ms |"]  # fmt: skip
    return "\n".join(lines)


def run(path: Path = LYRICS_FILE, voices: tuple[str, ...] = VOICE_NAMES) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every lyric set in every voice: the rows and their summary."""
    rows = [evaluate_item(item, voice) for item in load_lyrics(path) for voice in voices]
    return rows, summarise(rows)
