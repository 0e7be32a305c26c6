"""Figures (inline SVG, matplotlib) and HTML sections for the three analyses, a self-contained
HTML page holding any of them (`--html` on each command), and the saved result files (`--save`)
that `tashkent report RUN --analysis FILE` turns into sections of a run's report."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tashkent.errors import UserError
from tashkent.report.figures import _svg, plt
from tashkent.report.html import CSS
from tashkent.store.paths import atomic_write

TOP = 15


def sensitivity_figure(doc: dict[str, Any], top: int = TOP) -> str:
    """Bar chart of the strongest parameters: S1 and ST with their 95% intervals (or Morris mu*)."""
    rows = doc["parameters"][:top][::-1]
    names = [r["name"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(rows) + 1.2))
    y = range(len(rows))
    if doc["method"] == "sobol":
        ax.barh(
            [i + 0.2 for i in y],
            [r["ST"] for r in rows],
            0.4,
            xerr=[r["ST_conf"] for r in rows],
            color="#d7301f",
            label="total order ST",
            capsize=2,
        )
        ax.barh(
            [i - 0.2 for i in y],
            [r["S1"] for r in rows],
            0.4,
            xerr=[r["S1_conf"] for r in rows],
            color="#4575b4",
            label="first order S1",
            capsize=2,
        )
        ax.set_xlabel("Sobol index (share of the outcome's variance), 95% bootstrap intervals")
        ax.axvline(0, color="#888", lw=0.6)
    else:
        ax.barh(
            list(y),
            [r["mu_star"] for r in rows],
            0.6,
            xerr=[r["mu_star_conf"] for r in rows],
            color="#4575b4",
            label="mu* (mean |elementary effect|)",
            capsize=2,
        )
        ax.set_xlabel("Morris mu* (outcome change per full prior range), 95% bootstrap intervals")
    ax.set_yticks(list(y), names, fontsize=7)
    ax.set_title(f"Sensitivity of {doc['outcome']} ({doc['method']}, {doc['runs']:,} runs)")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return _svg(fig)


def trajectory_figure(doc: dict[str, Any]) -> str:
    """PRIM peeling trajectories (coverage against density) with the chosen boxes marked."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for k, traj in enumerate(doc["trajectories"]):
        cov = [s["coverage"] for s in traj]
        den = [s["density"] for s in traj]
        sc = ax.scatter(
            cov, den, c=[s["restricted"] for s in traj], cmap="viridis", s=12, label=f"box {k + 1} peels"
        )
        c = doc["chosen"][k]
        ax.scatter([cov[c]], [den[c]], marker="o", s=120, facecolors="none", edgecolors="#d7301f")
    for k, b in enumerate(doc["boxes"]):
        ax.annotate(f"box {k + 1}", (b["coverage"], b["density"]), fontsize=8, color="#d7301f")
    if doc["trajectories"]:
        fig.colorbar(sc, ax=ax, label="restricted inputs")
    ax.axhline(doc["base_rate"], color="#888", lw=0.8, ls="--")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory: {doc['outcome']} (base rate {doc['base_rate']:.3f})")
    return _svg(fig)


