"""`tashkent forecast`, `tashkent runs list | show`, and `tashkent compare`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tashkent.errors import UserError
from tashkent.limits import MAX_CHUNK_RUNS, MAX_DAYS, MAX_LIST, MAX_RUNS, MAX_TRAJECTORIES, MAX_WORKERS
from tashkent.scenario.load import load_scenario_noted
from tashkent.scenario.schema import TRACKS, Scenario
from tashkent.sim.links import bargaining_overrides

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


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _progress(quiet: bool):
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


def _scenario_for(
    source: str, sets: list[str], injects: list[str], uncalibrated: bool
) -> tuple[Scenario, dict[str, Any]]:
    overlays = [] if uncalibrated else calibrated_overlays()
    sc, notes = load_scenario_noted(source, sets=sets, injects=injects, overlays=overlays)
    return sc, calibration_note(notes, uncalibrated)


def calibration_note(notes: dict[str, list[str]], uncalibrated: bool) -> dict[str, Any]:
    """What the calibration overlay did to this scenario, for the output, the JSON and the report."""
    return {
        "overlay": None if uncalibrated else "history/data/calibrated.yaml",
        "applied": notes["applied"],
        "kept_scenario_values": notes["kept"],
    }


def calibration_text(note: dict[str, Any] | None) -> str | None:
    """One line saying which values the calibration overlay replaced and which it left alone."""
    if not note or not note.get("overlay"):
        return None
    parts = []
    if note["applied"]:
        parts.append(f"calibrated posteriors replace the priors of {', '.join(note['applied'])}")
    if note["kept_scenario_values"]:
        parts.append(
            f"your own values kept for {', '.join(note['kept_scenario_values'])} "
            "(the overlay only replaces the built-in values it was fitted from)"
        )
    if not parts:
        return "calibration overlay: nothing applied (no parameter states the values it was fitted from)"
    return "calibration overlay: " + "; ".join(parts) + "; --uncalibrated turns it off"


def calibrated_overlays() -> list[dict[str, Any]]:
    """The shipped calibration overlay (posteriors fitted to the crisis record), if present."""
    from importlib import resources

    import yaml

    ref = resources.files("tashkent").joinpath("history/data/calibrated.yaml")
    if not ref.is_file():
        return []
    return [yaml.safe_load(ref.read_text(encoding="utf-8"))]


def apply_nowcast(
    scenario: Scenario, paths: list[Path], as_of: str | None, from_store: bool = False, db: str | None = None
) -> tuple[Scenario, dict[str, Any]]:
    """Start from the state nowcast from coded events (issue 4): values with evidence replace the
    scenario's initial state (acceptance and provocation per party and track); the start date
    moves to the nowcast date and dated events before it are dropped as past."""
    import datetime as dt

    from tashkent.events.nowcast import initial_state_overlay
    from tashkent.scenario.load import scenario_to_data

    try:
        when = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UserError(f"--as-of {as_of!r}: not a date; use YYYY-MM-DD") from None
    now = initial_state_overlay(paths or None, from_store=from_store, as_of=when, db_url=db)
    data = scenario_to_data(scenario)
    init = data["initial_state"]
    for key, value in now.state.items():
        if key in ("accept", "provocation") and isinstance(value, dict):
            merged = init.get(key, {})
            for party, v in value.items():
                merged[party] = {**merged.get(party, {}), **v} if isinstance(v, dict) else v
            init[key] = merged
        else:
            init[key] = value
    if "date" in now.state:
        start = dt.date.fromisoformat(str(now.state["date"]))
        data["start_date"] = start.isoformat()
        data["schedule"] = [
            e for e in data.get("schedule", []) if dt.date.fromisoformat(str(e["date"])) >= start
        ]
    sc = Scenario.model_validate(data)
    evidence = {k: len(v) for k, v in now.evidence.items()}
    return sc, {"state": now.state, "evidence_counts": evidence}


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
    report: bool = typer.Option(False, "--report", help="Also write the HTML report."),
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
    from tashkent import forecasting
    from tashkent.sim.ensemble import RunConfig

    if resume:
        done = forecasting.completed_document(resume, db)
        if done is not None:
            if as_json:
                typer.echo(json.dumps(done, indent=2))
            else:
                typer.echo(f"run {done['run_id']} is already complete; its stored forecast:")
                parties = list(done["milestones"][str(done["days"])]["p_accept"])
                console.print(summary_table(done, (parties[0], parties[1])))
            return
        run_id, run_dir, sc, config = forecasting.reopen(resume, db, workers or None, dask)
    else:
        sc, calibration = _scenario_for(scenario, set_, inject, uncalibrated)
        nowcast_info: dict[str, Any] = {}
        if from_events or from_store:
            sc, nowcast_info = apply_nowcast(sc, from_events, as_of, from_store, db)
        link, link_info = ({}, {}) if no_link else bargaining_overrides(sc)
        config = RunConfig(
            runs=runs,
            days=days,
            seed=seed,
            chunk_runs=chunk_runs,
            workers=workers or default_workers(),
            dask=dask,
            keep_trajectories=keep_trajectories,
            param_mode="fixed" if fixed_params else "sample",
            overrides=link,
        )
        inputs = {
            "source": scenario,
            "set": set_,
            "inject": inject,
            "calibrated": not uncalibrated,
            "calibration": calibration,
            "from_events": [str(p) for p in from_events],
            "as_of": as_of,
            "bargaining_link": link_info,
            "nowcast": nowcast_info,
        }
        run_id, run_dir = forecasting.start_run(sc, config, db, inputs)
    prog, update = _progress(as_json)
    if prog:
        prog.start()
    try:
        doc = forecasting.execute(run_id, run_dir, sc, config, db, update)
    finally:
        if prog:
            prog.stop()
    report_path = None
    if report:
        from tashkent.report.html import write_report

        report_path = write_report(run_dir)
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    console.print(summary_table(doc, sc.parties))
    note = calibration_text(doc.get("calibration"))
    if note:
        typer.echo(note)
    typer.echo(f"run {doc['run_id']} — {doc['seconds']:.1f} s; results in {run_dir}")
    if report_path:
        typer.echo(f"report: {report_path}")


def runs_list(
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
    limit: int = typer.Option(20, "--limit", min=1, max=MAX_LIST, help="How many recent runs."),
) -> None:
    """List recent runs, newest first."""
    from tashkent.store import index

    t = Table("status", "runs", "days", "seed", "s", "P(crisis)", "P(rung≥5)")
    t.add_column("run id", no_wrap=True)
    t.columns.insert(0, t.columns.pop())  # run id first, never truncated: users copy it
    for r in index.list_runs(db, limit):
        h = r.headline or {}
        t.add_row(
            r.run_id,
            r.status,
            f"{r.runs:,}",
            str(r.days),
            str(r.seed),
            f"{r.seconds:.1f}" if r.seconds else "",
            f"{h['p_crisis']:.3f}" if h else "",
            f"{h['p_rung_ge_5']:.3f}" if h else "",
        )
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

    removed = forecasting.repair(run_id, db)
    r_id = index_run_id(run_id, db)
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

    r_id = index_run_id(run_id, db)
    folder = forecasting.delete(r_id, db)
    typer.echo(f"deleted run {r_id} ({folder})")


def index_run_id(run_id: str, db: str | None) -> str:
    from tashkent.store import index

    return index.get_run(db, run_id).run_id


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
    runs_app.command("list")(runs_list)
    runs_app.command("show")(runs_show)
    runs_app.command("repair")(runs_repair)
    runs_app.command("delete")(runs_delete)
    app.add_typer(runs_app, name="runs")
    from tashkent.sim.compare import compare

    app.command("compare")(compare)
