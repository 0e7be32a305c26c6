"""What a forecaster sees, what it says, and the three honest baselines.

A forecaster is fitted on training crises (`fit`, outcomes visible) and then forecasts a test
crisis from its `Conditions` only — what was known on the trigger day: the date, the kind of
trigger and its fatalities, the era (nuclear or not), the rung before the trigger and the outside
powers of the era. The test crisis's outcome never reaches `forecast`: it is not in the training
set and `Conditions` has no outcome fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from tashkent.history.record import Crisis
from tashkent.ladder import N_RUNGS

#: Outside powers and bodies able to manage or mediate an India–Pakistan crisis, by era (a rule on
#: the trigger year, not on what happened in the crisis).
COLD_WAR_POWERS = ("UN", "USA", "SUN", "GBR")
POST_COLD_WAR_POWERS = ("UN", "USA", "RUS", "CHN", "GBR", "SAU", "IRN")


def era_third_parties(year: int) -> tuple[str, ...]:
    return COLD_WAR_POWERS if year < 1992 else POST_COLD_WAR_POWERS


@dataclass(frozen=True)
class Conditions:
    """Everything a forecaster may know about a crisis on its trigger day."""

    crisis_id: int
    name: str
    trigger_date: dt.date
    trigger_type: str
    trigger_actor: str
    trigger_fatalities: int | None
    era: str
    both_nuclear: bool
    rung_before: int
    third_parties: tuple[str, ...]
    dyad: str = "india-pakistan"

    @classmethod
    def of(cls, crisis: Crisis) -> Conditions:
        return cls(
            crisis_id=crisis.id,
            name=crisis.name,
            trigger_date=crisis.trigger_date,
            trigger_type=crisis.trigger_type,
            trigger_actor=crisis.trigger_actor,
            trigger_fatalities=crisis.trigger_fatalities,
            era=crisis.era,
            both_nuclear=crisis.both_nuclear,
            rung_before=crisis.rung_before,
            third_parties=era_third_parties(crisis.year),
            dyad=crisis.dyad,
        )


@dataclass(frozen=True)
class Outcome:
    """What happened, in the form the scores need (None = not scorable for this crisis)."""

    rung: int
    nuclear: int | None
    mediation: int
    duration: float | None
    first_strike: float | None = None

    @classmethod
    def of(cls, crisis: Crisis) -> Outcome:
        return cls(
            rung=crisis.rung_highest,
            nuclear=crisis.nuclear_signal_binary,
            mediation=int(crisis.mediation_occurred),
            duration=float(crisis.duration_days) if crisis.duration_days else None,
            first_strike=first_strike_day(crisis),
        )


def first_strike_day(crisis: Crisis) -> float | None:
    """Days from the trigger to the first strike (rung >= 5) for crises that reached it: the
    record's response lag counts the trigger day as day 1, so the plain difference is lag − 1
    (Pulwama 14 Feb → Balakot 26 Feb: 12). None where no strike came or no lag is recorded."""
    if crisis.rung_highest < 5 or not crisis.response_lag_days:
        return None
    return float(crisis.response_lag_days - 1)


def _strikes(training: Sequence[Crisis]) -> NDArray[np.float64]:
    days = [first_strike_day(c) for c in training]
    return np.array([d for d in days if d is not None], dtype=float)


#: The know-nothing forecast of the days to a first strike: uniform over two months (judgement).
UNIFORM_STRIKE_DAYS = 60.0


@dataclass(frozen=True)
class CrisisForecast:
    """A probabilistic forecast of one crisis's outcomes.

    `rung_probs[k]` = P(highest conventional rung = k), k = 0..6; `duration_values` with
    `duration_weights` is a discrete distribution (or an equally weighted ensemble) in days.
    """

    rung_probs: NDArray[np.float64]
    p_nuclear: float
    p_mediation: float
    duration_values: NDArray[np.float64]
    duration_weights: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    strike_values: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))  # days to first strike
    strike_weights: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        p = np.asarray(self.rung_probs, dtype=float)
        if p.shape != (N_RUNGS,) or np.any(p < -1e-12) or abs(p.sum() - 1) > 1e-6:
            raise ValueError(f"rung_probs must be {N_RUNGS} probabilities summing to 1, got {p}")
        if not (0 <= self.p_nuclear <= 1 and 0 <= self.p_mediation <= 1):
            raise ValueError("probabilities must lie in [0, 1]")

    def p_rung_ge(self, k: int) -> float:
        return float(np.clip(self.rung_probs[k:].sum(), 0.0, 1.0))

    def duration_quantiles(self, qs: Sequence[float] = (0.1, 0.5, 0.9)) -> list[float]:
        v = np.asarray(self.duration_values, dtype=float)
        w = self.weights()
        order = np.argsort(v)
        cdf = np.cumsum(w[order])
        sorted_v = v[order]
        return [float(sorted_v[min(int(np.searchsorted(cdf, q)), v.size - 1)]) for q in qs]

    def strike_distribution(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Days to the first strike given one comes, as (values, weights); a forecaster with no
        strike to go by (no run struck, no earlier strike) says uniform over two months."""
        v = np.asarray(self.strike_values, dtype=float)
        if v.size == 0:
            v = np.linspace(0.0, UNIFORM_STRIKE_DAYS, 400)
            return v, np.full(v.size, 1.0 / v.size)
        if self.strike_weights.size == 0:
            return v, np.full(v.size, 1.0 / v.size)
        w = np.asarray(self.strike_weights, dtype=float)
        return v, w / w.sum()

    def weights(self) -> NDArray[np.float64]:
        v = np.asarray(self.duration_values)
        if self.duration_weights.size == 0:
            return np.full(v.size, 1.0 / v.size)
        w = np.asarray(self.duration_weights, dtype=float)
        return w / w.sum()

    def as_dict(self) -> dict[str, object]:
        return {
            "rung_probs": [round(float(x), 4) for x in self.rung_probs],
            "p_rung_ge4": round(self.p_rung_ge(4), 4),
            "p_rung_ge5": round(self.p_rung_ge(5), 4),
            "p_nuclear_signal": round(self.p_nuclear, 4),
            "p_mediation": round(self.p_mediation, 4),
            "duration_quantiles": dict(
                zip(
                    ("q10", "q50", "q90"),
                    [round(x, 1) for x in self.duration_quantiles()],
                    strict=True,
                )
            ),
        }


