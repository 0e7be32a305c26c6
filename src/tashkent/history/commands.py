"""CLI: `tashkent history crises|base-rates`, `tashkent backtest`, `tashkent calibrate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tashkent.errors import UserError
from tashkent.terminal import Console

history_app = typer.Typer(help="The India–Pakistan crisis record and ICB base rates.", no_args_is_help=True)
console = Console(highlight=False, piped_width=150)

DATA_HELP = "Crisis record CSV (default: the packaged record; crisis_sources.csv beside it)."


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


@history_app.command("crises")
def crises_cmd(
    data: Path | None = typer.Option(None, "--data", help=DATA_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the crises: trigger, rungs (0–6), nuclear signalling, response lag, mediation."""
    from dataclasses import asdict

    from tashkent.history.record import load_crises

    crises = load_crises(data)
    if as_json:
        # `india_response_lag_days`: the former name of `response_lag_days`, kept for readers of it
        _echo_json([{**asdict(c), "india_response_lag_days": c.response_lag_days} for c in crises])
        return
    table = Table(title=f"{len(crises)} India–Pakistan crises", show_lines=False)
    for col in (
        "id",
        "crisis",
        "trigger",
        "type",
        "killed",
        "nuc",
        "rung",
        "NS",
        "lag",
        "days",
        "mediation",
    ):
        table.add_column(col, justify="left" if col in ("crisis", "type", "mediation") else "right")
    for c in crises:
        med = (
            ("by " + "+".join(c.mediators))
            if c.mediation_occurred
            else ("offered" if c.mediation_offered else "none")
        )
        table.add_row(
            str(c.id),
            c.name,
            c.trigger_date.isoformat()[: 7 if c.trigger_precision == "month" else 10],
            c.trigger_type,
            "" if c.trigger_fatalities is None else str(c.trigger_fatalities),
            "yes" if c.both_nuclear else "no",
            f"{c.rung_before}→{c.rung_highest}",
            c.nuclear_signal,
            "" if c.response_lag_days is None else str(c.response_lag_days),
            "" if c.duration_days is None else str(c.duration_days),
            med,
        )
    console.print(table)


