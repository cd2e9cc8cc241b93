"""The style engine: `make_plan` sizes a song form and its harmony, `compose` writes every part over it."""

from __future__ import annotations

from engine.compose.arrange import compose, make_plan

__all__ = ["compose", "make_plan"]
