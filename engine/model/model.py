"""The network: a small Llama-style causal transformer (transformers) sized for CPU inference."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

from engine.errors import EngineError
from engine.files import atomic_path

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"


@dataclass(frozen=True, slots=True)
class ModelShape:
    """The sizes that define the network (kept small: a few million parameters)."""

    layers: int = 4
    hidden: int = 192
    heads: int = 4
    intermediate: int = 512
    context: int = 512
    dropout: float = 0.1

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ModelShape:
        """A shape from a config mapping, ignoring keys that are not sizes."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})


def llama_config(shape: ModelShape, vocab_size: int, pad_id: int, bos_id: int, eos_id: int) -> LlamaConfig:
    """The transformers config for a shape (RoPE positions, tied embeddings)."""
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=shape.hidden,
        intermediate_size=shape.intermediate,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        num_key_value_heads=shape.heads,
        max_position_embeddings=shape.context * 2,
        attention_dropout=shape.dropout,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
    )


def build_model(shape: ModelShape, vocab_size: int, pad_id: int, bos_id: int, eos_id: int) -> LlamaForCausalLM:
    """A freshly initialised network."""
    config = llama_config(shape, vocab_size, pad_id, bos_id, eos_id)
    config._attn_implementation = "sdpa"
    return LlamaForCausalLM(config)


def parameter_count(model: torch.nn.Module) -> int:
    """Distinct trainable parameters (tied embeddings counted once)."""
    return sum(parameter.numel() for parameter in model.parameters())


def save_model(model: LlamaForCausalLM, shape: ModelShape, directory: Path, extra: dict[str, object]) -> None:
    """Weights as safetensors plus a small JSON config, both written atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().contiguous().cpu() for name, tensor in model.state_dict().items()}
    state.pop("lm_head.weight", None)  # tied to the embeddings
    with atomic_path(directory / WEIGHTS_FILE) as temp:
        save_file(state, str(temp))
    config = {"shape": asdict(shape), "vocab_size": model.config.vocab_size, **extra}
    with atomic_path(directory / CONFIG_FILE) as temp:
        temp.write_text(json.dumps(config, indent=2))


def load_model(directory: Path, pad_id: int, bos_id: int, eos_id: int) -> tuple[LlamaForCausalLM, dict]:
    """The saved network in eval mode and its config; EngineError when files are missing or do not fit."""
    try:
        config = json.loads((directory / CONFIG_FILE).read_text())
        shape = ModelShape.from_dict(config["shape"])
        model = build_model(shape, int(config["vocab_size"]), pad_id, bos_id, eos_id)
        state = load_file(str(directory / WEIGHTS_FILE))
        missing, unexpected = model.load_state_dict(state, strict=False)
    except (OSError, KeyError, ValueError, RuntimeError, SafetensorError) as exc:
        raise EngineError(f"cannot load the music model from {directory}: {exc}") from exc
    if unexpected or [name for name in missing if name != "lm_head.weight"]:
        raise EngineError(f"music model weights in {directory} do not match its config")
    model.tie_weights()
    model.eval()
    return model, config
