"""What to say when a message was not understood: the error type, examples and help lines."""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import UserError

EXAMPLE_REQUESTS = (
    "sad piano ballad",
    "chill lofi beat to study to",
    "epic orchestral battle theme 140bpm in D minor, 2 minutes",
)
EXAMPLE_REFINEMENTS = ("make it faster", "add strings", "no drums", "in A minor", "another version")


class NotUnderstood(UserError):
    """Nothing in the message could be recognised; the message says so and offers examples."""


class NoChangeNamed(NotUnderstood):
    """A reply that reacts to a piece ("🔥", "lol", "thanks") rather than asking for a change."""


def examples() -> tuple[str, ...]:
    """Three example requests to offer someone who is stuck."""
    return EXAMPLE_REQUESTS


_ECHO_CHARS = 24  # an unknown "word" can be a thousand digits; the answer stays one short line


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


def _heard(unknown: Sequence[str]) -> str:
    """The first few unknown words, each cut short, to show what was not recognised."""
    cut = [word if len(word) <= _ECHO_CHARS else word[: _ECHO_CHARS - 1] + "…" for word in unknown[:4]]
    return f" (I didn't recognise {_quoted(cut)})" if cut else ""


def not_understood(unknown: Sequence[str]) -> NotUnderstood:
    """The error for a request in which nothing was recognised."""
    heard = _heard(unknown)
    return NotUnderstood(
        f"I couldn't tell what to compose from that{heard}. Describe a style, mood or instrument — "
        f"for example {_quoted(EXAMPLE_REQUESTS)}."
    )


def change_not_understood(unknown: Sequence[str]) -> NotUnderstood:
    """The error for a reply in which no change was recognised."""
    heard = _heard(unknown)
    return NotUnderstood(
        f"I didn't catch a change to make{heard}. I can change tempo, key, meter, length, mood, "
        f"instruments and drums — for example {_quoted(EXAMPLE_REFINEMENTS)}, “undo” or “go back to v2”."
    )


def no_change_named() -> NoChangeNamed:
    """The short answer to a reply that names no change: no new version is made."""
    return NoChangeNamed(
        f"That doesn't name a change, so I left the piece as it is — to change it, say how, "
        f"e.g. {_quoted(EXAMPLE_REFINEMENTS[:3])}."
    )
