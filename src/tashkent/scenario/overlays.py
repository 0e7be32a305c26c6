"""Parameter overlays shipped with tashkent: the calibration overlay (posteriors fitted to the
India–Pakistan crisis record by `tashkent calibrate`), applied to forecasts unless asked not to."""

from __future__ import annotations

from importlib import resources
from typing import Any


def calibrated_overlays() -> list[dict[str, Any]]:
    """The shipped calibration overlay as a one-element list (empty if it is not installed)."""
    import yaml

    ref = resources.files("tashkent").joinpath("history/data/calibrated.yaml")
    if not ref.is_file():
        return []
    return [yaml.load(ref.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))]
