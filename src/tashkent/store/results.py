"""Result files of a run, written atomically into its run directory:
`summary.json` (the forecast document), `milestones.parquet` (tidy probabilities with errors),
`daily.parquet` (rung and phase distributions, score quantiles per day), `survival.parquet`
(time-to-event curves), `fatalities.parquet`, `trajectories.parquet` (kept sample of runs) and
`blocks.parquet` (per-block parameter draws and outcomes, for sensitivity analysis)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tashkent.sim.aggregate import daily_quantiles, first_passage_survival, probability
from tashkent.sim.outcomes import FATALITY_EDGES, SCORE_MIN
from tashkent.store.paths import atomic_write

RESULT_FILES = (
    "milestones.parquet",
    "daily.parquet",
    "survival.parquet",
    "fatalities.parquet",
    "trajectories.parquet",
    "blocks.parquet",
    "summary.json",
)

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    with atomic_write(path, "wb") as fh:
        df.to_parquet(fh, index=False)


def write_json(obj: Any, path: Path) -> None:
    with atomic_write(path, "w") as fh:
        json.dump(obj, fh, indent=2, default=str)
        fh.write("\n")


def milestone_table(total: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for day in total["milestones"]:
        for metric in total["metrics"]:
            r = probability(total, metric, day)
            rows.append({"day": day, "metric": metric, **r})
    return pd.DataFrame(rows)


def daily_table(total: dict[str, Any], start: dt.date) -> pd.DataFrame:
    H = total["days"]
    runs = total["runs"]
    df = pd.DataFrame({"day": np.arange(H + 1)})
    df["date"] = [start + dt.timedelta(days=int(d)) for d in df["day"]]
    for k in range(7):
        df[f"p_rung_{k}"] = total["rung_daily"][:, k] / runs
    for k in range(6):
        df[f"p_phase_{k}"] = total["phase_daily"][:, k] / runs
    df["p_crisis_active"] = total["crisis_daily"] / runs
    df["mean_trust"] = total["trust_daily"] / 1e4 / runs
    df["mean_deescalations"] = total["deesc_daily"] / runs
    sq = daily_quantiles(total["score_hist"], QUANTILES, offset=SCORE_MIN)
    for i, q in enumerate(QUANTILES):
        df[f"score_q{int(q * 100):02d}"] = sq[:, i]
    values = np.arange(total["score_hist"].shape[1]) + SCORE_MIN
    df["score_mean"] = (total["score_hist"] * values).sum(axis=1) / runs
    df["score_q99"] = daily_quantiles(total["score_hist"], (0.99,), offset=SCORE_MIN)[:, 0]
    # Most runs make no move on most days: the share of runs with a net escalatory (or
    # de-escalatory) day says how often the ladder moves.
    zero = -SCORE_MIN
    df["p_escalating"] = total["score_hist"][:, zero + 1 :].sum(axis=1) / runs
    df["p_deescalating"] = total["score_hist"][:, :zero].sum(axis=1) / runs
    rung_cdf = np.cumsum(total["rung_daily"], axis=1) / runs
    for q in QUANTILES:
        df[f"rung_q{int(q * 100):02d}"] = (rung_cdf < q).sum(axis=1)
    return df


def survival_table(total: dict[str, Any]) -> pd.DataFrame:
    H = total["days"]
    df = pd.DataFrame({"day": np.arange(H + 1)})
    for metric in total["metrics"]:
        df[metric] = first_passage_survival(total, metric)
    return df


def fatality_table(total: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for j, day in enumerate(total["milestones"]):
        for b, count in enumerate(total["fat_hist"][j]):
            if count:
                rows.append(
                    {"day": day, "low": FATALITY_EDGES[b], "high": FATALITY_EDGES[b + 1], "runs": int(count)}
                )
    return pd.DataFrame(rows, columns=["day", "low", "high", "runs"])


def trajectory_table(total: dict[str, Any]) -> pd.DataFrame:
    runs = total["trajectory_runs"]
    traj = total["trajectories"]
    if len(runs) == 0:
        return pd.DataFrame(columns=["run", "day", *traj.keys()])
    H = traj["rung"].shape[1]
    df = pd.DataFrame({"run": np.repeat(runs, H), "day": np.tile(np.arange(H), len(runs))})
    for k, v in traj.items():
        df[k] = np.asarray(v).reshape(-1)
    return df


def write_results(run_dir: Path, total: dict[str, Any], doc: dict[str, Any], start: dt.date) -> None:
    write_parquet(milestone_table(total), run_dir / "milestones.parquet")
    write_parquet(daily_table(total, start), run_dir / "daily.parquet")
    write_parquet(survival_table(total), run_dir / "survival.parquet")
    write_parquet(fatality_table(total), run_dir / "fatalities.parquet")
    write_parquet(trajectory_table(total), run_dir / "trajectories.parquet")
    write_json(doc, run_dir / "summary.json")


def write_blocks(run_dir: Path) -> None:
    """Collect the per-block tables of all chunk files into blocks.parquet (streaming, by chunk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tashkent.sim.ensemble import done_chunks, load_chunk

    chunks = sorted(done_chunks(run_dir).items())
    if not chunks:
        return
    path = run_dir / "blocks.parquet"
    tmp = run_dir / ".blocks.parquet.tmp"
    writer = None
    try:
        for _, cp in chunks:
            table = pa.Table.from_pandas(
                pd.DataFrame(load_chunk(cp, run_dir)["blocks"]), preserve_index=False
            )
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
