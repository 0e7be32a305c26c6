"""Declared ranges and types of model parameters, and the checks of values and priors against them.

Every parameter of a scenario gets a range: from the table below when it is named there, else from
its name's suffix (`_rate`, `_days`, `_prob`, ...), else a wide default that only rules out absurd
magnitudes. A scenario may narrow a parameter's range with `range: [lo, hi]`. The value must lie in
the range, a prior's support must fit it (uniform/triangular/beta entirely; normal/lognormal by
their centre, their draws are truncated to the range when sampled) and every prior must give finite
draws. New parameters added to a scenario get these checks without code changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betaincinv, ndtri


@dataclass(frozen=True)
class Bound:
    lo: float
    hi: float
    integer: bool = False
    what: str = ""

    def text(self) -> str:
        kind = "an integer" if self.integer else "a number"
        return f"{kind} in [{self.lo:g}, {self.hi:g}]" + (f" ({self.what})" if self.what else "")


PROBABILITY = Bound(0.0, 1.0, what="a probability or share")
RATE = Bound(0.0, 365.0, what="events per year")
DURATION = Bound(1.0, 36500.0, what="days; the model steps one day at a time")
DAYS = Bound(0.0, 36500.0, what="days")
RUNG = Bound(0, 6, integer=True, what="a rung of the ladder 0-6")
COEFFICIENT = Bound(-50.0, 50.0, what="a logit coefficient")
PUSH = Bound(0.0, 50.0, what="a logit weight whose sign the theory fixes")
PER_DAY_LOGIT = Bound(0.0, 10.0, what="a logit weight per day")
DEFAULT = Bound(-1e6, 1e6, what="any finite number of sane size")

# Parameters named explicitly; anything else falls back on SUFFIXES, then DEFAULT.
TABLE: dict[str, Bound] = {
    "attack_progress_gain": Bound(0.0, 20.0, what="multiplier of the attack rate per phase"),
    "severity_log_mean": Bound(-5.0, 15.0, what="log fatalities"),
    "severity_log_sd": Bound(0.0, 5.0, what="log fatalities"),
    "trigger_intercept": COEFFICIENT,
    "trigger_slope": PUSH,
    "esc_base": COEFFICIENT,
    "esc_provocation": PUSH,
    "esc_reciprocity": PUSH,
    "esc_rung_cost": PUSH,
    "esc_nuclear_risk": PUSH,
    "esc_restraint": PUSH,
    "esc_gp_management": PUSH,
    "esc_fatigue": PER_DAY_LOGIT,
    "esc_two_step": PUSH,
    "cross_border_restraint_cost": PUSH,
    "deesc_base": COEFFICIENT,
    "ns_intercept": COEFFICIENT,
    "ns_slope": PUSH,
    "nuclear_use_daily": PROBABILITY,
    "ceasefire_base": COEFFICIENT,
    "ceasefire_catastrophe": PUSH,
    "ceasefire_gp": PUSH,
    "ceasefire_mediator": PUSH,
    "ceasefire_days": PER_DAY_LOGIT,
    "ceasefire_rung": RUNG,
    "crisis_end_base": COEFFICIENT,
    "crisis_end_days": PER_DAY_LOGIT,
    "war_end_base": Bound(-12.0, 0.0, what="a daily logit of a war ending (0: half of wars end each day)"),
    "post_crisis_rung_cap": RUNG,
    "fatalities_rung4": Bound(0.0, 1e6, what="deaths per day"),
    "fatalities_rung5": Bound(0.0, 1e6, what="deaths per day"),
    "fatalities_rung6": Bound(0.0, 1e6, what="deaths per day"),
    "trust_baseline": PROBABILITY,
    "trust_attack_hit": PROBABILITY,
    "trust_escalation_hit": PROBABILITY,
    "cred_threshold": Bound(-1.0, 1.0, what="a bias difference"),
    "offer_tilt": Bound(-20.0, 20.0, what="a weight in log-odds (not a tilt)"),
    "cred_war_aversion": PROBABILITY,
    "cred_sharpness": Bound(0.0, 100.0, what="a logistic slope"),
    "coalition_optimum": Bound(1.0, 50.0, what="number of mediators"),
    "mediator_bias_sd": PROBABILITY,
    "gp_engagement": PROBABILITY,
    "hurt_threshold": Bound(0.0, 10.0, what="a hurting-stalemate threshold"),
    "stalemate": PROBABILITY,
    "way_out": PROBABILITY,
    "accept_gain": PUSH,
    "accept_ripeness": PUSH,
    "accept_trust": PUSH,
    "simla_gate_open": PROBABILITY,
    "consent_gate_open": PROBABILITY,
    "offer_great_power": COEFFICIENT,
    "offer_standing": COEFFICIENT,
    "offer_hardening": COEFFICIENT,
    "standing_erosion": Bound(0.0, 2.0, what="standing lost per year of rejection"),
    "patron_embolden": PUSH,
    "patron_deter": PUSH,
    "inclusion_rate": RATE,
    "inclusion_trust": Bound(0.0, 1.0, what="trust per year at full inclusion"),
    "inclusion_legitimacy": Bound(0.0, 1.0, what="settlement-gap units at full inclusion"),
    "advance_trust": PUSH,
    "advance_trust_reference": PROBABILITY,
    "advance_coverage_floor": PROBABILITY,
    "advance_ripeness_floor": PROBABILITY,
    "freeze_days": DAYS,
    "setback_prob": PROBABILITY,
    "track2_survival": PROBABILITY,
    "breakdown_gap_weight": PUSH,
    "settlement_gap": PROBABILITY,
    "inducement": PROBABILITY,
    "cost_rung2": Bound(0.0, 1000.0, what="cost index per day"),
    "cost_rung4": Bound(0.0, 1000.0, what="cost index per day"),
    "pak_cost_ratio": Bound(0.0, 100.0, what="a ratio"),
    "second_party_cost_ratio": Bound(0.0, 100.0, what="a ratio"),
}

SUFFIXES: tuple[tuple[str, Bound], ...] = (
    ("_half_life_days", DURATION),
    ("_median_days", DURATION),
    ("_relax_days", DURATION),
    ("_lag_days", DAYS),
    ("_days", DAYS),
    ("_rate", RATE),
    ("_prob", PROBABILITY),
    ("_probability", PROBABILITY),
    ("_share", PROBABILITY),
    ("_rung", RUNG),
)

PREFIXES: tuple[tuple[str, Bound], ...] = (("audience_cost_", COEFFICIENT),)


def bound_for(name: str, declared: tuple[float, float] | None = None) -> Bound:
    """The range of parameter `name`; a scenario's own `range:` narrows it."""
    base = TABLE.get(name)
    if base is None:
        base = next((b for p, b in PREFIXES if name.startswith(p)), None)
    if base is None:
        base = next((b for s, b in SUFFIXES if name.endswith(s)), DEFAULT)
    if declared is None:
        return base
    lo, hi = declared
    return Bound(max(base.lo, lo), min(base.hi, hi), base.integer, base.what)


