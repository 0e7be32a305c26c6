"""The self-contained HTML report of a run: figures inline (SVG), no external resources, written
atomically beside the run's results. Includes the milestone table, the drivers of headline
results (rank correlation of per-block parameter draws with outcomes) and every assumption with
its source."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tashkent.errors import UserError
from tashkent.report import figures
from tashkent.scenario.schema import TRACKS, Scenario
from tashkent.store.paths import atomic_write

CSS = (
    "body{font-family:system-ui,Segoe UI,Helvetica,Arial,sans-serif;max-width:1080px;margin:2em"
    " auto;padding:0 1em;color:#222}h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-"
    "bottom:.2em;margin-top:2em}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td"
    ",th{border:1px solid #ddd;padding:3px 6px;text-align:right;vertical-align:top}td:first-chi"
    "ld,th:first-child{text-align:left}.src{text-align:left;max-width:520px}.note{color:#555;fo"
    "nt-size:.9em}svg{max-width:100%;height:auto}table.text td,table.text th{text-align:left}"
)

DRIVER_OUTCOMES = ("crisis", "rung_ge_5", "nuclear_signal", "phase_ge_1", "phase_ge_3", "agreement")


def drivers(blocks: pd.DataFrame, top: int = 6) -> dict[str, list[tuple[str, float]]]:
    """Spearman correlation between each sampled parameter and each outcome across blocks."""
    out: dict[str, list[tuple[str, float]]] = {}
    params = [c for c in blocks.columns if c.startswith("param_") and blocks[c].nunique() > 1]
    if len(blocks) < 10 or not params:
        return out
    for outcome in DRIVER_OUTCOMES:
        col = f"p_{outcome}"
        if col not in blocks or blocks[col].nunique() < 2:
            continue
        rho = []
        for p in params:
            r = stats.spearmanr(blocks[p], blocks[col]).statistic
            if np.isfinite(r):
                rho.append((p.removeprefix("param_"), float(r)))
        rho.sort(key=lambda t: -abs(t[1]))
        out[outcome] = rho[:top]
    return out


def _milestone_html(doc: dict[str, Any]) -> str:
    days = list(doc["milestones"])
    # (label, key in the uncertainty table, path to the probability in a milestone entry)
    rows: list[tuple[str, str, tuple[str, ...]]] = [("P(new crisis)", "p_crisis", ("p_crisis",))]
    for k in (3, 4, 5, 6):
        rows.append((f"P(highest rung ≥ {k})", f"p_rung_ge_{k}", ("p_rung_ge", str(k))))
    rows.append(("P(nuclear signalling)", "p_nuclear_signal", ("p_nuclear_signal",)))
    for party in doc["milestones"][days[-1]]["p_accept"]:
        for t in TRACKS:
            rows.append((f"P({party} accepts Track {t})", f"p_accept_{party}_{t}", ("p_accept", party, t)))
    for k in range(1, 6):
        rows.append((f"P(phase ≥ {k})", f"p_phase_ge_{k}", ("p_phase_ge", str(k))))
    rows.append(("P(mediation: both accept Track 1.5 or I)", "p_mediation", ("p_mediation",)))

    def get(m: dict[str, Any], path: tuple[str, ...]) -> float:
        for part in path:
            m = m[part]
        return float(m)  # type: ignore[arg-type]

    head = "".join(f"<th>day {d}</th>" for d in days)
    body = []
    for label, key, path in rows:
        cells = []
        for d in days:
            m = doc["milestones"][d]
            u = m["uncertainty"][key]
            cells.append(
                f"<td>{get(m, path):.3f} ± {u['se']:.3f}<br><span class=note>[{u['interval_90'][0]:.2f}–"
                f"{u['interval_90'][1]:.2f}]</span></td>"
            )
        body.append(f"<tr><td>{html.escape(label)}</td>{''.join(cells)}</tr>")

    def fq(d: str) -> str:
        q = doc["milestones"][d]["fatalities_quantiles"]
        return " / ".join(f"{q[k]:,.0f}" for k in ("0.5", "0.9", "0.99"))

    fat = "".join(f"<td>{fq(d)}</td>" for d in days)
    body.append(f"<tr><td>fatalities median / 90% / 99%</td>{fat}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(body)}</table>"


def _bias_text(bias: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:+.2f}" for k, v in bias.items())


def _assumptions_html(scenario: Scenario) -> str:
    rows = []
    for name, p in scenario.parameters.items():
        prior = p.prior.model_dump(exclude_none=True)
        dist = prior.pop("dist")
        prior_txt = (
            "fixed" if dist == "fixed" else f"{dist}({', '.join(f'{k}={v:g}' for k, v in prior.items())})"
        )
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{p.value:g}</td><td>{html.escape(prior_txt)}</td>"
            f"<td>{html.escape(p.unit or '')}</td><td class=src>{html.escape(p.source)}</td></tr>"
        )
    for ph in scenario.process.phases:
        rows.append(
            f"<tr><td>phase {ph.id} ({html.escape(ph.name)}) median days</td><td>{ph.median_days.value:g}"
            f"</td><td></td><td>days</td><td class=src>{html.escape(ph.median_days.source)}</td></tr>"
        )
    actors = "".join(
        f"<tr><td>{a.id}</td><td>{html.escape(a.name)}</td><td>{', '.join(a.roles)}</td>"
        f"<td>{html.escape(_bias_text(a.bias))}</td><td>{a.leverage:.2f}</td>"
        f"<td class=src>{html.escape(a.source)}</td></tr>"
        for a in scenario.actors
    )
    return (
        "<h3>Actors</h3><table class=text><tr><th>id</th><th>name</th><th>roles</th><th>bias</th>"
        f"<th>leverage</th><th>source</th></tr>{actors}</table><h3>Parameters</h3><table class=text><tr>"
        f"<th>parameter</th><th>value</th><th>prior</th><th>unit</th><th>source</th></tr>{''.join(rows)}</table>"
    )


def _calibration_line(note: dict[str, Any] | None) -> str:
    if not note or not note.get("overlay"):
        return "Calibration overlay: not used (parameters from the scenario's own priors)."
    used = ", ".join(note.get("applied", [])) or "none"
    kept = ", ".join(note.get("kept_scenario_values", [])) or "none"
    return (
        f"Calibration overlay: posteriors fitted to the crisis record used for {used}; "
        f"the scenario's own values kept for {kept}."
    )


def render(run_dir: Path, sections: Sequence[str] = ()) -> str:
    """The report page of a stored run; `sections` (HTML, e.g. the exploratory analyses of the
    same scenario) go after the drivers, before the assumptions."""
    from tashkent.store import integrity

    def table(name: str) -> pd.DataFrame:
        return pd.read_parquet(io.BytesIO(integrity.verified_bytes(run_dir, name, man)))

    man = integrity.read_manifest(run_dir)
    doc = integrity.verified_json(run_dir, "summary.json")
    if "scenario" not in man:
        raise UserError(f"{run_dir}: not the folder of a stored forecast (its manifest names no scenario)")
    scenario = Scenario.model_validate(man["scenario"])
    daily = table("daily.parquet")
    surv = table("survival.parquet")
    fat = table("fatalities.parquet")
    drv = drivers(table("blocks.parquet")) if (run_dir / "blocks.parquet").is_file() else {}
    H = str(doc["days"])
    rows = []
    for outcome, lst in drv.items():
        listed = html.escape("; ".join(f"{name} {rho:+.2f}" for name, rho in lst))
        rows.append(f"<tr><td>{html.escape(outcome)}</td><td class=src>{listed}</td></tr>")
    drv_html = "".join(rows) or "<tr><td colspan=2>parameters were fixed in this run</td></tr>"
    inputs = man.get("inputs", {})
    extra = html.escape(", ".join(inputs.get("set", []) + inputs.get("inject", [])) or "none")
    ttc = doc["time_to_first_crisis"]
    if ttc["median_days"] is not None:
        first_crisis = f"day {ttc['median_days']:.0f}"
    elif ttc["median_days_if_any"] is not None:
        first_crisis = (
            f"beyond the horizon (P = {ttc['p_any']:.2f}); if one occurs, day {ttc['median_days_if_any']:.0f}"
        )
    else:
        first_crisis = "beyond the horizon (no new crisis in any run)"
    dq = doc["crisis_duration_quantiles"]
    mode = (
        "sampled from their priors/posteriors"
        if doc["parameter_mode"] == "sample"
        else "fixed at their values"
    )
    run_id = html.escape(doc.get("run_id") or "in memory (not stored)")
    version = html.escape(man.get("version", ""))
    deesc = daily["mean_deescalations"].sum()
    parts = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>tashkent forecast {run_id}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(scenario.title)}</h1>",
        f"<p class=note>Run <b>{run_id}</b>: {doc['runs']:,} Monte Carlo runs × {doc['days']} days from "
        f"{doc['start_date']}, seed {doc['seed']}, parameters {mode}; scenario hash {doc['scenario_hash']}; "
        f"overrides: {extra}. Largest Monte Carlo standard error {doc['se']:.4f}.</p>",
        f"<p class=note>{html.escape(_calibration_line(doc.get('calibration')))}</p>",
        f"<p>{html.escape(scenario.description)}</p>",
        "<h2>Milestones</h2><p class=note>Probability that the event has happened by the day, ± Monte Carlo "
        "standard error; below it, the 5–95% interval of that probability over parameter uncertainty.</p>",
        _milestone_html(doc),
        f"<p>Median time to the first new crisis: {first_crisis}. Crisis duration (completed crises): median "
        f"{dq['0.5']:.0f} days (10–90%: {dq['0.1']:.0f}–{dq['0.9']:.0f}).</p>",
        _time_to_rung_html(doc),
        f"<h2>The rung over time</h2>{figures.rung_fan(daily)}",
        f"<h2>Escalation score</h2>{figures.score_fan(daily)}",
        "<p class=note>Daily sum over both parties of Rivera et al. (2024) tier points for the day's moves: "
        "de-escalation −2, posturing 4, non-violent escalation 12, violent escalation 28, nuclear 60. "
        f"Mean de-escalatory moves per run over the horizon: {deesc:.2f}.</p>",
        f"<h2>Time to events</h2>{figures.survival(surv)}",
        f"<h2>Acceptance</h2>{figures.acceptance(doc['milestones'][H])}",
        f"<h2>Fatalities</h2>{figures.fatalities(fat, int(H))}",
        "<h2>Drivers</h2><p class=note>Spearman rank correlation, across parameter draws, between each "
        f"parameter and the probability of the outcome by day {H}; the six strongest per outcome.</p>",
        f"<table class=text><tr><th>outcome</th><th>drivers</th></tr>{drv_html}</table>",
        *sections,
        f"<h2>Assumptions and sources</h2>{_assumptions_html(scenario)}",
        f"<p class=note>Generated by tashkent {version}. This file is self-contained: no network access "
        "needed.</p></body></html>",
    ]
    return "\n".join(parts)


def write_report(run_dir: Path, out: Path | None = None, sections: Sequence[str] = ()) -> Path:
    path = out or run_dir / "report.html"
    text = render(run_dir, sections)
    with atomic_write(path) as fh:
        fh.write(text)
    return path


def _time_to_rung_html(doc: dict) -> str:
    """Days to first reaching rungs 3-6 among the runs that reach them (older documents lack it)."""
    ttr = doc.get("time_to_rung")
    if not ttr:
        return ""
    rows = []
    for k, v in ttr.items():
        if v["median_if_reached"] is None:
            cells = "<td colspan=3>not reached in any run</td>"
        else:
            cells = (
                f"<td>{v['median_if_reached']:.0f}</td>"
                f"<td>{v['q10_if_reached']:.0f}–{v['q90_if_reached']:.0f}</td>"
                f"<td>{v.get('p_reached', 0.0):.3f}</td>"
            )
        rows.append(f"<tr><td>≥ {html.escape(k)}</td>{cells}</tr>")
    return (
        "<h2>Time to rung</h2><table><tr><th>rung</th><th>median day if reached</th>"
        "<th>10–90%</th><th>P(reached)</th></tr>" + "".join(rows) + "</table>"
    )
