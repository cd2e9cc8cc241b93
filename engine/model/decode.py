"""A lean inference forward of the trained Llama network with a preallocated KV cache.

`transformers`' generic forward costs about 3 ms a token for this 2.5 M-parameter network on a CPU, nearly
all of it Python overhead and cache concatenation; this one reads the same weights, fuses the projections
and writes keys and values in place. `tests/test_model.py` checks its logits against `transformers`'.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn import functional

from engine.errors import EngineError


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    return functional.rms_norm(x, weight.shape, weight, eps)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class KVDecoder:
    """Feeds token ids to the network, `batch` rows at a time, keeping every key and value it has seen."""

    def __init__(self, model: torch.nn.Module, batch: int, capacity: int) -> None:
        # torch types a Module's attributes as `Tensor | Module`: the Llama config and blocks are read by name.
        network: Any = model
        config, inner = network.config, network.model
        self.heads: int = config.num_attention_heads
        self.hidden: int = config.hidden_size
        self.head_dim = self.hidden // self.heads
        if config.num_key_value_heads != self.heads:
            raise EngineError("the decoder expects as many key/value heads as query heads")
        self.eps: float = config.rms_norm_eps
        self.embed: torch.Tensor = inner.embed_tokens.weight.detach()
        self.norm: torch.Tensor = inner.norm.weight.detach()
        self.head: torch.Tensor = network.lm_head.weight.detach()
        self.layers: list[tuple[torch.Tensor, ...]] = [
            (
                layer.input_layernorm.weight.detach(),
                torch.cat([layer.self_attn.q_proj.weight, layer.self_attn.k_proj.weight,
                           layer.self_attn.v_proj.weight]).detach(),
                layer.self_attn.o_proj.weight.detach(),
                layer.post_attention_layernorm.weight.detach(),
                torch.cat([layer.mlp.gate_proj.weight, layer.mlp.up_proj.weight]).detach(),
                layer.mlp.down_proj.weight.detach(),
            )
            for layer in inner.layers
        ]  # fmt: skip
        device = self.embed.device
        inv_freq = inner.rotary_emb.inv_freq.to(device=device, dtype=torch.float32)
        angles = torch.outer(torch.arange(capacity, device=device, dtype=torch.float32), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)
        scale = float(getattr(inner.rotary_emb, "attention_scaling", 1.0))
        self.cos, self.sin = angles.cos() * scale, angles.sin() * scale
        shape = (len(self.layers), batch, self.heads, capacity, self.head_dim)
        self.keys = torch.zeros(shape, device=device, dtype=self.embed.dtype)
        self.values = torch.zeros(shape, device=device, dtype=self.embed.dtype)
        self.capacity = capacity
        self.length = 0

    @torch.inference_mode()
    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits for the token after the last of `ids` ([batch, new tokens]) → [batch, vocabulary]."""
        batch, count = ids.shape
        start, end = self.length, self.length + count
        if end > self.capacity:
            raise EngineError(f"decoder capacity {self.capacity} exceeded")
        x = functional.embedding(ids.to(self.embed.device), self.embed)
        cos, sin = self.cos[start:end], self.sin[start:end]
        # New tokens see every cached one and the new ones up to themselves.
        mask = None
        if count > 1:
            mask = torch.ones(count, end, dtype=torch.bool, device=x.device).tril(diagonal=start)
        for index, (norm_in, qkv, out, norm_mid, gate_up, down) in enumerate(self.layers):
            h = functional.linear(_rms_norm(x, norm_in, self.eps), qkv)
            # Queries and keys turn together: one rotation over both.
            qk = h[..., : 2 * self.hidden].view(batch, count, 2 * self.heads, self.head_dim).transpose(1, 2)
            qk = qk * cos + _rotate_half(qk) * sin
            q, k = qk[:, : self.heads], qk[:, self.heads :]
            v = h[..., 2 * self.hidden :].view(batch, count, self.heads, self.head_dim).transpose(1, 2)
            self.keys[index, :batch, :, start:end] = k
            self.values[index, :batch, :, start:end] = v
            attended = functional.scaled_dot_product_attention(
                q, self.keys[index, :batch, :, :end], self.values[index, :batch, :, :end], attn_mask=mask
            )
            x = x + functional.linear(attended.transpose(1, 2).reshape(batch, count, self.hidden), out)
            gate, up = functional.linear(_rms_norm(x, norm_mid, self.eps), gate_up).chunk(2, dim=-1)
            x = x + functional.linear(functional.silu(gate) * up, down)
        self.length = end
        return functional.linear(_rms_norm(x[:, -1], self.norm, self.eps), self.head)
