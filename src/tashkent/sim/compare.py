"""Paired differences between ensembles run with the same seed.

The same seed for every variant gives common random numbers (the same attacks, the same draws
for every mechanism), so differences are paired per block of runs and their confidence intervals
are much narrower than those of independent runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from tashkent.scenario.schema import TRACKS
from tashkent.sim.counts import Counts

HEADLINE = (
    "crisis",
    "crisis_ongoing",  # a crisis still under way on the horizon's last day (how long crises last)
    "rung_ge_3",
    "rung_ge_4",
    "rung_ge_5",
    "rung_ge_6",
    "nuclear_signal",
    "mediation",
    "phase_ge_1",
    "phase_ge_2",
    "phase_ge_3",
    "phase_ge_4",
    "agreement",
)


def metrics_for(parties: tuple[str, str]) -> tuple[str, ...]:
    """The headline outcomes, then each party's acceptance of each track (who offers matters)."""
    return HEADLINE + tuple(f"accept_{p}_{t}" for p in parties for t in TRACKS)


def paired_differences(
    base: Counts, variant: Counts, metrics: tuple[str, ...] = HEADLINE
) -> list[dict[str, Any]]:
    """Per metric: base and variant probability by the horizon, their difference, its standard
    error over paired blocks and a 95% interval, from the per-block tables
    (`Counts.blocks`)."""
    rows = []
    for m in metrics:
        a = base.blocks[f"p_{m}"]
        b = variant.blocks[f"p_{m}"]
        d = b - a
        J = len(d)
        se = float(d.std(ddof=1) / np.sqrt(J)) if J > 1 else float("nan")
        mean = float(d.mean())
        rows.append(
            {
                "metric": m,
                "base": float(a.mean()),
                "variant": float(b.mean()),
                "diff": mean,
                "se": se,
                "ci95": [mean - 1.96 * se, mean + 1.96 * se],
            }
        )
    return rows
