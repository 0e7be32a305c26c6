"""Variants of a scenario for paired comparisons.

A VARIANT is `[LABEL=]SOURCE`, where SOURCE is a scenario name or file, or overlays on the base:
`set:PATH=VALUE[;PATH=VALUE…]` and/or `inject:DATE:KIND:key=value`, joined by `+`. Example:
`"no-gulf=set:actors.SAU.active=false;actors.IRN.active=false"`."""

from __future__ import annotations

from typing import Any

from tashkent.scenario.load import load_scenario
from tashkent.scenario.schema import Scenario


def parse_variant(
    text: str, base: str, sets: list[str], injects: list[str], overlays: list[dict[str, Any]]
) -> tuple[str, Scenario]:
    """(label, scenario) of one variant; `sets`, `injects` and `overlays` apply to every variant."""
    label, _, source = text.partition("=") if "=" in text.split(":", 1)[0] else ("", "", text)
    if not source:
        source = text
    v_sets, v_injects, scenario_src = list(sets), list(injects), base
    overlay_parts = [p for p in source.split("+") if p]
    if all(p.startswith(("set:", "inject:")) for p in overlay_parts):
        for part in overlay_parts:
            kind, _, body = part.partition(":")
            if kind == "set":
                v_sets += [s for s in body.split(";") if s]
            else:
                v_injects.append(body)
    else:
        scenario_src = source
    return label or source, load_scenario(scenario_src, sets=v_sets, injects=v_injects, overlays=overlays)
