"""`tashkent forecast`, `tashkent runs list | show`, and `tashkent compare`: thin layers over
`tashkent.api` that parse options and print tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tashkent.errors import UserError
from tashkent.limits import MAX_CHUNK_RUNS, MAX_DAYS, MAX_LIST, MAX_RUNS, MAX_TRAJECTORIES, MAX_WORKERS
from tashkent.scenario.overlays import calibration_text
from tashkent.terminal import Console

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)
runs_app = typer.Typer(help="The run index: list and show past forecast runs.", no_args_is_help=True)

PHASE_NAMES = {
    1: "Track II CBMs",
    2: "expanded dialogue",
    3: "Track 1.5",
    4: "Track I",
    5: "framework agreement",
}


def _progress(quiet: bool):
    """(progress bar or None, update callback or None); the bar is started by the first update,
    so an error raised before the ensemble starts prints on a clean line."""
    if quiet:
        return None, None
    prog = Progress(
        TextColumn("[bold]simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = prog.add_task("runs", total=None)

    def update(done: int, total: int) -> None:
        if not prog.live.is_started:
            prog.start()
        prog.update(task, completed=done, total=total)

    return prog, update


def _cell(doc: dict[str, Any], day: str, key: str, value: float) -> str:
    unc = doc["milestones"][day]["uncertainty"].get(key)
    if unc is None:
        return f"{value:.3f}"
    lo, hi = unc["interval_90"]
    return f"{value:.3f} ±{unc['se']:.3f}\n[{lo:.2f}–{hi:.2f}]"


def summary_table(doc: dict[str, Any], parties: tuple[str, str]) -> Table:
    days = list(doc["milestones"].keys())
    t = Table(
        title=f"{doc['scenario']}: {doc['runs']:,} runs × {doc['days']} days from {doc['start_date']} "
        f"(seed {doc['seed']})",
        caption="cells: probability ±MC standard error, [5–95% interval over parameter uncertainty]",
    )
    t.add_column("by day", style="bold")
    for d in days:
        t.add_column(d, justify="right")

    def row(label: str, key: str, get) -> None:
        t.add_row(label, *[_cell(doc, d, key, get(doc["milestones"][d])) for d in days])

    row("P(new crisis)", "p_crisis", lambda m: m["p_crisis"])
    for k, label in (
        (3, "≥ 3 mobilisation"),
        (4, "≥ 4 cross-border fire"),
        (5, "≥ 5 air/missile strikes"),
        (6, "= 6 full-scale war"),
    ):
        row(f"P(highest rung {label})", f"p_rung_ge_{k}", lambda m, k=k: m["p_rung_ge"][str(k)])
    row("P(nuclear signalling)", "p_nuclear_signal", lambda m: m["p_nuclear_signal"])
    from tashkent.scenario.schema import TRACKS

    for party in parties:
        for tr in TRACKS:
            row(
                f"P({party} accepts Track {tr})",
                f"p_accept_{party}_{tr}",
                lambda m, party=party, tr=tr: m["p_accept"][party][tr],
            )
    for k in range(1, 5):
        row(f"P(process reaches {PHASE_NAMES[k]})", f"p_phase_ge_{k}", lambda m, k=k: m["p_phase_ge"][str(k)])
    row("P(framework agreement)", "p_agreement", lambda m: m["p_agreement"])
    t.add_row(
        "fatalities median / 90% / 99%",
        *[
            " / ".join(
                f"{doc['milestones'][d]['fatalities_quantiles'][q]:,.0f}" for q in ("0.5", "0.9", "0.99")
            )
            for d in days
        ],
    )
    ttr = doc.get("time_to_rung", {}).get("5")
    if ttr and ttr["median_if_reached"] is not None:
        t.add_row(
            "days to strikes (rung 5) if reached",
            *([""] * (len(days) - 1)),
            f"{ttr['median_if_reached']:.0f} ({ttr['q10_if_reached']:.0f}–{ttr['q90_if_reached']:.0f})",
        )
    ttc = doc["time_to_first_crisis"]
    med = ttc["median_days"]
    t.add_row(
        "median days to first crisis",
        *([""] * (len(days) - 1)),
        f"{med:.0f}"
        if med is not None
        else f"> {doc['days']} (if any: {ttc['median_days_if_any']:.0f})"
        if ttc["median_days_if_any"] is not None
        else f"> {doc['days']}",
    )
    return t


def forecast(
    scenario: str = typer.Argument("kashmir-2025", help="Built-in scenario name or a scenario YAML file."),
    runs: int = typer.Option(
        20_000, "--runs", "-n", min=100, max=MAX_RUNS, help="Monte Carlo runs (a multiple of 100)."
    ),
    days: int = typer.Option(365, "--days", "-d", min=1, max=MAX_DAYS, help="Horizon in days."),
    seed: int = typer.Option(20251120, "--seed", "-s", min=0, max=2**63 - 1, help="Seed of all randomness."),
    inject: list[str] = typer.Option(
        [], "--inject", help="Dated inject, e.g. '2026-02-15:attack:fatalities=40'."
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="Override, e.g. parameters.attack_rate=0.5 or actors.SAU.active=false."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the forecast as one JSON document."),
    report: Path | None = typer.Option(
        None, "--report", help="Also write the self-contained HTML report to this file."
    ),
    db: str | None = typer.Option(None, "--db", help="Run index: SQLAlchemy URL or SQLite file."),
    workers: int = typer.Option(
        0, "--workers", "-w", min=0, max=MAX_WORKERS, help="Local worker processes (0 = up to 2 cores)."
    ),
    dask: str | None = typer.Option(None, "--dask", help="Dask scheduler address ('local' starts one)."),
    chunk_runs: int = typer.Option(
        10_000, "--chunk-runs", min=100, max=MAX_CHUNK_RUNS, help="Runs per chunk (a multiple of 100)."
    ),
    keep_trajectories: int = typer.Option(
        200,
        "--keep-trajectories",
        min=0,
        max=MAX_TRAJECTORIES,
        help="Daily trajectories kept for this many runs.",
    ),
    fixed_params: bool = typer.Option(
        False, "--fixed-params", help="Use parameter values, not draws from priors."
    ),
    uncalibrated: bool = typer.Option(
        False, "--uncalibrated", help="Sample the priors, not the calibrated posteriors."
    ),
    from_events: list[Path] = typer.Option(
        [], "--from-events", help="Start from the state nowcast from these event files."
    ),
    from_store: bool = typer.Option(
        False, "--from-store", help="Start from the state nowcast from the event store."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Nowcast date for --from-events (YYYY-MM-DD)."),
    resume: str | None = typer.Option(None, "--resume", help="Finish an interrupted run by its id."),
    no_link: bool = typer.Option(
        False,
        "--no-bargaining-link",
        help="Keep way_out/settlement_gap priors; skip the bargaining analysis.",
    ),
) -> None:
    """Forecast a scenario: Monte Carlo ensemble, milestone table, saved results and run index."""
    from tashkent import api

    prog, update = _progress(as_json)
    try:
        if resume:
            fc = api.resume(resume, db=db, workers=workers or None, dask=dask, progress=update)
        else:
            fc = api.forecast(
                scenario,
                runs=runs,
                days=days,
                seed=seed,
                set=set_,
                inject=inject,
                calibrated=not uncalibrated,
                bargaining_link=not no_link,
                from_events=from_events,
                from_store=from_store,
                as_of=as_of,
                param_mode="fixed" if fixed_params else "sample",
                workers=workers or None,
                dask=dask,
                chunk_runs=chunk_runs,
                keep_trajectories=keep_trajectories,
                store=True,
                db=db,
                progress=update,
            )
    finally:
        if prog and prog.live.is_started:
            prog.stop()
    doc = fc.to_json()
    report_path = fc.report(report) if report is not None else None
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    console.print(summary_table(doc, fc.scenario.parties))
    note = calibration_text(doc.get("calibration"))
    if note:
        typer.echo(note)
    typer.echo(f"run {doc['run_id']} — {doc['seconds']:.1f} s; results in {fc.run_dir}")
    if report_path:
        typer.echo(f"report: {report_path}")


def cells_order() -> tuple[str, ...]:
    return ("run id", "status", "runs", "days", "crisis", "rung≥5", "seed", "seconds")


def runs_list(
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
    limit: int = typer.Option(20, "--limit", min=1, max=MAX_LIST, help="How many recent runs."),
) -> None:
    """List recent runs, newest first."""
    from tashkent.store import index

    rows = index.list_runs(db, limit)

    def cells(r: Any) -> dict[str, str]:
        h = r.headline or {}
        return {
            "run id": r.run_id,
            "status": r.status,
            "runs": f"{r.runs:,}",
            "days": str(r.days),
            "crisis": f"{h['p_crisis']:.3f}" if h else "",
            "rung≥5": f"{h['p_rung_ge_5']:.3f}" if h else "",
            "seed": str(r.seed),
            "seconds": f"{r.seconds:.1f}" if r.seconds else "",
        }

    table = [cells(r) for r in rows]
    width = {k: max([len(k)] + [len(c[k]) for c in table]) + 3 for k in cells_order()}  # pad, gap
    # Columns are dropped, least useful first, until the rest fit unwrapped: never truncated.
    shown = [k for k in cells_order()]
    for drop in ("seconds", "seed", "days", "status", "runs"):
        if sum(width[k] for k in shown) + 1 <= console.width:
            break
        shown.remove(drop)
    t = Table(
        box=box.SIMPLE_HEAD,
        caption="crisis, rung≥5: P(new crisis), P(highest rung ≥ 5) by the horizon",
        caption_justify="left",
    )
    for k in shown:
        t.add_column(k, justify="left" if k in ("run id", "status") else "right", no_wrap=True)
    for c in table:
        t.add_row(*(c[k] for k in shown))
    console.print(t)


def runs_show(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored forecast document."),
) -> None:
    """Show one run: its inputs, timing and forecast table."""
    from tashkent import forecasting
    from tashkent.store import index, integrity

    r = index.get_run(db, run_id)
    run_dir = forecasting.run_folder(r)
    has_summary = (run_dir / "summary.json").is_file()
    if as_json:
        if not has_summary:
            raise UserError(f"run {r.run_id} has no results yet (status {r.status})")
        typer.echo(json.dumps(integrity.verified_json(run_dir, "summary.json"), indent=2))
        return
    doc = integrity.verified_json(run_dir, "summary.json") if has_summary else None
    console.print(
        f"[bold]{r.run_id}[/bold]  status {r.status}\nscenario {r.scenario} (hash {r.scenario_hash}), "
        f"{r.runs:,} runs × {r.days} days, seed {r.seed}, tashkent {r.version}\n"
        f"created {r.created:%Y-%m-%d %H:%M:%S} UTC, "
        f"{f'{r.seconds:.1f} s' if r.seconds else 'unfinished'}; folder {r.run_dir}"
    )
    inputs = (r.parameters or {}).get("inputs", {})
    if inputs.get("set") or inputs.get("inject"):
        console.print(f"overrides: {', '.join(inputs.get('set', []) + inputs.get('inject', []))}")
    note = calibration_text(inputs.get("calibration"))
    if note:
        console.print(note, markup=False)
    if doc is not None:
        parties = list(doc["milestones"][str(doc["days"])]["p_accept"])
        console.print(summary_table(doc, (parties[0], parties[1])))


def runs_repair(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
) -> None:
    """Check a run's files against their checksums; remove bad ones so `--resume` recomputes them."""
    from tashkent import forecasting

    r_id, removed = forecasting.repair(run_id, db)
    if removed:
        typer.echo(f"removed {len(removed)} bad file(s): {', '.join(removed)}")
        typer.echo(f"finish with `tashkent forecast --resume {r_id}`")
    else:
        typer.echo(f"run {r_id}: every file matches its checksum")


