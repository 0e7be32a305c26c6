"""Nuclear signalling runs beside the conventional ladder (Snyder 1965; Krepon 2004: South Asian crises show
signalling at low conventional rungs); nuclear use is an absorbing tail outcome."""

from __future__ import annotations

import numpy as np

from tashkent.model.common import Array, logistic

#: Signalling starts at economic/treaty measures: the 2025 Abdali and Fatah tests came while the
#: dyad stood at rung 2-3, before any strike (judgement from the record of 1999, 2002, 2019, 2025).
SIGNAL_MIN_RUNG = 2
#: Rung at which the signalling logit equals its intercept (mobilisation; judgement).
SIGNAL_CENTRE_RUNG = 3.0
#: Daily use probability at full-scale war relative to air strikes (judgement: a war that threatens
#: a state's survival is the classic path to first use).
WAR_USE_MULTIPLIER = 5.0


def signal_prob(rung: Array, intercept: Array, slope: Array, both_nuclear: bool) -> Array:
    """Daily probability of a nuclear signal (test, threat, NCA convened) on a crisis day at rung ≥ 2;
    zero unless both parties are nuclear-armed (no mutual deterrence to signal into)."""
    if not both_nuclear:
        return np.zeros(rung.shape)
    p = logistic(intercept + slope * (rung.astype(np.float64) - SIGNAL_CENTRE_RUNG))
    return np.where(rung >= SIGNAL_MIN_RUNG, p, 0.0)


def use_prob(rung: Array, signalled: Array, daily: Array, both_nuclear: bool) -> Array:
    """Daily probability of nuclear use: only after signalling, at rung 5 (×5 at rung 6)."""
    if not both_nuclear:
        return np.zeros(rung.shape)
    mult = np.where(rung >= 6, WAR_USE_MULTIPLIER, np.where(rung >= 5, 1.0, 0.0))
    return np.where(signalled, daily * mult, 0.0)
