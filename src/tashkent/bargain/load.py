"""Loading a bargaining section from a scenario (built-in name or YAML path)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tashkent.errors import UserError
from tashkent.scenario.bargaining import BargainingSpec


def spec_from_mapping(data: Any, where: str) -> BargainingSpec:
    """Validate a mapping as a `BargainingSpec`; pydantic errors become one-line `UserError`s."""
    try:
        return BargainingSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise UserError(f"{where}: {loc or 'bargaining'}: {msg}") from None


def load_spec(name_or_path: str) -> tuple[BargainingSpec, Any]:
    """The bargaining section of a scenario and the scenario itself, through the project's
    scenario loader (which reports schema errors with file and line)."""
    from tashkent.scenario.load import load_scenario

    scenario = load_scenario(name_or_path)  # its UserErrors name the file and line
    if scenario.bargaining is None:
        raise UserError(
            f"{name_or_path}: the scenario has no `bargaining` section; add one (see docs/tour/bargain.md)"
        )
    return scenario.bargaining, scenario
