"""Acceptance of Track II, 1.5 and I by each party (DESIGN §3; Beardsley 2010; Simla clause (ii)).

A party accepts a track when its utility — expected gain (coalition coverage × leverage), ripeness
and trust — exceeds the audience and sovereignty cost of that track. Acceptance is a state: an
unaccepting party accepts with a daily hazard rate × σ(u), an accepting party withdraws with a
hazard rate × (1 − σ(u)), ten times higher during a crisis for official tracks. One uniform per
party drives all three tracks, so acceptance is nested when costs are ordered (II ≤ 1.5 ≤ I).
"""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, daily_prob, logistic

OFFICIAL = (False, True, True)  # Track II, 1.5, I: the order of the track axis everywhere


def utility(
    coverage: Array,
    leverage: Array,
    ripe: Array,
    trust: Array,
    audience_cost: Array | float,
    p: Params,
) -> Array:
    """Utility of accepting one track for one party."""
    return (
        p["accept_gain"] * coverage * (0.5 + leverage)
        + p["accept_ripeness"] * ripe
        + p["accept_trust"] * trust
        - audience_cost
    )


def update(
    accepted: Array,
    util: Array,
    u: Array,
    crisis: Array,
    official: Array | bool,
    p: Params,
    gate_closed: Array | None = None,
) -> Array:
    """New acceptance for any broadcastable shape (e.g. party × track × run).

    `official` marks official tracks (1.5, I): not newly accepted during a crisis, and abandoned ten
    times faster in one; Track II is accepted at half the rate and abandoned three times faster."""
    s = logistic(util)
    official = np.asarray(official, dtype=bool)
    accept_mult = np.where(crisis, np.where(official, 0.0, 0.5), 1.0)
    withdraw_mult = np.where(crisis, np.where(official, 10.0, 3.0), 1.0)
    accept_h = daily_prob(p["accept_rate"] * s) * accept_mult
    withdraw_h = daily_prob(p["withdraw_rate"] * (1.0 - s) * withdraw_mult)
    new = np.where(accepted, ~(u < withdraw_h), u < accept_h)
    if gate_closed is not None:
        new = new & ~gate_closed
    return new
