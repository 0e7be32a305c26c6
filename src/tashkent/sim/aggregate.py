"""Streaming aggregation of chunk results and the forecast summary.

A chunk returns integer counts; `merge` adds them, so memory does not grow with the number of runs
and any chunking gives identical totals. `summarise` turns counts into the forecast document:
probabilities with Monte Carlo standard errors and parameter-uncertainty intervals.

Runs come in blocks that share one parameter draw. For a metric with k_j hits in block j of B runs:
p̂ = Σk / (J·B); the between-block variance s² of k_j/B gives the (cluster) Monte Carlo standard
error sqrt(s²/J); removing the within-block binomial part, var_param = s² − mean(p̂_j(1 − p̂_j))/(B − 1),
estimates the spread of the probability across parameter draws, and a beta distribution with that
mean and variance gives the 5–95% parameter-uncertainty interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaincinv

from tashkent.scenario.schema import TRACKS
from tashkent.sim.counts import Counts, merge
from tashkent.sim.outcomes import FATALITY_EDGES, SCORE_MIN
from tashkent.sim.seeds import BLOCK_RUNS


def _quantile_from_hist(counts: np.ndarray, q: float, values: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return float("nan")
    idx = int(np.searchsorted(np.cumsum(counts), q * total, side="left"))
    return float(values[min(idx, len(values) - 1)])


def _interval(mean: float, var_param: float) -> tuple[float, float]:
    if var_param <= 1e-12 or mean <= 0.0 or mean >= 1.0:
        return mean, mean
    var = min(var_param, mean * (1 - mean) * 0.999)
    common = mean * (1 - mean) / var - 1.0
    a, b = mean * common, (1 - mean) * common
    lo, hi = betaincinv(a, b, [0.05, 0.95])
    return float(lo), float(hi)


def probability(total: Counts, metric: str, day: int) -> dict[str, float]:
    """P(metric happened by day) with its MC standard error and parameter-uncertainty interval."""
    i = total.metrics.index(metric)
    j = total.milestones.index(day)
    J = int(total.n_blocks)
    B = BLOCK_RUNS
    s1 = float(total.ms_sum[i, j])
    s2 = float(total.ms_sq[i, j])
    p = s1 / (J * B)
    if J > 1:
        between = (s2 / B**2 - J * p**2) / (J - 1)
        se = float(np.sqrt(max(between, 0.0) / J))
        within = (s1 / B - s2 / B**2) / J / (B - 1)
        var_param = max(between - within, 0.0)
    else:
        se = float(np.sqrt(p * (1 - p) / (J * B)))
        var_param = 0.0
    lo, hi = _interval(p, var_param)
    return {"p": p, "se": se, "lo": lo, "hi": hi}


def fatality_quantiles(total: Counts, day: int, qs=(0.5, 0.9, 0.99)) -> dict[str, float]:
    j = total.milestones.index(day)
    centres = np.concatenate([[0.0], np.sqrt(FATALITY_EDGES[1:-1] * FATALITY_EDGES[2:])])
    return {f"{q:g}": round(_quantile_from_hist(total.fat_hist[j], q, centres), 1) for q in qs}


def first_passage_survival(total: Counts, metric: str) -> np.ndarray:
    """S(t) = P(the event has not happened by day t), t = 0..H."""
    i = total.metrics.index(metric)
    h = total.first_hist[i]
    H = total.days
    return 1.0 - np.cumsum(h[: H + 1]) / total.runs


def median_days_to(total: Counts, metric: str) -> dict[str, float | None]:
    i = total.metrics.index(metric)
    h = total.first_hist[i].astype(np.float64)
    H = total.days
    days = np.arange(H + 2)
    n = total.runs
    happened = h[: H + 1].sum()
    uncond = _quantile_from_hist(h, 0.5, days)
    cond = _quantile_from_hist(h[: H + 1], 0.5, days[: H + 1]) if happened else None
    return {
        "median_days": None if uncond > H else uncond,
        "median_days_if_any": cond,
        "p_any": float(happened / n),
    }


def time_to_rung(total: Counts, rung: int) -> dict[str, float | None]:
    """Days from the start to first standing at `rung` or above: the median over all runs (None if
    fewer than half reach it within the horizon) and the median, 10th and 90th percentiles among
    the runs that reach it."""
    i = total.metrics.index(f"rung_ge_{rung}")
    h = total.first_hist[i].astype(np.float64)
    H = total.days
    days = np.arange(H + 2)
    reached = h[: H + 1]
    uncond = _quantile_from_hist(h, 0.5, days)
    out: dict[str, float | None] = {"median": None if uncond > H else uncond}
    for key, q in (("median_if_reached", 0.5), ("q10_if_reached", 0.1), ("q90_if_reached", 0.9)):
        out[key] = _quantile_from_hist(reached, q, days[: H + 1]) if reached.sum() else None
    out["p_reached"] = round(float(reached.sum() / total.runs), 6)
    return out


def daily_quantiles(hist: np.ndarray, qs=(0.05, 0.25, 0.5, 0.75, 0.95), offset: int = 0) -> np.ndarray:
    values = np.arange(hist.shape[1]) + offset
    return np.array([[_quantile_from_hist(row, q, values) for q in qs] for row in hist])


def summarise(total: Counts, parties: tuple[str, str]) -> dict[str, Any]:
    """The forecast's milestone table (the `milestones` object of the JSON document)."""
    out: dict[str, Any] = {}
    max_se = 0.0
    for day in total.milestones:

        def pr(metric: str, day: int = day) -> dict[str, float]:
            nonlocal max_se
            r = probability(total, metric, day)
            max_se = max(max_se, r["se"])
            return r

        entry: dict[str, Any] = {}
        detail: dict[str, Any] = {}
        for key, metric in (
            ("p_crisis", "crisis"),
            ("p_nuclear_signal", "nuclear_signal"),
            ("p_agreement", "agreement"),
            ("p_mediation", "mediation"),
            ("p_ceasefire", "ceasefire"),
            ("p_nuclear_use", "nuclear_use"),
        ):
            r = pr(metric)
            entry[key] = round(r["p"], 6)
            detail[key] = r
        entry["p_rung_ge"] = {}
        for k in range(1, 7):
            r = pr(f"rung_ge_{k}")
            entry["p_rung_ge"][str(k)] = round(r["p"], 6)
            detail[f"p_rung_ge_{k}"] = r
        entry["p_phase_ge"] = {}
        for k in range(1, 6):
            r = pr(f"phase_ge_{k}")
            entry["p_phase_ge"][str(k)] = round(r["p"], 6)
            detail[f"p_phase_ge_{k}"] = r
        entry["p_accept"] = {}
        for party in parties:
            entry["p_accept"][party] = {}
            for t in TRACKS:
                r = pr(f"accept_{party}_{t}")
                entry["p_accept"][party][t] = round(r["p"], 6)
                detail[f"p_accept_{party}_{t}"] = r
        entry["fatalities_quantiles"] = fatality_quantiles(total, day)
        entry["uncertainty"] = {
            k: {"se": round(v["se"], 6), "interval_90": [round(v["lo"], 6), round(v["hi"], 6)]}
            for k, v in detail.items()
        }
        out[str(day)] = entry
    H = total.days
    out[str(H)]["expected_cost"] = {
        party: round(float(total.cost_sum[i]) / 1e6 / total.runs, 6) for i, party in enumerate(parties)
    }
    return {"milestones": out, "se": round(max_se, 6)}


