"""Shared samples of the uncertainties (Latin hypercube in probability space) and of the levers
(a balanced sample of strategies), used by scenario discovery and robust choice."""

from __future__ import annotations

import numpy as np

from tashkent.explore.model import Strategy, Uncertainty, strategies
from tashkent.scenario.schema import Lever


def latin_hypercube(unc: list[Uncertainty], n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """n points: (u in [0, 1]^D, parameter values by name). Stratified per dimension (scipy's LHS),
    so even a few dozen points span each prior."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(unc), seed=np.random.default_rng(seed)).random(n)
    return u, {x.name: x.values(u[:, i]) for i, x in enumerate(unc)}


def strategy_sample(lvs: list[Lever], k: int, seed: int) -> list[Strategy]:
    """All combinations when there are at most k, else k of them: the as-written combination and
    a balanced sample (each option of each lever appears about equally often; distinct
    combinations)."""
    every = strategies(lvs)
    if len(every) <= k:
        return every
    rng = np.random.default_rng(seed)
    chosen = [every[0]]
    seen = {tuple(every[0].values())}
    columns = []
    for lv in lvs:
        ids = [o.id for o in lv.options]
        col = [ids[i % len(ids)] for i in range(k * 4)]
        rng.shuffle(col)
        columns.append(col)
    for row in zip(*columns, strict=True):
        if len(chosen) == k:
            break
        if row not in seen:
            seen.add(row)
            chosen.append(dict(zip([lv.id for lv in lvs], row, strict=True)))
    return chosen
