"""`tashkent sensitivity`, `tashkent discover`, `tashkent robust`: thin commands over
`tashkent.explore` (tables by default, `--json`, `--html` for a report section, `--figure` SVG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tashkent.terminal import Console

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

SEED = 20251120


class _Bar:
    """A progress bar on stderr (blocks of 100 runs), silent with --quiet or --json."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.prog = (
            None
            if quiet
            else Progress(
                TextColumn("[bold]experiments"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("blocks"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
        )
        self.task = self.prog.add_task("blocks", total=None) if self.prog else None

    def __enter__(self):
        if self.prog:
            self.prog.start()
        return self.update if self.prog else None

    def update(self, done: int, total: int) -> None:
        assert self.prog is not None and self.task is not None
        self.prog.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.prog:
            self.prog.stop()


def _outputs(
    doc: dict[str, Any], html: Path | None, figure: Path | None, save: Path | None, section, fig, title: str
) -> None:
    from tashkent.explore.report import save_analysis, write_html
    from tashkent.store.paths import atomic_write

    if save is not None:
        save_analysis(save, doc)
        err.print(f"wrote {save} (add it to a run's report: tashkent report RUN --analysis {save})")
    if html is not None:
        write_html(html, title, [section(doc)])
        err.print(f"wrote {html}")
    if figure is not None:
        with atomic_write(figure) as fh:
            fh.write(fig(doc))
        err.print(f"wrote {figure}")


_WORKERS = typer.Option(0, "--workers", "-w", help="Local worker processes (0 = up to 2 cores).")
_DASK = typer.Option(None, "--dask", help="Dask scheduler address (tcp://host:8786) or 'local'.")
_STORE = typer.Option(None, "--store", help="Folder that keeps finished chunks; rerun to resume.")
_CHUNK = typer.Option(64, "--chunk-blocks", help="Blocks of 100 runs sent to a worker at once.")
_RPE = typer.Option(100, "--runs-per-experiment", help="Runs per experiment (a multiple of 100).")
_DAYS = typer.Option(365, "--days", "-d", help="Horizon in days.")
_SEED = typer.Option(SEED, "--seed", "-s", help="Seed (results identical for any executor).")
_SET = typer.Option([], "--set", help="Scenario override PATH=VALUE (repeatable).")
_UNCAL = typer.Option(False, "--uncalibrated", help="Use the priors, not the calibrated posteriors.")
_JSON = typer.Option(False, "--json", help="Print one JSON document.")
_HTML = typer.Option(None, "--html", help="Write an HTML report section to this file.")
_FIG = typer.Option(None, "--figure", help="Write the figure (SVG) to this file.")
_SAVE = typer.Option(
    None, "--save", help="Write the full result (JSON) for `tashkent report RUN --analysis FILE`."
)
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def sensitivity(
    scenario: str = typer.Argument(..., help="Scenario name or file."),
    outcome: str = typer.Option(
        ..., "--outcome", "-o", help="Outcome, e.g. rung_ge_5, mediation, phase_ge_2."
    ),
    method: str = typer.Option(
        "sobol", "--method", "-m", help="sobol (S1/ST) or morris (cheaper screening)."
    ),
    samples: int = typer.Option(
        0,
        "--samples",
        "-N",
        help="Sobol base sample (power of 2; default 128) or Morris trajectories (default 20).",
    ),
    runs_per_experiment: int = _RPE,
    days: int = _DAYS,
    seed: int = _SEED,
    set_: list[str] = _SET,
    uncalibrated: bool = _UNCAL,
    workers: int = _WORKERS,
    dask: str | None = _DASK,
    store: Path | None = _STORE,
    chunk_blocks: int = _CHUNK,
    as_json: bool = _JSON,
    html: Path | None = _HTML,
    figure: Path | None = _FIG,
    save: Path | None = _SAVE,
    quiet: bool = _QUIET,
) -> None:
    """Which uncertainties drive an outcome: Sobol indices (first and total order, 95% intervals)
    or Morris screening, over every parameter with a prior."""
    from tashkent import api
    from tashkent.explore import report

    with _Bar(quiet or as_json) as bar:
        doc = api.sensitivity(
            scenario,
            outcome,
            method=method,
            samples=samples or None,
            runs_per_experiment=runs_per_experiment,
            days=days,
            seed=seed,
            set=set_,
            calibrated=not uncalibrated,
            workers=workers,
            dask=dask,
            store=store,
            chunk_blocks=chunk_blocks,
            progress=bar,
        )
    d = doc["details"]
    _outputs(
        doc,
        html,
        figure,
        save,
        report.sensitivity_section,
        report.sensitivity_figure,
        f"Sensitivity — {d['title']}",
    )
    if as_json:
        typer.echo(json.dumps({k: doc[k] for k in ("outcome", "method", "runs", "parameters")}, indent=2))
        return
    t = Table(
        title=f"{d['scenario']}: sensitivity of {doc['outcome']} ({method}), "
        f"{d['experiments']:,} experiments × {d['runs_per_experiment']} runs × {d['days']} days, seed {seed}",
        caption=f"outcome mean {d['mean']:.3f}; ± = 95% bootstrap half-width; the 15 strongest of "
        f"{len(doc['parameters'])} parameters",
    )
    t.add_column("parameter")
    if method == "sobol":
        for c in ("S1", "±", "ST", "±"):
            t.add_column(c, justify="right")
        for r in doc["parameters"][:15]:
            t.add_row(
                r["name"], f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}", f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}"
            )
        total = sum(r["S1"] for r in doc["parameters"])
        console.print(t)
        console.print(f"sum of S1 = {total:.3f} (1 − sum of S1: the share of variance in interactions)")
    else:
        for c in ("mu*", "±", "sigma"):
            t.add_column(c, justify="right")
        for r in doc["parameters"][:15]:
            t.add_row(r["name"], f"{r['mu_star']:.3f}", f"{r['mu_star_conf']:.3f}", f"{r['sigma']:.3f}")
        console.print(t)


def discover(
    scenario: str = typer.Argument(..., help="Scenario name or file."),
    outcome: str = typer.Option(
        ..., "--outcome", "-o", help="Outcome to find, e.g. mediation, phase_ge_3, no_rung_ge_5."
    ),
    actor: str | None = typer.Option(None, "--actor", "-a", help="Only this actor's levers (default: all)."),
    experiments: int = typer.Option(960, "--experiments", "-N", help="Experiments (Latin hypercube points)."),
    strategies: int = typer.Option(24, "--strategies", help="Lever combinations sampled (balanced)."),
    min_coverage: float = typer.Option(0.5, "--min-coverage", help="Coverage a chosen box must keep."),
    alpha: float = typer.Option(0.05, "--alpha", help="Share of a box's points peeled per step."),
    boxes: int = typer.Option(2, "--boxes", help="Boxes to find (covering)."),
    runs_per_experiment: int = _RPE,
    days: int = _DAYS,
    seed: int = _SEED,
    set_: list[str] = _SET,
    uncalibrated: bool = _UNCAL,
    workers: int = _WORKERS,
    dask: str | None = _DASK,
    store: Path | None = _STORE,
    chunk_blocks: int = _CHUNK,
    as_json: bool = _JSON,
    html: Path | None = _HTML,
    figure: Path | None = _FIG,
    save: Path | None = _SAVE,
    quiet: bool = _QUIET,
) -> None:
    """Scenario discovery with PRIM: boxes of uncertainties and levers where an outcome happens."""
    from tashkent import api
    from tashkent.explore import report

    with _Bar(quiet or as_json) as bar:
        doc = api.discover(
            scenario,
            outcome,
            actor=actor,
            experiments=experiments,
            strategies=strategies,
            min_coverage=min_coverage,
            alpha=alpha,
            boxes=boxes,
            runs_per_experiment=runs_per_experiment,
            days=days,
            seed=seed,
            set=set_,
            calibrated=not uncalibrated,
            workers=workers,
            dask=dask,
            store=store,
            chunk_blocks=chunk_blocks,
            progress=bar,
        )
    d = doc["details"]
    _outputs(
        doc,
        html,
        figure,
        save,
        report.discovery_section,
        report.trajectory_figure,
        f"Scenario discovery — {d['title']}",
    )
    if as_json:
        typer.echo(json.dumps({k: doc[k] for k in ("outcome", "base_rate", "boxes")}, indent=2))
        return
    console.print(
        f"{d['scenario']}: where does {doc['outcome']} happen? {d['experiments']:,} experiments "
        f"({d['strategies']} strategies) × {d['runs_per_experiment']} runs × {d['days']} days, seed {seed}; "
        f"base rate {doc['base_rate']:.3f}"
    )
    _held(d)
    if not doc["boxes"]:
        console.print("no box beats the base rate")
    for k, b in enumerate(doc["boxes"]):
        t = Table(title=f"box {k + 1}: coverage {b['coverage']:.3f}, density {b['density']:.3f}")
        t.add_column("input")
        t.add_column("restricted to")
        for r in b["restrictions"]:
            t.add_row(
                r["parameter"],
                ", ".join(r["values"]) if "values" in r else f"{r['low']:.4g} – {r['high']:.4g}",
            )
        console.print(t)


def robust(
    scenario: str = typer.Argument(..., help="Scenario name or file."),
    actor: str = typer.Option(..., "--actor", "-a", help="Actor whose levers form the strategies, e.g. RUS."),
    outcome: list[str] = typer.Option(
        [], "--outcome", "-o", help="Outcomes judged (repeatable; default mediation, phase_ge_1, rung_ge_5)."
    ),
    require: list[str] = typer.Option(
        [], "--require", help="Satisficing threshold OUTCOME>=VALUE or OUTCOME<=VALUE (repeatable)."
    ),
    scenarios: int = typer.Option(24, "--futures", "-N", help="Sampled futures (Latin hypercube points)."),
    max_strategies: int = typer.Option(
        96, "--max-strategies", help="Run all combinations up to this many, else a sample."
    ),
    runs_per_experiment: int = _RPE,
    days: int = _DAYS,
    seed: int = _SEED,
    set_: list[str] = _SET,
    uncalibrated: bool = _UNCAL,
    workers: int = _WORKERS,
    dask: str | None = _DASK,
    store: Path | None = _STORE,
    chunk_blocks: int = _CHUNK,
    as_json: bool = _JSON,
    html: Path | None = _HTML,
    figure: Path | None = _FIG,
    save: Path | None = _SAVE,
    top: int = typer.Option(10, "--top", help="Rows shown in the table."),
    quiet: bool = _QUIET,
) -> None:
    """Robust choice: the actor's strategies across one shared sample of futures, ranked by regret
    (and satisficing with --require); says where each fails and what it costs there."""
    from tashkent import api
    from tashkent.explore import report
    from tashkent.explore.robust import DEFAULT_OUTCOMES

    with _Bar(quiet or as_json) as bar:
        doc = api.robust(
            scenario,
            actor,
            outcomes=outcome or DEFAULT_OUTCOMES,
            require=require,
            futures=scenarios,
            max_strategies=max_strategies,
            runs_per_experiment=runs_per_experiment,
            days=days,
            seed=seed,
            set=set_,
            calibrated=not uncalibrated,
            workers=workers,
            dask=dask,
            store=store,
            chunk_blocks=chunk_blocks,
            progress=bar,
        )
    d = doc["details"]
    _outputs(
        doc,
        html,
        figure,
        save,
        report.robust_section,
        report.robust_figure,
        f"Robust strategies — {d['title']}",
    )
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    names = [o["name"] for o in doc["outcomes"]]
    arrows = {o["name"]: "↑" if o["direction"] == "max" else "↓" for o in doc["outcomes"]}
    t = Table(
        title=f"{d['scenario']}: strategies of {actor} ({d['strategies']} of {d['all_strategies']}) across "
        f"{d['futures']} futures × {d['runs_per_experiment']} runs × {d['days']} days, by {doc['criterion']}",
        caption="regret: shortfall against the best strategy in the same future, summed over outcomes; "
        "'where it fails': mean shortfall in the strategy's worst tenth of futures",
    )
    t.add_column("#", justify="right")
    t.add_column(" · ".join(lv["id"] for lv in doc["levers"]))
    t.add_column("max regret", justify="right")
    t.add_column("p90", justify="right")
    if doc["requirements"]:
        t.add_column("meets reqs", justify="right")
    for n in names:
        t.add_column(f"{n} {arrows[n]}", justify="right")
    t.add_column("where it fails")
    shown = doc["strategies"][:top]
    written = next(r for r in doc["strategies"] if r["as_written"])
    if written not in shown:
        shown = [*shown, written]
    for r in shown:
        cells = [
            str(r["rank"]),
            " · ".join(r["strategy"].values()) + (" (as written)" if r["as_written"] else ""),
            f"{r['max_regret']:.3f}",
            f"{r['p90_regret']:.3f}",
        ]
        if doc["requirements"]:
            cells.append(f"{r['satisficing']:.2f}")
        cells += [f"{r['mean'][n]:.3f}" for n in names]
        cells.append(_where_it_fails(r, arrows))
        t.add_row(*cells)
    Console(highlight=False, width=max(console.width, 150)).print(t)
    _held(d)
    best = doc["strategies"][0]
    console.print(
        f"holds up best: {best['label']} (max regret {best['max_regret']:.3f} vs "
        f"{written['max_regret']:.3f} as written)"
    )


def _held(details: dict[str, Any]) -> None:
    """Say which parameters with priors were held at the scenario's values, and why."""
    held = details.get("fixed_by_levers") or {}
    if held:
        names = ", ".join(f"{n} ({', '.join(ids)})" for n, ids in held.items())
        console.print(f"held at the scenario's values, not sampled (set by the levers compared): {names}")
    if details.get("fixed_by_link"):
        console.print(f"taken from the bargaining link: {', '.join(details['fixed_by_link'])}")


def _where_it_fails(row: dict[str, Any], arrows: dict[str, str]) -> str:
    """The outcome a strategy gives up most in its worst futures, and what marks those futures."""
    w = row["worst"]
    name, loss = max(w["shortfall"].items(), key=lambda kv: kv[1])
    if loss <= 0:
        return "never behind the best"
    drv = w["driver"]
    side = "high" if drv["quantile_worst"] >= drv["quantile_other"] else "low"
    sign = "−" if arrows[name] == "↑" else "+"
    return f"{name} {sign}{loss:.3f} when {drv['parameter']} is {side}"


def register(app: typer.Typer) -> None:
    app.command("sensitivity")(sensitivity)
    app.command("discover")(discover)
    app.command("robust")(robust)