def extras(total: Counts) -> dict[str, Any]:
    """Distributions beyond the milestone table: time to events, durations, highest rung."""
    H = total.days
    dur = total.duration_hist
    days = np.arange(H + 2)
    kin = total.kinetic_hist
    return {
        "time_to_first_crisis": median_days_to(total, "crisis"),
        "time_to_phase": {str(k): median_days_to(total, f"phase_ge_{k}") for k in range(1, 6)},
        "time_to_rung": {str(k): time_to_rung(total, k) for k in range(3, 7)},
        "crisis_duration_quantiles": {f"{q:g}": _quantile_from_hist(dur, q, days) for q in (0.1, 0.5, 0.9)},
        "crisis_durations_completed": int(dur.sum()),
        "crises_ongoing_at_horizon": int(total.duration_censored),
        "kinetic_days_quantiles": {f"{q:g}": _quantile_from_hist(kin, q, days) for q in (0.1, 0.5, 0.9)},
        "highest_rung_distribution": {
            str(k): round(float(v) / total.runs, 6) for k, v in enumerate(total.max_rung_hist)
        },
        "crises_per_run_distribution": {
            str(k): round(float(v) / total.runs, 6) for k, v in enumerate(total.crises_hist) if v
        },
        "mean_total_escalation_score": round(float(total.total_score_sum) / total.runs, 3),
    }


__all__ = ["SCORE_MIN", "Counts", "extras", "merge", "probability", "summarise"]
