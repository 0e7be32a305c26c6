"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9:123–143), as used for scenario discovery
(Bryant & Lempert 2010): find boxes in input space where an outcome is high.

Peeling: from the box holding all points, repeatedly remove the slice that raises the mean outcome
in the box most per point removed — a fraction `alpha` of the box's points at the low or high end
of one numeric input, or one category of a categorical input (the per-point criterion is Friedman
& Fisher's for peels of unequal size, §8) — until the box holds fewer than `min_mass` of the
points. Pasting then widens the chosen box edge by edge while that raises the mean. Covering
removes the points of a chosen box and starts again for the next box.

For an outcome y >= 0 (a probability, or 0/1), in the scenario-discovery vocabulary: density =
mean y in the box, coverage = share of all y that falls in the box, mass = share of points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Box:
    """Limits per input: (low, high) for numeric inputs, a set of allowed values for categorical."""

    limits: dict[str, Any]

    def contains(self, x: pd.DataFrame | dict[str, np.ndarray]) -> np.ndarray:
        cols = _columns(x)
        inside = np.ones(len(next(iter(cols.values()))), dtype=bool)
        for name, lim in self.limits.items():
            inside &= _within(cols[name], lim)
        return inside


def _columns(x: pd.DataFrame | dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if isinstance(x, dict):
        return x
    return {
        c: (x[c].to_numpy(dtype=object) if _categorical(x[c]) else x[c].to_numpy(dtype=np.float64))
        for c in x.columns
    }


def _within(col: np.ndarray, lim: Any) -> np.ndarray:
    if isinstance(lim, frozenset):
        return np.isin(col, list(lim))
    return (col >= lim[0]) & (col <= lim[1])


@dataclass
class Step:
    box: Box
    coverage: float
    density: float
    mass: float
    restricted: list[str]
    se: float = 0.0  # standard error of the density (sd of y in the box / sqrt(points))


@dataclass
class Result:
    base_rate: float
    trajectories: list[list[Step]] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)  # index of the chosen step in each trajectory
    boxes: list[Step] = field(default_factory=list)  # chosen boxes after pasting, scored on all points


def _full_box(x: pd.DataFrame) -> Box:
    limits: dict[str, Any] = {}
    for name in x.columns:
        col = x[name]
        if _categorical(col):
            limits[name] = frozenset(col.unique().tolist())
        else:
            limits[name] = (float(col.min()), float(col.max()))
    return Box(limits)


def _categorical(col: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def restricted(box: Box, full: Box) -> list[str]:
    return [n for n, lim in box.limits.items() if lim != full.limits[n]]


def _score(box: Box, x: dict[str, np.ndarray], y: np.ndarray, total: float, full: Box) -> Step:
    inside = box.contains(x)
    n_in = int(inside.sum())
    density = float(y[inside].mean()) if n_in else 0.0
    coverage = float(y[inside].sum() / total) if total > 0 else 0.0
    se = float(y[inside].std(ddof=1) / np.sqrt(n_in)) if n_in > 1 else 0.0
    return Step(box, coverage, density, n_in / len(y), restricted(box, full), se)


def _candidates(
    box: Box, x: dict[str, np.ndarray], inside: np.ndarray, alpha: float
) -> list[tuple[str, Any]]:
    """Peels of `box` as (input, its new limit): each gives a box one peel smaller."""
    out: list[tuple[str, Any]] = []
    for name, lim in box.limits.items():
        if isinstance(lim, frozenset):
            if len(lim) < 2:
                continue
            out += [(name, lim - {value}) for value in sorted(lim, key=str)]
        else:
            lo_q, hi_q = np.quantile(x[name][inside], [alpha, 1 - alpha])
            if lo_q > lim[0]:
                out.append((name, (float(lo_q), lim[1])))
            if hi_q < lim[1]:
                out.append((name, (lim[0], float(hi_q))))
    return out


def peel(x: dict[str, np.ndarray], y: np.ndarray, alpha: float, min_mass: float, full: Box) -> list[Step]:
    """The peeling trajectory: box after box, each the one-peel candidate with the largest rise of
    the mean per point removed."""
    total = float(y.sum())
    n = len(y)
    box = full
    steps = [_score(box, x, y, total, full)]
    while True:
        inside = box.contains(x)
        n_in = int(inside.sum())
        current = steps[-1].density
        best: tuple[float, int, Box] | None = None
        for name, lim in _candidates(box, x, inside, alpha):
            keep = inside & _within(x[name], lim)  # a peel only removes points from the box
            cand = Box({**box.limits, name: lim})
            k = int(keep.sum())
            # a peel must remove points and leave at least min_mass of them
            if k == n_in or k < max(1, int(np.ceil(min_mass * n))):
                continue
            gain = (float(y[keep].mean()) - current) / (n_in - k)
            if best is None or gain > best[0] + 1e-15 or (abs(gain - best[0]) <= 1e-15 and k > best[1]):
                best = (gain, k, cand)
        if best is None or best[0] <= 0.0:
            return steps
        box = best[2]
        steps.append(_score(box, x, y, total, full))


def paste(box: Box, x: dict[str, np.ndarray], y: np.ndarray, alpha: float, full: Box) -> Box:
    """Widen the box edge by edge (about alpha·mass points at a time) while the mean rises."""
    while True:
        inside = box.contains(x)
        current = float(y[inside].mean())
        n_add = max(1, int(alpha * inside.sum()))
        best: tuple[float, Box] | None = None
        for name, lim in box.limits.items():
            if isinstance(lim, frozenset):
                for value in full.limits[name] - lim:
                    cand = Box({**box.limits, name: lim | {value}})
                    best = _better(best, cand, x, y)
                continue
            others = Box({k: v for k, v in box.limits.items() if k != name}).contains(x)
            v = x[name]
            below = np.sort(v[others & (v < lim[0])])[::-1]
            above = np.sort(v[others & (v > lim[1])])
            if below.size:
                cand = Box({**box.limits, name: (float(below[min(n_add, below.size) - 1]), lim[1])})
                best = _better(best, cand, x, y)
            if above.size:
                cand = Box({**box.limits, name: (lim[0], float(above[min(n_add, above.size) - 1]))})
                best = _better(best, cand, x, y)
        if best is None or best[0] <= current + 1e-12:
            return box
        box = best[1]


def _better(
    best: tuple[float, Box] | None, cand: Box, x: dict[str, np.ndarray], y: np.ndarray
) -> tuple[float, Box] | None:
    keep = cand.contains(x)
    mean = float(y[keep].mean())
    return (mean, cand) if best is None or mean > best[0] else best


def choose(steps: list[Step], min_coverage: float) -> int:
    """Among boxes that cover at least `min_coverage`, the first (largest) whose density is within
    one standard error of the densest: the one-standard-error rule, so that peels which only chase
    noise are not taken."""
    ok = [i for i, s in enumerate(steps) if s.coverage >= min_coverage] or [0]
    top = max(ok, key=lambda i: steps[i].density)
    bar = steps[top].density - steps[top].se
    return next(i for i in ok if steps[i].density >= bar)


def simplify(box: Box, x: dict[str, np.ndarray], y: np.ndarray, full: Box) -> Box:
    """Drop restrictions whose removal keeps the density within one standard error (least useful
    first), so a box names only the inputs that matter."""
    while True:
        inside = box.contains(x)
        dens = float(y[inside].mean())
        se = float(y[inside].std(ddof=1) / np.sqrt(inside.sum())) if inside.sum() > 1 else 0.0
        best: tuple[float, Box] | None = None
        for name in restricted(box, full):
            cand = Box({**box.limits, name: full.limits[name]})
            d = float(y[cand.contains(x)].mean())
            if d >= dens - se and (best is None or d > best[0]):
                best = (d, cand)
        if best is None:
            return box
        box = best[1]


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    max_boxes: int = 2,
) -> Result:
    """Find up to `max_boxes` boxes by peeling, pasting and covering (see the module doc)."""
    y = np.asarray(y, dtype=np.float64)
    if len(y) != len(x) or len(y) == 0:
        raise ValueError("x and y must have the same, non-zero number of rows")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ValueError("PRIM needs a finite, non-negative outcome (a probability or 0/1)")
    full = _full_box(x)
    cols = _columns(x)
    total = float(y.sum())
    result = Result(base_rate=float(y.mean()))
    remaining = np.ones(len(y), dtype=bool)
    for _ in range(max_boxes):
        xr, yr = {k: v[remaining] for k, v in cols.items()}, y[remaining]
        if len(yr) < 10 or yr.sum() <= 0:
            break
        full_r = _full_box(x[remaining])
        steps = peel(xr, yr, alpha, min_mass, full_r)
        i = choose(steps, min_coverage)
        pasted = simplify(paste(steps[i].box, xr, yr, alpha, full_r), xr, yr, full_r)
        # express the box against the whole input space (unrestricted inputs span everything)
        limits = {n: (full.limits[n] if lim == full_r.limits[n] else lim) for n, lim in pasted.limits.items()}
        box = Box(limits)
        if float(yr[box.contains(xr)].mean()) <= float(yr.mean()) + 1e-12:
            break
        inside_all = box.contains(cols) & remaining
        dens = float(y[inside_all].mean()) if inside_all.any() else 0.0
        cov = float(y[inside_all].sum() / total) if total > 0 else 0.0
        if dens <= result.base_rate:  # a later box must still beat the overall base rate
            break
        result.trajectories.append(steps)
        result.chosen.append(i)
        n_in = int(inside_all.sum())
        se = float(y[inside_all].std(ddof=1) / np.sqrt(n_in)) if n_in > 1 else 0.0
        result.boxes.append(Step(box, cov, dens, n_in / len(y), restricted(box, full), se))
        remaining &= ~box.contains(cols)
    return result


def restrictions(step: Step) -> list[dict[str, Any]]:
    """The box's limits on its restricted inputs, as JSON-able records."""
    out: list[dict[str, Any]] = []
    for name in step.restricted:
        lim = step.box.limits[name]
        if isinstance(lim, frozenset):
            out.append({"parameter": name, "values": sorted(lim, key=str)})
        else:
            out.append({"parameter": name, "low": float(lim[0]), "high": float(lim[1])})
    return out
