"""Daily cost of the standing rung (an index where a day of full-scale war costs 1): rung 2 and
rung 4 costs are parameters; rungs 1, 3, 5 interpolate geometrically. The second party's cost is
the first's times `second_party_cost_ratio` (the economic-size ratio of the dyad, set by the scenario)."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array

#: Diplomatic measures (rung 1) cost a third of economic ones (judgement: expelling envoys costs
#: little beside a trade ban).
RUNG1_SHARE_OF_RUNG2 = 1.0 / 3.0


def rung_cost_table(cost_rung2: Array, cost_rung4: Array) -> Array:
    """Cost per day at rungs 0..6 for each run: shape [7, n]."""
    c2, c4 = cost_rung2, cost_rung4
    c1 = c2 * RUNG1_SHARE_OF_RUNG2
    c3 = np.sqrt(c2 * c4)
    c5 = np.sqrt(c4 * 1.0)
    zero = np.zeros_like(c2)
    return np.stack([zero, c1, c2, c3, c4, c5, np.ones_like(c2)])
