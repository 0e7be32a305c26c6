"""The analysis methods on functions with known answers: Sobol on Ishigami, PRIM on a known box."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from tashkent.explore import prim
from tashkent.explore.sensitivity import morris_design, morris_indices, sobol_design, sobol_indices

# Ishigami & Homma (1990) with a = 7, b = 0.1: analytic indices (Saltelli et al. 2008, §1.2.2... and SALib's
# own tests use the same values).
A, B = 7.0, 0.1
S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * u  # the design lives in [0, 1]; Ishigami's inputs are U(-pi, pi)
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_recovers_the_ishigami_indices():
    names = ["x1", "x2", "x3"]
    u = sobol_design(names, 1024, seed=7)
    assert u.shape == (1024 * 5, 3)
    rows = sobol_indices(names, ishigami(u), seed=7)
    s1 = np.array([r["S1"] for r in rows])
    st = np.array([r["ST"] for r in rows])
    # SALib's own regression tolerance for Ishigami at this size is an absolute 0.05-0.1; we hold
    # our wrapper (design mapping + analysis) to 0.05 and to its own bootstrap intervals
    assert np.allclose(s1, S1_TRUE, atol=0.05)
    assert np.allclose(st, ST_TRUE, atol=0.05)
    for r, s1t, stt in zip(rows, S1_TRUE, ST_TRUE, strict=True):
        assert abs(r["S1"] - s1t) <= 2 * r["S1_conf"] + 0.02
        assert abs(r["ST"] - stt) <= 2 * r["ST_conf"] + 0.02


def test_morris_screens_out_an_unused_input():
    names = ["x1", "x2", "x3", "unused"]
    u = morris_design(names, 40, seed=3)
    rows = {r["name"]: r for r in morris_indices(names, u, ishigami(u[:, :3]), seed=3)}
    assert rows["unused"]["mu_star"] == 0.0
    assert min(rows[n]["mu_star"] for n in ("x1", "x2", "x3")) > 1.0


def _synthetic(n: int = 2000, noise: float = 0.05, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {"a": rng.random(n), "b": rng.random(n), "c": rng.random(n), "lever": rng.choice(["p", "q", "r"], n)}
    )
    y = ((x.a > 0.6) & (x.b < 0.4) & (x.lever != "r")).to_numpy().astype(float)
    flip = rng.random(n) < noise
    return x, np.where(flip, 1 - y, y)


def test_prim_finds_the_true_box():
    x, y = _synthetic()
    res = prim.prim(x, y)
    assert res.base_rate == pytest.approx(y.mean())
    box = res.boxes[0]
    limits = {r["parameter"]: r for r in prim.restrictions(box)}
    assert set(limits) == {"a", "b", "lever"}  # c does not matter and is not restricted
    assert limits["a"]["low"] == pytest.approx(0.6, abs=0.03) and limits["a"]["high"] > 0.97
    assert limits["b"]["high"] == pytest.approx(0.4, abs=0.03) and limits["b"]["low"] < 0.03
    assert limits["lever"]["values"] == ["p", "q"]
    # inside the true box y is 1 except for the 5% flipped; it holds ~ 0.95 × 0.107 of 0.144 of the mass
    assert box.density > 0.9 and box.density > 5 * res.base_rate
    assert box.coverage > 0.6


def test_prim_trajectory_raises_density_and_lowers_coverage():
    x, y = _synthetic(seed=2)
    traj = prim.prim(x, y).trajectories[0]
    dens = [s.density for s in traj]
    cov = [s.coverage for s in traj]
    assert traj[0].coverage == 1.0 and traj[0].density == pytest.approx(y.mean())
    assert all(b >= a for a, b in itertools.pairwise(dens))
    assert all(b <= a for a, b in itertools.pairwise(cov))
    assert traj[-1].mass >= 0.05


def test_prim_on_a_continuous_outcome_and_no_signal():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.random(500), "b": rng.random(500)})
    y = np.clip(0.2 + 0.6 * (x.a.to_numpy() > 0.7), 0, 1)
    box = prim.prim(x, y).boxes[0]
    assert [r["parameter"] for r in prim.restrictions(box)] == ["a"]
    assert box.density == pytest.approx(0.8)
    flat = prim.prim(x, np.full(500, 0.3))
    assert flat.boxes == []  # nothing beats the base rate
    with pytest.raises(ValueError):
        prim.prim(x, -np.ones(500))
