"""The spec validates itself and says in one line what is wrong."""

from __future__ import annotations

import pytest

from engine.errors import UserError
from engine.spec import build_spec


def test_a_spec_problem_is_one_line_naming_what_is_wrong() -> None:
    base = {"genre": "pop", "tempo_bpm": 100, "key": "A", "mode": "minor", "meter": "4/4", "drums": False,
            "duration_s": 30, "parts": [{"name": "piano", "role": "melody"}]}  # fmt: skip
    cases = {"genre": ("polka", "unknown genre 'polka'"), "meter": ("11/8", "these meters"),
             "parts": ([{"name": "kazoo", "role": "melody"}], "unknown instrument 'kazoo'"),
             "tempo_bpm": (900, "between 40 and 240")}  # fmt: skip
    for field, (value, expected) in cases.items():
        with pytest.raises(UserError, match=expected) as raised:
            build_spec({**base, field: value})
        assert "\n" not in raised.value.message
    with pytest.raises(UserError, match="between 1 and 8 instruments"):
        build_spec({**base, "parts": []})
