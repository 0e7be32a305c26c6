"""What an exercise takes from the rest of tashkent, loaded once per scenario: the scenario with the
shipped calibration (as `tashkent.api.load` gives it), the bargaining link's parameter overrides (as
forecasts apply them) and the settlement-package analysis of `tashkent packages`."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tashkent.errors import UserError
from tashkent.scenario.schema import Scenario


@cache
def scenario(name: str) -> Scenario:
    from tashkent.api import load

    return load(name)


@cache
def link_overrides(name: str) -> dict[str, float]:
    from tashkent.bargain.link import bargaining_overrides

    return bargaining_overrides(scenario(name))[0]


@cache
def package_analysis(name: str) -> dict[str, Any]:
    """Packages scored for every actor, zone of agreement, Nash and Kalai–Smorodinsky points."""
    from tashkent.bargain.link import crisis_expected_cost
    from tashkent.bargain.load import load_spec
    from tashkent.bargain.packages import analyse

    spec, scen = load_spec(name)
    if not spec.packages:
        raise UserError(f"{name}: the bargaining section lists no packages")
    costs, note = crisis_expected_cost(spec, scen)
    return json.loads(json.dumps(analyse(spec, costs, note).to_json(), default=float))


@cache
def _bargaining(name: str) -> tuple[Any, Any, dict[str, float] | None, str]:
    from tashkent.bargain.inputs import from_spec
    from tashkent.bargain.link import crisis_expected_cost
    from tashkent.bargain.load import load_spec

    spec, scen = load_spec(name)
    costs, note = crisis_expected_cost(spec, scen)
    return spec, from_spec(spec), costs, note


def dimensions(name: str) -> list[dict[str, Any]]:
    """The settlement dimensions of a scenario's bargaining section, with their scale labels."""
    return package_analysis(name)["dimensions"]


def players_solutions(name: str, positions: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Zone of agreement, Nash and Kalai–Smorodinsky points of the bargaining engine with the
    positions the seats stated replacing the modelled positions of those actors (capabilities and
    saliences stay the scenario's); positions of seats that are not actors of the bargaining
    problem (civil society) are not part of it."""
    import dataclasses

    from tashkent.bargain.packages import bargaining_solutions, reservations

    spec, problem, costs, note = _bargaining(name)
    pos = problem.position.copy()
    used = []
    for actor, dims in positions.items():
        if actor not in problem.actors:
            continue
        i = problem.actors.index(actor)
        for d, v in dims.items():
            pos[i, problem.dimensions.index(d)] = float(v)
        used.append(actor)
    stated = dataclasses.replace(problem, position=pos)
    res = reservations(spec, stated, costs, note)
    r = (res.values[spec.parties[0]], res.values[spec.parties[1]])
    sol = bargaining_solutions(stated, spec.parties, r)
    sol.pop("frontier", None)
    out = {"actors_with_stated_positions": sorted(used), "reservation": res.values, **sol}
    return json.loads(json.dumps(out, default=float))
