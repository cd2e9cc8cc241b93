"""Ship a run: `python -m engine.model.export runs/X` copies its best weights, tokenizer and curves (and index)."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

from engine.errors import ToolError, answers_errors
from engine.files import atomic_path
from engine.model import CHECKPOINT_DIR
from engine.model.data import trained_part
from engine.model.model import CONFIG_FILE, WEIGHTS_FILE
from engine.model.originality import build_index
from engine.model.tokenizer import TOKENIZER_FILE
from engine.model.train import CURVE_FILE

CURVE_PLOT = "curves.png"


def plot_curves(csv_path: Path, target: Path, part: str = "melody") -> Path:
    """Training and validation loss per epoch as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with csv_path.open() as stream:
        rows = list(csv.DictReader(stream))
    steps = [int(row["step"]) for row in rows]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.plot(steps, [float(row["train_loss"]) for row in rows], marker="o", label="train (epoch mean)")
    axes.plot(steps, [float(row["valid_loss"]) for row in rows], marker="o", label="validation")
    axes.set_xlabel("optimizer step")
    axes.set_ylabel("cross-entropy (nats/token)")
    axes.set_title(f"Bandmate {part} model on POP909")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    with atomic_path(target) as temp:
        figure.savefig(temp, format="png", dpi=110)
    plt.close(figure)
    return target


def export(run: Path, target: Path | None = None, data: Path | None = None, cache: Path | None = None) -> Path:
    """Copy a run's best checkpoint into its part's shipped folder; a melody also gets its originality index."""
    try:
        part = trained_part(json.loads((run / "best" / CONFIG_FILE).read_text()))
    except (OSError, ValueError) as exc:
        raise ToolError(f"{run} has no readable best checkpoint ({run / 'best' / CONFIG_FILE}): {exc}") from exc
    target = target or CHECKPOINT_DIR / part
    target.mkdir(parents=True, exist_ok=True)
    for name in (WEIGHTS_FILE, CONFIG_FILE, TOKENIZER_FILE):
        with atomic_path(target / name) as temp:
            shutil.copyfile(run / "best" / name, temp)
    with atomic_path(target / CURVE_FILE) as temp:
        shutil.copyfile(run / CURVE_FILE, temp)
    plot_curves(run / CURVE_FILE, target / CURVE_PLOT, part)
    if part == "melody":
        build_index(data, cache).save(target)
    return target


@answers_errors
def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run", type=Path)
    parser.add_argument("--to", type=Path, default=None, help="default engine/model/checkpoint/<part>")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None, help="token cache (default runs/pop909_<part>.pkl)")
    args = parser.parse_args(argv)
    target = export(args.run, args.to, args.data, args.cache)
    print(f"shipped {args.run} → {target}")


if __name__ == "__main__":
    main()
