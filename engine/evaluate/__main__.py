"""`python -m engine.evaluate [--accompaniment | --vocals | --mix | --idioms | --tune]`: make, measure, print tables."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.machine import describe
from engine.audio.render import Renderer
from engine.errors import BandmateError
from engine.evaluate import accompaniment, idioms, mix_run
from engine.evaluate.reference import REFERENCE_FILE, compute_reference, load_reference, save_reference
from engine.evaluate.report import piano_roll, piece_table, summary_table, write_json
from engine.evaluate.runner import Prompt, evaluate_piece, load_prompts, summarise, targets_met
from engine.partwriter import PartWriter
from engine.settings import find_soundfont

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROMPTS = ROOT / "tests" / "data" / "eval_prompts.jsonl"
IDIOM_PROMPTS = ROOT / "tests" / "data" / "idiom_prompts.jsonl"
DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
SAMPLE_RATE = 22_050  # plenty for beat tracking, half the rendering time


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m engine.evaluate", description=__doc__)
    parser.add_argument("--prompts", type=Path, default=DEFAULT_PROMPTS, help="JSON-lines prompt set")
    parser.add_argument("--n", type=int, default=None, help="evaluate only the first N prompts")
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="compose every prompt with this many seeds (the prompt's, then +1000, +2000, …)",
    )
    parser.add_argument("--soundfont", type=Path, default=DEFAULT_SOUNDFONT, help="SoundFont for the tempo check")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "evaluate", help="folder for JSON and PNGs")
    parser.add_argument("--plots", type=int, default=6, help="piano rolls to draw (first K pieces)")
    parser.add_argument("--no-audio", action="store_true", help="skip rendering (tempo is not measured)")
    parser.add_argument("--writers", default="auto", help="rules, model, or auto (rules + model if it loads)")
    parser.add_argument(
        "--model-n",
        type=int,
        default=12,
        help="prompts the (slow, CPU) model writer composes; the rules are also summarised on them",
    )
    parser.add_argument("--recompute-reference", action="store_true", help="re-measure POP909 and save it")
    parser.add_argument(
        "--idioms",
        action="store_true",
        help="check each genre's idiom (riffs, skank, swing…) from the MIDI against its ranges",
    )
    parser.add_argument(
        "--sheets",
        type=Path,
        default=None,
        help="with --idioms: write a contact sheet (piano roll per part) per idiom into this folder",
    )

    parser.add_argument(
        "--tune",
        action="store_true",
        help="bring-your-own-tune: transcription note F1 of synthesised folk tunes and the tune kept",
    )
    parser.add_argument("--tune-n", type=int, default=12, help="folk tunes to synthesise for --tune")
    parser.add_argument(
        "--accompaniment",
        action="store_true",
        help="judge only the piano accompaniment (rules and model) against POP909's PIANO track",
    )
    parser.add_argument(
        "--vocals",
        action="store_true",
        help="sing the fixed lyric set (tests/data/eval_lyrics.jsonl) and measure pitch, timing, words",
    )
    parser.add_argument(
        "--lyrics",
        type=Path,
        default=None,
        help="another lyric set for --vocals, e.g. tests/data/tuning_lyrics.jsonl (the set voices are chosen on)",
    )

    parser.add_argument(
        "--mix",
        action="store_true",
        help="judge the mix: stereo, mono fold-down, loudness, peaks, balance, lead (FluidR3)",
    )
    return parser.parse_args(argv)


def with_seeds(prompts: list[Prompt], count: int) -> list[Prompt]:
    """Each prompt composed with `count` seeds, so the numbers do not hang on one lucky draw."""
    seeded = list(prompts)
    for k in range(1, count):
        seeded += [replace(p, id=f"{p.id}+{k}", spec=p.spec.replace(seed=p.spec.seed + 1000 * k)) for p in prompts]
    return seeded


def _writers(choice: str) -> dict[str, PartWriter | None]:
    writers: dict[str, PartWriter | None] = {}
    if choice in ("auto", "rules"):
        writers["rules"] = None
    if choice in ("auto", "model"):
        try:
            from engine.model import load_writer
        except ImportError:  # the learned model is optional: without it the rules are judged alone
            writer = None
        else:
            writer = load_writer()
        if writer is not None:
            writers["model"] = writer
        elif choice == "model":
            raise BandmateError("the model writer is not available (no checkpoint)")
    return writers


def accompaniment_main(args: argparse.Namespace) -> int:
    """The piano accompaniment side by side; the exit status is 0 when it ran."""
    try:
        if args.recompute_reference:
            accompaniment.save_reference(accompaniment.compute_reference())
            print(f"POP909 piano reference written to {accompaniment.REFERENCE_FILE}")
        reference = accompaniment.load_reference()
        prompts = accompaniment.accompaniment_prompts(with_seeds(load_prompts(args.prompts)[: args.n], args.seeds))
        results = accompaniment.compare(prompts, _writers(args.writers))
    except BandmateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = accompaniment.side_by_side(results, reference)
    print(accompaniment.side_by_side_markdown(table, len(prompts)))
    report = {"prompts": str(args.prompts), "table": table, "pieces": accompaniment.piece_rows(prompts, results)}
    write_json(args.out / "accompaniment.json", report)
    print(f"\nreport: {args.out / 'accompaniment.json'}")
    return 0


def vocals_main(args: argparse.Namespace) -> int:
    """The singer on the fixed lyrics; the exit status is 0 when every target is met, 1 when one is missed."""
    from engine.evaluate import vocals  # imports Praat and pocketsphinx only when asked

    try:
        lyrics = args.lyrics or vocals.LYRICS_FILE
        rows, summary = vocals.run(lyrics)
    except BandmateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(vocals.table(rows, summary))
    write_json(args.out / "vocals.json", {"lyrics": str(lyrics), "summary": summary, "pieces": rows})
    print(f"\nreport: {args.out / 'vocals.json'}")
    return 0 if all(summary["targets"].values()) else 1


def idioms_main(args: argparse.Namespace) -> int:
    """Every genre's idiom measured from the MIDI per writer; 0 when each has ≥ 90 % of checks in range, else 1."""
    path = args.prompts if args.prompts != DEFAULT_PROMPTS else IDIOM_PROMPTS
    report: dict[str, Any] = {"prompts": str(path), "seeds": args.seeds, "writers": {}}
    try:
        prompts = idioms.load_idiom_prompts(path)[: args.n]
        for name, writer in _writers(args.writers).items():
            rows = idioms.run(prompts, args.seeds, writer)
            print(f"\n## {name}\n\n{idioms.table_markdown(rows)}")
            report["writers"][name] = {"pieces": rows, "share_in_range": idioms.share_in_range(rows)}
        if args.sheets is not None:
            for prompt in prompts:
                title = f"{prompt.idiom}: “{prompt.text}” ({prompt.spec.tempo_bpm} bpm, seed {prompt.spec.seed})"
                name = prompt.idiom.replace(" ", "_")
                idioms.contact_sheet(idioms.written_score(prompt.spec), args.sheets / f"{name}.png", title)
    except BandmateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_json(args.out / "idioms.json", report)
    print(f"\nreport: {args.out / 'idioms.json'}")
    shares = [entry["share_in_range"] for entry in report["writers"].values()]
    return 0 if shares and min(shares) >= idioms.TARGET else 1


