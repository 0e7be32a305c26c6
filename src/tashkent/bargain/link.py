"""What the simulation takes from the bargaining analysis, and the adapter to the crisis model.

See docs/decisions/0303-bargaining-link.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tashkent.scenario.bargaining import BargainingSpec


def crisis_expected_cost(spec: BargainingSpec, scenario: Any | None) -> tuple[dict[str, float] | None, str]:
    """The crisis model's normalised expected cost of no agreement per party over the horizon.

    Calls `tashkent.sim.document.forecast(scenario, runs=, days=, seed=)` and reads
    ``milestones[str(horizon)]["expected_cost"]``. Returns (None, reason) when the model or the
    scenario object is not available, so callers fall back to the spec's fallback costs.
    """
    if spec.reservation.mode != "model":
        return None, "fixed reservation utilities"
    if scenario is None:
        return (
            None,
            "no scenario object to run the crisis model on; used the fallback expected costs",
        )
    try:
        from tashkent.sim.document import forecast  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return (
            None,
            "crisis model (tashkent.sim.document) not available; used the fallback expected costs",
        )
    r = spec.reservation
    doc = forecast(scenario, runs=r.runs, days=r.horizon_days, seed=r.seed)
    try:
        costs = doc["milestones"][str(r.horizon_days)]["expected_cost"]
        out = {p: float(np.clip(costs[p], 0.0, 1.0)) for p in spec.parties}
    except (KeyError, TypeError):
        return (
            None,
            f"crisis forecast has no milestones[{r.horizon_days}].expected_cost; used the fallback",
        )
    return out, f"crisis model: {r.runs} runs, {r.horizon_days} days, seed {r.seed}"


def process_inputs(spec: BargainingSpec, expected_cost: dict[str, float] | None = None) -> dict[str, Any]:
    """Inputs for the process model (ripeness "way out") and the durability hazard.

    * ``zopa_exists``: some point of the two parties' Pareto frontier gives each party at least its
      reservation utility (`tashkent.bargain.packages`).
    * ``way_out`` in [0, 1]: where the bargaining forecast lands (the SMP's expected outcome,
      default parameters, deterministic) relative to both parties' acceptable sets — the product
      over the two parties of min(1, u_p(landing) / r_p) (1 when r_p <= 0). It is 1 when the
      landing point is acceptable to both, and falls in proportion to the share of a party's
      reservation utility that the landing point fails to deliver.
    * ``settlement_gap`` >= 0: how far the framework package (spec ``framework``; if unset, the
      governance package the phase-2 dialogue converges on, `packages.converged_package`) lies
      outside the parties' unaided acceptable ranges, in utility units:
      Σ_p max(0, r_p − u_p(framework)). "Unaided" means the reservation utilities without mediator
      inducements, as computed here.

    Also returned: the reservation utilities and how they were obtained, the landing point, and the
    framework package's id.
    """
    from tashkent.bargain.inputs import from_spec
    from tashkent.bargain.packages import analyse, converged_package, utilities

    problem = from_spec(spec)
    an = analyse(spec, expected_cost)
    res = an.reservation.values
    a, b = spec.parties
    ia, ib = problem.actors.index(a), problem.actors.index(b)
    land = np.array(an.forecast["expected"])
    u_land = utilities(problem, land[None, :])[:, 0]
    way = 1.0
    for p, k in ((a, ia), (b, ib)):
        r = res[p]
        way *= 1.0 if r <= 0 else min(1.0, max(0.0, float(u_land[k])) / r)
    pkg_rows = [r for r in an.rows if r["kind"] == "package"]
    fw: dict[str, Any] | None
    if spec.framework is not None:
        fw = next(r for r in pkg_rows if r["id"] == spec.framework)
    else:
        fw = converged_package(an.rows, (a, b), res)
    gap = 0.0
    if fw is not None:
        gap = sum(max(0.0, res[p] - fw["utility"][p]) for p in (a, b))
    return {
        "zopa_exists": bool(an.solutions["zopa_exists"]),
        "way_out": float(np.clip(way, 0.0, 1.0)),
        "settlement_gap": float(gap),
        "reservation": dict(res),
        "reservation_mode": an.reservation.mode,
        "landing": [float(v) for v in land],
        "framework": None if fw is None else fw["id"],
    }


def bargaining_overrides(scenario: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """(parameter overrides, provenance) for the crisis model from the scenario's bargaining
    section, if any: the process model's Zartman "way out" and the durability model's settlement
    gap come from the bargaining analysis (whether a zone of agreement exists and where the
    spatial-model forecast lands relative to both parties' reservation utilities, which come from
    a small crisis forecast of the expected cost of no agreement). Computed once per forecast,
    before the ensemble, and applied as fixed values in every run."""
    if scenario.bargaining is None:
        return {}, {}
    from tashkent.scenario.load import scenario_to_data
    from tashkent.store.cache import cached_json

    # A pure function of the scenario (its seed included): kept on disk after the first forecast.
    overrides, provenance = cached_json(
        "bargaining-link", scenario_to_data(scenario), lambda: list(_bargaining_overrides(scenario))
    )
    return dict(overrides), dict(provenance)


def _bargaining_overrides(scenario: Any) -> tuple[dict[str, float], dict[str, Any]]:
    assert scenario.bargaining is not None
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
