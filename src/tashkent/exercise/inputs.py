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