def mix_main(args: argparse.Namespace) -> int:
    """The mix over every prompt and seed; the exit status is 0 when every piece meets every target."""
    soundfont = find_soundfont(None if args.soundfont == DEFAULT_SOUNDFONT else args.soundfont)
    if soundfont is None:
        print("error: no SoundFont found", file=sys.stderr)
        return 2
    prompts = with_seeds(load_prompts(args.prompts)[: args.n], args.seeds)
    folder = args.out / "mix"
    rows = []
    with Renderer(soundfont, 44_100) as renderer:
        for index, prompt in enumerate(prompts):
            rows.append(mix_run.mix_piece(prompt, renderer, folder, sheet=index < args.plots or args.plots < 0))
            row = rows[-1]
            missed = [check for check, ok in row["checks"].items() if not ok]
            print(f"{row['id']:8} {row['genre']:14} r={row['correlation']:+.2f} loss {row['mono_loss_db']:4.1f} dB "
                  f"{row['lufs']:6.1f} LUFS {row['true_peak_db']:5.1f} dBTP LRA {row['lra_lu']:4.1f} "
                  f"lead {row['lead_ratio_lu']} curve ±{row['curve_deviation_db']}"
                  + (f"  MISSED {', '.join(missed)}" if missed else ""), flush=True)  # fmt: skip
    result = mix_run.summary(rows)
    print(f"\nSoundFont {soundfont.name}; machine: {describe()}\n")
    print(mix_run.genre_table(rows) + "\n")
    print(mix_run.summary_lines(result))
    write_json(folder / "mix_report.json", {"summary": result, "pieces": rows})
    print(f"\nreport: {folder / 'mix_report.json'}; contact sheets: {folder}/<id>.png")
    return 0 if all(all(row["checks"].values()) for row in rows) else 1


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; the exit status is 0 when the rules meet every target, 1 when one is missed."""
    args = _arguments(argv)
    if args.idioms:
        return idioms_main(args)
    if args.tune:
        from engine.evaluate import tune

        heard = tune.run(args.soundfont, args.tune_n, args.out)
        return 0 if all(row["met"] for row in heard["transcription"]) else 1
    if args.accompaniment:
        return accompaniment_main(args)
    if args.vocals:
        return vocals_main(args)
    if args.mix:
        return mix_main(args)
    try:
        if args.recompute_reference:
            save_reference(compute_reference())
            print(f"POP909 reference written to {REFERENCE_FILE}")
        reference = load_reference()
        prompts = with_seeds(load_prompts(args.prompts)[: args.n], args.seeds)
        renderer = None if args.no_audio else Renderer(args.soundfont, SAMPLE_RATE)
        summaries: dict[str, dict[str, Any]] = {}
        targets: dict[str, dict[str, bool]] = {}
        report: dict[str, Any] = {"prompts": str(args.prompts), "soundfont": str(args.soundfont), "writers": {}}
        all_rows: dict[str, list[dict[str, Any]]] = {}
        for name, writer in _writers(args.writers).items():
            rows = []
            chosen = prompts if writer is None else prompts[: args.model_n]
            for index, prompt in enumerate(chosen):
                row, score = evaluate_piece(prompt, writer, renderer)
                rows.append(row)
                if index < args.plots:
                    title = f"{prompt.id} ({name}): {prompt.text}"
                    piano_roll(score, args.out / f"pianoroll_{name}_{prompt.id}.png", title)
            summaries[name] = summarise(rows, reference)
            targets[name] = targets_met(summaries[name])
            report["writers"][name] = {"summary": summaries[name], "targets": targets[name], "pieces": rows}
            print(f"\n## {name}: per piece\n\n{piece_table(rows)}")
            all_rows[name] = rows
        if "model" in all_rows and "rules" in all_rows:
            # The same prompts composed by the rules, for a side-by-side with the model.
            same = all_rows["rules"][: len(all_rows["model"])]
            summaries["rules (model's prompts)"] = summarise(same, reference)
            targets["rules (model's prompts)"] = targets_met(summaries["rules (model's prompts)"])
        if renderer is not None:
            renderer.close()
    except BandmateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n" + summary_table(summaries, targets))
    write_json(args.out / "report.json", report)
    print(f"\nreport: {args.out / 'report.json'}")
    return 0 if all(targets.get("rules", {"none": False}).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
