"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Array = np.ndarray
Params = Mapping[str, Array]  # parameter name → per-run values


def logistic(x: Array | float) -> Array:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def daily_prob(rate_per_year: Array | float) -> Array:
    """Probability of at least one event in a day from a Poisson rate per year."""
    return -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) / 365.0)


def halflife_decay(half_life_days: Array | float) -> Array:
    """Daily multiplicative decay for a given half-life in days."""
    return np.power(0.5, 1.0 / np.asarray(half_life_days, dtype=np.float64))
