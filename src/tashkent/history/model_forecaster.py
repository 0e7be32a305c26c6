"""The simulation model as a back-test `Forecaster`.

`fit(training)` calibrates on the training crises only (the importance weights of `calibrate`
over a shared simulation bank); `forecast(conditions)` mixes the test crisis's own replay under
the same parameter draws with those weights. The bank of a crisis is simulated from its
`Conditions` alone, so nothing about its outcome reaches its forecast.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from tashkent.history.baselines import Conditions, CrisisForecast
from tashkent.history.calibrate import total_loglik, weights
from tashkent.history.dyads import DEFAULT_DYAD
from tashkent.history.record import Crisis
from tashkent.history.simbank import CrisisBank, simulate_crisis, simulate_onset
from tashkent.sim.seeds import BLOCK_RUNS


def _simulate(args: tuple[Conditions, int, int]) -> CrisisBank:
    cond, n_blocks, seed = args
    return simulate_crisis(cond, n_blocks, seed)


@dataclass
class SimulationBank:
    """Replays (and the peace-time onset rate) under `n_blocks` shared parameter draws, computed
    on demand and cached; `workers` processes simulate crises in parallel."""

    n_blocks: int
    seed: int = 0
    workers: int = 1
    dyad: str = DEFAULT_DYAD
    crises: dict[int, CrisisBank] = field(default_factory=dict)
    _onset: tuple[np.ndarray, dict[str, np.ndarray]] | None = None

    def prepare(self, conditions: Sequence[Conditions]) -> None:
        todo = [c for c in conditions if c.crisis_id not in self.crises]
        if not todo:
            return
        args = [(c, self.n_blocks, self.seed) for c in todo]
        if self.workers > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=self.workers) as pool:
                banks = list(pool.map(_simulate, args))
        else:
            banks = [_simulate(a) for a in args]
        for c, b in zip(todo, banks, strict=True):
            self.crises[c.crisis_id] = b

    def get(self, cond: Conditions) -> CrisisBank:
        self.prepare([cond])
        return self.crises[cond.crisis_id]

    def onset(self) -> np.ndarray:
        """Per draw, the simulated peace-time crisis onset rate per year."""
        return self._onset_run()[0]

    def params(self) -> dict[str, np.ndarray]:
        """Per draw, every parameter's value (as sampled in the peace-time scenario)."""
        return self._onset_run()[1]

    def _onset_run(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if self._onset is None:
            self._onset = simulate_onset(self.n_blocks, self.seed, self.dyad)
        return self._onset


@dataclass(frozen=True)
class ModelForecaster:
    """The model, calibrated on the training crises by importance weights over the bank."""

    bank: SimulationBank
    name: str = "model"
    weights: np.ndarray | None = None
    beta: float = 1.0

    def fit(self, training: Sequence[Crisis]) -> ModelForecaster:
        self.bank.prepare([Conditions.of(c) for c in training])
        banks = {c.id: self.bank.crises[c.id] for c in training}
        w, beta = weights(total_loglik(banks, training, self.bank.onset()))
        return ModelForecaster(self.bank, self.name, w, beta)

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        b = self.bank.get(conditions)
        w = self.weights if self.weights is not None else np.full(b.n_draws, 1.0 / b.n_draws)
        rung = w @ b.rung_probs
        return CrisisForecast(
            rung_probs=rung / rung.sum(),
            p_nuclear=float(np.clip(w @ b.p_nuclear, 0, 1)),
            p_mediation=float(np.clip(w @ b.p_mediation, 0, 1)),
            duration_values=b.duration.ravel().astype(float),
            duration_weights=np.repeat(w / BLOCK_RUNS, b.duration.shape[1]),
            strike_values=b.strike.ravel()[b.strike.ravel() >= 0].astype(float),
            strike_weights=np.repeat(w / BLOCK_RUNS, b.strike.shape[1])[b.strike.ravel() >= 0],
        )


def model_forecaster(
    runs: int, seed: int, workers: int | None = None, dyad: str = DEFAULT_DYAD
) -> ModelForecaster:
    """The model forecaster with `runs` runs per crisis (rounded to blocks of 100)."""
    n_blocks = max(1, round(runs / BLOCK_RUNS))
    n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    return ModelForecaster(SimulationBank(n_blocks=n_blocks, seed=seed, workers=n_workers, dyad=dyad))
