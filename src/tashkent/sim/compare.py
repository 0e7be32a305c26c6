"""`tashkent compare BASE VARIANT…`: the same seed for every variant gives common random numbers
(the same attacks, the same draws for every mechanism), so differences are paired per block and
their confidence intervals are much narrower than those of independent runs.

A VARIANT is `[LABEL=]SOURCE`, where SOURCE is a scenario name or file, or overlays on BASE:
`set:PATH=VALUE[;PATH=VALUE…]` and/or `inject:DATE:KIND:key=value`, joined by `+`. Example:
`"no-gulf=set:actors.SAU.active=false;actors.IRN.active=false"`."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from tashkent.errors import UserError
from tashkent.limits import MAX_DAYS, MAX_RUNS, MAX_WORKERS
from tashkent.scenario.load import load_scenario, load_scenario_noted
from tashkent.scenario.schema import Scenario

console = Console(highlight=False)
HEADLINE = (
    "crisis",
    "rung_ge_3",
    "rung_ge_4",
    "rung_ge_5",
    "rung_ge_6",
    "nuclear_signal",
    "mediation",
    "phase_ge_1",
    "phase_ge_2",
    "phase_ge_3",
    "phase_ge_4",
    "agreement",
)


def parse_variant(
    text: str, base: str, sets: list[str], injects: list[str], overlays: list[dict[str, Any]]
) -> tuple[str, Scenario]:
    label, _, source = text.partition("=") if "=" in text.split(":", 1)[0] else ("", "", text)
    if not source:
        source = text
    v_sets, v_injects, scenario_src = list(sets), list(injects), base
    overlay_parts = [p for p in source.split("+") if p]
    if all(p.startswith(("set:", "inject:")) for p in overlay_parts):
        for part in overlay_parts:
            kind, _, body = part.partition(":")
            if kind == "set":
                v_sets += [s for s in body.split(";") if s]
            else:
                v_injects.append(body)
    else:
        scenario_src = source
    return label or source, load_scenario(scenario_src, sets=v_sets, injects=v_injects, overlays=overlays)


def paired_differences(base: dict[str, Any], variant: dict[str, Any], metrics: tuple[str, ...]) -> list[dict]:
    rows = []
    for m in metrics:
        a = base["blocks"][f"p_{m}"]
        b = variant["blocks"][f"p_{m}"]
        d = b - a
        J = len(d)
        se = float(d.std(ddof=1) / np.sqrt(J)) if J > 1 else float("nan")
        mean = float(d.mean())
        rows.append(
            {
                "metric": m,
                "base": float(a.mean()),
                "variant": float(b.mean()),
                "diff": mean,
                "se": se,
                "ci95": [mean - 1.96 * se, mean + 1.96 * se],
            }
        )
    return rows


def compare(
    base: str = typer.Argument(..., help="Base scenario (name or file)."),
    variants: list[str] = typer.Argument(..., help="Variants: scenario, or set:/inject: overlays on BASE."),
    runs: int = typer.Option(
        10_000, "--runs", "-n", min=100, max=MAX_RUNS, help="Runs per variant (a multiple of 100)."
    ),
    days: int = typer.Option(365, "--days", "-d", min=1, max=MAX_DAYS, help="Horizon in days."),
    seed: int = typer.Option(
        20251120, "--seed", "-s", help="Seed shared by all variants (common random numbers)."
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
    """Compare variants of a scenario with common random numbers: differences with 95% intervals."""
    from tashkent.sim.commands import calibrated_overlays, calibration_note, calibration_text, default_workers
    from tashkent.sim.ensemble import RunConfig, run_ensemble
    from tashkent.sim.links import bargaining_overrides

    overlays = [] if uncalibrated else calibrated_overlays()
    base_sc, notes = load_scenario_noted(base, sets=set_, injects=inject, overlays=overlays)
    link, _ = bargaining_overrides(base_sc)
    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        workers=workers or default_workers(),
        keep_trajectories=0,
        overrides=link,
    )
    base_total = run_ensemble(base_sc, config, collect_blocks=True)
    out: dict[str, Any] = {"base": base, "runs": runs, "days": days, "seed": seed, "variants": []}
    out["calibration"] = calibration_note(notes, uncalibrated)
    for text in variants:
        label, sc = parse_variant(text, base, set_, inject, overlays)
        if sc.parties != base_sc.parties:
            raise UserError(
                f"variant {label!r} has parties {sc.parties}, base has {base_sc.parties}; "
                "compare variants of one dyad"
            )
        total = run_ensemble(sc, config, collect_blocks=True)
        out["variants"].append(
            {"label": label, "differences": paired_differences(base_total, total, HEADLINE)}
        )
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
    note = calibration_text(out["calibration"])
    if note:
        console.print(note, markup=False)