def runs_delete(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
) -> None:
    """Delete a run: its folder and its row in the run index."""
    from tashkent import forecasting

    r_id, folder = forecasting.delete(run_id, db)
    typer.echo(f"deleted run {r_id} ({folder})")


def compare(
    base: str = typer.Argument(..., help="Base scenario (name or file)."),
    variants: list[str] = typer.Argument(..., help="Variants: scenario, or set:/inject: overlays on BASE."),
    runs: int = typer.Option(
        10_000, "--runs", "-n", min=100, max=MAX_RUNS, help="Runs per variant (a multiple of 100)."
    ),
    days: int = typer.Option(365, "--days", "-d", min=1, max=MAX_DAYS, help="Horizon in days."),
    seed: int = typer.Option(
        20251120,
        "--seed",
        "-s",
        min=0,
        max=2**63 - 1,
        help="Seed shared by all variants (common random numbers).",
    ),
    set_: list[str] = typer.Option([], "--set", help="Override applied to the base and every variant."),
    inject: list[str] = typer.Option([], "--inject", help="Inject applied to the base and every variant."),
    workers: int = typer.Option(
        0, "--workers", "-w", min=0, max=MAX_WORKERS, help="Local worker processes (0 = up to 2 cores)."
    ),
    uncalibrated: bool = typer.Option(
        False, "--uncalibrated", help="Sample the priors, not the calibrated posteriors."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Compare variants of a scenario with common random numbers: differences with 95% intervals.

    A VARIANT is `[LABEL=]SOURCE`: a scenario name or file, or overlays on BASE,
    `set:PATH=VALUE[;PATH=VALUE…]` and/or `inject:DATE:KIND:key=value`, joined by `+`. Example:
    `"no-gulf=set:actors.SAU.active=false;actors.IRN.active=false"`."""
    from tashkent import api

    out = api.compare(
        base,
        variants,
        runs=runs,
        days=days,
        seed=seed,
        set=set_,
        inject=inject,
        calibrated=not uncalibrated,
        workers=workers or None,
    ).to_json()
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    for v in out["variants"]:
        t = Table(
            f"P(by day {days})",
            "base",
            v["label"],
            "difference",
            "95% interval",
            title=f"{v['label']} vs {base} — {runs:,} paired runs, seed {seed}",
        )
        for r in v["differences"]:
            sig = "" if r["ci95"][0] <= 0 <= r["ci95"][1] else " *"
            t.add_row(
                r["metric"],
                f"{r['base']:.3f}",
                f"{r['variant']:.3f}",
                f"{r['diff']:+.3f}{sig}",
                f"[{r['ci95'][0]:+.3f}, {r['ci95'][1]:+.3f}]",
            )
        console.print(t)
    console.print("* interval excludes zero")
    note = calibration_text(out.get("calibration"))
    if note:
        console.print(note, markup=False)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
    runs_app.command("list")(runs_list)
    runs_app.command("show")(runs_show)
    runs_app.command("repair")(runs_repair)
    runs_app.command("delete")(runs_delete)
    app.add_typer(runs_app, name="runs")
    app.command("compare")(compare)
