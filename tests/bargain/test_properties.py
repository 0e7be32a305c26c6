"""Invariants of both engines on random small problems (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tashkent.bargain.eu import run_eu
from tashkent.bargain.inputs import Problem
from tashkent.bargain.packages import bargaining_solutions
from tashkent.bargain.result import parse_options
from tashkent.bargain.smp import SMPOptions, run_smp


@st.composite
def problems(draw, max_dims: int = 2) -> Problem:
    n = draw(st.integers(3, 8))
    d = draw(st.integers(1, max_dims))
    ints = st.integers(0, 100)
    pos = np.array(draw(st.lists(st.lists(ints, min_size=d, max_size=d), min_size=n, max_size=n)), float)
    sal = np.array(
        draw(st.lists(st.lists(st.integers(1, 100 // d), min_size=d, max_size=d), min_size=n, max_size=n)),
        float,
    )
    cap = np.array(draw(st.lists(st.integers(1, 100), min_size=n, max_size=n)), float)
    return Problem(
        "h",
        tuple(f"A{i}" for i in range(n)),
        cap,
        pos,
        sal / 100.0,
        tuple(f"d{k}" for k in range(d)),
    )


@settings(max_examples=25, deadline=None)
@given(problems())
def test_smp_stays_in_the_hull_and_probabilities_are_valid(p):
    res = run_smp(p, parse_options(SMPOptions, ["max_turns=12"], "smp"))
    lo, hi = p.position.min(axis=0), p.position.max(axis=0)
    assert np.all(res.history >= lo - 1e-6) and np.all(res.history <= hi + 1e-6)
    assert np.all((res.probabilities >= 0) & (res.probabilities <= 1 + 1e-12))
    opts = res.forecast["options"]
    assert abs(sum(o["probability"] for o in opts) - 1) < 1e-9
    again = run_smp(p, parse_options(SMPOptions, ["max_turns=12"], "smp"))
    np.testing.assert_array_equal(res.history, again.history)


@settings(max_examples=25, deadline=None)
@given(problems(max_dims=1))
def test_eu_stays_in_range(p):
    res = run_eu(p, rounds=5)
    lo, hi = p.position.min(axis=0), p.position.max(axis=0)
    assert np.all(res.history >= lo - 1e-9) and np.all(res.history <= hi + 1e-9)


@settings(max_examples=25, deadline=None)
@given(problems(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_nash_gains_are_non_negative_when_a_zone_exists(p, ra, rb):
    sol = bargaining_solutions(p, ("A0", "A1"), (ra, rb))
    if sol["zopa_exists"]:
        for key in ("nash", "kalai_smorodinsky"):
            g = sol[key]["gain"]
            assert g["A0"] >= -1e-9 and g["A1"] >= -1e-9
    else:
        assert sol["concession"]["equal"]["each"] > 0
