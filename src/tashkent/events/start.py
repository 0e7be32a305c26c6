"""A scenario started from the nowcast: the state estimated from coded events replaces the
scenario's initial state where there is evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tashkent.errors import UserError
from tashkent.events.nowcast import initial_state_overlay
from tashkent.scenario.load import scenario_to_data
from tashkent.scenario.schema import Scenario


def apply_nowcast(
    scenario: Scenario,
    paths: list[Path],
    as_of: str | dt.date | None,
    from_store: bool = False,
    db: str | None = None,
) -> tuple[Scenario, dict[str, Any]]:
    """(scenario, provenance): values with evidence replace the scenario's initial state
    (acceptance and provocation per party and track); the start date moves to the nowcast date
    and dated events before it are dropped as past."""
    if isinstance(as_of, str):
        try:
            when: dt.date | None = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UserError(f"as_of {as_of!r}: not a date; use YYYY-MM-DD") from None
    else:
        when = as_of
    now = initial_state_overlay(list(paths) or None, from_store=from_store, as_of=when, db_url=db)
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
