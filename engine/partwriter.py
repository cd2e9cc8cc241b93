"""The seam between the style engine and a learned model: who writes melody and accompaniment."""

from __future__ import annotations

from typing import Protocol

from engine.plan import Plan
from engine.score import Note
from engine.spec import MusicSpec


class PartWriter(Protocol):
    """Writes parts over a plan; the rule-based composer is the fallback for whatever returns None."""

    name: str

    def melody(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """A melody for the whole plan inside [low, high], or None to leave it to the rules."""
        ...

    def accompaniment(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """A piano-style accompaniment over the plan's chords, or None to leave it to the rules."""
        ...
