"""What an ensemble (or one chunk of it) records: integer counts, so merging chunks is exact and
does not depend on their order or size, plus a small per-block table and a few kept trajectories.

Shapes use H = horizon in days, M = number of first-passage metrics (`metrics`), K = number of
milestone days (`milestones`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass
class Counts:
    runs: int  # runs counted
    days: int  # horizon H
    n_blocks: int  # blocks of runs sharing one parameter draw
    metrics: list[str]  # first-passage metrics, e.g. "crisis", "rung_ge_5", "accept_PAK_1.5"
    milestones: list[int]  # milestone days
    first_hist: Array  # [M, H + 2] runs whose first passage fell on day t (H + 1: never)
    ms_sum: Array  # [M, K] Σ over blocks of the runs with the event by the milestone
    ms_sq: Array  # [M, K] Σ over blocks of the square of that number (for the block variance)
    rung_daily: Array  # [H + 1, 7] runs at each rung on each day
    phase_daily: Array  # [H + 1, 6] runs in each process phase on each day
    crisis_daily: Array  # [H + 1] runs in crisis
    score_hist: Array  # [H + 1, scores] runs by daily escalation score (offset SCORE_MIN)
    deesc_daily: Array  # [H + 1] de-escalatory moves
    trust_daily: Array  # [H + 1] Σ trust × 10⁴ (integer)
    fat_hist: Array  # [K, bins] runs by cumulative fatalities (bins FATALITY_EDGES)
    duration_hist: Array  # [H + 2] completed crises by duration in days
    duration_censored: int  # crises still going at the horizon
    kinetic_hist: Array  # [H + 2] runs by days at rung ≥ 4
    max_rung_hist: Array  # [7] runs by highest rung reached
    crises_hist: Array  # [21] runs by number of crises (20 = 20 or more)
    total_score_sum: int  # Σ escalation score over runs and days
    cost_sum: Array  # [2] Σ normalised cost × 10⁶ per party
    blocks: dict[str, Array] = field(default_factory=dict)  # per block: draws and outcomes
    trajectories: dict[str, Array] = field(default_factory=dict)  # [kept runs, H + 1] each
    trajectory_runs: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    block_start: int = 0  # first block (of a chunk)

    # fields that are added when chunks merge
    SUMMED = (
        "runs",
        "n_blocks",
        "first_hist",
        "ms_sum",
        "ms_sq",
        "rung_daily",
        "phase_daily",
        "crisis_daily",
        "score_hist",
        "deesc_daily",
        "trust_daily",
        "fat_hist",
        "duration_hist",
        "duration_censored",
        "kinetic_hist",
        "max_rung_hist",
        "crises_hist",
        "total_score_sum",
        "cost_sum",
    )

    def merge(self, other: Counts) -> Counts:
        """The counts of both (sums; blocks and kept trajectories in block and run order)."""
        if (self.days, self.metrics, self.milestones) != (other.days, other.metrics, other.milestones):
            raise ValueError("counts of different horizons or metrics cannot be merged")
        sums = {k: _add(getattr(self, k), getattr(other, k)) for k in self.SUMMED}
        blocks = _concat_sorted(self.blocks, other.blocks, "block")
        if len(other.trajectory_runs) == 0 and self.trajectories.keys() >= other.trajectories.keys():
            # the usual case past the first chunks: nothing to add, nothing to copy (the dtype
            # is still the one concatenation would give)
            traj = {
                k: self.trajectories[k].astype(np.result_type(self.trajectories[k], v), copy=False)
                for k, v in other.trajectories.items()
            }
            runs = self.trajectory_runs
        else:
            runs = np.concatenate([self.trajectory_runs, other.trajectory_runs])
            order = np.argsort(runs, kind="stable")
            traj = {
                k: np.concatenate([self.trajectories[k], other.trajectories[k]])[order]
                if k in self.trajectories
                else v
                for k, v in other.trajectories.items()
            }
            runs = runs[order]
        return replace(
            self,
            **sums,
            blocks=blocks,
            trajectories=traj,
            trajectory_runs=runs,
            block_start=min(self.block_start, other.block_start),
        )

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.asarray(a) + np.asarray(b)
    return int(a) + int(b)


def _concat_sorted(a: dict[str, Array], b: dict[str, Array], key: str) -> dict[str, Array]:
    if not a:
        return dict(b)
    if not b:
        return dict(a)
    merged = {k: np.concatenate([np.asarray(a[k]), np.asarray(b[k])]) for k in a}
    order = np.argsort(merged[key], kind="stable")
    return {k: v[order] for k, v in merged.items()}


def first_blocks(table: dict[str, Array], limit: int) -> dict[str, Array]:
    """The rows of a per-block table whose block index is below `limit` (empty if none)."""
    if not table:
        return {}
    keep = np.asarray(table["block"]) < limit
    if not keep.any():
        return {}
    return table if keep.all() else {k: np.asarray(v)[keep] for k, v in table.items()}


def concat_blocks(tables: list[dict[str, Array]]) -> dict[str, Array]:
    """Per-block tables of several chunks as one, in block order (one concatenation, however many
    chunks: merging them pairwise would copy the growing table once per chunk)."""
    tables = [t for t in tables if t]
    if not tables:
        return {}
    merged = {k: np.concatenate([np.asarray(t[k]) for t in tables]) for k in tables[0]}
    order = np.argsort(merged["block"], kind="stable")
    return {k: v[order] for k, v in merged.items()}


def merge(total: Counts | None, part: Counts) -> Counts:
    """Add a chunk's counts into the running total (None: the first chunk)."""
    return part if total is None else total.merge(part)
