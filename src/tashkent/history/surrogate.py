"""Smoothed simulated likelihoods: each draw's hit frequencies regressed across draws.

The simulated likelihood of a draw is a product of frequencies, each the share of the draw's 100
runs that reproduce one feature of one crisis (its highest rung, signalling, mediation, duration,
...). A frequency from 100 runs is noisy (a hit more or less moves a rare feature's log-frequency
by a nat), and 18 crises x 5 features multiply the noise, so raw importance weights collapse onto
the luckiest draws. Neighbouring draws carry information about each other: the smoothed likelihood
replaces each frequency by a binomial regression of the J draws' hit counts on a quadratic in the
standardised parameters (logit link; linear terms and squares, and pairwise products when
`FULL_QUADRATIC` is set), i.e. the regression adjustment of Beaumont, Zhang & Balding (2002,
*Genetics* 162:2025) applied to the simulated frequencies, in the spirit of the surrogate
likelihoods of Wood (2010, *Nature* 466:1102, synthetic likelihood) and Wilkinson (2014, *AISTATS*,
GP-accelerated ABC), with a penalised GLM instead of a Gaussian process. The ridge penalty is
chosen by generalised cross-validation on the deviance (Golub, Heath & Wahba 1979, *Technometrics*
21:215; Wood 2017, *Generalized Additive Models*, §3.4), so with no signal the fit shrinks to a
constant frequency and no parameter gains weight from noise. The smoothed frequency is kept within
the resolution 100 runs have ((½)/(R+1) to (R+½)/(R+1)), as the raw one is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: Whether the design includes pairwise products (slower; see `design`).
FULL_QUADRATIC = False
#: (linear, quadratic) ridge penalties tried, from smooth to flexible, relative to n·R·p(1-p) (the
#: information a standardised column carries): a penalty of 1 halves a coefficient.
PENALTIES = tuple((a, b) for b in (10.0, 1.0, 0.1, 0.01, 0.001) for a in (1.0, 0.1, 0.01, 0.001))


@dataclass(frozen=True)
class FrequencyFit:
    """A smoothed hit frequency per draw and the fit's effective degrees of freedom."""

    p: Array
    penalty: float  # the quadratic terms' penalty chosen
    dof: float
    deviance_explained: float  # 1 - deviance / deviance of a constant frequency (in sample)


def standardise(columns: dict[str, Array]) -> Array:
    """[J, P] matrix of each parameter's draws centred and scaled by their sd (constant columns dropped)."""
    out = []
    for x in columns.values():
        x = np.asarray(x, dtype=float)
        sd = float(x.std())
        if sd > 0 and np.all(np.isfinite(x)):
            out.append((x - x.mean()) / sd)
    return np.stack(out, axis=1) if out else np.zeros((next(iter(columns.values())).size, 0))


def quadratic_design(z: Array) -> Array:
    """Linear terms, squares and pairwise products of the standardised parameters (no intercept)."""
    j, p = z.shape
    cols = [z]
    for a in range(p):
        cols.append(z[:, a : a + 1] * z[:, a:])
    return np.concatenate(cols, axis=1) if p else np.zeros((j, 0))


@dataclass(frozen=True)
class Design:
    """The regression design: an intercept, the standardised linear terms (`n_linear` columns) and
    the standardised squares and products."""

    x: Array
    n_linear: int


def design(z: Array, full: bool | None = None) -> Design:
    """The design of the standardised parameter draws `z` [J, P]: linear terms and squares when
    there are at least 8 draws per column, else linear terms only. (Pairwise products, `full`,
    cost P² columns: with 24 parameters the fit takes minutes per frequency.)"""
    j, p = z.shape
    full = FULL_QUADRATIC if full is None else full
    if full and j >= 2 * (p + p * (p + 1) // 2):
        x = quadratic_design(z)
    elif j >= 16 * p:
        x = np.concatenate([z, z**2], axis=1)
    else:
        x = z
    x = x - x.mean(axis=0)
    scale = x.std(axis=0)
    keep = scale > 0
    x = x[:, keep] / scale[keep]
    return Design(np.concatenate([np.ones((x.shape[0], 1)), x], axis=1), int(keep[: z.shape[1]].sum()))


def _deviance(hits: Array, runs: int, p: Array) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(hits > 0, hits * np.log(hits / (runs * p)), 0.0)
        b = np.where(hits < runs, (runs - hits) * np.log((runs - hits) / (runs * (1 - p))), 0.0)
    return float(2 * np.sum(a + b))


def smooth_frequency(hits: Array, runs: int, d: Design) -> FrequencyFit:
    """Penalised logistic regression of `hits` out of `runs` per draw on the design `d`, with one
    ridge penalty for the linear terms and another for the quadratic ones, both chosen by GCV;
    returns the fitted frequency per draw."""
    hits = np.asarray(hits, dtype=float)
    x = d.x
    n, k = x.shape
    lo, hi = 0.5 / (runs + 1.0), (runs + 0.5) / (runs + 1.0)
    p0 = float(np.clip(hits.sum() / (n * runs), lo, hi))
    null = np.full(n, p0)
    dev0 = _deviance(hits, runs, null)
    if k <= 1 or hits.sum() == 0 or hits.sum() == n * runs:
        return FrequencyFit(
            np.full(n, float(np.clip((hits.sum() + 0.5) / (n * runs + 1.0), lo, hi))), math.inf, 1.0, 0.0
        )
    linear = np.zeros(k)
    linear[1 : 1 + d.n_linear] = 1.0
    quadratic = np.zeros(k)
    quadratic[1 + d.n_linear :] = 1.0
    beta = np.zeros(k)
    beta[0] = math.log(p0 / (1 - p0))
    best: tuple[float, Array, float, float] | None = None
    scale = n * runs * p0 * (1 - p0)  # the order of X'WX's diagonal
    for rel1, rel2 in PENALTIES:
        pen = scale * (rel1 * linear + rel2 * quadratic)
        lam = rel2 * scale
        for _ in range(15):
            eta = np.clip(x @ beta, -30, 30)
            p = 1 / (1 + np.exp(-eta))
            w = np.maximum(runs * p * (1 - p), 1e-9)
            zw = w * eta + (hits - runs * p)
            xtwx = (x * w[:, None]).T @ x
            new = np.asarray(np.linalg.solve(xtwx + np.diag(pen), x.T @ zw), dtype=float)
            done = float(np.max(np.abs(new - beta))) < 1e-6
            beta = new
            if done:
                break
        eta = np.clip(x @ beta, -30, 30)
        p = np.clip(1 / (1 + np.exp(-eta)), 1e-12, 1 - 1e-12)
        w = np.maximum(runs * p * (1 - p), 1e-9)
        xtwx = (x * w[:, None]).T @ x
        dof = float(np.trace(np.linalg.solve(xtwx + np.diag(pen), xtwx)))
        dev = _deviance(hits, runs, p)
        gcv = n * dev / max(n - dof, 1.0) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, p, lam, dof)
    assert best is not None
    _, p, lam, dof = best
    p = np.clip(p, lo, hi)
    explained = 1.0 - _deviance(hits, runs, p) / dev0 if dev0 > 0 else 0.0
    return FrequencyFit(np.asarray(p, dtype=float), lam, dof, explained)