def robust_figure(doc: dict[str, Any], top: int = TOP) -> str:
    """Maximum and 90th-percentile regret of the best-ranked strategies."""
    rows = doc["strategies"][:top][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
    y = list(range(len(rows)))
    ax.barh(y, [r["max_regret"] for r in rows], 0.6, color="#fdd49e", label="max regret")
    ax.barh(y, [r["p90_regret"] for r in rows], 0.3, color="#d7301f", label="90th-percentile regret")
    ax.set_yticks(y, [r["label"] + (" (as written)" if r["as_written"] else "") for r in rows], fontsize=6)
    ax.set_xlabel("regret summed over outcomes (probability points)")
    ax.set_title(f"Strategies of {doc['actor']} ranked by {doc['criterion']}")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return _svg(fig)


def _esc(x: Any) -> str:
    return html.escape(str(x))


def sensitivity_section(doc: dict[str, Any]) -> str:
    d = doc["details"]
    if doc["method"] == "sobol":
        head = "<tr><th>parameter</th><th>S1</th><th>±95%</th><th>ST</th><th>±95%</th></tr>"
        body = "".join(
            f"<tr><td>{_esc(r['name'])}</td><td>{r['S1']:.3f}</td><td>{r['S1_conf']:.3f}</td>"
            f"<td>{r['ST']:.3f}</td><td>{r['ST_conf']:.3f}</td></tr>"
            for r in doc["parameters"][:TOP]
        )
    else:
        head = "<tr><th>parameter</th><th>mu*</th><th>±95%</th><th>sigma</th></tr>"
        body = "".join(
            f"<tr><td>{_esc(r['name'])}</td><td>{r['mu_star']:.3f}</td><td>{r['mu_star_conf']:.3f}</td>"
            f"<td>{r['sigma']:.3f}</td></tr>"
            for r in doc["parameters"][:TOP]
        )
    return (
        f"<h2>Sensitivity: {_esc(d['label'])}</h2><p class=note>{doc['method'].title()} analysis over "
        f"{len(doc['parameters'])} uncertain parameters: {d['experiments']:,} experiments × "
        f"{d['runs_per_experiment']} runs × {d['days']} days (seed {d['seed']}); "
        f"outcome mean {d['mean']:.3f}. "
        "Each experiment fixes every parameter at the design's values and replays the same random "
        "streams (common random numbers).</p>"
        f"{_held_note(d)}{sensitivity_figure(doc)}<table>{head}{body}</table>"
    )


def _held_note(d: dict[str, Any]) -> str:
    """Which parameters with priors the analysis did not sample, and why."""
    notes = []
    held = d.get("fixed_by_levers") or {}
    if held:
        names = ", ".join(f"{n} ({', '.join(ids)})" for n, ids in held.items())
        notes.append(
            f"Held at the scenario's values in every experiment, not sampled, because a lever compared "
            f"here sets them: {names}."
        )
    if d.get("fixed_by_link"):
        notes.append(f"Taken from the bargaining link: {', '.join(d['fixed_by_link'])}.")
    return f"<p class=note>{_esc(' '.join(notes))}</p>" if notes else ""


def discovery_section(doc: dict[str, Any]) -> str:
    d = doc["details"]
    rows = []
    for k, b in enumerate(doc["boxes"]):
        lims = "; ".join(
            f"{r['parameter']} in {{{', '.join(map(str, r['values']))}}}"
            if "values" in r
            else f"{r['parameter']} in [{r['low']:.4g}, {r['high']:.4g}]"
            for r in b["restrictions"]
        )
        rows.append(
            f"<tr><td>box {k + 1}</td><td>{b['coverage']:.3f}</td><td>{b['density']:.3f}</td>"
            f"<td class=src>{_esc(lims)}</td></tr>"
        )
    return (
        f"<h2>Scenario discovery: {_esc(d['label'])}</h2><p class=note>PRIM (Friedman &amp; Fisher 1999) "
        f"over {d['experiments']:,} experiments ({d['strategies']} strategies of levers "
        f"{_esc(', '.join(d['levers']) or 'none')}; {d['runs_per_experiment']} runs × {d['days']} days "
        f"each). Base rate {doc['base_rate']:.3f}: density is the mean outcome inside a box, coverage "
        "the share of all outcome inside it.</p>"
        f"{_held_note(d)}{trajectory_figure(doc)}<table><tr><th>box</th><th>coverage</th><th>density</th>"
        "<th>restrictions</th></tr>"
        f"{''.join(rows)}</table>"
    )


def robust_section(doc: dict[str, Any]) -> str:
    d = doc["details"]
    names = [o["name"] for o in doc["outcomes"]]
    head = "".join(f"<th>mean {_esc(n)}</th>" for n in names)
    rows = []
    for r in doc["strategies"]:
        w = r["worst"]
        fail = ", ".join(f"{n} −{w['shortfall'][n]:.3f}" for n in names)
        drv = w["driver"]
        rows.append(
            f"<tr><td>{r['rank']}</td><td class=src>{_esc(r['label'])}"
            f"{' (as written)' if r['as_written'] else ''}</td>"
            f"<td>{r['max_regret']:.3f}</td><td>{r['p90_regret']:.3f}</td>"
            + (f"<td>{r['satisficing']:.2f}</td>" if r["satisficing"] is not None else "")
            + "".join(f"<td>{r['mean'][n]:.3f}</td>" for n in names)
            + f"<td class=src>{_esc(fail)}; when {_esc(drv['parameter'])} is at prior quantile "
            f"{drv['quantile_worst']:.2f} (else {drv['quantile_other']:.2f})</td></tr>"
        )
    sat = "<th>satisficing</th>" if doc["requirements"] else ""
    return (
        f"<h2>Robust strategies of {_esc(doc['actor'])}</h2><p class=note>{d['strategies']} of "
        f"{d['all_strategies']} strategies, each across the same {d['futures']} sampled futures "
        f"({d['runs_per_experiment']} runs × {d['days']} days each, common random numbers); ranked by "
        f"{_esc(doc['criterion'])}. 'Where it fails': the mean shortfall against the best strategy in the "
        "strategy's worst tenth of futures, and the uncertainty that most sets those futures apart.</p>"
        f"{_held_note(d)}{robust_figure(doc)}"
        "<table><tr><th>rank</th><th>strategy</th><th>max regret</th><th>p90 regret</th>"
        f"{sat}{head}<th>where it fails</th></tr>{''.join(rows)}</table>"
    )


def write_html(path: Path, title: str, sections: list[str]) -> Path:
    text = "\n".join(
        [
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_esc(title)}</title>",
            f"<style>{CSS}</style></head><body><h1>{_esc(title)}</h1>",
            *sections,
            "<p class=note>Generated by tashkent; self-contained, no network access needed.</p>",
            "</body></html>",
        ]
    )
    with atomic_write(path) as fh:
        fh.write(text)
    return path