@history_app.command("offers")
def offers_cmd(
    path: Path | None = typer.Option(
        None, "--offers", help="Record of offers YAML (default: the packaged record)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List third parties' offers 1948–2025: who, form, issue, each party's answer (sources: --json)."""
    from dataclasses import asdict

    from tashkent.history.offers import fitted_parameters, load_offers
    from tashkent.history.record import load_crises
    from tashkent.scenario.load import load_scenario, scenario_to_data

    record = load_offers(path)
    fit = fitted_parameters(
        record, load_crises(), scenario_to_data(load_scenario("kashmir-2025"))["parameters"]
    )
    if as_json:
        _echo_json(
            {
                "parties": list(record.parties),
                "bilateral_clause": {
                    "party": record.clause_party,
                    "since": record.clause_since,
                    "forms": list(record.clause_forms),
                    "source": record.clause_source,
                },
                "offers": [asdict(o) for o in record.offers],
                "fit": {k: {"mean": round(m, 3), "sd": round(sd, 3)} for k, (m, sd) in fit.items()},
            }
        )
        return
    a, b = record.parties
    table = Table(title=f"{len(record.offers)} third-party offers between {a} and {b}")
    for col in ("id", "date", "offerer", "form", "issue", "tilt→" + a, a, b):
        table.add_column(col, justify="right" if col.startswith("tilt") else "left")
    for o in record.offers:
        table.add_row(
            o.id,
            o.date.isoformat(),
            o.offerer + (" (GP)" if o.great_power else ""),
            o.form,
            o.issue,
            f"{o.tilt:+.2f}",
            o.answers[a].answer,
            o.answers[b].answer,
        )
    console.print(table)
    n = len(record.offers)
    both = sum(o.accepted_by_both for o in record.offers)
    by = {p: sum(o.answers[p].accepted for o in record.offers) for p in record.parties}
    console.print(f"accepted by both {both}/{n}; by {a} {by[a]}/{n}; by {b} {by[b]}/{n}")
    console.print(
        "acceptance model fitted on the record (posterior mean ± sd): "
        + ", ".join(f"{k.removeprefix('offer_')} {m:+.2f}±{sd:.2f}" for k, (m, sd) in fit.items())
    )


@history_app.command("base-rates")
def base_rates_cmd(
    icb: Path = typer.Option(..., "--icb", help="Folder with icb1v15.csv, icb2v15.csv, icbdy_v15.csv."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Mediation base rates from the ICB v15 files (International Crisis Behavior project)."""
    from tashkent.history.icb import base_rates, read_icb

    rates = base_rates(read_icb(icb))
    if as_json:
        _echo_json(rates)
        return
    post = rates["post1945"]

    def pct(r: dict[str, Any]) -> str:
        return f"{100 * r['p']:.1f}% ({r['k']}/{r['n']})"

    table = Table(title=f"ICB v15 base rates ({rates['n_crises']} crises, {rates['n_post1945']} post-1945)")
    table.add_column("quantity (post-1945)")
    table.add_column("value", justify="right")
    table.add_row("mediation occurred", pct(post["mediation_occurred"]))
    table.add_row("agreement if mediated", pct(post["agreement_mediated"]))
    table.add_row("agreement if not mediated", pct(post["agreement_not_mediated"]))
    table.add_row("tension reduction if mediated", pct(post["tension_reduction_mediated"]))
    table.add_row("tension reduction if not", pct(post["tension_reduction_not_mediated"]))
    lag = post["mediation_lag_days"]
    table.add_row(
        "trigger → mediation, median days",
        f"{lag['median']} (IQR {lag['q1']:g}–{lag['q3']:g}, n={lag['n']})",
    )
    for kind, d in post["by_mediator_type"].items():
        table.add_row(
            f"  {kind}: effective / agreement",
            f"{100 * d['effective']['p']:.0f}% / {100 * d['agreement']['p']:.0f}% (n={d['n']})",
        )
    for style, d in post["by_style"].items():
        table.add_row(
            f"  {style}: effective / agreement",
            f"{100 * d['effective']['p']:.0f}% / {100 * d['agreement']['p']:.0f}% (n={d['n']})",
        )
    ip = rates["india_pakistan"]
    table.add_row(
        "India–Pakistan: mediated / offered / none",
        "{occurred} / {offered_not_accepted} / {none}".format(**ip["mediation"]),
    )
    table.add_row("India–Pakistan: mediated since Simla", pct(ip["mediated_since_simla"]))
    table.add_row("India–Pakistan: onsets per year (ICB)", f"{ip['onset_rate_per_year']:.2f}")
    console.print(table)


def _print_scores(result: dict[str, Any]) -> None:
    from tashkent.history.backtest import BASELINE_NAMES, METRICS

    names = result["forecasters"]
    lead = names[0]
    table = Table(
        title=f"Back-test, {result['method']}: {len(result['crises'])} crises and "
        f"{len(result.get('offers', []))} offers (lower is better)"
    )
    table.add_column("metric")
    table.add_column("rule")
    table.add_column("n", justify="right")
    for n in names:
        table.add_column(n, justify="right")
    skill_vs = [b for b in BASELINE_NAMES if b != lead]
    for b in skill_vs:
        table.add_column(f"vs {b[:5]}.", justify="right")
    for metric, rule in METRICS.items():
        row = [metric, rule, str(result["n"][metric])]
        row += [f"{result['scores'][metric][n]:.3f}" for n in names]
        for b in skill_vs:
            s = result["skill"][metric].get(lead, {}).get(b)
            row.append(f"{s['skill']:+.2f} [{s['low']:+.2f},{s['high']:+.2f}]" if s else "–")
        table.add_row(*row)
    console.print(table)


def backtest_cmd(
    method: str = typer.Option("loo", "--method", help="loo, temporal or both."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    report: Path | None = typer.Option(None, "--report", help="Write an offline HTML report here."),
    data: Path | None = typer.Option(None, "--data", help=DATA_HELP),
    baselines_only: bool = typer.Option(
        False, "--baselines-only", help="Score only the baselines (no model)."
    ),
    runs: int = typer.Option(
        10_000, "--runs", "-n", min=100, max=1_000_000, help="Model runs per crisis (a multiple of 100)."
    ),
    seed: int = typer.Option(20251120, "--seed", "-s", help="Seed for simulations and the bootstrap."),
    dyad: str = typer.Option(
        "india-pakistan", "--dyad", help="Crisis record: india-pakistan or pakistan-afghanistan."
    ),
) -> None:
    """Replay every crisis from its trigger and score forecasts against baselines."""
    from tashkent import api

    result = api.backtest(
        method,
        data=data,
        baselines_only=baselines_only,
        runs=runs,
        seed=seed,
        dyad=dyad,
        status=lambda text: console.status(text, spinner="dots"),
    )
    if report is not None:
        result.report(report)
    if as_json:
        _echo_json(result.to_json())
        return
    for r in result.designs:
        _print_scores(r)
    if report is not None:
        console.print(f"report written to {report}")


def overlay_yaml(overlay: dict[str, Any]) -> str:
    """The overlay as YAML with a header saying what it is and how to use it."""
    import yaml

    header = (
        "# tashkent calibration overlay: posterior distributions of model parameters fitted\n"
        "# to the India–Pakistan crisis record (tashkent history). Same shape as a scenario's\n"
        "# `parameters:` ({value, prior, source}); entries with `identified: false` keep the\n"
        "# scenario's prior. Written by `tashkent calibrate`; provenance and fit diagnostics\n"
        "# under `calibration:`.\n"
    )
    return header + yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True, width=100)


def calibrate_cmd(
    data: Path | None = typer.Option(None, "--data", help=DATA_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write the overlay YAML here."),
    runs: int = typer.Option(
        50_000,
        "--runs",
        "-n",
        help="Runs per crisis and seed (a multiple of 100; blocks of 100 share one prior draw).",
    ),
    seed: int = typer.Option(20251120, "--seed", "-s", help="Seed of the first simulation bank."),
    seeds: int = typer.Option(
        2,
        "--seeds",
        min=1,
        max=10,
        help="Independent banks (seeds SEED, SEED+1, …); a parameter is identified only if all agree.",
    ),
    workers: int = typer.Option(
        0, "--workers", "-w", min=0, max=64, help="Local worker processes (0 = up to 2 cores)."
    ),
    likelihood: str = typer.Option(
        "smoothed",
        "--likelihood",
        help="raw: each draw's own 100-run frequencies; smoothed: those frequencies regressed across "
        "draws (less noisy, decision 0045).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the overlay as JSON."),
) -> None:
    """Fit escalation, spoiler and mediation parameters to the crisis record; write an overlay."""
    from tashkent.history.calibrate import LIKELIHOODS, NOT_RECOVERED, calibrate
    from tashkent.history.model_forecaster import SimulationBank
    from tashkent.history.record import load_crises
    from tashkent.history.simbank import REPLAY_BASE
    from tashkent.scenario.load import load_scenario, scenario_to_data
    from tashkent.sim.ensemble import default_workers
    from tashkent.store.paths import atomic_write

    if runs < 100 or runs % 100:
        raise UserError(f"--runs {runs}: must be a positive multiple of 100 (blocks of 100 runs)")
    if workers < 0:
        raise UserError(f"--workers {workers}: must be 0 (up to 2 cores) or more")
    if likelihood not in LIKELIHOODS:
        raise UserError(f"--likelihood {likelihood}: must be one of {', '.join(LIKELIHOODS)}")
    crises = load_crises(data)
    banks = [
        SimulationBank(n_blocks=runs // 100, seed=seed + k, workers=workers or default_workers())
        for k in range(seeds)
    ]
    base = scenario_to_data(load_scenario(REPLAY_BASE))["parameters"]
    with console.status(f"replaying {len(crises)} crises × {runs:,} runs × {seeds} seeds", spinner="dots"):
        overlay = calibrate(
            crises,
            banks[0],
            base,
            data_label=f"the crisis record {data or 'crises.csv'}",
            checks=banks[1:],
            likelihood=likelihood,
            unrecovered=NOT_RECOVERED if likelihood == "smoothed" else (),
        )
    if out is not None:
        with atomic_write(out) as fh:
            fh.write(overlay_yaml(overlay))
    if as_json:
        _echo_json(overlay)
        return
    cal = overlay["calibration"]
    diag = cal["diagnostics"]
    table = Table(
        title=f"Calibration ({cal.get('likelihood', 'raw')} likelihood): {cal['draws']} prior draws × "
        f"{cal['runs_per_draw']} runs over "
        f"{len(cal['seeds'])} seed(s); ESS {diag['ess']} (untempered {diag['ess_untempered']}), "
        f"tempering β = {diag['tempering_beta']}"
    )
    cols = (
        "parameter",
        "prior mean",
        "prior sd",
        "posterior mean",
        "posterior sd",
        "sd ratio by seed",
        "result",
    )
    for col in cols:
        table.add_column(col, justify="left" if col in ("parameter", "result") else "right")
    for name, d in diag["parameters"].items():
        scale = " (log)" if d["log_scale"] else ""
        table.add_row(
            name + scale,
            f"{d['prior_mean']:.3g}",
            f"{d['prior_sd']:.3g}",
            f"{d['posterior_mean']:.3g}",
            f"{d['posterior_sd']:.3g}",
            " ".join(f"{r:.2f}" for r in d.get("sd_ratio_by_seed", [d["sd_ratio"]])),
            "calibrated"
            if name in cal["identified"]
            else "keeps prior (not recovered)"
            if name in cal.get("passes_criterion_not_recovered", ())
            else "keeps prior",
        )
    console.print(table)
    if "identification" in cal:
        console.print(f"criterion: {cal['identification']}")
    if cal["draws"] < 20 * len(cal["seeds"]):
        console.print(
            f"note: {cal['draws']} prior draws cannot identify any crisis parameter; "
            "use --runs 2000 or more (the shipped overlay used --runs 150000 --seeds 2)"
        )
    if out is not None:
        console.print(f"overlay written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")
    app.command("backtest")(backtest_cmd)
    app.command("calibrate")(calibrate_cmd)
