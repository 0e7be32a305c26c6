"""Inputs the simulation takes from other analyses of the same scenario.

Bargaining (issue 3, docs/decisions/0303): when a scenario has a `bargaining:` section, the
process model's Zartman "way out" and the durability model's settlement gap come from the
bargaining analysis — whether a zone of agreement exists and where the spatial-model forecast
lands relative to both parties' reservation utilities, which in turn come from a small crisis
forecast of the expected cost of no agreement. Computed once per forecast, before the ensemble,
and applied as fixed values of `way_out` and `settlement_gap` in every run.
"""

from __future__ import annotations

from typing import Any

from tashkent.scenario.schema import Scenario


def bargaining_overrides(scenario: Scenario) -> tuple[dict[str, float], dict[str, Any]]:
    """(parameter overrides, provenance) from the scenario's bargaining section, if any."""
    if scenario.bargaining is None:
        return {}, {}
    from tashkent.bargain.link import crisis_expected_cost, process_inputs

    cost, how = crisis_expected_cost(scenario.bargaining, scenario)
    inputs = process_inputs(scenario.bargaining, cost)
    overrides = {"way_out": float(inputs["way_out"]), "settlement_gap": float(inputs["settlement_gap"])}
    provenance = {
        "zopa_exists": bool(inputs["zopa_exists"]),
        "way_out": overrides["way_out"],
        "settlement_gap": overrides["settlement_gap"],
        "reservation": how,
    }
    return overrides, provenance
