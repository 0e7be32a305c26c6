"""Scenario discovery: where, across uncertainties and levers, does an outcome happen?

Experiments are a Latin hypercube over the uncertainties, split evenly over a balanced sample of
strategies (combinations of every declared lever, or one actor's); each experiment's outcome is
the probability over its runs. PRIM (`tashkent.explore.prim`) then finds boxes where that
probability is high: `density` is the mean probability in the box, `coverage` the share of all
outcome mass inside it, `base_rate` the mean over all experiments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tashkent.errors import UserError
from tashkent.explore import prim
from tashkent.explore.design import latin_hypercube, strategy_sample
from tashkent.explore.model import analysis_uncertainties, apply_strategy, levers, outcome, outcome_values
from tashkent.explore.runner import (
    Execution,
    ExperimentSet,
    Progress,
    check_runs,
    link_overrides_all,
    run_experiments,
)
from tashkent.scenario.schema import Scenario


@dataclass(frozen=True)
class Settings:
    experiments: int = 960
    strategies: int = 24
    runs_per_experiment: int = 100
    days: int = 365
    seed: int = 20251120
    alpha: float = 0.05
    min_mass: float = 0.05
    min_coverage: float = 0.5
    max_boxes: int = 2


def discover(
    scenario: Scenario,
    outcome_name: str,
    actor: str | None = None,
    settings: Settings = Settings(),
    execution: Execution = Execution(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """PRIM boxes for one outcome. Returns the `--json` document (outcome, base_rate, boxes) plus
    `trajectories` (coverage/density of each peel) and `details`."""
    o = outcome(scenario, outcome_name)
    lvs = levers(scenario, actor) if (actor or scenario.levers) else []
    strats = strategy_sample(lvs, settings.strategies, settings.seed) if lvs else [{}]
    if settings.experiments < 10 * len(strats):
        raise UserError(
            f"--experiments {settings.experiments}: need at least 10 per strategy "
            f"({len(strats)} strategies → {10 * len(strats)})"
        )
    check_runs(settings.runs_per_experiment, settings.days, execution)
    scenarios = [apply_strategy(scenario, strat) if strat else scenario for strat in strats]
    links = link_overrides_all([scenario, *scenarios], execution)
    unc, held = analysis_uncertainties(scenario, lvs, links[0])
    _, values = latin_hypercube(unc, settings.experiments, settings.seed)
    # experiment e runs strategy e mod S: every strategy sees a spread of the hypercube
    which = np.arange(settings.experiments) % len(strats)
    sets = []
    for s, sc in enumerate(scenarios):
        rows = np.flatnonzero(which == s)
        sets.append(ExperimentSet(f"s{s}", sc, {k: v[rows] for k, v in values.items()}, links[s + 1]))
    cols = run_experiments(
        sets, settings.seed, settings.days, settings.runs_per_experiment, execution, progress
    )
    y = np.zeros(settings.experiments)
    x = pd.DataFrame({u.name: values[u.name] for u in unc})
    for lv in lvs:
        x[lv.id] = ""
    for s, strat in enumerate(strats):
        rows = np.flatnonzero(which == s)
        y[rows] = outcome_values(o, cols[f"s{s}"][o.column])
        for lever_id, option in strat.items():
            x.loc[rows, lever_id] = option
    result = prim.prim(
        x,
        y,
        alpha=settings.alpha,
        min_mass=settings.min_mass,
        min_coverage=settings.min_coverage,
        max_boxes=settings.max_boxes,
    )
    boxes = [
        {"coverage": b.coverage, "density": b.density, "restrictions": prim.restrictions(b)}
        for b in result.boxes
    ]
    return {
        "outcome": o.name,
        "base_rate": result.base_rate,
        "boxes": boxes,
        "trajectories": [
            [
                {
                    "coverage": st.coverage,
                    "density": st.density,
                    "mass": st.mass,
                    "restricted": len(st.restricted),
                }
                for st in traj
            ]
            for traj in result.trajectories
        ],
        "chosen": result.chosen,
        "details": {
            "scenario": scenario.name,
            "title": scenario.title,
            "label": o.label,
            "experiments": settings.experiments,
            "strategies": len(strats),
            "levers": [lv.id for lv in lvs],
            "fixed_by_link": sorted(links[0]),
            "fixed_by_levers": held,
            "runs": settings.experiments * settings.runs_per_experiment,
            "runs_per_experiment": settings.runs_per_experiment,
            "days": settings.days,
            "seed": settings.seed,
            "masses": [b.mass for b in result.boxes],
            "density_se": [b.se for b in result.boxes],
        },
    }