@runtime_checkable
class Forecaster(Protocol):
    """The back-test's view of a forecasting method (the model or a baseline)."""

    @property
    def name(self) -> str:
        """Column name in the score tables (unique within a back-test)."""
        ...

    def fit(self, training: Sequence[Crisis]) -> Forecaster:
        """A forecaster fitted on `training` (a new object; `self` is not changed)."""
        ...

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        """The forecast for a crisis given only its trigger-day conditions."""
        ...


def _durations(training: Sequence[Crisis]) -> NDArray[np.float64]:
    return np.array([c.duration_days for c in training if c.duration_days], dtype=float)


def _freq(values: Sequence[int], n: int) -> NDArray[np.float64]:
    counts = np.bincount(np.asarray(values, dtype=int), minlength=n).astype(float)
    return counts / counts.sum()


@dataclass(frozen=True)
class Climatology:
    """The training crises' frequencies (durations: their empirical distribution)."""

    name: str = "climatology"
    training: tuple[Crisis, ...] = ()

    def fit(self, training: Sequence[Crisis]) -> Climatology:
        return Climatology(self.name, tuple(training))

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        t = self.training
        nuc = [c.nuclear_signal_binary for c in t if c.nuclear_signal_binary is not None]
        return CrisisForecast(
            rung_probs=_freq([c.rung_highest for c in t], N_RUNGS),
            p_nuclear=float(np.mean(nuc)) if nuc else 0.5,
            p_mediation=float(np.mean([c.mediation_occurred for c in t])),
            duration_values=_durations(t),
            strike_values=_strikes(t),
        )


@dataclass(frozen=True)
class Persistence:
    """The previous crisis repeats: the latest training crisis that began before this trigger
    (for each outcome, the latest one on which that outcome is recorded). With no earlier
    crisis in the training set it falls back to the uniform forecast."""

    name: str = "persistence"
    training: tuple[Crisis, ...] = ()

    def fit(self, training: Sequence[Crisis]) -> Persistence:
        return Persistence(self.name, tuple(sorted(training, key=lambda c: c.trigger_date)))

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        earlier = [c for c in self.training if c.trigger_date < conditions.trigger_date]
        if not earlier:
            return Uniform().fit(self.training).forecast(conditions)
        last = earlier[-1]
        nuc = [c.nuclear_signal_binary for c in earlier if c.nuclear_signal_binary is not None]
        dur = [c.duration_days for c in earlier if c.duration_days]
        strikes = _strikes(earlier)
        return CrisisForecast(
            rung_probs=np.eye(N_RUNGS)[last.rung_highest],
            p_nuclear=float(nuc[-1]) if nuc else 0.5,
            p_mediation=float(last.mediation_occurred),
            duration_values=np.array([float(dur[-1]) if dur else 30.0]),
            strike_values=strikes[-1:],
        )


@dataclass(frozen=True)
class Uniform:
    """Know-nothing: equal probability on each rung, 0.5 for each event, durations uniform
    between one day and the longest training crisis."""

    name: str = "uniform"
    longest: float = 365.0

    def fit(self, training: Sequence[Crisis]) -> Uniform:
        d = _durations(training)
        return Uniform(self.name, float(d.max()) if d.size else 365.0)

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        return CrisisForecast(
            rung_probs=np.full(N_RUNGS, 1.0 / N_RUNGS),
            p_nuclear=0.5,
            p_mediation=0.5,
            duration_values=np.linspace(1.0, self.longest, 400),
            strike_values=np.linspace(0.0, UNIFORM_STRIKE_DAYS, 400),
        )


BASELINES: tuple[Forecaster, ...] = (Climatology(), Persistence(), Uniform())
