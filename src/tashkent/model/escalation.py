"""Escalation moves: each crisis day each party chooses de-escalate / hold / escalate
one rung / escalate two rungs by a multinomial logit. A party hit by a mass-casualty attack first
deliberates (a response lag): it may climb to limited fire but not to strikes, and at the end of
the lag it decides whether to strike (Uri 2016, Pulwama 2019, Pahalgam 2025; restraint in 2001-02
and 2008). Provocation and the opponent's recent
escalation push up; the marginal (convex) cost of the next rung, nuclear risk at high rungs, credible
mediator restraint, great-power crisis management and crisis fatigue push down. The dyad's rung
follows the moves: it rises by the larger escalation and falls one rung only when neither party
escalates and at least one de-escalates."""

from __future__ import annotations

import numpy as np

from tashkent.ladder import MAX_RUNG
from tashkent.model.common import Array, Params

DOWN, HOLD, UP1, UP2 = -1, 0, 1, 2


def rung_cost(rung: Array, unit_cost: Array) -> Array:
    """Convex cost of standing at a rung: c·(k/2)²."""
    return unit_cost * (rung / 2.0) ** 2


def nuclear_risk(rung: Array, weight: Array, both_nuclear: bool) -> Array:
    """Extra cost of air strikes (5: ν) and war (6: 4ν) in a nuclear dyad (Fearon 1995)."""
    if not both_nuclear:
        return np.zeros_like(np.asarray(rung, dtype=np.float64))
    return weight * ((rung >= 5).astype(np.float64) + 3.0 * (rung >= 6).astype(np.float64))


def move_utilities(
    rung: Array,
    provocation: Array,
    opponent_recent: Array,
    restraint: Array,
    gp_management: Array,
    crisis_day: Array,
    p: Params,
    both_nuclear: bool,
    floor: Array | float = 0,
    cross_border_restraint: bool = False,
    patron: Array | float = 0.0,
) -> Array:
    """Utilities [4, n] of (down, hold, up1, up2) for one party; invalid moves get -inf (a party at
    war, WAR_RUNG, cannot step down alone: the war ends by its own hazard).

    `floor`: a crisis de-escalation stands forces down but does not lift measures at or below
    this rung (diplomatic and economic measures outlast the crisis; they are lifted outside it).
    `cross_border_restraint`: under a doctrine of restraint, crossing the border or line of control
    (into rung 4 or above) carries the extra cost `cross_border_restraint_cost`.
    `patron`: great powers' tilt toward this party (`tashkent.model.patrons`), added to the push."""
    r = rung.astype(np.float64)
    push = (
        p["esc_base"]
        + p["esc_provocation"] * provocation
        + p["esc_reciprocity"] * opponent_recent
        - p["esc_restraint"] * restraint
        - p["esc_gp_management"] * gp_management
        - p["esc_fatigue"] * crisis_day
        + patron
    )
    c, nw = p["esc_rung_cost"], p["esc_nuclear_risk"]

    doctrine = p["cross_border_restraint_cost"] if cross_border_restraint else 0.0

    def climb(k: int) -> Array:
        # marginal cost of climbing k rungs: convex rung cost, nuclear-threshold cost, the
        # doctrine's cost of first crossing the border and the cost of opening full-scale war
        return (
            doctrine * ((r + k >= 4) & (r < 4))
            + p["war_threshold_cost"] * ((r + k >= 6) & (r < 6))
            + (
                rung_cost(r + k, c)
                - rung_cost(r, c)
                + nuclear_risk(r + k, nw, both_nuclear)
                - nuclear_risk(r, nw, both_nuclear)
            )
        )

    up1 = push - climb(1)
    up2 = push - p["esc_two_step"] - climb(2)
    down = (
        p["deesc_base"]
        + p["esc_fatigue"] * crisis_day
        + p["esc_restraint"] * restraint
        + 0.5 * p["esc_gp_management"] * gp_management
        - p["esc_provocation"] * provocation
    )
    hold = np.zeros_like(r)
    util = np.stack([down, hold, up1, up2])
    util[0] = np.where((r <= np.maximum(floor, 0)) | (r >= WAR_RUNG), -np.inf, util[0])
    util[2] = np.where(r + 1 > MAX_RUNG, -np.inf, util[2])
    util[3] = np.where(r + 2 > MAX_RUNG, -np.inf, util[3])
    return util


