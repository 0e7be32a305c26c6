"""Scoring rules: known values, ranges, perfect forecasts score 0, and proper-ness sanity checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tashkent.history.scoring import (
    bootstrap_skill,
    brier,
    crps_samples,
    crps_step,
    log_score,
    log_score_categorical,
    reliability_bins,
    rps,
    skill,
)

probs = st.floats(0.0, 1.0, allow_nan=False)


def test_known_values():
    assert brier([0.7, 0.2], [1, 0]).tolist() == pytest.approx([0.09, 0.04])
    # uniform over 3 categories, outcome in the middle: ((1/3)^2 + (1/3)^2)/2
    assert rps([1 / 3, 1 / 3, 1 / 3], [1])[0] == pytest.approx(1 / 9)
    assert rps([1, 0, 0, 0], [3])[0] == pytest.approx(1.0)
    assert log_score([0.5], [1])[0] == pytest.approx(np.log(2))
    assert log_score([0.0], [1])[0] == pytest.approx(-np.log(0.01))
    assert log_score_categorical([[0.2, 0.8]], [1])[0] == pytest.approx(-np.log(0.8))
    assert skill(0.1, 0.2) == pytest.approx(0.5)
    # CRPS of a point mass at x is |x - y|
    assert crps_samples([3.0, 3.0], 5.0) == pytest.approx(2.0)
    assert crps_step([3.0], [1.0], 5.0) == pytest.approx(2.0)
    # two equal atoms at 0 and 2, y = 1: ∫0..1 (1/2)^2 + ∫1..2 (1/2)^2 = 0.5
    assert crps_step([0.0, 2.0], [0.5, 0.5], 1.0) == pytest.approx(0.5)
    assert crps_samples([0.0, 2.0], 1.0) == pytest.approx(0.5)


@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=30),
    st.floats(-100, 100, allow_nan=False),
)
@settings(max_examples=100, deadline=None)
def test_crps_sample_and_step_agree(xs, y):
    values, counts = np.unique(xs, return_counts=True)
    assert crps_samples(xs, y) == pytest.approx(crps_step(values, counts / counts.sum(), y), abs=1e-7)
    assert crps_samples(xs, y) >= -1e-12


@given(st.lists(probs, min_size=2, max_size=8), st.integers(0, 7))
@settings(max_examples=200, deadline=None)
def test_rps_in_range_and_perfect_is_zero(raw, k):
    p = np.asarray(raw) + 1e-9
    p = p / p.sum()
    k = k % p.size
    assert 0.0 <= rps(p, [k])[0] <= 1.0 + 1e-12
    assert rps(np.eye(p.size)[k], [k])[0] == 0.0


@given(probs, st.integers(0, 1))
def test_brier_and_log_in_range(p, o):
    assert 0.0 <= brier([p], [o])[0] <= 1.0
    assert log_score([p], [o])[0] >= 0.0
    assert brier([float(o)], [o])[0] == 0.0


@given(st.floats(0.01, 0.99), st.floats(0.0, 1.0))
def test_brier_and_log_are_proper(q, p):
    """Expected score under the true probability q is minimised by forecasting q."""

    def expected(score, f):
        return q * score([f], [1])[0] + (1 - q) * score([f], [0])[0]

    for score in (brier, log_score):
        assert expected(score, q) <= expected(score, p) + 1e-12


@given(
    st.lists(st.floats(0.01, 1.0), min_size=3, max_size=7),
    st.lists(st.floats(0.01, 1.0), min_size=3, max_size=7),
)
@settings(max_examples=200, deadline=None)
def test_rps_is_proper(true_raw, other_raw):
    n = min(len(true_raw), len(other_raw))
    q = np.asarray(true_raw[:n]) / sum(true_raw[:n])
    f = np.asarray(other_raw[:n]) / sum(other_raw[:n])
    exp_true = sum(q[k] * rps(q, [k])[0] for k in range(n))
    exp_other = sum(q[k] * rps(f, [k])[0] for k in range(n))
    assert exp_true <= exp_other + 1e-12


def test_bootstrap_is_seeded_and_brackets_the_point():
    rng = np.random.default_rng(1)
    ref = rng.uniform(0.1, 0.5, 18)
    mod = ref * rng.uniform(0.5, 1.0, 18)
    a = bootstrap_skill(mod, ref, seed=7)
    b = bootstrap_skill(mod, ref, seed=7)
    assert a == b
    assert a.low <= a.skill <= a.high
    assert 0.0 < a.skill < 1.0


def test_reliability_bins():
    bins = reliability_bins([0.1, 0.15, 0.9, 0.95], [0, 0, 1, 1], n_bins=5)
    assert [b["n"] for b in bins] == [2, 2]
    assert bins[0]["observed"] == 0.0 and bins[1]["observed"] == 1.0
