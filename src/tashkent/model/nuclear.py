"""Nuclear signalling runs beside the conventional ladder (history.md §1.1: South Asian crises show
signalling at low conventional rungs); nuclear use is an absorbing tail outcome."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, logistic


def signal_prob(rung: Array, intercept: Array, slope: Array, both_nuclear: bool) -> Array:
    """Daily probability of a nuclear signal (test, threat, NCA convened) on a crisis day at rung ≥ 2."""
    if not both_nuclear:
        return np.zeros(rung.shape)
    p = logistic(intercept + slope * (rung.astype(np.float64) - 3.0))
    return np.where(rung >= 2, p, 0.0)


def use_prob(rung: Array, signalled: Array, daily: Array, both_nuclear: bool) -> Array:
    """Daily probability of nuclear use: only after signalling, at rung 5 (×5 at rung 6)."""
    if not both_nuclear:
        return np.zeros(rung.shape)
    mult = np.where(rung >= 6, 5.0, np.where(rung >= 5, 1.0, 0.0))
    return np.where(signalled, daily * mult, 0.0)
