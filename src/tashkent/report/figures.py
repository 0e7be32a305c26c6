"""Figures of a forecast run (matplotlib, Agg backend), returned as inline SVG text."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "tashkent"  # stable element ids: same run, same report
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tashkent.ladder import load_ladder  # noqa: E402

RUNG_COLOURS = ["#e8eef4", "#c6dbef", "#9ecae1", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def rung_fan(daily: pd.DataFrame) -> str:
    """Distribution of the standing rung over time: all rungs stacked (left) and, since the rare
    high rungs are invisible beside the common ones, rungs 3–6 on a log scale (right)."""
    names = load_ladder().rung_labels
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    d = daily["day"]
    ys = [daily[f"p_rung_{k}"].to_numpy() for k in range(7)]
    ax.stackplot(d, *ys, colors=RUNG_COLOURS, labels=[f"{k} {names[k]}" for k in range(7)])
    ax.set_xlim(0, d.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("day")
    ax.set_ylabel("share of runs")
    ax.set_title("Standing rung over time", fontsize=9)
    lowest = 1.0
    for k in range(3, 7):
        y = ys[k]
        if (y > 0).any():
            lowest = min(lowest, float(y[y > 0].min()))
        bx.plot(d, np.where(y > 0, y, np.nan), color=RUNG_COLOURS[k], lw=1.4, label=f"{k} {names[k]}")
    bx.set_yscale("log")
    bx.set_ylim(max(lowest / 2, 1e-6), 1.0)
    bx.set_xlim(0, d.max())
    bx.set_xlabel("day")
    bx.set_ylabel("share of runs (log scale)")
    bx.set_title("Rungs 3–6 (rare: log scale)", fontsize=9)
    bx.grid(True, which="major", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper", fontsize=7, frameon=False)
    return _svg(fig)


def score_fan(daily: pd.DataFrame) -> str:
    """Mean daily escalation score over all runs and, since most runs make no move on most days
    (so its quantiles are zero), the mean score of the runs whose day was net escalatory; beside
    it, the share of runs whose day was net escalatory or de-escalatory (7-day means)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    d = daily["day"]
    week = 7
    ax.plot(d, daily["score_mean"], color="#7f0000", lw=1.2, label="mean over all runs (left axis)")
    ax.set_xlabel("day")
    ax.set_ylabel("mean daily score, all runs")
    ax.set_title("Escalation score (Rivera et al. 2024 tiers)", fontsize=9)
    handles, labels = ax.get_legend_handles_labels()
    if "score_mean_escalating" in daily:
        cx = ax.twinx()
        cx.plot(
            d,
            daily["score_mean_escalating"].rolling(week, min_periods=1).mean(),
            color="#fc8d59",
            lw=0.9,
            ls="--",
            label="mean on escalating days (right axis, 7-day mean)",
        )
        cx.set_ylabel("mean score when escalating")
        cx.set_ylim(bottom=0)
        h2, l2 = cx.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    bx.plot(d, daily["p_escalating"].rolling(week, min_periods=1).mean(), color="#d7301f", label="escalating")
    bx.plot(
        d, daily["p_deescalating"].rolling(week, min_periods=1).mean(), color="#2b8cbe", label="de-escalating"
    )
    bx.set_xlabel("day")
    bx.set_ylabel("share of runs (7-day mean)")
    bx.set_title("How often the ladder moves", fontsize=9)
    bx.legend(fontsize=7, frameon=False)
    return _svg(fig)


def survival(surv: pd.DataFrame) -> str:
    fig, ax = plt.subplots(figsize=(8, 3.4))
    curves = [
        ("crisis", "new crisis"),
        ("rung_ge_5", "air/missile strikes"),
        ("nuclear_signal", "nuclear signal"),
        ("phase_ge_1", "phase 1 Track II"),
        ("phase_ge_3", "phase 3 Track 1.5"),
        ("phase_ge_4", "phase 4 Track I"),
        ("agreement", "framework agreement"),
    ]
    for col, label in curves:
        if col in surv:
            ax.step(surv["day"], surv[col], where="post", label=label)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("day")
    ax.set_ylabel("P(not yet)")
    ax.set_title("Time to event (survival curves)")
    ax.legend(fontsize=7, frameon=False, loc="lower left")
    return _svg(fig)


def acceptance(milestone: dict) -> str:
    parties = list(milestone["p_accept"].keys())
    tracks = ["II", "1.5", "I"]
    fig, ax = plt.subplots(figsize=(6, 3))
    width = 0.38
    x = np.arange(len(tracks))
    for i, party in enumerate(parties):
        vals = [milestone["p_accept"][party][t] for t in tracks]
        ax.bar(x + (i - 0.5) * width, vals, width, label=party)
    ax.set_xticks(x, [f"Track {t}" for t in tracks])
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(accepts by horizon)")
    ax.set_title("Acceptance of each track")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars, never on them
    return _svg(fig)


def fatalities(fat: pd.DataFrame, day: int) -> str:
    """Exceedance curve of cumulative fatalities: P(more than x killed by the day), log scales."""
    sub = fat[fat["day"] == day].sort_values("low")
    fig, ax = plt.subplots(figsize=(6, 3))
    if len(sub):
        total = sub["runs"].sum()
        above = 1.0 - np.cumsum(sub["runs"].to_numpy()) / total  # P(X >= upper edge of the bin)
        x = sub["high"].to_numpy()
        keep = above > 0
        ax.step(
            np.concatenate([[0.5], x[keep]]),
            np.concatenate([[1.0 - sub["runs"].iloc[0] / total], above[keep]]),
            where="post",
            color="#d7301f",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(max(0.5 / total, 1e-5), 1.0)
    ax.set_xlabel(f"cumulative fatalities by day {day}")
    ax.set_ylabel("P(more than x)")
    ax.set_title("Fatalities: exceedance probability")
    ax.grid(True, which="major", alpha=0.3)
    return _svg(fig)
