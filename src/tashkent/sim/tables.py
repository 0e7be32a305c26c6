"""Tables of an ensemble's merged counts: milestone probabilities with their errors, daily
distributions of rung, phase and escalation score, survival curves, fatality histograms, kept
trajectories; and the same as an xarray Dataset. Statistics only: writing them is `store`'s job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from tashkent.sim.aggregate import daily_quantiles, first_passage_survival, probability
from tashkent.sim.counts import Counts
from tashkent.sim.outcomes import FATALITY_EDGES, SCORE_MIN

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def milestone_table(total: Counts) -> pd.DataFrame:
    rows = []
    for day in total.milestones:
        for metric in total.metrics:
            r = probability(total, metric, day)
            rows.append({"day": day, "metric": metric, **r})
    return pd.DataFrame(rows)


def daily_table(total: Counts, start: dt.date) -> pd.DataFrame:
    H = total.days
    runs = total.runs
    df = pd.DataFrame({"day": np.arange(H + 1)})
    df["date"] = [start + dt.timedelta(days=int(d)) for d in df["day"]]
    for k in range(7):
        df[f"p_rung_{k}"] = total.rung_daily[:, k] / runs
    for k in range(6):
        df[f"p_phase_{k}"] = total.phase_daily[:, k] / runs
    df["p_crisis_active"] = total.crisis_daily / runs
    df["mean_trust"] = total.trust_daily / 1e4 / runs
    df["mean_deescalations"] = total.deesc_daily / runs
    sq = daily_quantiles(total.score_hist, QUANTILES, offset=SCORE_MIN)
    for i, q in enumerate(QUANTILES):
        df[f"score_q{int(q * 100):02d}"] = sq[:, i]
    values = np.arange(total.score_hist.shape[1]) + SCORE_MIN
    df["score_mean"] = (total.score_hist * values).sum(axis=1) / runs
    df["score_q99"] = daily_quantiles(total.score_hist, (0.99,), offset=SCORE_MIN)[:, 0]
    # Most runs make no move on most days: the share of runs with a net escalatory (or
    # de-escalatory) day says how often the ladder moves.
    zero = -SCORE_MIN
    df["p_escalating"] = total.score_hist[:, zero + 1 :].sum(axis=1) / runs
    df["p_deescalating"] = total.score_hist[:, :zero].sum(axis=1) / runs
    up = total.score_hist[:, zero + 1 :]
    n_up = up.sum(axis=1)
    score_up = (up * np.arange(1, up.shape[1] + 1)).sum(axis=1)
    df["score_mean_escalating"] = np.divide(
        score_up, n_up, out=np.full(len(n_up), np.nan), where=n_up > 0
    )  # mean score of the runs whose day was net escalatory
    rung_cdf = np.cumsum(total.rung_daily, axis=1) / runs
    for q in QUANTILES:
        df[f"rung_q{int(q * 100):02d}"] = (rung_cdf < q).sum(axis=1)
    return df


def survival_table(total: Counts) -> pd.DataFrame:
    H = total.days
    df = pd.DataFrame({"day": np.arange(H + 1)})
    for metric in total.metrics:
        df[metric] = first_passage_survival(total, metric)
    return df


def fatality_table(total: Counts) -> pd.DataFrame:
    rows = []
    for j, day in enumerate(total.milestones):
        for b, count in enumerate(total.fat_hist[j]):
            if count:
                rows.append(
                    {"day": day, "low": FATALITY_EDGES[b], "high": FATALITY_EDGES[b + 1], "runs": int(count)}
                )
    return pd.DataFrame(rows, columns=["day", "low", "high", "runs"])


def trajectory_table(total: Counts) -> pd.DataFrame:
    runs = total.trajectory_runs
    traj = total.trajectories
    if len(runs) == 0:
        return pd.DataFrame(columns=["run", "day", *traj.keys()])
    H = traj["rung"].shape[1]
    df = pd.DataFrame({"run": np.repeat(runs, H), "day": np.tile(np.arange(H), len(runs))})
    for k, v in traj.items():
        df[k] = np.asarray(v).reshape(-1)
    return df


def milestone_frame(doc: dict[str, Any]) -> pd.DataFrame:
    """The milestone probabilities of a forecast document as a table: one row per milestone day
    (the index), one column per probability (`p_crisis`, `p_rung_ge_5`, `p_accept_IND_1.5`, ...),
    the same numbers as the document."""
    rows: dict[int, dict[str, float]] = {}
    for day, m in doc["milestones"].items():
        row: dict[str, float] = {}
        for key, value in m.items():
            if key.startswith("p_") and isinstance(value, float | int):
                row[key] = float(value)
        for k, v in m["p_rung_ge"].items():
            row[f"p_rung_ge_{k}"] = float(v)
        for k, v in m["p_phase_ge"].items():
            row[f"p_phase_ge_{k}"] = float(v)
        for party, tracks in m["p_accept"].items():
            for t, v in tracks.items():
                row[f"p_accept_{party}_{t}"] = float(v)
        rows[int(day)] = row
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "day"
    return df


def uncertainty_frame(doc: dict[str, Any]) -> pd.DataFrame:
    """Monte Carlo standard error and 5–95% parameter-uncertainty interval of every milestone
    probability: one row per (day, probability), columns `p`, `se`, `lo`, `hi`."""
    ms = milestone_frame(doc)
    rows = []
    for day, m in doc["milestones"].items():
        for key, u in m["uncertainty"].items():
            lo, hi = u["interval_90"]
            rows.append(
                {
                    "day": int(day),
                    "probability": key,
                    "p": ms.loc[int(day), key],
                    "se": u["se"],
                    "lo": lo,
                    "hi": hi,
                }
            )
    return pd.DataFrame(rows).set_index(["day", "probability"])


def daily_dataset(total: Counts, parties: tuple[str, str], tracks: tuple[str, ...], start: dt.date) -> Any:
    """Daily distributions as an xarray Dataset over `day` (with `date`), `rung`, `phase`, `party`
    and `track`: the share of runs at each rung and phase, the probability that each event has
    happened by the day (`p_crisis_by`, `p_rung_ge`, `p_phase_ge`, `p_accept`), the share of runs
    in crisis, mean trust, and escalation-score statistics."""
    import xarray as xr

    flat = daily_table(total, start)
    H = total.days
    runs = total.runs
    day = np.arange(H + 1)

    def by(metric: str) -> np.ndarray:
        return 1.0 - first_passage_survival(total, metric)

    accept = np.stack([np.stack([by(f"accept_{p}_{t}") for t in tracks], axis=-1) for p in parties], axis=1)
    data = {
        "p_rung": (("day", "rung"), total.rung_daily / runs),
        "p_phase": (("day", "phase"), total.phase_daily / runs),
        "p_crisis_active": ("day", total.crisis_daily / runs),
        "p_crisis_by": ("day", by("crisis")),
        "p_nuclear_signal_by": ("day", by("nuclear_signal")),
        "p_agreement_by": ("day", by("agreement")),
        "p_rung_ge": (("day", "rung_ge"), np.stack([by(f"rung_ge_{k}") for k in range(1, 7)], axis=-1)),
        "p_phase_ge": (("day", "phase_ge"), np.stack([by(f"phase_ge_{k}") for k in range(1, 6)], axis=-1)),
        "p_accept": (("day", "party", "track"), accept),
        "mean_trust": ("day", flat["mean_trust"].to_numpy()),
        "mean_deescalations": ("day", flat["mean_deescalations"].to_numpy()),
        "score_mean": ("day", flat["score_mean"].to_numpy()),
        "p_escalating": ("day", flat["p_escalating"].to_numpy()),
        "p_deescalating": ("day", flat["p_deescalating"].to_numpy()),
    }
    coords = {
        "day": day,
        "date": ("day", pd.to_datetime(flat["date"]).to_numpy()),
        "rung": np.arange(total.rung_daily.shape[1]),
        "phase": np.arange(total.phase_daily.shape[1]),
        "rung_ge": np.arange(1, 7),
        "phase_ge": np.arange(1, 6),
        "party": list(parties),
        "track": list(tracks),
    }
    return xr.Dataset(data, coords=coords, attrs={"runs": int(runs), "days": int(H)})
