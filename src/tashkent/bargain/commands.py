"""`tashkent bargain` and `tashkent packages`. The models (numpy) are imported when a command runs,
not when the command line is assembled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from tashkent.errors import UserError
from tashkent.terminal import Console

if TYPE_CHECKING:
    from tashkent.bargain.result import BargainResult


def _option_help() -> str:
    import dataclasses

    from tashkent.bargain.options import EUOptions, SMPOptions

    eu = ", ".join(f.name for f in dataclasses.fields(EUOptions))
    smp = ", ".join(f.name for f in dataclasses.fields(SMPOptions))
    return f"Model option NAME=VALUE (repeatable). eu: {eu}. smp: {smp}."


_OPTION_HELP = _option_help()


_PREC = {"digits": 1}


def _fmt(v: float) -> str:
    return f"{v:.{_PREC['digits']}f}"


def _set_precision(res: BargainResult) -> None:
    """One decimal on a 0–100 scale, two when the positions span less than 20 (e.g. years)."""
    import numpy as np

    span = float(np.ptp(res.history[0], axis=0).max()) if res.history.size else 100.0
    _PREC["digits"] = 1 if span >= 20 else 2


def print_bargain(res: BargainResult, console: Console) -> None:
    _set_precision(res)
    if len(res.dimensions) > 1 or res.turns == 0:
        _print_start_final(res, console)
    else:
        _print_rounds(res, console)
    f = Table(title="Forecast and baselines")
    f.add_column("dimension")
    for h in ("expected", "most likely", "weighted mean", "weighted median"):
        f.add_column(h, justify="right")
    for d, dim in enumerate(res.dimensions):
        vals = (
            res.forecast["expected"][d],
            res.forecast["most_likely"][d],
            res.baselines["weighted_mean"][d],
            res.baselines["weighted_median"][d],
        )
        f.add_row(dim, *(_fmt(v) for v in vals))
    console.print(f)
    pm = res.forecast.get("p_most_likely")
    osc = res.oscillation
    console.print(
        f"{res.turns} turns; stop: {res.stop_reason}"
        + (f"; P(most likely) = {pm:.3f}" if pm is not None else "")
        + f"; oscillating: {'yes' if osc['oscillating'] else 'no'}"
        + f" ({osc['reversals']} reversals of the mean)",
        soft_wrap=True,
    )


def _print_start_final(res: BargainResult, console: Console) -> None:
    """Several dimensions: one row per actor, `start → final` per dimension."""
    title = "positions" if res.turns == 0 else f"positions: start → after {res.turns} turns"
    t = Table(title=f"{title} ({res.model})")
    t.add_column("actor", no_wrap=True)
    for dim in res.dimensions:
        t.add_column(dim, justify="right", no_wrap=True)
    if res.probabilities is not None:
        t.add_column("P(win)", justify="right", no_wrap=True)
    for a, name in enumerate(res.actors):
        cells = []
        for d in range(len(res.dimensions)):
            x0, x1 = float(res.history[0, a, d]), float(res.history[-1, a, d])
            cells.append(_fmt(x0) if res.turns == 0 else f"{_fmt(x0)}→{_fmt(x1)}")
        if res.probabilities is not None:
            cells.append(f"{res.probabilities[-1, a]:.3f}")
        t.add_row(name, *cells)
    console.print(t)


def _print_rounds(res: BargainResult, console: Console) -> None:
    """One dimension: every actor's position by round (long runs show the first and last)."""
    T = res.history.shape[0]
    cols = list(range(T)) if T <= 12 else [*range(6), *range(T - 5, T)]
    for d, dim in enumerate(res.dimensions):
        t = Table(title=f"{dim}: positions by {'round' if res.model == 'eu' else 'turn'} ({res.model})")
        t.add_column("actor", no_wrap=True)
        prev = None
        for c in cols:
            if prev is not None and c != prev + 1:
                t.add_column("…")
            t.add_column(str(c), justify="right")
            prev = c
        if res.probabilities is not None:
            t.add_column("P(win)", justify="right")
        for a, name in enumerate(res.actors):
            cells, prev = [], None
            for c in cols:
                if prev is not None and c != prev + 1:
                    cells.append("")
                cells.append(_fmt(float(res.history[c, a, d])))
                prev = c
            if res.probabilities is not None:
                cells.append(f"{res.probabilities[-1, a]:.3f}")
            t.add_row(name, *cells)
        console.print(t)


