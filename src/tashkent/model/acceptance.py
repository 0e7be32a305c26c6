"""Acceptance of Track II, 1.5 and I by each party (Beardsley 2010; Simla clause (ii)).

A party accepts a track when its utility — expected gain (coalition coverage × leverage), ripeness
and trust — exceeds the audience and sovereignty cost of that track. Acceptance is a state: an
unaccepting party accepts with a daily hazard rate × σ(u), an accepting party withdraws with a
hazard rate × (1 − σ(u)), ten times higher during a crisis for official tracks. One uniform per
party drives all three tracks, so acceptance is nested when costs are ordered (II ≤ 1.5 ≤ I).
The coalition is the prospective one, co-facilitators announced for later phases included
(Beardsley 2011; Walter 1997; full weight is judgement: docs/decisions/0055).
"""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, daily_prob, logistic

OFFICIAL = (False, True, True)  # Track II, 1.5, I: the order of the track axis everywhere
# Judgements (stated in the scenario's accept_rate/withdraw_rate sources):
LEVERAGE_FLOOR = 0.5  # a coalition without leverage still offers half the gain of one with full leverage
CRISIS_ACCEPT_TRACK2 = (
    0.5  # during a crisis Track II is taken up at half the rate; official tracks not at all
)
CRISIS_WITHDRAW_OFFICIAL = 10.0  # official tracks are abandoned ten times faster in a crisis
CRISIS_WITHDRAW_TRACK2 = 3.0  # Track II three times faster (it survives best: Chaophraya ran through 2008-09)


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
        p["accept_gain"] * coverage * (LEVERAGE_FLOOR + leverage)
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
    accept_mult = np.where(crisis, np.where(official, 0.0, CRISIS_ACCEPT_TRACK2), 1.0)
    withdraw_mult = np.where(
        crisis, np.where(official, CRISIS_WITHDRAW_OFFICIAL, CRISIS_WITHDRAW_TRACK2), 1.0
    )
    accept_h = daily_prob(p["accept_rate"] * s) * accept_mult
    withdraw_h = daily_prob(p["withdraw_rate"] * (1.0 - s) * withdraw_mult)
    new = np.where(accepted, ~(u < withdraw_h), u < accept_h)
    if gate_closed is not None:
        new = new & ~gate_closed
    return new


def offer_term(
    tilt: Array, great_power: Array | float, standing: Array | float, hardening: Array | float, p: Params
) -> Array:
    """What the offering mediator adds to a party's utility of accepting (any shape, per party).

    Kydd (2003): a mediator tilted toward a party is credible to it, so its tilt raises that party's
    willingness and lowers the other's; a great power brings leverage and a threat to sovereignty
    (sign fitted on the record); standing with the party carries past rejections and public tilts
    (`tashkent.model.standing`); recent attacks on the party harden it against talks ("terror and
    talks cannot go together"). Coefficients are calibrated on the record of offers
    (`tashkent.history.offers`)."""
    return (
        p["offer_tilt"] * tilt
        + p["offer_great_power"] * great_power
        + p["offer_standing"] * standing
        - p["offer_hardening"] * hardening
    )


def offer_logit(features: dict[str, Array], p: Params) -> Array:
    """Log-odds that a party accepts one offer on the record (`tashkent.history.offers`): the
    mediator's part (`offer_term`) plus the record-level terms — a bilateral clause binding the
    party, a binding (arbitration) form, and recent battle losses (Zartman's hurting stalemate)."""
    return (
        p["offer_base"]
        - p["offer_clause"] * features["clause"]
        - p["offer_arbitration"] * features["arbitration"]
        + p["offer_loss"] * features["loss"]
        + offer_term(
            features["tilt"], features["great_power"], features["standing"], features["hardening"], p
        )
    )
