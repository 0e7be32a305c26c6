"""Conditions for success: uncertainties, levers and outcomes of a scenario, and the analyses that
mine designed ensembles over them — global sensitivity (Sobol, Morris), scenario discovery (PRIM)
and robust choice among an actor's strategies (regret, satisficing)."""

from tashkent.explore.discovery import discover
from tashkent.explore.robust import robust
from tashkent.explore.runner import Execution
from tashkent.explore.sensitivity import sensitivity

__all__ = ["Execution", "discover", "robust", "sensitivity"]
