"""The state of every run on one day, as arrays over runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tashkent.scenario.schema import TRACKS, Scenario
from tashkent.sim.context import Context


@dataclass
class State:
    rung: np.ndarray  # int8 [n] standing rung 0..6
    crisis: np.ndarray  # bool [n]
    crisis_day: np.ndarray  # int32 [n] days since the crisis trigger
    kinetic_days: np.ndarray  # int32 [n] consecutive days at rung >= 4
    signal: np.ndarray  # bool [n] nuclear signalling in the current crisis
    nuclear_use: np.ndarray  # bool [n] absorbing
    provocation: np.ndarray  # float [2, n]
    opponent_recent: np.ndarray  # float [2, n] decayed memory of the opponent's escalations
    trust: np.ndarray  # float [n] 0..1
    accept: np.ndarray  # bool [2, 3, n] party × track (II, 1.5, I)
    phase: np.ndarray  # int8 [n] 0..5
    freeze: np.ndarray  # int32 [n] days official tracks stay frozen
    agreement_age: np.ndarray  # int32 [n], -1 = no agreement in force
    fatalities: np.ndarray  # float [n] cumulative
    cost: np.ndarray  # float [2, n] cumulative cost index
    hurt: np.ndarray  # float [2, n] decayed cost memory (ripeness)
    catastrophe: np.ndarray  # float [n] decayed near-catastrophe memory
    bias: np.ndarray  # float [M, 2, n] mediator bias toward each party
    forced_active: np.ndarray  # int8 [M, n]: 1 joined, -1 left, 0 follow the process
    offer_bias: np.ndarray  # float [2, n] the offering mediator's bias toward each party
    standing: np.ndarray  # float [2, n] its standing with each party (tashkent.model.standing)
    hardening: np.ndarray  # float [2, n] decayed memory of attacks on each party
    inclusion: np.ndarray  # float [n] 0..1 Kashmiri stakeholders brought into the dialogue
    response_lag: np.ndarray  # int32 [2, n] days left of a party's deliberation after an attack (0: none)
    ceasefire_held: np.ndarray  # bool [n] a hotline ceasefire has been agreed in the current crisis
    cache: dict[str, np.ndarray] = field(default_factory=dict)  # derived values, cleared on change

    @property
    def n(self) -> int:
        return int(self.rung.shape[0])


def initial_state(scenario: Scenario, ctx: Context, n: int, bias_noise: np.ndarray) -> State:
    """The scenario's initial state replicated over n runs; bias_noise [M, 2, n] perturbs biases."""
    init = scenario.initial_state
    accept = np.zeros((2, 3, n), dtype=bool)
    for i, party in enumerate(ctx.parties):
        for t, track in enumerate(TRACKS):
            accept[i, t] = init.accept.get(party, {}).get(track, False)  # type: ignore[call-overload]
    prov = np.array([init.provocation.get(p, 0.0) for p in ctx.parties], dtype=np.float64)
    m = len(ctx.mediator_ids)
    bias = np.clip(ctx.mediator_bias[:, :, None] + bias_noise, -1.0, 1.0) if m else np.zeros((0, 2, n))
    return State(
        rung=np.full(n, init.rung, dtype=np.int8),
        crisis=np.full(n, init.crisis_active, dtype=bool),
        crisis_day=np.full(n, init.crisis_day, dtype=np.int32),
        kinetic_days=np.zeros(n, dtype=np.int32),
        signal=np.full(n, init.nuclear_signal, dtype=bool),
        nuclear_use=np.zeros(n, dtype=bool),
        provocation=np.repeat(prov[:, None], n, axis=1),
        opponent_recent=np.zeros((2, n)),
        trust=np.full(n, init.trust, dtype=np.float64),
        accept=accept,
        phase=np.full(n, init.phase, dtype=np.int8),
        freeze=np.zeros(n, dtype=np.int32),
        agreement_age=np.full(n, 0 if init.phase >= 5 else -1, dtype=np.int32),
        fatalities=np.zeros(n),
        cost=np.zeros((2, n)),
        hurt=np.zeros((2, n)),
        catastrophe=np.zeros(n),
        bias=bias,
        forced_active=np.zeros((m, n), dtype=np.int8),
        offer_bias=(
            bias[ctx.offer_mediator].copy()
            if ctx.offer_mediator >= 0
            else np.repeat(ctx.offer_bias[:, None], n, axis=1)
        ),
        standing=np.repeat(ctx.offer_standing[:, None], n, axis=1),
        hardening=np.repeat(
            np.array([init.hardening.get(p, 0.0) for p in ctx.parties], dtype=np.float64)[:, None], n, axis=1
        ),
        inclusion=np.zeros(n),
        response_lag=np.zeros((2, n), dtype=np.int32),
        ceasefire_held=np.zeros(n, dtype=bool),
    )
