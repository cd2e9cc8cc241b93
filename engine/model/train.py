"""Train a part model: `python -m engine.model.train --config C --seed S --out runs/X [--max-minutes M]`."""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch

from engine.errors import ToolError, answers_errors
from engine.files import atomic_path
from engine.model.data import (
    default_cache,
    fixed_windows,
    load_corpus,
    random_windows,
    split_songs,
    transpose_table,
    transposition_shifts,
)
from engine.model.model import ModelShape, build_model, load_model, parameter_count, save_model
from engine.model.tokenizer import Vocab, build_vocab, save_vocab

REPO_ROOT = Path(__file__).resolve().parents[2]
STATE_FILE = "last.pt"
_SHAPE = ModelShape()
CURVE_FILE = "curves.csv"


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Everything a training run depends on besides the seed and the data location."""

    layers: int = _SHAPE.layers  # the network sizes default to ModelShape's; the config JSON is flat
    hidden: int = _SHAPE.hidden
    heads: int = _SHAPE.heads
    intermediate: int = _SHAPE.intermediate
    context: int = _SHAPE.context
    dropout: float = _SHAPE.dropout
    batch_size: int = 16
    learning_rate: float = 1e-3
    warmup_steps: int = 100
    total_steps: int = 4000
    steps_per_epoch: int = 250
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    valid_every_bars: int = 16
    song_limit: int = 0  # 0: every song
    part: str = "melody"  # the POP909 track learned: melody or piano
    init_from: str = ""  # a checkpoint folder of the same shape to start from (warm start), relative to the repo

    @classmethod
    def load(cls, path: Path | None) -> TrainConfig:
        """Defaults overridden by a JSON file."""
        if path is None:
            return cls()
        try:
            values = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ToolError(f"cannot read the training config {path}: {exc}") from exc
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})

    @property
    def shape(self) -> ModelShape:
        """The network sizes in this config."""
        return ModelShape.from_dict(asdict(self))


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What a run ended with."""

    steps: int
    first_loss: float
    last_loss: float
    best_valid_loss: float
    seconds: float
    parameters: int


def _batch(windows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    length = max(len(window) for window in windows)
    ids = torch.full((len(windows), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), length), dtype=torch.long)
    for row, window in enumerate(windows):
        ids[row, : len(window)] = torch.tensor(window)
        mask[row, : len(window)] = 1
    labels = ids.masked_fill(mask == 0, -100)
    return ids, mask, labels


def _warm_start(model: torch.nn.Module, directory: Path, vocab: Vocab) -> None:
    """Start from another part's trained weights: the chords, keys and grammar it learned carry over."""
    warm, _ = load_model(directory, vocab.id("PAD_None"), vocab.id("BOS_None"), vocab.id("EOS_None"))
    try:
        model.load_state_dict(warm.state_dict())
    except RuntimeError as exc:
        raise ToolError(f"init_from {directory} has another shape than this config") from exc
    print(f"warm start from {directory}", flush=True)


