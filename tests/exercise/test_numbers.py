"""A seat's positions (0-100) and package scores (0-10): unknown keys, non-numbers, out-of-range
and non-finite values are refused with the key named."""

from __future__ import annotations

import pytest

from tashkent.exercise.service import Invalid, _numbers


def unknown(k: str) -> str:
    return f"dimension {k!r}: not a settlement dimension"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"x": 1}, "dimension 'x': not a settlement dimension; choose from a, b"),
        ({"a": "q"}, "position on a: 'q' is not a number"),
        ({"a": 101}, "position on a: 101.0 must be between 0 and 100"),
        ({"a": float("nan")}, "position on a: nan must be between 0 and 100"),
        ({"a": float("inf")}, "position on a: inf must be between 0 and 100"),
    ],
)
def test_bad_numbers_are_refused_by_key(values, message):
    with pytest.raises(Invalid) as e:
        _numbers(values, {"a", "b"}, unknown, "position on", 100.0)
    assert str(e.value) == message


def test_good_numbers_are_kept_as_floats():
    assert _numbers({"a": "50", "b": 0}, {"a", "b"}, unknown, "position on", 100.0) == {"a": 50.0, "b": 0.0}
    assert _numbers({"p": 10}, {"p"}, unknown, "score for", 10.0) == {"p": 10.0}
