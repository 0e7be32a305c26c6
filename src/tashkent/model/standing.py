"""A mediator's standing with each party, and the hardening of a party after attacks.

Standing s_i (in [-1, 1]) is the offering mediator's political capital with party i beyond its
tilt: it starts at the scenario's value, departures from which fade with a half-life (a rebuff or a
public tilt is remembered for about a year), and it erodes while the party keeps rejecting the
offer (each year of rejection costs `standing_erosion`; repeated rebuffed offers read as meddling —
four US offers in six months of 2019–20 were each rejected). A public tilt (a scheduled
`faction_shift`) moves it at once. Hardening h_i is the decayed memory of attacks on party i, each
adding its provocation (log fatalities); it lowers the party's utility of accepting talks and
decays with `hardening_half_life_days`."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, Params


def update_standing(standing: Array, anchor: Array, rejecting: Array, decay: Array, p: Params) -> Array:
    """Next day's standing [2, n]: departures from the scenario's standing `anchor` [2, 1] decay,
    and it erodes where the party rejects the offer."""
    erosion = np.where(rejecting, p["standing_erosion"] / 365.0, 0.0)
    return np.clip(anchor + (standing - anchor) * decay - erosion, -1.0, 1.0)


def tilt_of(bias: Array) -> Array:
    """Net tilt toward each party [2, ...] from biases toward both (Kydd's ideal point)."""
    return (bias - bias[::-1]) / 2.0
