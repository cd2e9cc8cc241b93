"""Understanding what people ask: free text → MusicSpec, and replies → refinements of a spec.

Platform-free pure functions; the service calls `understand` for a new request and `refine` for a
reply, handing in one shared (lazily loaded) `TextEncoder`.
"""

from __future__ import annotations

from bot.understanding.encoder import Guess, TextEncoder
from bot.understanding.guidance import NoChangeNamed, NotUnderstood, examples
from bot.understanding.refine import Refinement, refine
from bot.understanding.request import Understanding, understand

__all__ = [
    "Guess",
    "NoChangeNamed",
    "NotUnderstood",
    "Refinement",
    "TextEncoder",
    "Understanding",
    "examples",
    "refine",
    "understand",
]
