"""Ceasefire and crisis termination. A hotline ceasefire becomes likely after a near-catastrophe
(nuclear signalling or air strikes; Zartman's 'recently avoided catastrophe'), under great-power
and mediator pressure, and as fighting drags on. A crisis ends once the fighting has stopped and
provocation has faded; the measures in force stay (the standing rung is capped, not reset)."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, logistic


def ceasefire_prob(
    kinetic: Array,
    catastrophe: Array,
    gp_management: Array,
    restraint_mean: Array,
    kinetic_days: Array,
    p: dict[str, Array],
) -> Array:
    x = (
        p["ceasefire_base"]
        + p["ceasefire_catastrophe"] * np.minimum(catastrophe, 1.0)
        + p["ceasefire_gp"] * gp_management
        + p["ceasefire_mediator"] * restraint_mean
        + p["ceasefire_days"] * kinetic_days
    )
    return np.where(kinetic, logistic(x), 0.0)


def crisis_end_prob(
    crisis: Array,
    rung: Array,
    crisis_day: Array,
    provocation_max: Array,
    p: dict[str, Array],
    ceasefire_rung: Array,
) -> Array:
    x = p["crisis_end_base"] + p["crisis_end_days"] * crisis_day - 2.0 * provocation_max
    return np.where(crisis & (rung <= ceasefire_rung), logistic(x), 0.0)
