"""The phased process and trust. Phases: 0 none, 1 Track II confidence-building,
2 expanding dialogue, 3 Track 1.5, 4 Track I, 5 framework agreement.

The hazard of entering the next phase is ln 2 / median days × exp(w·(trust − t_ref)), times coalition
coverage and ripeness factors for official phases (3–5), and zero unless both parties accept the
phase's track (the consent gate), during a crisis, or, for official phases, while a freeze after
an attack lasts. CBMs add trust while their preconditions hold; trust relaxes to a baseline; an
attack knocks official phases back with some probability while Track II survives best.
"""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params, daily_prob


def advance_hazard(
    next_median_days: Array,
    trust: Array,
    coverage: Array,
    ripe: Array,
    official_next: Array,
    consent_ok: Array,
    crisis: Array,
    frozen: Array,
    p: Params,
) -> Array:
    base = (
        np.log(2.0) / next_median_days * np.exp(p["advance_trust"] * (trust - p["advance_trust_reference"]))
    )
    cov = p["advance_coverage_floor"] + (1 - p["advance_coverage_floor"]) * coverage
    rip = p["advance_ripeness_floor"] + (1 - p["advance_ripeness_floor"]) * ripe
    h = np.where(official_next, base * cov * rip, base)
    blocked = ~consent_ok | crisis | (official_next & frozen)
    return np.where(blocked, 0.0, -np.expm1(-h))


def cbm_trust_gain(phase: Array, rung: Array, crisis: Array, cbms: list[dict]) -> Array:
    """Daily trust gained from the CBMs whose preconditions hold in each run."""
    gain = np.zeros(phase.shape)
    for cbm in cbms:
        ok = phase >= cbm["min_phase"]
        if cbm.get("max_rung") is not None:
            ok &= rung <= cbm["max_rung"]
        if cbm.get("requires_no_crisis", True):
            ok &= ~crisis
        gain += np.where(ok, cbm["trust_gain_per_year"] / 365.0, 0.0)
    return gain


def include(inclusion: Array, phase: Array, crisis: Array, p_daily: Array) -> Array:
    """Stakeholders from both sides of the disputed territory brought into the dialogue: from the
    expanded dialogue (phase 2) on and outside crises, inclusion rises toward 1 with daily
    probability `p_daily` (from `inclusion_rate` per year); voices once included stay. It adds
    trust (`inclusion_trust` per year at full inclusion) and lends legitimacy to an agreement
    (`tashkent.model.durability.legitimate_gap`)."""
    grow = (phase >= 2) & ~crisis
    return np.where(grow, inclusion + (1.0 - inclusion) * p_daily, inclusion)


def relax_trust(trust: Array, baseline: Array, relax_days: Array) -> Array:
    return trust + (baseline - trust) / relax_days


def setback(phase: Array, new_crisis: Array, u: Array, setback_prob: Array, track2_survival: Array) -> Array:
    """Phase after a crisis starts: official phases (≥ 2) drop one with probability setback_prob;
    Track II (phase 1) survives with probability track2_survival; an agreement (5) is untouched
    here (its breakdown is the durability mechanism)."""
    drop = np.where(
        phase == 1,
        u < (1.0 - track2_survival),
        np.where((phase >= 2) & (phase <= 4), u < setback_prob, False),
    )
    return np.where(new_crisis & drop, phase - 1, phase).astype(np.int8)


__all__ = ["advance_hazard", "cbm_trust_gain", "daily_prob", "include", "relax_trust", "setback"]
