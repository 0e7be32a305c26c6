"""The Python API of the forecast: one call from a scenario to the forecast JSON document."""

from __future__ import annotations

from typing import Any

from tashkent.scenario.load import scenario_hash
from tashkent.scenario.schema import Scenario
from tashkent.sim.aggregate import extras, summarise
from tashkent.sim.ensemble import RunConfig, run_ensemble


def document(scenario: Scenario, config: RunConfig, total: dict[str, Any]) -> dict[str, Any]:
    """The forecast JSON document (schema in the README) from merged ensemble counts."""
    summary = summarise(total, scenario.parties)
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "start_date": scenario.start_date.isoformat(),
        "runs": int(total["runs"]),
        "days": int(total["days"]),
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
    param_mode: str = "sample",
    overrides: dict[str, float] | None = None,
    keep_trajectories: int = 0,
) -> dict[str, Any]:
    """Run an ensemble in memory and return the forecast document."""
    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        workers=workers,
        param_mode=param_mode,  # type: ignore[arg-type]
        overrides=dict(overrides or {}),
        keep_trajectories=keep_trajectories,
    )
    total = run_ensemble(scenario, config)
    return document(scenario, config, total)
