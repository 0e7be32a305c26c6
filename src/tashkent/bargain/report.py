"""Plots (matplotlib, Agg) and self-contained offline HTML reports, written atomically."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from tashkent.bargain.result import BargainResult
from tashkent.store.paths import atomic_write


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def positions_plot(res: BargainResult) -> bytes:
    """PNG: each actor's position by round, one panel per dimension."""
    D = len(res.dimensions)
    fig, axes = plt.subplots(D, 1, figsize=(8, 2.8 * D + 0.6), squeeze=False)
    T = np.arange(res.history.shape[0])
    for d, ax in enumerate(axes[:, 0]):
        colours = plt.get_cmap("tab20" if len(res.actors) > 10 else "tab10")
        for a, name in enumerate(res.actors):
            label = name if len(res.actors) <= 20 else None
            ax.plot(T, res.history[:, a, d], lw=1.2, color=colours(a % colours.N), label=label)
        ax.axhline(res.baselines["weighted_mean"][d], color="k", ls="--", lw=0.8, label="weighted mean")
        ax.axhline(res.forecast["expected"][d], color="C3", ls=":", lw=1.2, label="forecast")
        ax.set_title(f"{res.dimensions[d]} — {res.model}")
        ax.set_xlabel("round" if res.model == "eu" else "turn")
        ax.set_ylabel("position")
    axes[0, 0].legend(fontsize=7, ncol=4, loc="best")
    fig.tight_layout()
    return _png(fig)


def frontier_plot(analysis_json: dict[str, Any]) -> bytes:
    """PNG: the two parties' utilities — frontier, reservations, packages, Nash and K–S points."""
    a, b = analysis_json["parties"]
    fr = analysis_json["frontier"]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    u = np.array(fr["u"])
    ax.plot(u[0], u[1], "-", color="0.3", lw=1.5, label="Pareto frontier")
    res = analysis_json["reservation"]["values"]
    zone = (u[0] >= res[a]) & (u[1] >= res[b])
    if zone.any():
        ax.plot(u[0][zone], u[1][zone], "-", color="C2", lw=4, alpha=0.5, label="zone of agreement")
    ax.axvline(res[a], color="C0", ls="--", lw=0.9, label=f"{a} reservation")
    ax.axhline(res[b], color="C1", ls="--", lw=0.9, label=f"{b} reservation")
    for row in analysis_json["packages"]:
        ua, ub = row["utility"][a], row["utility"][b]
        marker = {"package": "o", "solution": "*", "forecast": "s", "baseline": "D"}[row["kind"]]
        ax.plot(ua, ub, marker, ms=9 if marker == "*" else 6)
        ax.annotate(row["id"], (ua, ub), fontsize=7, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel(f"utility of {a}")
    ax.set_ylabel(f"utility of {b}")
    ax.set_title(f"{analysis_json['scenario']}: settlement packages")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return _png(fig)


def write_png(path: Path, data: bytes) -> Path:
    with atomic_write(Path(path), "wb") as fh:
        fh.write(data)
    return Path(path)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}"
    "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
)


def _page(title: str, parts: list[str]) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{''.join(parts)}</body></html>"
    )


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def bargain_html(res: BargainResult, title: str) -> str:
    parts = [
        f"<p>Model <b>{res.model}</b>, {res.turns} turns ({html.escape(res.stop_reason)}). "
        f"Oscillation: {html.escape(str(res.oscillation))}.</p>",
        _img(positions_plot(res), "positions by round"),
        "<h2>Forecast and baselines</h2>",
        _table(
            ["dimension", "forecast (expected)", "most likely", "weighted mean", "weighted median"],
            [
                [
                    d,
                    res.forecast["expected"][k],
                    res.forecast["most_likely"][k],
                    res.baselines["weighted_mean"][k],
                    res.baselines["weighted_median"][k],
                ]
                for k, d in enumerate(res.dimensions)
            ],
        ),
        "<h2>Final positions</h2>",
        _table(
            ["actor", *res.dimensions] + (["P(win)"] if res.probabilities is not None else []),
            [
                [a, *res.history[-1, k].tolist()]
                + ([float(res.probabilities[-1, k])] if res.probabilities is not None else [])
                for k, a in enumerate(res.actors)
            ],
        ),
    ]
    return _page(title, parts)


def packages_html(j: dict[str, Any]) -> str:
    a, b = j["parties"]
    holders = list(j["reservation"]["values"])
    rows = [
        [
            r["name"],
            r["utility"][a],
            r["utility"][b],
            *[r["acceptable"][h] for h in holders],
            r["support"],
        ]
        for r in j["packages"]
    ]
    parts = [
        f"<p>Reservation utilities ({html.escape(j['reservation']['mode'])}): "
        + ", ".join(f"{k} {v:.3f}" for k, v in j["reservation"]["values"].items())
        + "</p>",
        _img(frontier_plot(j), "frontier"),
        _table(
            ["package", f"u {a}", f"u {b}", *[f"acceptable to {h}" for h in holders], "support"],
            rows,
        ),
        f"<p>ZOPA: {'exists' if j['zopa_exists'] else 'none'}.</p>",
        "<h2>Every actor's utility for every package</h2>",
        _table(
            ["package", *j["actors"]],
            [[r["id"], *[r["utility"][a] for a in j["actors"]]] for r in j["packages"]],
        ),
    ]
    return _page(f"{j['scenario']}: settlement packages", parts)


def write_html(path: Path, text: str) -> Path:
    with atomic_write(Path(path), "w") as fh:
        fh.write(text)
    return Path(path)