def ppf(prior: object, value: float, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of a prior (a `schema.Prior`) at uniforms u; normal and lognormal draws are
    truncated to the prior's own `low`/`high` when given."""
    u = np.clip(u, 1e-9, 1 - 1e-9)
    d = prior.dist  # type: ignore[attr-defined]

    def f(key: str) -> float:
        x = getattr(prior, key)
        assert x is not None  # the schema guarantees the fields each distribution needs
        return float(x)

    out: np.ndarray
    with np.errstate(over="ignore", invalid="ignore"):
        if d == "fixed":
            out = np.full(u.shape, float(value))
        elif d == "uniform":
            out = f("low") + u * (f("high") - f("low"))
        elif d == "normal":
            out = f("mean") + f("sd") * ndtri(u)
        elif d == "lognormal":
            out = f("median") * np.exp(f("sdlog") * ndtri(u))
        elif d == "beta":
            out = betaincinv(f("a"), f("b"), u)
        elif d == "triangular":
            lo, hi, mode = f("low"), f("high"), f("mode")
            c = 0.5 if hi == lo else (mode - lo) / (hi - lo)
            w = hi - lo
            out = np.where(u < c, lo + np.sqrt(u * c) * w, hi - np.sqrt((1 - u) * (1 - c)) * w)
        else:  # pragma: no cover - the schema rejects other names
            raise ValueError(d)
    if d in ("normal", "lognormal"):
        low, high = getattr(prior, "low", None), getattr(prior, "high", None)
        out = np.clip(out, -np.inf if low is None else low, np.inf if high is None else high)
    return np.asarray(out, dtype=np.float64)


def clip_to(bound: Bound, draws: np.ndarray) -> np.ndarray:
    """Draws truncated to the parameter's range (integers rounded); in-range draws are unchanged."""
    out = np.clip(draws, bound.lo, bound.hi)
    return np.rint(out) if bound.integer else out


_PROBE = np.array([1e-9, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-9])


def check_parameter(
    name: str, value: float, prior: object, declared: tuple[float, float] | None
) -> str | None:
    """None if the value and prior fit the parameter's range, else what is wrong (for a message)."""
    b = bound_for(name, declared)
    if declared is not None and declared[0] > declared[1]:
        return f"range {list(declared)} has its low end above its high end"
    if b.lo > b.hi:
        return f"range {list(declared or ())} lies outside the allowed {b.text()}"
    if not b.lo <= value <= b.hi:
        return f"value = {value:g} must be {b.text()}"
    if b.integer and value != math.floor(value):
        return f"value = {value:g} must be {b.text()}"
    d = prior.dist  # type: ignore[attr-defined]
    draws = ppf(prior, value, _PROBE)
    if not np.all(np.isfinite(draws)):
        return f"prior {d} cannot be sampled (it gives non-finite draws); use smaller parameters"
    if d in ("uniform", "triangular", "beta"):
        lo, hi = (0.0, 1.0) if d == "beta" else (float(prior.low), float(prior.high))  # type: ignore[attr-defined]
        if lo < b.lo or hi > b.hi:
            return f"prior {d} spans [{lo:g}, {hi:g}], outside the range [{b.lo:g}, {b.hi:g}] ({b.text()})"
    elif d in ("normal", "lognormal"):
        centre = float(draws[2])
        if not b.lo <= centre <= b.hi:
            return f"prior {d} is centred at {centre:g}, outside [{b.lo:g}, {b.hi:g}] ({b.text()})"
    if d != "fixed":
        lo, hi = float(draws[1]), float(draws[3])
        if not lo - 1e-9 * abs(lo) <= value <= hi + 1e-9 * abs(hi):
            return (
                f"value = {value:g} lies outside its own {d} prior (99.8% of draws in [{lo:.4g}, {hi:.4g}]); "
                "forecasts sample the prior, so change the prior with the value (or make it fixed)"
            )
    return None
