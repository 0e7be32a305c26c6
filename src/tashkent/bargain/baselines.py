"""Baselines reported beside every bargaining forecast, and oscillation detection.

* **Weighted mean** (the "compromise model"): per dimension, sum_i c_i s_id x_id / sum_i c_i s_id.
  In the EU-decision literature it often predicts outcomes better than the procedural models.
* **Weighted median**: per dimension, the position at which half of the total c_i s_id weight lies
  on either side. In one dimension it is also the Condorcet winner of votes weighted by
  c_i s_id with linear utility (it minimises sum_k w_k |x_k - y|).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def weighted_mean(position: np.ndarray, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """[D] capability x salience weighted mean of positions [N, D]."""
    w = capability[:, None] * salience
    tot = w.sum(axis=0)
    safe = np.where(tot > 0, tot, 1.0)
    mean = (w * position).sum(axis=0) / safe
    return np.where(tot > 0, mean, position.mean(axis=0))


def weighted_median(position: np.ndarray, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """[D] capability x salience weighted median of positions [N, D] (lower median on ties)."""
    w = capability[:, None] * salience
    out = np.empty(position.shape[1])
    for d in range(position.shape[1]):  # loop over dimensions only
        order = np.argsort(position[:, d], kind="stable")
        xs, ws = position[order, d], w[order, d]
        if ws.sum() <= 0:
            out[d] = float(np.median(xs))
            continue
        cum = np.cumsum(ws)
        k = int(np.searchsorted(cum, 0.5 * cum[-1] - 1e-12))
        out[d] = xs[min(k, len(xs) - 1)]
    return out


def baselines(position: np.ndarray, capability: np.ndarray, salience: np.ndarray) -> dict[str, list[float]]:
    """Both baselines as plain lists (one value per dimension)."""
    return {
        "weighted_mean": [float(v) for v in weighted_mean(position, capability, salience)],
        "weighted_median": [float(v) for v in weighted_median(position, capability, salience)],
    }


@dataclass(frozen=True)
class Oscillation:
    """Whether a trajectory oscillates instead of converging.

    `reversals` counts direction changes of the weighted-mean path (summed over dimensions),
    ignoring steps smaller than `tol`; `cycle` is the period p >= 2 when the final state repeats the
    state p steps earlier (every actor within `tol`), else None. A trajectory oscillates when it has
    a cycle, or at least two reversals and has not settled (its last step exceeds `tol`).
    """

    oscillating: bool
    reversals: int
    cycle: int | None
    last_step: float

    def as_dict(self) -> dict[str, object]:
        return {
            "oscillating": self.oscillating,
            "reversals": self.reversals,
            "cycle": self.cycle,
            "last_step": self.last_step,
        }


def detect_oscillation(
    history: np.ndarray, capability: np.ndarray, salience: np.ndarray, tol: float | None = None
) -> Oscillation:
    """Inspect a [T+1, N, D] history (positions on any scale). `tol` defaults to 1 % of the
    initial spread of positions (largest over dimensions)."""
    T = history.shape[0]
    if tol is None:
        spread = float((history[0].max(axis=0) - history[0].min(axis=0)).max())
        tol = 0.01 * spread if spread > 0 else 1e-9
    if T < 3:
        return Oscillation(False, 0, None, 0.0)
    w = capability[None, :, None] * salience[None, :, :]
    tot = w.sum(axis=1)
    means = (w * history).sum(axis=1) / np.where(tot > 0, tot, 1.0)  # [T, D]
    steps = np.diff(means, axis=0)  # [T-1, D]
    reversals = 0
    for d in range(steps.shape[1]):
        s = np.sign(steps[np.abs(steps[:, d]) > tol, d])
        reversals += int(np.count_nonzero(s[1:] != s[:-1]))
    last = history[-1]
    cycle = None
    for p in range(2, T):
        if np.max(np.abs(history[-1 - p] - last)) <= tol and np.max(np.abs(history[-2] - last)) > tol:
            cycle = p
            break
    last_step = float(np.abs(history[-1] - history[-2]).max())
    osc = cycle is not None or (reversals >= 2 and last_step > tol)
    return Oscillation(osc, reversals, cycle, last_step)
