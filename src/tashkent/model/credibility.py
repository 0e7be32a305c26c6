"""Mediator credibility and coalition coverage (Kydd 2003; multiparty mediation's inverted U).

Advice to hold back is credible to a party only from a mediator biased toward that party. Kydd's
mediator has one ideal point between the parties, so what matters is its net tilt toward i,
t[m,i] = (bias[m,i] − bias[m,j]) / 2: more bias toward party i raises the tilt (and credibility) to
i and lowers it to the other party. Credibility is logistic(sharpness·(t[m,i] − β*_m)), with the
threshold β*_m rising with the mediator's war aversion (a peace-loving mediator has reason to
exaggerate).
A coalition is credible to i if any active member is; it covers the dyad as well as it covers the
less-covered side. Effectiveness peaks at an optimal coalition size k* and falls beyond it.
"""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, logistic


def tilt(bias: Array) -> Array:
    """Net tilt [M, 2, n] of each mediator toward each party from its biases toward both."""
    return (bias - bias[:, ::-1, :]) / 2.0


def credibility(
    bias: Array, war_aversion: Array, threshold: Array, war_aversion_weight: Array, sharpness: Array
) -> Array:
    """Credibility [mediators, parties, runs] of each mediator's counsel to each party."""
    beta_star = threshold + war_aversion_weight * (war_aversion[:, None, None] - 0.5)
    return logistic(sharpness * (tilt(bias) - beta_star))


def size_effect(n_active: Array, optimum: Array) -> Array:
    """Inverted U in coalition size: (k/k*)·exp(1 − k/k*), 1 at k = k*, 0 with no mediator."""
    ratio = n_active / optimum
    return ratio * np.exp(1.0 - ratio)


def coalition(cred: Array, leverage: Array, active: Array, optimum: Array) -> dict[str, Array]:
    """Combine active mediators into per-party credibility, leverage, restraint and coverage.

    cred [M, 2, n], leverage [M], active [M, n] (bool). Returns arrays per party [2, n] or [n]."""
    act = active.astype(np.float64)
    cred_party = 1.0 - np.prod(1.0 - act[:, None, :] * cred, axis=0)  # [2, n]
    lev = 1.0 - np.prod(1.0 - act * leverage[:, None], axis=0)  # [n]
    size = size_effect(act.sum(axis=0), optimum)  # [n]
    restraint = cred_party * lev[None, :] * size[None, :]  # [2, n]
    coverage = cred_party.min(axis=0) * size  # [n]
    return {
        "credibility": cred_party,
        "leverage": lev,
        "size": size,
        "restraint": restraint,
        "coverage": coverage,
    }
