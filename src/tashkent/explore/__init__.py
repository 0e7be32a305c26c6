"""Conditions for success: uncertainties, levers and outcomes of a scenario, and the analyses that
mine designed ensembles over them — global sensitivity (`sensitivity`: Sobol, Morris), scenario
discovery (`discover`: PRIM) and robust choice among an actor's strategies (`robust`: regret,
satisficing). Submodules load on first use, so the command line starts fast."""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Execution": "tashkent.explore.runner",
    "discover": "tashkent.explore.discovery",
    "robust": "tashkent.explore.robust",
    "sensitivity": "tashkent.explore.sensitivity",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)


__all__ = sorted(_EXPORTS)
