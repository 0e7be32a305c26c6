"""Scenario files: the pydantic schema, loading with clear errors, built-in scenarios."""

from tashkent.scenario.load import builtin_names, load_scenario
from tashkent.scenario.schema import Scenario

__all__ = ["Scenario", "builtin_names", "load_scenario"]
