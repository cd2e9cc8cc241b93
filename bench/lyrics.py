"""`python -m bench.lyrics`: how words sit on the sung line, over a fixed set of English lyrics.

For each entry of tests/data/lyrics_set.jsonl (several seeds): stressed syllables on the meter's beats,
one note per syllable, repeated lines sung to the identical tune, and the time to set the words; with
`--sheet`, the lead sheet's LilyPond render time too. Targets: stressed on beats ≥ 80 %, coverage 100 %,
repeats identical 100 %.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from engine.compose import compose, make_plan
from engine.genres import GENRES
from engine.lyrics.measures import measure_setting
from engine.lyrics.words import read_lyrics
from engine.metrics import chord_tone_ratio, interval_histogram, strong_beats
from engine.spec import MusicSpec, build_spec

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "lyrics_set.jsonl"


def spec_for(entry: dict[str, str | int], seed: int) -> MusicSpec:
    """A sung spec for one entry of the fixed set, in the genre's own instruments."""
    genre = GENRES[str(entry["genre"])]
    return build_spec({
        "genre": genre.name, "tempo_bpm": entry["tempo_bpm"], "key": "C", "mode": "major",
        "meter": entry["meter"], "parts": [{"name": n, "role": r} for n, r in genre.parts],
        "drums": genre.drums, "duration_s": 20.0, "vocals": True, "lyrics": entry["lyrics"], "seed": seed,
    })  # fmt: skip


def main() -> None:
    """Print the setting measures per entry and in total."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sheet", action="store_true", help="also render each lead sheet with LilyPond")
    args = parser.parse_args()
    entries = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    stressed: list[float] = []
    strong: list[float] = []
    coverage: list[float] = []
    identical: list[float] = []
    compose_ms: list[float] = []
    chord_tones: list[float] = []
    steps: list[float] = []
    spans: list[int] = []
    sheet_ms: list[float] = []
    for entry in entries:
        for seed in range(args.seeds):
            spec = spec_for(entry, seed)
            start = time.perf_counter()
            plan = make_plan(spec)
            score = compose(spec, plan=plan)
            compose_ms.append((time.perf_counter() - start) * 1000)
            vocal = next(track for track in score.tracks if track.name == "vocals")
            report = measure_setting(vocal.notes, read_lyrics(spec.lyrics or ""), spec.meter, spec.beats_per_bar)
            stressed.append(report.stressed_on_beats or 0.0)
            band = [n for t in score.tracks if t.name != "vocals" and not t.is_drum for n in t.notes]
            ratio = chord_tone_ratio(vocal.notes, band, strong_beats(score))
            chord_tones += [ratio] if ratio is not None else []
            shares = interval_histogram(sorted(vocal.notes, key=lambda n: n.start))
            steps.append(shares["unison"] + shares["step"])
            spans.append(max(n.pitch for n in vocal.notes) - min(n.pitch for n in vocal.notes))
            strong.append(report.stressed_on_strong or 0.0)
            coverage.append(report.syllable_coverage or 0.0)
            if report.repeated_lines_identical is not None:
                identical.append(report.repeated_lines_identical)
            if args.sheet:
                from engine.sheet import write_sheet

                with tempfile.TemporaryDirectory() as folder:
                    start = time.perf_counter()
                    write_sheet(score, plan.chords, Path(folder))
                    sheet_ms.append((time.perf_counter() - start) * 1000)
            if seed == 0:
                print(
                    f"{entry['name']:>9}  stressed on beats {report.stressed_on_beats:.0%} "
                    f"(strong {report.stressed_on_strong:.0%})  coverage {report.syllable_coverage:.0%}  "
                    f"repeats identical {report.repeated_lines_identical}  "
                    f"melisma notes {report.melisma_notes}"
                )
    print(f"\n{len(entries)} lyrics × {args.seeds} seeds on {describe()}")
    print(f"stressed syllables on beats: mean {statistics.mean(stressed):.1%}, min {min(stressed):.1%} (target ≥ 80 %)")
    print(f"stressed syllables on the downbeat or mid-bar: mean {statistics.mean(strong):.1%}, min {min(strong):.1%}")
    print(f"one note per syllable: mean {statistics.mean(coverage):.1%}, min {min(coverage):.1%}")
    if identical:
        print(f"repeated lines, identical tune: mean {statistics.mean(identical):.1%} over {len(identical)} pieces")
    print(
        f"sung line: chord tones on strong beats {statistics.median(chord_tones):.2f} (median), "
        f"unisons and steps {statistics.median(steps):.0%}, range {statistics.median(spans)} semitones"
    )
    print(f"compose with words: p50 {statistics.median(compose_ms):.0f} ms (first call loads the CMU dictionary)")
    if sheet_ms:
        print(f"lead sheet (LilyPond, PNG + PDF): p50 {statistics.median(sheet_ms):.0f} ms, max {max(sheet_ms):.0f} ms")


if __name__ == "__main__":
    main()
