"""Ceasefire and crisis termination. A hotline ceasefire ends strikes (rung 5 and above): it becomes
likely after a near-catastrophe (nuclear signalling or air strikes; Zartman's 'recently avoided
catastrophe'), under great-power and mediator pressure, and as the strikes drag on. Sustained fire
across the line (rung 4) is a regime of its own that falls quiet at its own rate, and so is
full-scale war (rung 6), which ends at the steady rate of interstate wars rather than by a hotline
ceasefire (Bennett & Stam 1996: war termination shows no duration dependence). A crisis ends
once strikes have stopped and provocation has faded, soon after a hotline ceasefire; the measures
in force stay (the standing rung is capped, not reset)."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, logistic
from tashkent.model.escalation import WAR_RUNG as WAR_RUNG

#: A crisis can end while the standing rung is at most this: fire across the line (rung 4) does
#: not hold a crisis open, strikes (rung 5) do (judgement: ICB ends 2019 and 2025 at the ceasefire).
CRISIS_END_MAX_RUNG = 4


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


def fire_end_prob(p: Params) -> Array:
    """Daily probability that sustained fire across the line (rung 4, no strikes) falls quiet: its
    own regime, independent of the clock that ends the crisis."""
    return logistic(p["fire_end_base"])


def war_end_prob(p: Params) -> Array:
    """Daily probability that full-scale war (rung 6) ends in a ceasefire: its own regime, a steady
    rate (interstate wars are not duration dependent: Bennett & Stam 1996) with the median length
    of the record's wars, in place of the hotline ceasefire that ends exchanges of strikes."""
    return logistic(p["war_end_base"])


def crisis_end_prob(
    rung: Array, crisis_day: Array, provocation_max: Array, ceasefire_held: Array, p: Params
) -> Array:
    """Daily probability that a crisis ends: only while no strikes are under way (rung below 5;
    sustained fire does not hold a crisis open), rising with the crisis's age, sharply once a
    hotline ceasefire has been agreed, and falling with lingering provocation."""
    x = (
        p["crisis_end_base"]
        + p["crisis_end_days"] * crisis_day
        + p["crisis_end_ceasefire"] * ceasefire_held
        - p["crisis_end_provocation"] * provocation_max
    )
    return np.where(rung <= CRISIS_END_MAX_RUNG, logistic(x), 0.0)
