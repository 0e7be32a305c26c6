"""The compiled stepper: the day of `tashkent.sim.step` fused into one loop over runs (numba).

`step.step` composes the numpy mechanisms of `tashkent.model` over all runs at once; it is the
reference and stays the readable statement of the model. This module computes the same day run by
run, in the same order and with the same floating-point operations, so that each run's state and
random numbers stay in registers for a whole slab of days and no temporary arrays are made. The
mechanisms are the same named functions as in `tashkent.model` (scalar versions, each beside the
module it mirrors in the comments), and `tests/core/test_kernel.py` compares this path with the
numpy reference on random states and on whole ensembles.

Bit-for-bit agreement with the reference is the aim, not a guarantee: numpy's vectorised `exp`
and `log` may differ from the C library's in the last bit, which changes an outcome only when a
uniform falls within that bit of a probability (about once in 10^9 comparisons).

Compiled with `cache=True`: the first forecast after installation compiles (a few seconds) and
later processes load the machine code from numba's cache. `numba` is imported only when a chunk
runs, so `tashkent --help` and the other commands do not pay for it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from tashkent.model.acceptance import (
    CRISIS_ACCEPT_TRACK2,
    CRISIS_WITHDRAW_OFFICIAL,
    CRISIS_WITHDRAW_TRACK2,
    LEVERAGE_FLOOR,
)
from tashkent.model.ceasefire import CRISIS_END_MAX_RUNG
from tashkent.model.durability import CRISIS_BREAKDOWN
from tashkent.model.escalation import DELIBERATION_MAX_RUNG, STRIKE_RUNG, WAR_RUNG
from tashkent.model.nuclear import SIGNAL_CENTRE_RUNG, SIGNAL_MIN_RUNG, WAR_USE_MULTIPLIER
from tashkent.model.ripeness import HURT_STEEPNESS, TRUST_FLOOR
from tashkent.sim.step import (
    CEASEFIRE_DEESCALATIONS,
    CEASEFIRE_PROVOCATION_KEPT,
    FATALITY_LOG_SD,
    KINETIC_PROVOCATION,
    MAX_ENTRY_SCORE,
    NORMALISE_TRUST_WEIGHT,
    OTHER_TRIGGER_PROVOCATION,
    U_ACCEPT_A,
    U_ACCEPT_B,
    U_ADVANCE,
    U_ATTACK,
    U_BREAKDOWN,
    U_CEASEFIRE,
    U_END,
    U_FATAL,
    U_LAG,
    U_MOVE_A,
    U_MOVE_B,
    U_NORMALISE,
    U_OTHER,
    U_SETBACK,
    U_SEVERITY,
    U_SIGNAL,
    U_TRIGGER,
    U_USE,
)

# Parameter columns of the per-block table `q` (one row per block of runs).
KERNEL_PARAMS = (
    "attack_rate",
    "attack_progress_gain",
    "severity_log_mean",
    "severity_log_sd",
    "trigger_intercept",
    "trigger_slope",
    "esc_base",
    "esc_provocation",
    "esc_reciprocity",
    "esc_rung_cost",
    "esc_nuclear_risk",
    "esc_restraint",
    "esc_gp_management",
    "esc_fatigue",
    "esc_two_step",
    "cross_border_restraint_cost",
    "deesc_base",
    "ns_intercept",
    "ns_slope",
    "nuclear_use_daily",
    "ceasefire_base",
    "ceasefire_catastrophe",
    "ceasefire_gp",
    "ceasefire_mediator",
    "ceasefire_days",
    "ceasefire_rung",
    "crisis_end_base",
    "crisis_end_days",
    "post_crisis_rung_cap",
    "fatalities_rung4",
    "fatalities_rung5",
    "fatalities_rung6",
    "normalise_rate",
    "trust_baseline",
    "trust_relax_days",
    "trust_attack_hit",
    "trust_escalation_hit",
    "cred_threshold",
    "cred_war_aversion",
    "cred_sharpness",
    "coalition_optimum",
    "hurt_threshold",
    "stalemate",
    "way_out",
    "accept_rate",
    "withdraw_rate",
    "accept_gain",
    "accept_ripeness",
    "accept_trust",
    "advance_trust",
    "advance_trust_reference",
    "advance_coverage_floor",
    "advance_ripeness_floor",
    "freeze_days",
    "setback_prob",
    "track2_survival",
    "breakdown_rate",
    "breakdown_gap_weight",
    "settlement_gap",
    "inducement",
    "inducement_half_life_days",
    "second_party_cost_ratio",
    "war_threshold_cost",
    "crisis_end_ceasefire",
    "crisis_end_provocation",
    "fire_end_base",
    "response_lag_median_days",
    "response_lag_sdlog",
    "response_strike_base",
    "response_strike_provocation",
    "offer_tilt",
    "offer_great_power",
    "offer_standing",
    "offer_hardening",
    "standing_erosion",
    "inclusion_trust",
    "inclusion_legitimacy",
    "war_end_base",
)
(
    ATTACK_RATE,
    ATTACK_PROGRESS_GAIN,
    SEVERITY_LOG_MEAN,
    SEVERITY_LOG_SD,
    TRIGGER_INTERCEPT,
    TRIGGER_SLOPE,
    ESC_BASE,
    ESC_PROVOCATION,
    ESC_RECIPROCITY,
    ESC_RUNG_COST,
    ESC_NUCLEAR_RISK,
    ESC_RESTRAINT,
    ESC_GP_MANAGEMENT,
    ESC_FATIGUE,
    ESC_TWO_STEP,
    CROSS_BORDER_RESTRAINT_COST,
    DEESC_BASE,
    NS_INTERCEPT,
    NS_SLOPE,
    NUCLEAR_USE_DAILY,
    CEASEFIRE_BASE,
    CEASEFIRE_CATASTROPHE,
    CEASEFIRE_GP,
    CEASEFIRE_MEDIATOR,
    CEASEFIRE_DAYS,
    CEASEFIRE_RUNG,
    CRISIS_END_BASE,
    CRISIS_END_DAYS,
    POST_CRISIS_RUNG_CAP,
    FATALITIES_RUNG4,
    FATALITIES_RUNG5,
    FATALITIES_RUNG6,
    NORMALISE_RATE,
    TRUST_BASELINE,
    TRUST_RELAX_DAYS,
    TRUST_ATTACK_HIT,
    TRUST_ESCALATION_HIT,
    CRED_THRESHOLD,
    CRED_WAR_AVERSION,
    CRED_SHARPNESS,
    COALITION_OPTIMUM,
    HURT_THRESHOLD,
    STALEMATE,
    WAY_OUT,
    ACCEPT_RATE,
    WITHDRAW_RATE,
    ACCEPT_GAIN,
    ACCEPT_RIPENESS,
    ACCEPT_TRUST,
    ADVANCE_TRUST,
    ADVANCE_TRUST_REFERENCE,
    ADVANCE_COVERAGE_FLOOR,
    ADVANCE_RIPENESS_FLOOR,
    FREEZE_DAYS,
    SETBACK_PROB,
    TRACK2_SURVIVAL,
    BREAKDOWN_RATE,
    BREAKDOWN_GAP_WEIGHT,
    SETTLEMENT_GAP,
    INDUCEMENT,
    INDUCEMENT_HALF_LIFE_DAYS,
    SECOND_PARTY_COST_RATIO,
    WAR_THRESHOLD_COST,
    CRISIS_END_CEASEFIRE,
    CRISIS_END_PROVOCATION,
    FIRE_END_BASE,
    RESPONSE_LAG_MEDIAN_DAYS,
    RESPONSE_LAG_SDLOG,
    RESPONSE_STRIKE_BASE,
    RESPONSE_STRIKE_PROVOCATION,
    OFFER_TILT,
    OFFER_GREAT_POWER,
    OFFER_STANDING,
    OFFER_HARDENING,
    STANDING_EROSION,
    INCLUSION_TRUST,
    INCLUSION_LEGITIMACY,
    WAR_END_BASE,
) = range(len(KERNEL_PARAMS))


# Scheduled event kinds (columns of the event table).
EV_ATTACK, EV_BIAS_SHIFT, EV_JOIN, EV_LEAVE, EV_TRUST_SHOCK, EV_FACTION_SHIFT = range(1, 7)

# Metric rows of the first-passage table (the order of `tashkent.sim.outcomes.metric_names`).
M_CRISIS, M_RUNG_GE_1 = 0, 1  # rung_ge_k is row k
M_SIGNAL, M_PHASE_GE_1 = 7, 8  # phase_ge_k is row 7 + k
M_AGREEMENT, M_MEDIATION, M_NUCLEAR_USE, M_CEASEFIRE, M_ACCEPT = 13, 14, 15, 16, 17

F32_LO, F32_HI = np.float32(1e-7), np.float32(1 - 1e-7)  # np.clip bounds of a float32 uniform
# exp(w (trust − 0.5)) ≤ exp(|w| / 2) for trust in [0, 1]: a bound on the lifting rate
E_BOUND = math.exp(abs(NORMALISE_TRUST_WEIGHT) / 2.0) * (1.0 + 1e-9)
FATALITY_LOG_MEAN_SHIFT = FATALITY_LOG_SD**2 / 2
SQRT1_2 = 0.7071067811865476
SQRT_2PI = 2.5066282746310002


# ----------------------------------------------------------------------------- helpers


@njit(cache=True, inline="always")
def logistic(x: float) -> float:  # model.common.logistic
    return 1.0 / (1.0 + math.exp(-x))


@njit(cache=True, inline="always")
def daily_prob(rate_per_year: float) -> float:  # model.common.daily_prob
    return -math.expm1(-rate_per_year / 365.0)


@njit(cache=True, inline="always")
def below(u: float, rate_per_year: float) -> bool:
    """u < daily_prob(rate), computing the probability only when u is below its upper bound
    rate / 365 (1 − e^−y < y): most days most uniforms are far above a daily probability."""
    y = rate_per_year / 365.0
    if u >= y * (1.0 + 1e-9):
        return False
    return u < -math.expm1(-y)


@njit(cache=True, inline="always")
def clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


@njit(cache=True)
def _ndtri_lower(p: float) -> float:
    """Φ⁻¹(p) for 0 < p ≤ 0.5: a rational start (Abramowitz & Stegun 26.2.23, error < 4.5e-4)
    refined by Newton steps on Φ(z) = erfc(−z/√2)/2, to double precision."""
    t = math.sqrt(-2.0 * math.log(p))
    z = -(
        t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
    )
    for _ in range(4):
        err = 0.5 * math.erfc(-z * SQRT1_2) - p
        z -= err * SQRT_2PI * math.exp(0.5 * z * z)
    return z


@njit(cache=True)
def ndtri32(u: np.float32) -> np.float32:
    """scipy.special.ndtri of a float32 uniform clipped to [1e-7, 1 − 1e-7], as float32 (what the
    reference computes: the float32 loop of the ufunc)."""
    x = min(max(u, F32_LO), F32_HI)
    p = float(x)
    if p == 0.5:
        return np.float32(0.0)
    if p < 0.5:
        return np.float32(_ndtri_lower(p))
    return np.float32(-_ndtri_lower(1.0 - p))


# ----------------------------------------------------------------------------- mechanisms


@njit(cache=True, inline="always")
def attack_rate(base: float, gain: float, phase: int) -> float:  # model.spoilers.attack_rate
    return base * (1.0 + gain * min(phase, 4) / 4.0)


@njit(cache=True, inline="always")
def provocation_from(fatalities: float) -> float:  # model.spoilers.provocation_from
    return math.log1p(fatalities) / math.log1p(40.0)


@njit(cache=True, inline="always")
def crisis_trigger_prob(fat: float, intercept: float, slope: float) -> float:  # model.spoilers
    if fat > 0:
        return logistic(intercept + slope * math.log(max(fat, 1e-9)))
    return 0.0


@njit(cache=True, inline="always")
def setback(phase: int, u: float, setback_prob: float, track2_survival: float) -> int:  # model.process
    if phase == 1:
        drop = u < (1.0 - track2_survival)
    elif 2 <= phase <= 4:
        drop = u < setback_prob
    else:
        drop = False
    return phase - 1 if drop else phase


@njit(cache=True, inline="always")
def rung_cost(x: float, c: float) -> float:  # model.escalation.rung_cost
    h = x / 2.0
    return c * (h * h)


@njit(cache=True, inline="always")
def nuclear_risk(x: float, w: float, both_nuclear: bool) -> float:  # model.escalation.nuclear_risk
    if not both_nuclear:
        return 0.0
    return w * ((1.0 if x >= 5 else 0.0) + 3.0 * (1.0 if x >= 6 else 0.0))


@njit(cache=True, inline="always")
def choose_move(
    q: np.ndarray,
    rung: int,
    prov: float,
    recent: float,
    restraint: float,
    gp: float,
    crisis_day: int,
    both_nuclear: bool,
    cross_border: bool,
    patron: float,
    u: float,
) -> int:
    """model.escalation.move_utilities then model.escalation.choose, for one party."""
    r = float(rung)
    push = (
        q[ESC_BASE]
        + q[ESC_PROVOCATION] * prov
        + q[ESC_RECIPROCITY] * recent
        - q[ESC_RESTRAINT] * restraint
        - q[ESC_GP_MANAGEMENT] * gp
        - q[ESC_FATIGUE] * crisis_day
        + patron
    )
    c, nw = q[ESC_RUNG_COST], q[ESC_NUCLEAR_RISK]
    doctrine = q[CROSS_BORDER_RESTRAINT_COST] if cross_border else 0.0
    climb1 = (
        doctrine * (1.0 if (r + 1 >= 4 and r < 4) else 0.0)
        + q[WAR_THRESHOLD_COST] * (1.0 if (r + 1 >= 6 and r < 6) else 0.0)
        + (
            rung_cost(r + 1, c)
            - rung_cost(r, c)
            + nuclear_risk(r + 1, nw, both_nuclear)
            - nuclear_risk(r, nw, both_nuclear)
        )
    )
    climb2 = (
        doctrine * (1.0 if (r + 2 >= 4 and r < 4) else 0.0)
        + q[WAR_THRESHOLD_COST] * (1.0 if (r + 2 >= 6 and r < 6) else 0.0)
        + (
            rung_cost(r + 2, c)
            - rung_cost(r, c)
            + nuclear_risk(r + 2, nw, both_nuclear)
            - nuclear_risk(r, nw, both_nuclear)
        )
    )
    up1 = push - climb1
    up2 = push - q[ESC_TWO_STEP] - climb2
    down = (
        q[DEESC_BASE]
        + q[ESC_FATIGUE] * crisis_day
        + q[ESC_RESTRAINT] * restraint
        + 0.5 * q[ESC_GP_MANAGEMENT] * gp
        - q[ESC_PROVOCATION] * prov
    )
    if r <= max(q[POST_CRISIS_RUNG_CAP], 0.0) or r >= WAR_RUNG:
        down = -np.inf
    if r + 1 > 6:
        up1 = -np.inf
    if r + 2 > 6:
        up2 = -np.inf
    m = max(max(down, 0.0), max(up1, up2))
    w0 = math.exp(down - m)
    w1 = math.exp(0.0 - m)
    w2 = math.exp(up1 - m)
    w3 = math.exp(up2 - m)
    c0 = w0
    c1 = c0 + w1
    c2 = c1 + w2
    c3 = c2 + w3
    idx = 0
    if u > c0 / c3:
        idx += 1
    if u > c1 / c3:
        idx += 1
    if u > c2 / c3:
        idx += 1
    if u > c3 / c3:
        idx += 1
    return min(idx, 3) - 1


@njit(cache=True, inline="always")
def strike_decision_prob(
    q: np.ndarray,
    prov: float,
    restraint: float,
    gp: float,
    both_nuclear: bool,
    cross_border: bool,
    tilt: float,
) -> float:  # model.escalation.strike_decision_prob
    x = (
        q[RESPONSE_STRIKE_BASE]
        + q[RESPONSE_STRIKE_PROVOCATION] * (prov - 1.0)
        - q[ESC_RESTRAINT] * restraint
        - q[ESC_GP_MANAGEMENT] * gp
        + tilt
    )
    if both_nuclear:
        x = x - q[ESC_NUCLEAR_RISK]
    if cross_border:
        x = x - q[CROSS_BORDER_RESTRAINT_COST]
    return 1.0 / (1.0 + math.exp(-x))


@njit(cache=True, inline="always")
def deliberate(move: int, rung: int, lag_left: int, decide_strike: bool) -> int:  # model.escalation
    capped = min(move, DELIBERATION_MAX_RUNG - rung) if (lag_left > 1 and rung < STRIKE_RUNG) else move
    if lag_left == 1 and decide_strike and rung < STRIKE_RUNG:
        return STRIKE_RUNG - rung
    return capped


@njit(cache=True, inline="always")
def response_lag_days(u: np.float32, median_days: float, sdlog: float) -> int:  # model.escalation
    z = ndtri32(u)
    return max(int(np.rint(median_days * math.exp(sdlog * float(z)))), 1)


@njit(cache=True, inline="always")
def dyad_rung(rung: int, ma: int, mb: int) -> int:  # model.escalation.dyad_rung
    up = max(ma, mb)
    if up > 0:
        new = rung + up
    elif ma < 0 or mb < 0:
        new = rung - 1
    else:
        new = rung
    return min(max(new, 0), 6)


@njit(cache=True, inline="always")
def ripeness(q: np.ndarray, hurt0: float, hurt1: float, cat: float, trust: float) -> float:  # model.ripeness
    hurting = logistic(HURT_STEEPNESS * (hurt0 + cat - q[HURT_THRESHOLD])) * logistic(
        HURT_STEEPNESS * (hurt1 + cat - q[HURT_THRESHOLD])
    )
    w = clip(q[WAY_OUT] * (TRUST_FLOOR + trust), 0.0, 1.0)
    return q[STALEMATE] * hurting * w


# ----------------------------------------------------------------------------- mediation


@njit(cache=True)
def credibility_run(
    q: np.ndarray, bias: np.ndarray, i: int, war_aversion: np.ndarray, cred: np.ndarray
) -> None:
    """model.credibility.credibility for run i into cred [M, 2]."""
    for m in range(bias.shape[0]):
        beta_star = q[CRED_THRESHOLD] + q[CRED_WAR_AVERSION] * (war_aversion[m] - 0.5)
        for k in range(2):
            tilt = (bias[m, k, i] - bias[m, 1 - k, i]) / 2.0
            cred[m, k] = logistic(q[CRED_SHARPNESS] * (tilt - beta_star))


@njit(cache=True, inline="always")
def joined(mask: bool, forced: int) -> bool:  # step.with_joins_and_leaves
    if forced == 1:
        return True
    if forced == -1:
        return False
    return mask


@njit(cache=True)
def coalition_run(
    cred: np.ndarray, leverage: np.ndarray, active: np.ndarray, optimum: float, out: np.ndarray
) -> None:
    """model.credibility.coalition: out = [credibility 0, credibility 1, leverage, size]."""
    p0, p1, pl, k = 1.0, 1.0, 1.0, 0.0
    first = True
    for m in range(cred.shape[0]):
        a = 1.0 if active[m] else 0.0
        x0, x1, xl = 1.0 - a * cred[m, 0], 1.0 - a * cred[m, 1], 1.0 - a * leverage[m]
        if first:
            p0, p1, pl, k = x0, x1, xl, a
            first = False
        else:
            p0, p1, pl, k = p0 * x0, p1 * x1, pl * xl, k + a
    ratio = k / optimum
    out[0] = 1.0 - p0
    out[1] = 1.0 - p1
    out[2] = 1.0 - pl
    out[3] = ratio * math.exp(1.0 - ratio)


# ----------------------------------------------------------------------------- the days


@njit(cache=True)
def run_days(
    u: np.ndarray,  # float32 [blocks, slab days, 17, BLOCK_RUNS]
    day0: int,  # the first day produced (the slab's first step produces day0)
    ndays: int,
    horizon: int,
    q: np.ndarray,  # [blocks, P] parameters
    audience: np.ndarray,  # [blocks, 2, 3]
    gate_closed: np.ndarray,  # [blocks, 2, 3] bool
    cost_table: np.ndarray,  # [blocks, 7]
    decay_prov: np.ndarray,
    decay_recent: float,
    decay_hurt: np.ndarray,
    decay_cat: np.ndarray,
    gp_b: np.ndarray,
    p_other: np.ndarray,
    decay_standing: np.ndarray,
    decay_hardening: np.ndarray,
    patron_b: np.ndarray,  # [blocks, 2] great powers' tilt added to each party's push
    p_include: np.ndarray,
    phase_median: np.ndarray,  # [blocks, 6]
    # context
    both_nuclear: bool,
    cross_border: bool,
    spoiler_target: int,
    has_offerer: bool,
    offer_great_power: float,
    offer_standing_anchor: np.ndarray,  # [2] the offerer's standing at the start
    war_aversion: np.ndarray,
    med_leverage: np.ndarray,
    joins_at_phase: np.ndarray,
    initially_active: np.ndarray,
    enabled: np.ndarray,
    crisis_role: np.ndarray,
    phase_official: np.ndarray,  # [6] bool
    phase_tracks: np.ndarray,  # [6, 3] bool
    cbm_min_phase: np.ndarray,
    cbm_max_rung: np.ndarray,
    cbm_no_crisis: np.ndarray,
    cbm_gain: np.ndarray,
    ev_ptr: np.ndarray,  # [horizon + 1] offsets of each schedule day's events
    ev_kind: np.ndarray,
    ev_fat: np.ndarray,
    ev_target: np.ndarray,
    ev_mediator: np.ndarray,
    ev_delta: np.ndarray,
    ev_offerer: np.ndarray,  # bool: the event's actor is the offerer
    entry_score: np.ndarray,
    deesc_score: float,
    signal_score: float,
    nuclear_score: float,
    nuclear_use_fatalities: float,
    score_min: int,
    score_max: int,
    # state (updated in place)
    rung_s: np.ndarray,
    crisis_s: np.ndarray,
    crisis_day_s: np.ndarray,
    kinetic_days_s: np.ndarray,
    signal_s: np.ndarray,
    nuclear_use_s: np.ndarray,
    prov_s: np.ndarray,
    recent_s: np.ndarray,
    trust_s: np.ndarray,
    accept_s: np.ndarray,
    phase_s: np.ndarray,
    freeze_s: np.ndarray,
    age_s: np.ndarray,
    fat_s: np.ndarray,
    cost_s: np.ndarray,
    hurt_s: np.ndarray,
    cat_s: np.ndarray,
    bias_s: np.ndarray,
    forced_s: np.ndarray,
    lag_s: np.ndarray,
    held_s: np.ndarray,
    offer_bias_s: np.ndarray,
    standing_s: np.ndarray,
    hardening_s: np.ndarray,
    inclusion_s: np.ndarray,
    # records (updated in place)
    first: np.ndarray,  # int32 [metrics, n]
    crises: np.ndarray,
    total_score: np.ndarray,
    rung_diff: np.ndarray,  # [horizon + 2, 7] day-differences of the daily rung counts
    phase_diff: np.ndarray,  # [horizon + 2, 6]
    crisis_diff: np.ndarray,  # [horizon + 2]
    trust_daily: np.ndarray,
    score_hist: np.ndarray,  # days' non-zero scores only (zero: runs - score_nonzero)
    score_nonzero: np.ndarray,
    deesc_daily: np.ndarray,
    duration_hist: np.ndarray,
    kinetic_hist: np.ndarray,
    milestone_of_day: np.ndarray,  # [horizon + 1] index of the milestone, -1 if none
    fat_at: np.ndarray,
    n_keep: int,
    tr_rung: np.ndarray,
    tr_score: np.ndarray,
    tr_phase: np.ndarray,
    tr_trust: np.ndarray,
    tr_crisis: np.ndarray,
    tr_fat: np.ndarray,
) -> None:
    """Advance every run by `ndays` days from day0 - 1, recording each day (see module doc)."""
    nb, _, _, br = u.shape
    M = bias_s.shape[0]
    cred = np.zeros((M, 2))
    active = np.zeros(M, dtype=np.bool_)
    co = np.zeros(4)
    acc = np.zeros((2, 3), dtype=np.bool_)
    for b in range(nb):
        qb = q[b]
        for j in range(br):
            i = b * br + j
            rung = int(rung_s[i])
            crisis = crisis_s[i]
            cday = int(crisis_day_s[i])
            kdays = int(kinetic_days_s[i])
            signal = signal_s[i]
            nuse = nuclear_use_s[i]
            prov0, prov1 = prov_s[0, i], prov_s[1, i]
            rec0, rec1 = recent_s[0, i], recent_s[1, i]
            trust = trust_s[i]
            for a in range(2):
                for t in range(3):
                    acc[a, t] = accept_s[a, t, i]
            phase = int(phase_s[i])
            freeze = int(freeze_s[i])
            age = int(age_s[i])
            fat = fat_s[i]
            cost0, cost1 = cost_s[0, i], cost_s[1, i]
            hurt0, hurt1 = hurt_s[0, i], hurt_s[1, i]
            cat = cat_s[i]
            lag0, lag1 = int(lag_s[0, i]), int(lag_s[1, i])
            held = held_s[i]
            st0, st1 = standing_s[0, i], standing_s[1, i]
            hard0, hard1 = hardening_s[0, i], hardening_s[1, i]
            incl = inclusion_s[i]
            offer0, offer1 = 0.0, 0.0
            stale = True
            seg_rung, seg_phase, seg_crisis = rung, phase, crisis
            seg_rung_from = seg_phase_from = seg_crisis_from = day0
            last_key = state_key(
                rung, phase, signal, age, nuse, acc
            )  # mediator credibility must be (re)computed
            coverage, leverage = 0.0, 0.0
            for t_ in range(ndays):
                day = day0 + t_
                slot = (day - 1) % u.shape[1]
                alive = not nuse
                score = 0.0
                deesc = 0

                # --- scheduled events and spoiler attacks
                forced, forced_target = 0.0, spoiler_target
                for e in range(ev_ptr[day - 1], ev_ptr[day]):
                    kind = ev_kind[e]
                    if kind == EV_ATTACK:
                        forced = ev_fat[e]
                        forced_target = ev_target[e] if ev_target[e] >= 0 else spoiler_target
                    elif kind == EV_BIAS_SHIFT or kind == EV_FACTION_SHIFT:  # noqa: SIM109 (numba)
                        # a bias shift moves one bias; a faction shift (a public tilt) moves the
                        # actor toward the target and away from the other party, and moves the
                        # offerer's standing the same way (step.apply_schedule)
                        m, k = ev_mediator[e], ev_target[e]
                        for side in range(1 if kind == EV_BIAS_SHIFT else 2):
                            jj = k if side == 0 else 1 - k
                            dj = ev_delta[e] if side == 0 else -ev_delta[e]
                            if m >= 0:
                                bias_s[m, jj, i] = clip(bias_s[m, jj, i] + dj, -1.0, 1.0)
                            if ev_offerer[e]:
                                offer_bias_s[jj, i] = clip(offer_bias_s[jj, i] + dj, -1.0, 1.0)
                                if kind == EV_FACTION_SHIFT:
                                    if jj == 0:
                                        st0 = clip(st0 + dj, -1.0, 1.0)
                                    else:
                                        st1 = clip(st1 + dj, -1.0, 1.0)
                        stale = True
                    elif kind == EV_JOIN:
                        forced_s[ev_mediator[e], i] = 1
                        stale = True
                    elif kind == EV_LEAVE:
                        forced_s[ev_mediator[e], i] = -1
                        stale = True
                    elif kind == EV_TRUST_SHOCK:
                        trust = clip(trust + ev_delta[e], 0.0, 1.0)
                rate = attack_rate(qb[ATTACK_RATE], qb[ATTACK_PROGRESS_GAIN], phase)
                attacked = below(u[b, slot, U_ATTACK, j], rate)
                f_att = 0.0
                if attacked:
                    z = ndtri32(u[b, slot, U_SEVERITY, j])
                    f_att = math.exp(qb[SEVERITY_LOG_MEAN] + qb[SEVERITY_LOG_SD] * z)
                attacked = attacked and alive
                is_forced = forced > 0
                if is_forced:
                    attacked = True
                    f_att = forced
                if not attacked:
                    f_att = 0.0
                trig = False
                if attacked:
                    target = forced_target if is_forced else spoiler_target
                    inc = provocation_from(f_att)
                    if target == 0:
                        prov0 += inc
                        hard0 += inc
                    else:
                        prov1 += inc
                        hard1 += inc
                    trust = clip(trust - qb[TRUST_ATTACK_HIT] * inc, 0.0, 1.0)
                    fat += f_att
                    trig = u[b, slot, U_TRIGGER, j] < crisis_trigger_prob(
                        f_att, qb[TRIGGER_INTERCEPT], qb[TRIGGER_SLOPE]
                    )
                other = alive and (u[b, slot, U_OTHER, j] < p_other[b])
                if other and not crisis:
                    prov0 += OTHER_TRIGGER_PROVOCATION
                    prov1 += OTHER_TRIGGER_PROVOCATION
                new_crisis = (not crisis) and (trig or other or is_forced) and alive
                crisis = crisis or new_crisis
                if attacked and (trig or is_forced) and crisis:
                    # a crisis-grade attack starts the attacked party's deliberation (if none runs)
                    if target == 0 and lag0 == 0:
                        lag0 = (
                            response_lag_days(
                                u[b, slot, U_LAG, j], qb[RESPONSE_LAG_MEDIAN_DAYS], qb[RESPONSE_LAG_SDLOG]
                            )
                            + 1
                        )
                    elif target == 1 and lag1 == 0:
                        lag1 = (
                            response_lag_days(
                                u[b, slot, U_LAG, j], qb[RESPONSE_LAG_MEDIAN_DAYS], qb[RESPONSE_LAG_SDLOG]
                            )
                            + 1
                        )
                if new_crisis:
                    cday = 0
                if attacked and crisis:
                    freeze = max(freeze, int(qb[FREEZE_DAYS]))
                if new_crisis:
                    phase = setback(phase, u[b, slot, U_SETBACK, j], qb[SETBACK_PROB], qb[TRACK2_SURVIVAL])

                # --- mediation: credibility and the offered coalition, cached until they change
                if M > 0 and stale:
                    credibility_run(qb, bias_s, i, war_aversion, cred)
                    for m in range(M):
                        offered = (
                            initially_active[m] or (enabled[m] and joins_at_phase[m] >= 0) or crisis_role[m]
                        ) and enabled[m]
                        active[m] = joined(offered, forced_s[m, i])
                    coalition_run(cred, med_leverage, active, qb[COALITION_OPTIMUM], co)
                    coverage = min(co[0], co[1]) * co[3]
                    leverage = co[2]
                if stale:
                    # the offerer's tilt and status (acceptance.offer_term without the daily terms)
                    tilt0 = (offer_bias_s[0, i] - offer_bias_s[1, i]) / 2.0
                    tilt1 = (offer_bias_s[1, i] - offer_bias_s[0, i]) / 2.0
                    gpo = qb[OFFER_GREAT_POWER] * offer_great_power
                    offer0 = (
                        qb[OFFER_TILT] * tilt0 + gpo + qb[OFFER_STANDING] * 0.0 - qb[OFFER_HARDENING] * 0.0
                    )
                    offer1 = (
                        qb[OFFER_TILT] * tilt1 + gpo + qb[OFFER_STANDING] * 0.0 - qb[OFFER_HARDENING] * 0.0
                    )
                    stale = False

                # --- crisis dynamics
                ended, cf = False, False
                ended_duration, kinetic_ended = 0, 0
                cat *= decay_cat[b]
                if crisis and alive:
                    gp = gp_b[b]
                    res0, res1 = 0.0, 0.0
                    if M > 0:
                        for m in range(M):
                            if joins_at_phase[m] >= 0:
                                by_phase = phase >= joins_at_phase[m]
                            else:
                                by_phase = initially_active[m]
                            by_phase = (by_phase or crisis_role[m]) and enabled[m]
                            active[m] = joined(by_phase, forced_s[m, i])
                        coalition_run(cred, med_leverage, active, qb[COALITION_OPTIMUM], co)
                        res0 = co[0] * co[2] * co[3]
                        res1 = co[1] * co[2] * co[3]
                    r0 = rung
                    u_a, u_b = u[b, slot, U_MOVE_A, j], u[b, slot, U_MOVE_B, j]
                    ma = choose_move(
                        qb, rung, prov0, rec0, res0, gp, cday, both_nuclear, cross_border, patron_b[b, 0], u_a
                    )
                    mb = choose_move(
                        qb, rung, prov1, rec1, res1, gp, cday, both_nuclear, cross_border, patron_b[b, 1], u_b
                    )
                    # deliberate response: an attacked party holds below strikes until its decision day
                    if lag0 > 0:
                        p_strike = (
                            strike_decision_prob(
                                qb, prov0, res0, gp, both_nuclear, cross_border, patron_b[b, 0]
                            )
                            if lag0 == 1
                            else 0.0
                        )
                        ma = deliberate(ma, rung, lag0, u_a > 1.0 - p_strike)
                    if lag1 > 0:
                        p_strike = (
                            strike_decision_prob(
                                qb, prov1, res1, gp, both_nuclear, cross_border, patron_b[b, 1]
                            )
                            if lag1 == 1
                            else 0.0
                        )
                        mb = deliberate(mb, rung, lag1, u_b > 1.0 - p_strike)
                    new_rung = dyad_rung(rung, ma, mb)
                    cscore = 0.0
                    for side in range(2):
                        mv = ma if side == 0 else mb
                        up = mv > 0
                        entered = min(max(rung + mv, 0), 6)
                        s_i = (entry_score[entered] if up else 0.0) + (deesc_score if mv < 0 else 0.0)
                        cscore += s_i
                        if mv < 0:
                            deesc += 1
                        bump = (
                            KINETIC_PROVOCATION * entry_score[entered] / MAX_ENTRY_SCORE
                            if (up and entered >= 4)
                            else 0.0
                        )
                        if side == 0:
                            rec1 += 1.0 if up else 0.0
                            prov1 += bump
                        else:
                            rec0 += 1.0 if up else 0.0
                            prov0 += bump
                        trust = clip(
                            trust - qb[TRUST_ESCALATION_HIT] * max(s_i, 0.0) / MAX_ENTRY_SCORE, 0.0, 1.0
                        )
                    rung = new_rung

                    # nuclear signalling and use (model.nuclear)
                    sig_p = 0.0
                    if both_nuclear and rung >= SIGNAL_MIN_RUNG:
                        sig_p = logistic(qb[NS_INTERCEPT] + qb[NS_SLOPE] * (float(rung) - SIGNAL_CENTRE_RUNG))
                    new_signal = (not signal) and (u[b, slot, U_SIGNAL, j] < sig_p)
                    signal = signal or new_signal
                    if new_signal:
                        cscore += signal_score
                    use_p = 0.0
                    if both_nuclear and signal:
                        mult = WAR_USE_MULTIPLIER if rung >= 6 else (1.0 if rung >= 5 else 0.0)
                        use_p = qb[NUCLEAR_USE_DAILY] * mult
                    use = u[b, slot, U_USE, j] < use_p
                    if use:
                        cscore += nuclear_score
                        fat += nuclear_use_fatalities
                        rung = 6
                    nuse = nuse or use
                    near_cat = new_signal or (rung >= 5 and r0 < 5)
                    cat += 1.0 if near_cat else 0.0

                    # fighting: fatalities at rung >= 4; strikes (rung 5) end by a hotline ceasefire,
                    # war (rung 6) and sustained fire (rung 4) by their own hazards (model.ceasefire)
                    if rung >= DELIBERATION_MAX_RUNG and not nuse:
                        k3 = min(max(rung - 3, 0), 3)
                        per_day = (
                            qb[FATALITIES_RUNG4]
                            if k3 == 1
                            else (qb[FATALITIES_RUNG5] if k3 == 2 else qb[FATALITIES_RUNG6])
                        )
                        zf = float(ndtri32(u[b, slot, U_FATAL, j]))
                        fat += per_day * math.exp(FATALITY_LOG_SD * zf - FATALITY_LOG_MEAN_SHIFT)
                    kinetic = rung >= STRIKE_RUNG and not nuse
                    kdays = kdays + 1 if kinetic else 0
                    if kinetic:
                        if rung >= WAR_RUNG:  # full-scale war ends at its own steady rate
                            x = qb[WAR_END_BASE]
                        else:
                            x = (
                                qb[CEASEFIRE_BASE]
                                + qb[CEASEFIRE_CATASTROPHE] * min(cat, 1.0)
                                + qb[CEASEFIRE_GP] * gp
                                + qb[CEASEFIRE_MEDIATOR] * ((res0 + res1) / 2.0)
                                + qb[CEASEFIRE_DAYS] * kdays
                            )
                        cf = u[b, slot, U_CEASEFIRE, j] < logistic(x)
                    if cf:
                        kinetic_ended = kdays
                        rung = int(min(float(rung), qb[CEASEFIRE_RUNG]))
                        kdays = 0
                        prov0 = CEASEFIRE_PROVOCATION_KEPT * prov0
                        prov1 = CEASEFIRE_PROVOCATION_KEPT * prov1
                        rec0, rec1 = 0.0, 0.0
                        cscore += CEASEFIRE_DEESCALATIONS * deesc_score
                        deesc += CEASEFIRE_DEESCALATIONS
                    if (
                        rung == DELIBERATION_MAX_RUNG
                        and not nuse
                        and u[b, slot, U_CEASEFIRE, j] < logistic(qb[FIRE_END_BASE])
                    ):
                        rung -= 1
                        cscore += deesc_score
                        deesc += 1
                    held = held or cf

                    # crisis end
                    end_p = 0.0
                    if rung <= CRISIS_END_MAX_RUNG:
                        x = (
                            qb[CRISIS_END_BASE]
                            + qb[CRISIS_END_DAYS] * cday
                            + qb[CRISIS_END_CEASEFIRE] * (1.0 if held else 0.0)
                            - qb[CRISIS_END_PROVOCATION] * max(prov0, prov1)
                        )
                        end_p = logistic(x)
                    ended = u[b, slot, U_END, j] < end_p
                    if ended:
                        rung = int(min(float(rung), qb[POST_CRISIS_RUNG_CAP]))
                        ended_duration = cday + 1
                        signal = False
                        crisis = False
                        held = False
                        lag0, lag1 = 0, 0
                    else:
                        lag0, lag1 = max(lag0 - 1, 0), max(lag1 - 1, 0)
                    score += cscore
                cday = cday + 1 if crisis else 0

                # --- standing measures outside crises: lifting one rung at a time
                # (trust <= 1 bounds the rate by normalise_rate · e · (1 + phase): test that first)
                if (
                    (not crisis)
                    and alive
                    and rung > 0
                    and u[b, slot, U_NORMALISE, j] < qb[NORMALISE_RATE] * E_BOUND * (1.0 + phase) / 365.0
                    and below(
                        u[b, slot, U_NORMALISE, j],
                        qb[NORMALISE_RATE] * math.exp(NORMALISE_TRUST_WEIGHT * (trust - 0.5)) * (1.0 + phase),
                    )
                ):
                    rung -= 1
                    score += deesc_score
                    deesc += 1

                # --- costs, hurt, decays
                day_cost = cost_table[b, rung]
                pc1 = day_cost * qb[SECOND_PARTY_COST_RATIO]
                cost0 += day_cost
                cost1 += pc1
                hurt0 = hurt0 * decay_hurt[b] + day_cost
                hurt1 = hurt1 * decay_hurt[b] + pc1
                prov0 *= decay_prov[b]
                prov1 *= decay_prov[b]
                rec0 *= decay_recent
                rec1 *= decay_recent

                # --- ripeness and acceptance (model.ripeness, model.acceptance)
                # ripeness and the utility of accepting are computed only when a uniform falls
                # below the largest probability they could give (rarely, on most days)
                have_common = False
                ripe, common = 0.0, 0.0
                for a in range(2):
                    ua = u[b, slot, U_ACCEPT_A, j] if a == 0 else u[b, slot, U_ACCEPT_B, j]
                    # the offerer's part with today's standing and hardening (acceptance.offer_term)
                    if a == 0:
                        offer_a = offer0 + qb[OFFER_STANDING] * st0 - qb[OFFER_HARDENING] * hard0
                    else:
                        offer_a = offer1 + qb[OFFER_STANDING] * st1 - qb[OFFER_HARDENING] * hard1
                    for t in range(3):
                        official = t > 0
                        am = (0.0 if official else CRISIS_ACCEPT_TRACK2) if crisis else 1.0
                        wm = (
                            (CRISIS_WITHDRAW_OFFICIAL if official else CRISIS_WITHDRAW_TRACK2)
                            if crisis
                            else 1.0
                        )
                        if acc[a, t]:
                            bound = qb[WITHDRAW_RATE] * wm / 365.0 * (1.0 + 1e-9)
                        else:
                            bound = qb[ACCEPT_RATE] / 365.0 * am * (1.0 + 1e-9)
                        if ua >= bound:
                            new = acc[a, t]
                        else:
                            if not have_common:
                                ripe = ripeness(qb, hurt0, hurt1, cat, trust)
                                common = (
                                    qb[ACCEPT_GAIN] * coverage * (LEVERAGE_FLOOR + leverage)
                                    + qb[ACCEPT_RIPENESS] * ripe
                                    + qb[ACCEPT_TRUST] * trust
                                    - 0.0
                                )
                                have_common = True
                            s = logistic(common + offer_a - audience[b, a, t])
                            if acc[a, t]:
                                new = not (ua < daily_prob(qb[WITHDRAW_RATE] * (1.0 - s) * wm))
                            else:
                                new = ua < daily_prob(qb[ACCEPT_RATE] * s) * am
                        acc[a, t] = new and not gate_closed[b, a, t] and alive
                hard0 *= decay_hardening[b]
                hard1 *= decay_hardening[b]
                if has_offerer:  # model.standing.update_standing: fades to the anchor, erodes on rejection
                    st0 = clip(
                        offer_standing_anchor[0]
                        + (st0 - offer_standing_anchor[0]) * decay_standing[b]
                        - (qb[STANDING_EROSION] / 365.0 if not acc[0, 0] else 0.0),
                        -1.0,
                        1.0,
                    )
                    st1 = clip(
                        offer_standing_anchor[1]
                        + (st1 - offer_standing_anchor[1]) * decay_standing[b]
                        - (qb[STANDING_EROSION] / 365.0 if not acc[1, 0] else 0.0),
                        -1.0,
                        1.0,
                    )

                # --- process: trust, CBMs, phase changes (model.process)
                gain = 0.0
                for c in range(cbm_gain.shape[0]):
                    ok = phase >= cbm_min_phase[c] and rung <= cbm_max_rung[c]
                    if cbm_no_crisis[c]:
                        ok = ok and not crisis
                    gain += cbm_gain[c] if ok else 0.0
                trust = trust + (qb[TRUST_BASELINE] - trust) / qb[TRUST_RELAX_DAYS] + gain
                # stakeholder inclusion (model.process.include) and the trust it adds
                if phase >= 2 and not crisis:
                    incl = incl + (1.0 - incl) * p_include[b]
                if incl > 0.0:
                    trust += qb[INCLUSION_TRUST] * incl / 365.0
                trust = clip(trust, 0.0, 1.0)
                if 1 <= phase <= 4:
                    ok = True
                    for t in range(3):
                        if phase_tracks[phase, t] and not (acc[0, t] and acc[1, t]):
                            ok = False
                    if not ok:
                        phase -= 1
                if alive and phase < 5:
                    nxt = min(phase + 1, 5)
                    official_next = phase_official[nxt]
                    ok = True
                    for t in range(3):
                        if phase_tracks[nxt, t] and not (acc[0, t] and acc[1, t]):
                            ok = False
                    h = 0.0
                    if ok and not crisis and not (official_next and freeze > 0):
                        base = (
                            math.log(2.0)
                            / phase_median[b, nxt]
                            * math.exp(qb[ADVANCE_TRUST] * (trust - qb[ADVANCE_TRUST_REFERENCE]))
                        )
                        if official_next:
                            cv = qb[ADVANCE_COVERAGE_FLOOR] + (1 - qb[ADVANCE_COVERAGE_FLOOR]) * coverage
                            if not have_common:
                                ripe = ripeness(qb, hurt0, hurt1, cat, trust)
                            rp = qb[ADVANCE_RIPENESS_FLOOR] + (1 - qb[ADVANCE_RIPENESS_FLOOR]) * ripe
                            base = base * cv * rp
                        h = -math.expm1(-base)
                    if u[b, slot, U_ADVANCE, j] < h:
                        phase = nxt
                        score += deesc_score
                        if phase == 5:
                            age = -2  # becomes 0 below
                freeze = max(freeze - 1, 0)

                # --- durability of an agreement (model.durability)
                if age == -2:
                    age = 0
                elif age >= 0:
                    age += 1
                if age >= 0:
                    ind = qb[INDUCEMENT] * math.pow(0.5, age / qb[INDUCEMENT_HALF_LIFE_DAYS])
                    # model.durability.legitimate_gap, then the inducement
                    gap = max(0.0, max(0.0, qb[SETTLEMENT_GAP] - qb[INCLUSION_LEGITIMACY] * incl) - ind)
                    brate = (
                        qb[BREAKDOWN_RATE]
                        * math.exp(qb[BREAKDOWN_GAP_WEIGHT] * gap)
                        * (CRISIS_BREAKDOWN if crisis else 1.0)
                    )
                    if u[b, slot, U_BREAKDOWN, j] < daily_prob(brate):
                        age = -1
                        phase = 4

                # --- the day's records (sim.chunk)
                if new_crisis:
                    crises[i] += 1
                    if first[M_CRISIS, i] > day:
                        first[M_CRISIS, i] = day
                if cf and first[M_CEASEFIRE, i] > day:
                    first[M_CEASEFIRE, i] = day
                if ended and ended_duration < duration_hist.shape[0]:
                    duration_hist[ended_duration] += 1
                if cf and kinetic_ended < kinetic_hist.shape[0]:
                    kinetic_hist[kinetic_ended] += 1
                if deesc:
                    deesc_daily[day] += deesc
                si = int(np.rint(score))
                if si != 0:
                    total_score[i] += si
                    score_hist[day, min(max(si, score_min), score_max) - score_min] += 1
                    score_nonzero[day] += 1
                trust_daily[day] += np.int64(np.rint(trust * 1e4))
                # daily counts of the rung, phase and crisis as segments of unchanged days
                if rung != seg_rung:
                    rung_diff[seg_rung_from, seg_rung] += 1
                    rung_diff[day, seg_rung] -= 1
                    seg_rung, seg_rung_from = rung, day
                if phase != seg_phase:
                    phase_diff[seg_phase_from, seg_phase] += 1
                    phase_diff[day, seg_phase] -= 1
                    seg_phase, seg_phase_from = phase, day
                if crisis != seg_crisis:
                    if seg_crisis:
                        crisis_diff[seg_crisis_from] += 1
                        crisis_diff[day] -= 1
                    seg_crisis, seg_crisis_from = crisis, day
                key = state_key(rung, phase, signal, age, nuse, acc)
                if key != last_key:
                    record_first(day, i, rung, phase, signal, age, nuse, acc, first)
                    last_key = key
                jm = milestone_of_day[day]
                if jm >= 0:
                    fat_at[jm, i] = fat
                if i < n_keep:
                    tr_rung[i, day] = rung
                    tr_score[i, day] = score
                    tr_phase[i, day] = phase
                    tr_trust[i, day] = trust
                    tr_crisis[i, day] = crisis
                    tr_fat[i, day] = fat

            rung_s[i] = rung
            crisis_s[i] = crisis
            crisis_day_s[i] = cday
            kinetic_days_s[i] = kdays
            signal_s[i] = signal
            nuclear_use_s[i] = nuse
            prov_s[0, i], prov_s[1, i] = prov0, prov1
            recent_s[0, i], recent_s[1, i] = rec0, rec1
            trust_s[i] = trust
            for a in range(2):
                for t in range(3):
                    accept_s[a, t, i] = acc[a, t]
            phase_s[i] = phase
            freeze_s[i] = freeze
            age_s[i] = age
            fat_s[i] = fat
            cost_s[0, i], cost_s[1, i] = cost0, cost1
            hurt_s[0, i], hurt_s[1, i] = hurt0, hurt1
            cat_s[i] = cat
            lag_s[0, i], lag_s[1, i] = lag0, lag1
            held_s[i] = held
            standing_s[0, i], standing_s[1, i] = st0, st1
            hardening_s[0, i], hardening_s[1, i] = hard0, hard1
            inclusion_s[i] = incl
            end = day0 + ndays
            rung_diff[seg_rung_from, seg_rung] += 1
            rung_diff[end, seg_rung] -= 1
            phase_diff[seg_phase_from, seg_phase] += 1
            phase_diff[end, seg_phase] -= 1
            if seg_crisis:
                crisis_diff[seg_crisis_from] += 1
                crisis_diff[end] -= 1


@njit(cache=True, inline="always")
def state_key(rung: int, phase: int, signal: bool, age: int, nuse: bool, acc: np.ndarray) -> int:
    """The recorded state packed into one integer: first passages can change only when it does."""
    key = rung | (phase << 3) | (int(signal) << 6) | (int(age >= 0) << 7) | (int(nuse) << 8)
    for a in range(2):
        for t in range(3):
            key |= int(acc[a, t]) << (9 + 3 * a + t)
    return key


@njit(cache=True, inline="always")
def record_first(
    day: int,
    i: int,
    rung: int,
    phase: int,
    signal: bool,
    age: int,
    nuse: bool,
    acc: np.ndarray,
    first: np.ndarray,
) -> None:
    """First-passage days of the recorded conditions (sim.outcomes.metric_names) reached today."""
    for k in range(1, 7):
        if rung >= k and first[k, i] > day:
            first[k, i] = day
    if signal and first[M_SIGNAL, i] > day:
        first[M_SIGNAL, i] = day
    for k in range(1, 6):
        if phase >= k and first[M_SIGNAL + k, i] > day:
            first[M_SIGNAL + k, i] = day
    if age >= 0 and first[M_AGREEMENT, i] > day:
        first[M_AGREEMENT, i] = day
    if ((acc[0, 1] and acc[1, 1]) or (acc[0, 2] and acc[1, 2])) and first[M_MEDIATION, i] > day:
        first[M_MEDIATION, i] = day
    if nuse and first[M_NUCLEAR_USE, i] > day:
        first[M_NUCLEAR_USE, i] = day
    for a in range(2):
        for t in range(3):
            if acc[a, t] and first[M_ACCEPT + 3 * a + t, i] > day:
                first[M_ACCEPT + 3 * a + t, i] = day


@njit(cache=True, inline="always")
def record(
    day: int,
    i: int,
    rung: int,
    phase: int,
    crisis: bool,
    trust: float,
    signal: bool,
    age: int,
    nuse: bool,
    acc: np.ndarray,
    score: float,
    fat: float,
    score_min: int,
    score_max: int,
    first: np.ndarray,
    rung_daily: np.ndarray,
    phase_daily: np.ndarray,
    crisis_daily: np.ndarray,
    trust_daily: np.ndarray,
    score_hist: np.ndarray,
    milestone_of_day: np.ndarray,
    fat_at: np.ndarray,
    n_keep: int,
    tr_rung: np.ndarray,
    tr_score: np.ndarray,
    tr_phase: np.ndarray,
    tr_trust: np.ndarray,
    tr_crisis: np.ndarray,
    tr_fat: np.ndarray,
) -> None:
    """One run's entry in the day's counts and first-passage days (the recorder of sim.chunk)."""
    rung_daily[day, rung] += 1
    phase_daily[day, phase] += 1
    if crisis:
        crisis_daily[day] += 1
    trust_daily[day] += np.int64(np.rint(trust * 1e4))
    record_first(day, i, rung, phase, signal, age, nuse, acc, first)
    s = min(max(int(np.rint(score)), score_min), score_max) - score_min
    score_hist[day, s] += 1
    j = milestone_of_day[day]
    if j >= 0:
        fat_at[j, i] = fat
    if i < n_keep:
        tr_rung[i, day] = rung
        tr_score[i, day] = score
        tr_phase[i, day] = phase
        tr_trust[i, day] = trust
        tr_crisis[i, day] = crisis
        tr_fat[i, day] = fat


@njit(cache=True)
def record_start(
    rung_s: np.ndarray,
    phase_s: np.ndarray,
    crisis_s: np.ndarray,
    trust_s: np.ndarray,
    signal_s: np.ndarray,
    age_s: np.ndarray,
    nuclear_use_s: np.ndarray,
    accept_s: np.ndarray,
    fat_s: np.ndarray,
    score_min: int,
    score_max: int,
    first: np.ndarray,
    rung_daily: np.ndarray,
    phase_daily: np.ndarray,
    crisis_daily: np.ndarray,
    trust_daily: np.ndarray,
    score_hist: np.ndarray,
    milestone_of_day: np.ndarray,
    fat_at: np.ndarray,
    n_keep: int,
    tr_rung: np.ndarray,
    tr_score: np.ndarray,
    tr_phase: np.ndarray,
    tr_trust: np.ndarray,
    tr_crisis: np.ndarray,
    tr_fat: np.ndarray,
) -> None:
    """Day 0 (the initial state, score 0) in the records."""
    acc = np.zeros((2, 3), dtype=np.bool_)
    for i in range(rung_s.shape[0]):
        for a in range(2):
            for t in range(3):
                acc[a, t] = accept_s[a, t, i]
        record(
            0,
            i,
            int(rung_s[i]),
            int(phase_s[i]),
            crisis_s[i],
            trust_s[i],
            signal_s[i],
            int(age_s[i]),
            nuclear_use_s[i],
            acc,
            0.0,
            fat_s[i],
            score_min,
            score_max,
            first,
            rung_daily,
            phase_daily,
            crisis_daily,
            trust_daily,
            score_hist,
            milestone_of_day,
            fat_at,
            n_keep,
            tr_rung,
            tr_score,
            tr_phase,
            tr_trust,
            tr_crisis,
            tr_fat,
        )


# ----------------------------------------------------------------------------- the driver


def _schedule_table(ctx: Any, horizon: int) -> tuple[np.ndarray, ...]:
    """The schedule as flat event arrays with per-day offsets (days 0 .. horizon - 1)."""
    rows: list[tuple[int, float, int, int, float, float]] = []
    ptr = np.zeros(horizon + 1, dtype=np.int64)
    for day in range(horizon):
        for ev in ctx.schedule.get(day, []):
            kind, m, k = ev["kind"], ev["mediator_index"], ev["target_index"]
            delta = float(ev["delta"]) if ev.get("delta") is not None else 0.0
            if kind == "attack":
                rows.append((EV_ATTACK, float(ev["fatalities"]), -1 if k is None else k, -1, 0.0, 0.0))
            elif kind in ("bias_shift", "faction_shift") and k is not None:
                code = EV_BIAS_SHIFT if kind == "bias_shift" else EV_FACTION_SHIFT
                offerer = float(ev["actor"] == ctx.offerer)
                rows.append((code, 0.0, k, -1 if m is None else m, delta, offerer))
            elif kind in ("join", "leave") and m is not None:
                rows.append((EV_JOIN if kind == "join" else EV_LEAVE, 0.0, -1, m, 0.0, 0.0))
            elif kind == "trust_shock":
                rows.append((EV_TRUST_SHOCK, 0.0, -1, -1, delta, 0.0))
        ptr[day + 1] = len(rows)
    table = np.array(rows, dtype=np.float64).reshape(-1, 6)
    return (
        ptr,
        table[:, 0].astype(np.int64),
        table[:, 1].copy(),
        table[:, 2].astype(np.int64),
        table[:, 3].astype(np.int64),
        table[:, 4].copy(),
        table[:, 5] > 0,
    )


def simulate(
    state: Any,
    p: dict[str, np.ndarray],
    d: Any,
    ctx: Any,
    rngs: list[np.random.Generator],
    horizon: int,
    slab_days: int,
    n_uniforms: int,
    block_runs: int,
    rec: dict[str, Any],
) -> None:
    """Run the chunk's days with the compiled kernel, updating `state` and the records `rec` in
    place (the same records as the numpy loop of `tashkent.sim.chunk`)."""
    from tashkent.sim import step as ref
    from tashkent.sim.outcomes import SCORE_MAX, SCORE_MIN

    nb = len(rngs)
    per_block = slice(None, None, block_runs)  # parameters are constant within a block
    q = np.ascontiguousarray(np.stack([p[k][per_block] for k in KERNEL_PARAMS], axis=1))
    n = state.n
    audience = np.ascontiguousarray(d.audience[:, :, per_block].transpose(2, 0, 1))
    gate = (
        np.ascontiguousarray(d.gate_closed[:, :, per_block].transpose(2, 0, 1))
        if d.gate_closed is not None
        else np.zeros((nb, 2, 3), dtype=bool)
    )
    cost_table = np.ascontiguousarray(d.cost_table[:, per_block].T)
    phase_median = np.ones((nb, 6))
    for k, name in ctx.phase_median.items():
        phase_median[:, k] = p[name][per_block]
    tracks = np.zeros((6, 3), dtype=bool)
    for k, ts in enumerate(ctx.phase_tracks):
        tracks[k, ts] = True
    cbms = ctx.cbms
    cbm_min_phase = np.array([c["min_phase"] for c in cbms], dtype=np.int64)
    cbm_max_rung = np.array(
        [99 if c.get("max_rung") is None else c["max_rung"] for c in cbms], dtype=np.int64
    )
    cbm_no_crisis = np.array([bool(c.get("requires_no_crisis", True)) for c in cbms], dtype=bool)
    cbm_gain = np.array([c["trust_gain_per_year"] / 365.0 for c in cbms], dtype=np.float64)
    events = _schedule_table(ctx, horizon)
    mday = np.full(horizon + 1, -1, dtype=np.int64)
    for j, dd in enumerate(rec["milestones"]):
        mday[dd] = j
    tr = rec["traj"]
    statics = (
        q,
        audience,
        gate,
        cost_table,
        np.ascontiguousarray(d.decay_prov[per_block]),
        float(d.decay_recent),
        np.ascontiguousarray(d.decay_hurt[per_block]),
        np.ascontiguousarray(d.decay_cat[per_block]),
        np.ascontiguousarray(np.broadcast_to(d.gp, (n,))[per_block]),
        np.ascontiguousarray(np.broadcast_to(d.p_other, (n,))[per_block]),
        np.ascontiguousarray(np.broadcast_to(d.decay_standing, (n,))[per_block]),
        np.ascontiguousarray(np.broadcast_to(d.decay_hardening, (n,))[per_block]),
        np.ascontiguousarray(d.patron[:, per_block].T),
        np.ascontiguousarray(np.broadcast_to(d.p_include, (n,))[per_block]),
        phase_median,
        bool(ctx.both_nuclear),
        bool(ctx.cross_border_restraint),
        int(ctx.spoiler_target),
        ctx.offerer is not None,
        float(ctx.offer_great_power),
        np.asarray(ctx.offer_standing, dtype=np.float64),
        np.asarray(ctx.war_aversion, dtype=np.float64),
        np.asarray(ctx.leverage, dtype=np.float64),
        np.asarray(ctx.joins_at_phase, dtype=np.int64),
        np.asarray(ctx.initially_active, dtype=bool),
        np.asarray(ctx.enabled, dtype=bool),
        np.asarray(ctx.crisis_role, dtype=bool),
        np.asarray(ctx.phase_official, dtype=bool),
        tracks,
        cbm_min_phase,
        cbm_max_rung,
        cbm_no_crisis,
        cbm_gain,
        *events,
        np.asarray(ref.ENTRY_SCORE, dtype=np.float64),
        float(ref.DEESC_SCORE),
        float(ref.SIGNAL_SCORE),
        float(ref.NUCLEAR_SCORE),
        float(ref.NUCLEAR_USE_FATALITIES),
        SCORE_MIN,
        SCORE_MAX,
    )
    s = state
    states = (
        s.rung, s.crisis, s.crisis_day, s.kinetic_days, s.signal, s.nuclear_use, s.provocation,
        s.opponent_recent, s.trust, s.accept, s.phase, s.freeze, s.agreement_age, s.fatalities, s.cost,
        s.hurt, s.catastrophe, s.bias, s.forced_active, s.response_lag, s.ceasefire_held, s.offer_bias,
        s.standing, s.hardening, s.inclusion,
    )  # fmt: skip
    rung_diff = np.zeros((horizon + 2, 7), dtype=np.int64)
    phase_diff = np.zeros((horizon + 2, 6), dtype=np.int64)
    crisis_diff = np.zeros(horizon + 2, dtype=np.int64)
    score_nonzero = np.zeros(horizon + 1, dtype=np.int64)
    records = (
        rec["first"], rec["crises"], rec["total_score"], rung_diff, phase_diff, crisis_diff,
        rec["trust_daily"], rec["score_hist"], score_nonzero, rec["deesc_daily"],
        rec["duration_hist"], rec["kinetic_hist"], mday, rec["fat_at"], rec["n_keep"],
        tr["rung"], tr["score"], tr["phase"], tr["trust"], tr["crisis"], tr["fatalities"],
    )  # fmt: skip
    record_start(
        s.rung, s.phase, s.crisis, s.trust, s.signal, s.agreement_age, s.nuclear_use, s.accept,
        s.fatalities, SCORE_MIN, SCORE_MAX, rec["first"], rec["rung_daily"], rec["phase_daily"],
        rec["crisis_daily"], rec["trust_daily"], rec["score_hist"], mday, rec["fat_at"], rec["n_keep"],
        tr["rung"], tr["score"], tr["phase"], tr["trust"], tr["crisis"], tr["fatalities"],
    )  # fmt: skip
    slab = np.empty((nb, slab_days, n_uniforms, block_runs), dtype=np.float32)
    step_days: Any = run_days
    for day0 in range(1, horizon + 1, slab_days):
        for b, rng in enumerate(rngs):
            rng.random(out=slab[b], dtype=np.float32)
        step_days(slab, day0, min(slab_days, horizon + 1 - day0), horizon, *statics, *states, *records)
    rec["rung_daily"][1:] += np.cumsum(rung_diff, axis=0)[1 : horizon + 1]
    rec["phase_daily"][1:] += np.cumsum(phase_diff, axis=0)[1 : horizon + 1]
    rec["crisis_daily"][1:] += np.cumsum(crisis_diff)[1 : horizon + 1]
    rec["score_hist"][1:, -SCORE_MIN] += n - score_nonzero[1:]
