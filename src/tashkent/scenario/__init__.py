"""Scenario files: the pydantic schema, loading with clear errors, built-in scenarios.

The names below are loaded on first use, so that importing a light module of this package (the
command definitions, the overlays' text) does not import the schema and its numeric libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Scenario", "builtin_names", "load_scenario"]

if TYPE_CHECKING:
    from tashkent.scenario.load import builtin_names, load_scenario
    from tashkent.scenario.schema import Scenario


def __getattr__(name: str) -> Any:
    if name == "Scenario":
        from tashkent.scenario.schema import Scenario

        return Scenario
    if name in ("builtin_names", "load_scenario"):
        from tashkent.scenario import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
