"""Ripeness (Zartman): a mutually hurting stalemate plus a perceived way out, reinforced by a
recently avoided catastrophe. Made continuous: ripeness = S · Π_i σ(4·(H_i + C − τ_H)) · W, with
H_i the decayed memory of each party's conflict costs, C the decayed memory of near-catastrophes,
S the stalemate belief and W the way out, scaled up by trust
(Zartman 2000, 'Ripeness: The Hurting Stalemate and Beyond')."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, logistic

HURT_STEEPNESS = 4.0  # judgement: smooths Zartman's 0/1 hurting threshold over about ±0.5 cost units
TRUST_FLOOR = 0.5  # judgement: with no trust a way out is seen at half strength, full at trust 0.5


def ripeness(
    hurt: Array, catastrophe: Array, stalemate: Array, way_out: Array, trust: Array, threshold: Array
) -> Array:
    """Ripeness in [0, 1]; hurt is [parties, runs]."""
    hurting = np.prod(logistic(HURT_STEEPNESS * (hurt + catastrophe[None, :] - threshold)), axis=0)
    w = np.clip(way_out * (TRUST_FLOOR + trust), 0.0, 1.0)
    return stalemate * hurting * w
