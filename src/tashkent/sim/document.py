"""The forecast JSON document (schema in the README) from an ensemble's merged counts, and an
in-memory forecast of a loaded scenario that returns it (used where a small crisis forecast is
an input to another analysis, e.g. the bargaining reservation utilities)."""

from __future__ import annotations

from typing import Any

from tashkent.scenario.load import scenario_hash
from tashkent.scenario.schema import Scenario
from tashkent.sim.aggregate import extras, summarise
from tashkent.sim.counts import Counts
from tashkent.sim.ensemble import RunConfig, run_ensemble
from tashkent.sim.params import ParamMode


def document(scenario: Scenario, config: RunConfig, total: Counts) -> dict[str, Any]:
    """The forecast JSON document from merged ensemble counts."""
    summary = summarise(total, scenario.parties)
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "start_date": scenario.start_date.isoformat(),
        "runs": int(total.runs),
        "days": int(total.days),
        "seed": config.seed,
        "parameter_mode": config.param_mode,
        "milestones": summary["milestones"],
        "se": summary["se"],
        **extras(total),
    }


def forecast(
    scenario: Scenario,
    runs: int = 10_000,
    days: int = 365,
    seed: int = 20251120,
    workers: int = 1,
    param_mode: ParamMode = "sample",
    overrides: dict[str, float] | None = None,
    keep_trajectories: int = 0,
) -> dict[str, Any]:
    """Run an ensemble of an already loaded scenario in memory and return the forecast document.
    (The user-facing `tashkent.forecast` also loads the scenario with the calibration overlay,
    the bargaining link and the nowcast; this is the bare ensemble.)"""
    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        workers=workers,
        param_mode=param_mode,
        overrides=dict(overrides or {}),
        keep_trajectories=keep_trajectories,
    )
    total = run_ensemble(scenario, config, keep_blocks=0)
    return document(scenario, config, total)
