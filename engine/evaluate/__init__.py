"""Evaluation of the composer: attribute accuracy, musicality against POP909, a report."""

from __future__ import annotations
