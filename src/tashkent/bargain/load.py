"""Loading a bargaining section: from a scenario (name or path) or a CSV file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tashkent.bargain.spec import BargainingSpec
from tashkent.errors import UserError

BUILTIN = {"kashmir-2025": "kashmir-2025.bargaining.yaml"}


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
    """The bargaining section of a scenario, and the scenario object itself when the project's
    scenario loader is available (else None)."""
    path = Path(name_or_path)
    if name_or_path in BUILTIN and not path.exists():
        text = resources.files("tashkent.bargain").joinpath("data", BUILTIN[name_or_path]).read_text("utf-8")
        where = f"{name_or_path} (built-in)"
    elif path.suffix in {".yaml", ".yml"} and path.exists():
        text = path.read_text("utf-8")
        where = str(path)
    else:
        raise UserError(
            f"{name_or_path}: not a CSV file, a scenario file or a built-in scenario; "
            f"built-ins: {', '.join(sorted(BUILTIN))}"
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(f"{where}{line}: not valid YAML; fix the syntax") from None
    if isinstance(data, dict) and "bargaining" in data:
        data = data["bargaining"]
    if data is None:
        raise UserError(f"{where}: the scenario has no bargaining section; add one")
    return spec_from_mapping(data, where), None