def print_packages(j: dict[str, Any], console: Console) -> None:
    a, b = j["parties"]
    holders = list(j["reservation"]["values"])
    t = Table(title=f"{j['scenario']}: settlement packages")
    t.add_column("package")
    for h in (f"u {a}", f"u {b}", *[f"ok {h}" for h in holders], "support"):
        t.add_column(h, justify="right")
    for r in j["packages"]:
        t.add_row(
            r["id"],
            f"{r['utility'][a]:.3f}",
            f"{r['utility'][b]:.3f}",
            *["yes" if r["acceptable"][h] else "no" for h in holders],
            f"{r['support']:.2f}",
        )
    console.print(t)
    res = j["reservation"]
    console.print(
        f"reservation ({res['mode']}): " + ", ".join(f"{k} {v:.3f}" for k, v in res["values"].items())
    )
    if res.get("note"):
        console.print(f"note: {res['note']}")
    dims = [d["id"] for d in j["dimensions"]]
    for key, label in (("nash", "Nash"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
        s = j[key]
        if s:
            pt = ", ".join(f"{d} {v:.1f}" for d, v in zip(dims, s["point"], strict=True))
            console.print(
                f"{label}: {pt}  (u {a} {s['utility'][a]:.3f}, u {b} {s['utility'][b]:.3f})",
                soft_wrap=True,
            )
    if j["zopa_exists"]:
        console.print(f"ZOPA: yes, {100 * j['zopa']['share_of_frontier']:.0f}% of the Pareto frontier")
    else:
        c = j["concession"]
        console.print(
            f"ZOPA: none; equal concession that opens one: {c['equal']['each']:.3f} utility each; "
            f"least total: {c['least_total']['total']:.3f}"
        )
    fc = j["forecast"]
    console.print("SMP forecast (expected landing point):")
    for dim, v in zip(j["dimensions"], fc["expected"], strict=True):
        console.print(f"  {dim['id']:<20} {v:5.1f}  ~ {_nearest_label(dim['scale'], v)}")
    if "verdict" in fc:
        console.print(f"verdict: {fc['verdict']}")
    if j.get("converged"):
        console.print(
            f"phase-2 dialogue converges on: {j['converged']} (largest Nash product of the packages both "
            "parties accept); its settlement gap feeds the durability of an agreement"
        )


def _nearest_label(scale: dict[str, str], x: float) -> str:
    at = min(scale, key=lambda k: abs(float(k) - x))
    return scale[at]


def register(app: typer.Typer) -> None:
    @app.command("bargain")
    def bargain(
        source: str = typer.Argument(..., help="CSV file (plain or KTAB format) or scenario name/file."),
        model: str = typer.Option("smp", "--model", help="eu | smp | compromise"),
        rounds: int = typer.Option(None, "--rounds", help="EU: rounds (default 10); SMP: turn limit."),
        option: list[str] = typer.Option(None, "--option", help=_OPTION_HELP),
        seed: int = typer.Option(None, "--seed", "-s", help="Seed for stochastic transitions."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        report: Path | None = typer.Option(
            None, "--report", help="Write a self-contained HTML report to this file."
        ),
        plot: Path = typer.Option(None, "--plot", help="Write the positions plot (PNG) here."),
    ) -> None:
        """Forecast where a negotiation lands: per-round positions, forecast and baselines."""
        from tashkent.bargain.run import MODELS, load_problem, run_model

        if model not in MODELS:
            raise UserError(f"--model {model}: choose one of {', '.join(MODELS)}")
        problem, _spec, _scen = load_problem(source)
        res = run_model(problem, model, rounds, option or [], seed)
        written = []
        if plot is not None:
            from tashkent.bargain.report import positions_plot, write_png

            written.append(write_png(plot, positions_plot(res)))
        if report is not None:
            from tashkent.bargain.report import bargain_html, write_html

            written.append(write_html(report, bargain_html(res, f"{problem.name}: {model}")))
        if as_json:
            typer.echo(json.dumps(res.to_json(), indent=1, default=_np_default))
        else:
            print_bargain(res, _console())
            for w in written:
                typer.echo(f"wrote {w}")

    @app.command("packages")
    def packages(
        scenario: str = typer.Argument(..., help="Scenario name or file with a bargaining section."),
        as_json: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
        report: Path | None = typer.Option(
            None, "--report", help="Write a self-contained HTML report to this file."
        ),
        plot: Path = typer.Option(None, "--plot", help="Write the frontier plot (PNG) here."),
    ) -> None:
        """Score settlement packages: utilities, acceptability, Nash and Kalai–Smorodinsky, ZOPA."""
        from tashkent.bargain.link import crisis_expected_cost
        from tashkent.bargain.load import load_spec
        from tashkent.bargain.packages import analyse

        spec, scen = load_spec(scenario)
        if not spec.packages:
            raise UserError(f"{scenario}: the bargaining section lists no packages; add some")
        costs, note = crisis_expected_cost(spec, scen)
        j = analyse(spec, costs, note).to_json()
        written = []
        if plot is not None:
            from tashkent.bargain.report import frontier_plot, write_png

            written.append(write_png(plot, frontier_plot(j)))
        if report is not None:
            from tashkent.bargain.report import packages_html, write_html

            written.append(write_html(report, packages_html(j)))
        if as_json:
            typer.echo(json.dumps(j, indent=1, default=_np_default))
        else:
            print_packages(j, _console())
            for w in written:
                typer.echo(f"wrote {w}")


def _console() -> Console:
    """Rich console at least 120 columns wide, so tables are not squeezed when piped."""
    return Console(highlight=False, soft_wrap=True, width=max(Console().width, 120))


def _np_default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o).__name__)