#: The rung of a deliberate response: air, missile or drone strikes (the ladder's rung 5).
STRIKE_RUNG = 5
#: The highest rung the deliberating party may climb to while it decides: limited fire and raids
#: (rung 4). Judgement from the record: in 2016, 2019 and 2025 firing across the line went on during
#: the deliberation, strikes came only at its end.
DELIBERATION_MAX_RUNG = 4


#: Full-scale war (the ladder's top rung) is left only by its end, a ceasefire or armistice at the
#: steady rate of wars (`tashkent.model.ceasefire.war_end_prob`): neither party steps down from it
#: alone, one rung at a time (judgement: the record's wars ended by a ceasefire agreed by both, the
#: UN ceasefire of 1 January 1949 and UN Security Council Resolution 211 of September 1965, or by a
#: surrender, Dhaka 16 December 1971).
WAR_RUNG = 6


def response_lag_days(u: Array, median_days: Array, sdlog: Array) -> Array:
    """Days an attacked party deliberates before deciding whether to strike: lognormal with the
    given median and log-sd, drawn by inverse CDF from uniforms u; at least one day."""
    from scipy.special import ndtri

    z = ndtri(np.clip(u, 1e-7, 1 - 1e-7))
    return np.maximum(np.rint(median_days * np.exp(sdlog * z)), 1).astype(np.int32)


def strike_decision_prob(
    provocation: Array,
    restraint: Array,
    gp_management: Array,
    p: Params,
    both_nuclear: bool,
    cross_border_restraint: bool,
    tilt: Array | float = 0.0,
) -> Array:
    """P(the attacked party answers with strikes at the end of its deliberation): a logit in the
    attack's provocation, less credible mediator restraint, great-power crisis management, the
    nuclear-threshold cost in a nuclear dyad and the doctrine of restraint where it holds.
    `tilt` is a further logit term (e.g. patrons' encouragement), 0 by default."""
    x = (
        p["response_strike_base"]
        + p["response_strike_provocation"] * (provocation - 1.0)
        - p["esc_restraint"] * restraint
        - p["esc_gp_management"] * gp_management
        + tilt
    )
    if both_nuclear:
        x = x - p["esc_nuclear_risk"]
    if cross_border_restraint:
        x = x - p["cross_border_restraint_cost"]
    return 1.0 / (1.0 + np.exp(-x))


def deliberate(move: Array, rung: Array, lag_left: Array, decide_strike: Array) -> Array:
    """One party's move adjusted for its deliberation: while it deliberates (lag_left > 1) it climbs
    no higher than DELIBERATION_MAX_RUNG; on its decision day (lag_left == 1) a decision to strike
    takes it to STRIKE_RUNG (a climb of up to STRIKE_RUNG rungs)."""
    capped = np.where(
        (lag_left > 1) & (rung < STRIKE_RUNG), np.minimum(move, DELIBERATION_MAX_RUNG - rung), move
    )
    strike = (lag_left == 1) & decide_strike & (rung < STRIKE_RUNG)
    return np.where(strike, STRIKE_RUNG - rung, capped).astype(np.int8)


def choose(util: Array, u: Array) -> Array:
    """Sample a move in {-1, 0, 1, 2} from logit utilities [4, n] with uniforms u [n]."""
    m = util.max(axis=0)
    w = np.exp(util - m)
    cdf = np.cumsum(w, axis=0) / w.sum(axis=0)
    idx = (u[None, :] > cdf).sum(axis=0)
    return np.minimum(idx, 3).astype(np.int8) - 1


def dyad_rung(rung: Array, move_a: Array, move_b: Array) -> Array:
    """New standing rung from both parties' moves."""
    up = np.maximum(move_a, move_b)
    both_not_up = up <= 0
    any_down = (move_a < 0) | (move_b < 0)
    new = np.where(up > 0, rung + up, np.where(both_not_up & any_down, rung - 1, rung))
    return np.clip(new, 0, MAX_RUNG).astype(np.int8)
