"""Proper scoring rules (lower is better for all of them) and skill scores with bootstrap intervals.

* `brier(p, o)` — binary events, 0–1 scale: (p − o)².
* `rps(probs, k)` — ranked probability score for ordinal outcomes (the rungs 0–6), normalised by
  K − 1 so it lies in [0, 1]: Σ_j (F_j − 1[k ≤ j])² / (K − 1).
* `crps_samples(x, y)` — continuous ranked probability score of an ensemble (sample) forecast:
  E|X − y| − ½ E|X − X'| (the energy form, exact for the empirical distribution).
* `crps_step(values, probs, y)` — CRPS of a discrete (step-CDF) distribution, ∫(F(z) − 1[z ≥ y])² dz
  computed exactly piece by piece.
* `log_score(p, o)` / `log_score_categorical(probs, k)` — ignorance, −ln p(outcome), with
  probabilities clipped to [`LOG_EPS`, 1 − `LOG_EPS`] so that a confident miss costs a finite
  −ln(0.01) ≈ 4.6 rather than infinity.
* `skill(s, s_ref)` — 1 − s/s_ref (1 perfect, 0 no better than the reference, < 0 worse).
* `bootstrap_skill(...)` — paired bootstrap over cases (crises) for an interval on the skill.

All functions are pure and vectorised over cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

LOG_EPS = 0.01
Floats = NDArray[np.float64]


def brier(p: ArrayLike, o: ArrayLike) -> Floats:
    """Per-case Brier score (p − o)² for probabilities `p` of binary outcomes `o` ∈ {0, 1}."""
    pa, oa = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    return np.asarray((pa - oa) ** 2, dtype=float)


def rps(probs: ArrayLike, outcome: ArrayLike) -> Floats:
    """Per-case ranked probability score, normalised to [0, 1].

    `probs` has shape (n, K) (rows sum to 1) or (K,); `outcome` holds category indices 0..K−1.
    """
    pr = np.atleast_2d(np.asarray(probs, dtype=float))
    k = np.atleast_1d(np.asarray(outcome, dtype=int))
    n_cat = pr.shape[1]
    cdf = np.cumsum(pr, axis=1)
    obs = (np.arange(n_cat)[None, :] >= k[:, None]).astype(float)
    return np.asarray(np.sum((cdf - obs)[:, :-1] ** 2, axis=1) / (n_cat - 1), dtype=float)


def crps_samples(samples: ArrayLike, y: float) -> float:
    """CRPS of the empirical distribution of `samples` at observation `y` (exact, O(m log m))."""
    x = np.sort(np.asarray(samples, dtype=float).ravel())
    m = x.size
    if m == 0:
        raise ValueError("crps_samples needs at least one sample")
    term1 = float(np.mean(np.abs(x - y)))
    i = np.arange(1, m + 1)
    term2 = float(np.sum((2 * i - m - 1) * x)) / (m * m)  # = ½ E|X − X'|
    return term1 - term2


def crps_step(values: ArrayLike, probs: ArrayLike, y: float) -> float:
    """CRPS of a discrete distribution P(X = values[i]) = probs[i] at observation `y` (exact)."""
    v = np.asarray(values, dtype=float).ravel()
    p = np.asarray(probs, dtype=float).ravel()
    if v.size != p.size or v.size == 0:
        raise ValueError("crps_step needs matching, non-empty values and probs")
    order = np.argsort(v)
    v, p = v[order], p[order] / p.sum()
    cum = np.cumsum(p)
    knots = np.unique(np.concatenate([v, [y]]))
    pos = np.searchsorted(v, knots[:-1], side="right")  # atoms <= each knot
    cdf_at = np.where(pos > 0, cum[np.maximum(pos - 1, 0)], 0.0)
    widths = np.diff(knots)
    step = (knots[:-1] >= y).astype(float)  # 1[z >= y] on [knot_j, knot_{j+1})
    return float(np.sum(widths * (cdf_at - step) ** 2))


def log_score(p: ArrayLike, o: ArrayLike) -> Floats:
    """Per-case ignorance −ln(p if o else 1 − p), with p clipped to [LOG_EPS, 1 − LOG_EPS]."""
    pa = np.clip(np.asarray(p, dtype=float), LOG_EPS, 1 - LOG_EPS)
    oa = np.asarray(o, dtype=float)
    return np.asarray(-(oa * np.log(pa) + (1 - oa) * np.log(1 - pa)), dtype=float)


def log_score_categorical(probs: ArrayLike, outcome: ArrayLike) -> Floats:
    """Per-case −ln p(observed category), the probability clipped below at LOG_EPS."""
    pr = np.atleast_2d(np.asarray(probs, dtype=float))
    k = np.atleast_1d(np.asarray(outcome, dtype=int))
    picked = pr[np.arange(pr.shape[0]), k]
    return np.asarray(-np.log(np.clip(picked, LOG_EPS, 1.0)), dtype=float)


def skill(score: float, reference: float) -> float:
    """Skill score 1 − score/reference (NaN when the reference scores a perfect 0)."""
    if reference == 0:
        return float("nan")
    return 1.0 - score / reference


@dataclass(frozen=True)
class SkillInterval:
    skill: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {
            "skill": round(self.skill, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


def bootstrap_skill(
    model: ArrayLike,
    reference: ArrayLike,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.9,
) -> SkillInterval:
    """Skill of per-case `model` scores against per-case `reference` scores, with a paired
    percentile bootstrap interval (cases resampled with replacement; seeded)."""
    m = np.asarray(model, dtype=float)
    r = np.asarray(reference, dtype=float)
    if m.shape != r.shape or m.size == 0:
        raise ValueError("bootstrap_skill needs two equal-length, non-empty score arrays")
    point = skill(float(m.mean()), float(r.mean()))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, m.size, size=(n_boot, m.size))
    ms, rs = m[idx].mean(axis=1), r[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boots = 1.0 - ms / rs
    boots = boots[np.isfinite(boots)]
    if boots.size == 0:
        return SkillInterval(point, float("nan"), float("nan"))
    alpha = (1 - level) / 2
    low, high = np.quantile(boots, [alpha, 1 - alpha])
    return SkillInterval(point, float(low), float(high))


def reliability_bins(p: ArrayLike, o: ArrayLike, n_bins: int = 5) -> list[dict[str, float]]:
    """Reliability-diagram data: per bin, mean forecast, observed frequency and count."""
    pa, oa = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.clip(np.digitize(pa, edges[1:-1]), 0, n_bins - 1)
    out = []
    for b in range(n_bins):
        sel = which == b
        if sel.any():
            out.append(
                {
                    "mean_forecast": float(pa[sel].mean()),
                    "observed": float(oa[sel].mean()),
                    "n": int(sel.sum()),
                }
            )
    return out
