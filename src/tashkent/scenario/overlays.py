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
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed
    return [yaml.load(ref.read_text(encoding="utf-8"), Loader=loader)]


def calibration_note(notes: dict[str, list[str]], calibrated: bool) -> dict[str, Any]:
    """What the calibration overlay did to a scenario (from `load_scenario_noted`), as recorded in
    the run's inputs, the JSON document and the report."""
    return {
        "overlay": "history/data/calibrated.yaml" if calibrated else None,
        "applied": list(notes.get("applied", [])),
        "kept_scenario_values": list(notes.get("kept", [])),
    }


def calibration_text(note: dict[str, Any] | None) -> str | None:
    """One line saying which values the calibration overlay replaced and which it left alone."""
    if not note or not note.get("overlay"):
        return None
    parts = []
    if note.get("applied"):
        parts.append(f"calibrated posteriors replace the priors of {', '.join(note['applied'])}")
    if note.get("kept_scenario_values"):
        parts.append(
            f"your own values kept for {', '.join(note['kept_scenario_values'])} "
            "(the overlay only replaces the built-in values it was fitted from)"
        )
    if not parts:
        return "calibration overlay: nothing applied (no parameter states the values it was fitted from)"
    return "calibration overlay: " + "; ".join(parts) + "; --uncalibrated turns it off"
