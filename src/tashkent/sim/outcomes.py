"""What an ensemble records: the first-passage metrics, milestone days and histogram bins.
Everything recorded is an integer count, so merging chunks is exact and order-free."""

from __future__ import annotations

import numpy as np

from tashkent.scenario.schema import TRACKS

SCORE_MIN, SCORE_MAX = -12, 200  # daily escalation score range kept exactly (integers)
# Fatality bins: 0, then log-spaced edges from 1 to 1e7 (≈ 4.7% wide).
FATALITY_EDGES = np.concatenate([[0.0, 0.5], np.logspace(0, 7, 351)])
MILESTONES = (30, 90, 180, 365)


def metric_names(parties: tuple[str, str]) -> list[str]:
    names = ["crisis"] + [f"rung_ge_{k}" for k in range(1, 7)] + ["nuclear_signal"]
    names += [f"phase_ge_{k}" for k in range(1, 6)] + ["agreement", "mediation", "nuclear_use", "ceasefire"]
    names += [f"accept_{party}_{t}" for party in parties for t in TRACKS]
    return names


def milestone_days(days: int) -> list[int]:
    return sorted({d for d in MILESTONES if d <= days} | {days})
