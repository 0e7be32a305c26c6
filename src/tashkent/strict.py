"""Shared by every input schema (scenario, bargaining section): unknown keys refused, NaN and
infinities refused in every number, and YAML's `true`/`false` never taken for a number.

Use as::

    class Strict(BaseModel):
        model_config = STRICT
        _no_bools = NO_BOOLS
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _reject_bools(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    field = cls.model_fields.get(info.field_name or "")
    if field is None:
        return value
    kind = repr(field.annotation)
    if "bool" in kind or not ("float" in kind or "int" in kind):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
    if any(isinstance(v, bool) for v in items):
        raise ValueError("must be a number, not true/false")
    return value


NO_BOOLS: Any = field_validator("*", mode="before")(classmethod(_reject_bools))
