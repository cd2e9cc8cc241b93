"""`python -m engine.model.heldout [--checkpoint DIR]`: a shipped model's loss on held-out POP909 songs."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import torch

from engine.errors import ToolError, answers_errors
from engine.model import MELODY_DIR
from engine.model.data import default_cache, fixed_windows, load_corpus, split_songs, trained_part
from engine.model.model import load_model
from engine.model.tokenizer import Vocab, load_vocab

HEADER_KINDS = ("Bar", "ChordPos", "Chord")  # forced at inference: the model never chooses them


@torch.no_grad()
def split_losses(model: torch.nn.Module, vocab: Vocab, windows: list[list[int]]) -> dict[str, float]:
    """Mean cross-entropy over all tokens, over the tokens the sampler draws (notes) and over pitches."""
    is_header = torch.tensor([name.split("_")[0] in HEADER_KINDS for name in vocab.names])
    is_pitch = torch.tensor([name.startswith("Pitch_") for name in vocab.names])
    totals = {"all": [0.0, 0], "notes": [0.0, 0], "pitch": [0.0, 0]}
    for window in windows:
        ids = torch.tensor([window])
        logits = model(input_ids=ids).logits[0, :-1]
        targets = ids[0, 1:]
        losses = torch.nn.functional.cross_entropy(logits.float(), targets, reduction="none")
        drawn = ~is_header[targets]
        totals["all"][0] += float(losses.sum())
        totals["all"][1] += len(targets)
        totals["notes"][0] += float(losses[drawn].sum())
        totals["notes"][1] += int(drawn.sum())
        pitches = is_pitch[targets]
        totals["pitch"][0] += float(losses[pitches].sum())
        totals["pitch"][1] += int(pitches.sum())
    result: dict[str, float] = {}
    for name, (loss, count) in totals.items():
        mean = loss / max(1, count)
        result[f"loss_{name}"] = round(mean, 4)
        result[f"perplexity_{name}"] = round(math.exp(mean), 3)
        result[f"tokens_{name}"] = count
    return result


def evaluate_checkpoint(directory: Path, data: Path | None, cache: Path | None) -> dict[str, dict[str, float]]:
    """Losses on the validation and test songs (untransposed windows every 16 bars)."""
    vocab = load_vocab(directory)
    model, config = load_model(directory, vocab.id("PAD_None"), vocab.id("BOS_None"), vocab.id("EOS_None"))
    part = trained_part(config)
    songs = split_songs(load_corpus(vocab, data, cache or default_cache(part), part=part))
    context = int(config["shape"]["context"])
    return {
        split: {"songs": len(songs[split]), **split_losses(model, vocab, fixed_windows(songs[split], vocab, context))}
        for split in ("valid", "test")
    }


@answers_errors
def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", type=Path, default=MELODY_DIR, help="a shipped model folder")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None, help="token cache (default runs/pop909_<part>.pkl)")
    args = parser.parse_args(argv)
    if not (args.checkpoint / "model.safetensors").is_file():
        raise ToolError(f"{args.checkpoint} is not a model folder (it has no model.safetensors)")
    print(json.dumps(evaluate_checkpoint(args.checkpoint, args.data, args.cache), indent=2))


if __name__ == "__main__":
    main()
