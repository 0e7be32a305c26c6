"""Global sensitivity of an outcome to the uncertainties: Sobol indices (Saltelli sampling, first
and total order with bootstrap intervals) and Morris elementary effects, both through SALib.

Designs are drawn in probability space (each uncertainty's u in [0, 1]) and mapped through its
prior's inverse CDF, so the indices are those of the parameters under their priors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tashkent.errors import UserError
from tashkent.explore.model import Uncertainty, analysis_uncertainties, outcome, outcome_values
from tashkent.explore.runner import (
    Execution,
    ExperimentSet,
    Progress,
    check_runs,
    link_overrides,
    run_experiments,
)
from tashkent.scenario.schema import Scenario

Method = Literal["sobol", "morris"]
MORRIS_LEVELS = 4


def _problem(names: list[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_design(names: list[str], n: int, seed: int) -> np.ndarray:
    """Saltelli's design in [0, 1]^D: n·(D + 2) rows (first and total order only)."""
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise UserError(f"--samples {n}: Sobol designs need a power of two (e.g. 64, 128, 256)")
    return np.asarray(sobol.sample(_problem(names), n, calc_second_order=False, seed=seed))


def sobol_indices(names: list[str], y: np.ndarray, seed: int) -> list[dict[str, Any]]:
    """S1 and ST with 95% bootstrap half-widths, one row per input, in input order."""
    from SALib.analyze import sobol

    if np.ptp(y) == 0:
        return [{"name": n, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for n in names]
    res = sobol.analyze(_problem(names), np.asarray(y, dtype=np.float64), calc_second_order=False, seed=seed)
    return [
        {
            "name": name,
            "S1": float(res["S1"][i]),
            "S1_conf": float(res["S1_conf"][i]),
            "ST": float(res["ST"][i]),
            "ST_conf": float(res["ST_conf"][i]),
        }
        for i, name in enumerate(names)
    ]


def morris_design(names: list[str], trajectories: int, seed: int) -> np.ndarray:
    """Morris trajectories in [0, 1]^D on a 4-level grid: trajectories·(D + 1) rows."""
    from SALib.sample import morris

    if trajectories < 2:
        raise UserError(f"--samples {trajectories}: Morris screening needs at least 2 trajectories")
    return np.asarray(morris.sample(_problem(names), trajectories, num_levels=MORRIS_LEVELS, seed=seed))


def morris_indices(names: list[str], x: np.ndarray, y: np.ndarray, seed: int) -> list[dict[str, Any]]:
    """mu* (mean absolute elementary effect) with its 95% bootstrap half-width, and sigma."""
    from SALib.analyze import morris

    res = morris.analyze(
        _problem(names), x, np.asarray(y, dtype=np.float64), num_levels=MORRIS_LEVELS, seed=seed
    )
    return [
        {
            "name": name,
            "mu_star": float(res["mu_star"][i]),
            "mu_star_conf": float(res["mu_star_conf"][i]),
            "sigma": float(res["sigma"][i]),
        }
        for i, name in enumerate(names)
    ]


DEFAULT_SAMPLES = {"sobol": 128, "morris": 20}  # Sobol base sample N; Morris trajectories


@dataclass(frozen=True)
class Settings:
    samples: int = DEFAULT_SAMPLES["sobol"]  # Sobol base sample N (a power of two) or Morris trajectories
    runs_per_experiment: int = 100
    days: int = 365
    seed: int = 20251120


def design_values(unc: list[Uncertainty], u: np.ndarray) -> dict[str, np.ndarray]:
    """Map a design in probability space [rows, D] to parameter values by each prior."""
    return {x.name: x.values(u[:, i]) for i, x in enumerate(unc)}


def sensitivity(
    scenario: Scenario,
    outcome_name: str,
    method: Method = "sobol",
    settings: Settings = Settings(),
    execution: Execution = Execution(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Sensitivity of one outcome to every uncertainty of the scenario. Returns the `--json`
    document (outcome, method, runs, parameters sorted by total effect) plus `details`."""
    out_spec = outcome(scenario, outcome_name)
    check_runs(settings.runs_per_experiment, settings.days, execution)
    overrides = link_overrides(scenario)
    unc, _ = analysis_uncertainties(scenario, [], overrides)  # no levers compared: all priors
    names = [u.name for u in unc]
    if len(names) < 2:
        raise UserError(f"{scenario.name}: fewer than two parameters have priors; nothing to analyse")
    if method == "sobol":
        u = sobol_design(names, settings.samples, settings.seed)
    elif method == "morris":
        u = morris_design(names, settings.samples, settings.seed)
    else:
        raise UserError(f"--method {method}: choose sobol or morris")
    s = ExperimentSet("base", scenario, design_values(unc, u), overrides)
    cols = run_experiments(
        [s], settings.seed, settings.days, settings.runs_per_experiment, execution, progress
    )
    y = outcome_values(out_spec, cols["base"][out_spec.column])
    if method == "sobol":
        rows = sobol_indices(names, y, settings.seed)
        rows.sort(key=lambda r: (-r["ST"], r["name"]))
    else:
        rows = morris_indices(names, u, y, settings.seed)
        rows.sort(key=lambda r: (-r["mu_star"], r["name"]))
    return {
        "outcome": out_spec.name,
        "method": method,
        "runs": int(len(u) * settings.runs_per_experiment),
        "parameters": rows,
        "details": {
            "scenario": scenario.name,
            "title": scenario.title,
            "label": out_spec.label,
            "experiments": len(u),
            "samples": settings.samples,
            "runs_per_experiment": settings.runs_per_experiment,
            "days": settings.days,
            "seed": settings.seed,
            "mean": float(y.mean()),
            "variance": float(y.var()),
            "fixed_by_link": sorted(overrides),
        },
    }
