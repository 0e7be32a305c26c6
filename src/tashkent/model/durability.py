"""Durability of an agreement (Beardsley 2008): mediator inducements s(t) = s0·2^(−age/half-life)
widen the acceptable range while they last; the breakdown hazard is h0·exp(γ·max(0, gap − s(t))),
where gap is how far the agreement lies outside the parties' unaided bargaining range
(Beardsley 2008, AJPS 52(4)), tripled during a crisis. The gap is that of the governance package
the phase-2 dialogue converged on (`tashkent.bargain.link`), narrowed by stakeholder inclusion."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, daily_prob

# judgement: a crisis triples the breakdown hazard (the 1994 IRA ceasefire ended with Canary Wharf, 1996)
CRISIS_BREAKDOWN = 3.0


def legitimate_gap(settlement_gap: Array, inclusion: Array, legitimacy: Array) -> Array:
    """The settlement gap narrowed by the legitimacy that stakeholder inclusion lends an agreement
    (Nilsson 2012, 'Anchoring the Peace', International Interactions 38(2): civil-society
    inclusion makes peace accords more durable)."""
    return np.maximum(0.0, settlement_gap - legitimacy * inclusion)


def breakdown_prob(age_days: Array, crisis: Array, gap: Array, p: Params) -> Array:
    inducement = p["inducement"] * np.power(0.5, age_days / p["inducement_half_life_days"])
    gap = np.maximum(0.0, gap - inducement)
    rate = (
        p["breakdown_rate"]
        * np.exp(p["breakdown_gap_weight"] * gap)
        * np.where(crisis, CRISIS_BREAKDOWN, 1.0)
    )
    return daily_prob(rate)
