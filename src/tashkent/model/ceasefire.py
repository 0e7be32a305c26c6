"""Ceasefire and crisis termination. A hotline ceasefire becomes likely after a near-catastrophe
(nuclear signalling or air strikes; Zartman's 'recently avoided catastrophe'), under great-power
and mediator pressure, and as fighting drags on. A crisis ends once the fighting has stopped and
provocation has faded; the measures in force stay (the standing rung is capped, not reset)."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, logistic


def ceasefire_prob(
    kinetic: Array,
    catastrophe: Array,
    gp_management: Array,
    restraint_mean: Array,
    kinetic_days: Array,
    p: Params,
) -> Array:
    x = (
        p["ceasefire_base"]
        + p["ceasefire_catastrophe"] * np.minimum(catastrophe, 1.0)
        + p["ceasefire_gp"] * gp_management
        + p["ceasefire_mediator"] * restraint_mean
        + p["ceasefire_days"] * kinetic_days
    )
    return np.where(kinetic, logistic(x), 0.0)


def crisis_end_prob(rung: Array, crisis_day: Array, provocation_max: Array, p: Params) -> Array:
    """Daily probability that a crisis ends: only once fighting has stopped (rung at or below the
    ceasefire rung), rising with the crisis's age and falling with lingering provocation."""
    x = p["crisis_end_base"] + p["crisis_end_days"] * crisis_day - 2.0 * provocation_max
    return np.where(rung <= p["ceasefire_rung"], logistic(x), 0.0)