# ------------------------------------------------------------------ saved results


def kind(doc: dict[str, Any]) -> str:
    """Which analysis produced a result document: sensitivity, discovery or robust."""
    if "analysis" in doc:
        return str(doc["analysis"])
    if "method" in doc and "parameters" in doc:
        return "sensitivity"
    if "boxes" in doc:
        return "discovery"
    if "strategies" in doc:
        return "robust"
    return "unknown"


SECTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "sensitivity": sensitivity_section,
    "discovery": discovery_section,
    "robust": robust_section,
}
_NEEDS = {
    "sensitivity": ("outcome", "method", "runs", "parameters", "details"),
    "discovery": ("outcome", "base_rate", "boxes", "trajectories", "chosen", "details"),
    "robust": ("actor", "criterion", "outcomes", "requirements", "levers", "strategies", "details"),
}


def section(doc: dict[str, Any]) -> str:
    """The HTML section of any analysis result."""
    return SECTIONS[kind(doc)](doc)


def save_analysis(path: Path, doc: dict[str, Any]) -> Path:
    """Write the full result (details included), tagged with its kind, atomically."""
    tagged = {"analysis": kind(doc), **doc}
    try:
        text = json.dumps(tagged, indent=1, allow_nan=False)
    except ValueError:
        raise UserError(f"--save {path}: the result holds a non-finite number; nothing written") from None
    with atomic_write(path) as fh:
        fh.write(text)
    return path


def _finite(x: Any) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    if isinstance(x, dict):
        return all(_finite(v) for v in x.values())
    if isinstance(x, list):
        return all(_finite(v) for v in x)
    return True


def load_analysis(path: Path) -> dict[str, Any]:
    """A result written by `--save`, checked: readable JSON, a known kind, the fields its section
    needs, finite numbers."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--analysis {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"--analysis {path}: not a JSON result file ({exc.__class__.__name__})") from None
    k = kind(doc) if isinstance(doc, dict) else "unknown"
    if k not in _NEEDS:
        raise UserError(
            f"--analysis {path}: not a saved analysis; write one with "
            "`tashkent sensitivity|discover|robust ... --save FILE`"
        )
    missing = [f for f in _NEEDS[k] if f not in doc]
    if missing or not isinstance(doc["details"], dict) or "scenario" not in doc["details"]:
        fields = ", ".join(missing) or "details.scenario"
        raise UserError(f"--analysis {path}: {k} result lacks {fields}; save it again with --save")
    if not _finite(doc):
        raise UserError(f"--analysis {path}: holds a non-finite number (NaN or inf)")
    return doc