def _learning_rate(config: TrainConfig, step: int) -> float:
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.total_steps - config.warmup_steps))
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def validation_loss(model: torch.nn.Module, windows: list[list[int]], pad_id: int, device: str) -> float:
    """Mean next-token cross-entropy over the validation windows (token-weighted)."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(windows), 16):
        ids, mask, labels = (t.to(device) for t in _batch(windows[start : start + 16], pad_id))
        tokens = int((labels[:, 1:] != -100).sum())
        total += float(model(input_ids=ids, attention_mask=mask, labels=labels).loss) * tokens
        count += tokens
    model.train()
    return total / max(1, count)


def _append_curve(out: Path, row: dict[str, float]) -> None:
    path = out / CURVE_FILE
    is_new = not path.exists()
    with path.open("a", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(row))
        if is_new:
            writer.writeheader()
        writer.writerow(row)


def _save_state(out: Path, state: dict) -> None:
    with atomic_path(out / STATE_FILE) as temp:
        torch.save(state, temp)


def _write_samples(model: torch.nn.Module, vocab: Vocab, songs: list, out: Path, epoch: int, seed: int) -> None:
    from engine.model.sample import sample_song_midi  # imported late: sampling is not needed to train

    model.eval()
    sample_song_midi(model, vocab, songs[0], out / "samples" / f"epoch{epoch:03d}.mid", seed=seed + epoch)
    model.train()


def train(
    config: TrainConfig,
    out: Path,
    seed: int,
    data_root: Path | None = None,
    cache: Path | None = None,
    max_minutes: float = 0.0,
    max_steps: int = 0,
    device: str | None = None,
    write_samples: bool = True,
) -> TrainResult:
    """Train (or resume from out/last.pt) until total_steps, max_steps or the wall-clock budget."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    vocab = build_vocab()
    save_vocab(vocab, out)
    songs = split_songs(load_corpus(vocab, data_root, cache, config.song_limit, config.part))
    train_songs = songs["train"] or songs["valid"] or songs["test"]
    valid_songs = songs["valid"] or train_songs[:1]
    valid = fixed_windows(valid_songs, vocab, config.context, config.valid_every_bars)
    pad_id, bos_id, eos_id = vocab.id("PAD_None"), vocab.id("BOS_None"), vocab.id("EOS_None")
    torch.manual_seed(seed)
    model = build_model(config.shape, len(vocab), pad_id, bos_id, eos_id)
    if config.init_from and not (out / STATE_FILE).exists():
        _warm_start(model, REPO_ROOT / config.init_from, vocab)
    # transformers wraps PreTrainedModel.to in a decorator whose signature drops `self`: the call is right.
    model = model.to(device)  # type: ignore[arg-type]
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    step, epoch, best, first_loss = 0, 0, math.inf, math.nan
    rng = np.random.default_rng(seed)
    if (out / STATE_FILE).exists():
        state = torch.load(out / STATE_FILE, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, epoch, best, first_loss = state["step"], state["epoch"], state["best"], state["first_loss"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step}, epoch {epoch}, best valid {best:.4f}", flush=True)
    tables = [transpose_table(vocab, shift) for shift in transposition_shifts()]
    stream = random_windows(train_songs, vocab, config.context, rng, tables)
    params = parameter_count(model)
    print(
        f"{params / 1e6:.2f}M parameters, {len(train_songs)} train songs, {len(valid)} valid windows, "
        f"device {device}, threads {torch.get_num_threads()}",
        flush=True,
    )
    model.train()
    recent: list[float] = []
    last_loss = math.nan
    limit = min(config.total_steps, step + max_steps) if max_steps else config.total_steps
    while step < limit:
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(config, step)
        ids, mask, labels = (t.to(device) for t in _batch([next(stream) for _ in range(config.batch_size)], pad_id))
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        step += 1
        last_loss = float(loss.detach())
        first_loss = last_loss if math.isnan(first_loss) else first_loss
        recent.append(last_loss)
        out_of_time = max_minutes and time.monotonic() - started > max_minutes * 60
        if step % config.steps_per_epoch == 0 or step == limit or out_of_time:
            epoch += 1
            valid_loss = validation_loss(model, valid, pad_id, device)
            elapsed = time.monotonic() - started
            row = {
                "epoch": epoch,
                "step": step,
                "train_loss": round(sum(recent) / len(recent), 4),
                "valid_loss": round(valid_loss, 4),
                "valid_perplexity": round(math.exp(valid_loss), 3),
                "lr": round(_learning_rate(config, step), 6),
                "seconds": round(elapsed, 1),
            }
            _append_curve(out, row)
            print(json.dumps(row), flush=True)
            recent = []
            if valid_loss < best:
                best = valid_loss
                extra = {"train": asdict(config), "seed": seed, "step": step, "valid_loss": valid_loss}
                save_model(model, config.shape, out / "best", extra)
                save_vocab(vocab, out / "best")
            _save_state(
                out,
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "step": step,
                    "epoch": epoch,
                    "best": best,
                    "first_loss": first_loss,
                    "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(),
                },
            )
            if write_samples:
                _write_samples(model, vocab, valid_songs, out, epoch, seed)
            if out_of_time:
                print(f"wall-clock budget of {max_minutes} min reached at step {step}", flush=True)
                break
    return TrainResult(step, first_loss, last_loss, best, time.monotonic() - started, params)


@answers_errors
def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=None, help="JSON file overriding TrainConfig fields")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="run folder (resumed when it holds last.pt)")
    parser.add_argument("--data", type=Path, default=None, help="POP909 folder")
    parser.add_argument("--cache", type=Path, default=None, help="token cache (default runs/pop909_<part>.pkl)")
    parser.add_argument("--max-minutes", type=float, default=0.0, help="wall-clock budget; 0 for none")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many more steps")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads; 0 leaves torch's default")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    parser.add_argument("--no-samples", action="store_true", help="skip the per-epoch sample MIDI")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    config = TrainConfig.load(args.config)
    cache = args.cache or default_cache(config.part)
    result = train(
        config,
        args.out,
        args.seed,
        args.data,
        cache,
        args.max_minutes,
        args.max_steps,
        args.device,
        not args.no_samples,
    )
    print(json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
