"""Spoiler attacks: Poisson arrivals whose rate rises with process progress (spoilers
target peace; Kydd & Walter 2002), heavy-tailed (lognormal) fatalities, and a chance that the attack
starts a crisis that grows with its severity."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from tashkent.model.common import Array, daily_prob, logistic

MAJOR_ATTACK_FATALITIES = 40.0  # provocation 1.0 for a Pulwama-size attack (crisis record row 17)


def attack_rate(base_rate: Array, progress_gain: Array, phase: Array) -> Array:
    """Attacks per year: base × (1 + gain × phase/4); phase 0 (no process) → base rate."""
    return base_rate * (1.0 + progress_gain * np.minimum(phase, 4) / 4.0)


def draw_attacks(
    rate_per_year: Array, u_attack: Array, u_severity: Array, log_mean: Array, log_sd: Array
) -> tuple[Array, Array]:
    """Which runs suffer an attack today, and its fatalities (0 where none)."""
    attacked = u_attack < daily_prob(rate_per_year)
    z = ndtri(np.clip(u_severity, 1e-7, 1 - 1e-7))
    fatalities = np.where(attacked, np.exp(log_mean + log_sd * z), 0.0)
    return attacked, fatalities


def provocation_from(fatalities: Array) -> Array:
    """Provocation added by an attack: log-scaled so a 40-fatality attack adds 1.0."""
    return np.log1p(fatalities) / np.log1p(MAJOR_ATTACK_FATALITIES)


def crisis_trigger_prob(fatalities: Array, intercept: Array, slope: Array) -> Array:
    """P(an attack with these fatalities starts a crisis) = logistic(a + b·ln fatalities)."""
    return np.where(fatalities > 0, logistic(intercept + slope * np.log(np.maximum(fatalities, 1e-9))), 0.0)
