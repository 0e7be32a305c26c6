"""The simulation model as a back-test `Forecaster` (needs `tashkent.sim.api`)."""

from __future__ import annotations

import importlib.util

from tashkent.history.baselines import Forecaster


def model_available() -> bool:
    try:
        return importlib.util.find_spec("tashkent.sim.api") is not None
    except ModuleNotFoundError:
        return False


def model_forecaster(runs: int, seed: int) -> Forecaster | None:
    """The model forecaster, or None when this installation has no simulation model."""
    if not model_available():
        return None
    raise NotImplementedError  # replaced when the sim API is merged
