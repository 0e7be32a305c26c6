"""Replaying a crisis with the simulation model, and the simulation bank used by calibration and
the back-test.

`replay_scenario(conditions)` turns a crisis's trigger-day conditions into a scenario: the built-in
`pahalgam-2025` scenario (actors, process, parameters with their priors) moved to the trigger date,
with the era's nuclear status, the rung before the trigger and the trigger itself:

* an attack with known fatalities is scheduled on day 0 against its target (it starts the crisis
  in the model, as any attack does);
* any other trigger (a state's military action, a deployment, a political act, a nuclear test)
  starts the crisis on day 0 with provocation 0.5 on the target — the model's own convention for
  non-attack triggers (`sim/step.py`);
* crises of the nuclear era before the Uri crisis (May 1998 – September 2016) are replayed under
  India's doctrine of cross-border restraint (`doctrine.cross_border_restraint`), whose cost is
  calibrated; before 1998 (1965, 1971) and since Uri India crossed the border;
* actors that did not exist in the era are switched off (Kazakhstan and Uzbekistan before 1992,
  the SCO before 2001); Russia stands in for the USSR;
* new spoiler attacks and other triggers are switched off (`attack_rate`, `other_trigger_rate`
  = 0), so that the replay follows this crisis only and its highest rung is not contaminated by a
  later, separate crisis.

A *bank* holds one crisis simulated under J parameter draws ("blocks" of 100 runs sharing one draw
from the priors, `tashkent.sim.seeds`): per block, the distribution of the highest rung, the
probabilities of nuclear signalling and of mediation, and per run the crisis duration, the days to
the crisis's highest rung (the analogue of ICB's "major response" lag) and the kinetic days. With
one seed the draws are the same for every crisis (parameters are keyed by name), so likelihoods of
different crises can be multiplied draw by draw. This composes `tashkent.sim.chunk.run_chunk`;
see the final report for what the sim API could expose instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tashkent.history.baselines import Conditions
from tashkent.history.dyads import DEFAULT_DYAD, DYADS
from tashkent.model.escalation import STRIKE_RUNG
from tashkent.scenario.load import load_scenario, scenario_to_data, with_overrides
from tashkent.scenario.schema import Scenario
from tashkent.sim.counts import Counts
from tashkent.sim.seeds import BLOCK_RUNS

REPLAY_DAYS = 450  # longer than the longest crisis on record (436 days)
ONSET_DAYS = 365
CHUNK_BLOCKS = 25
NON_ATTACK_PROVOCATION = 0.5  # as the model's `other` triggers (sim/step.py)
REPLAY_BASE = DYADS[DEFAULT_DYAD].base
ERA_ABSENT = DYADS[DEFAULT_DYAD].era_absent
RESTRAINT_ERA = DYADS[DEFAULT_DYAD].restraint_era

Array = NDArray[np.float64]


@cache
def _base(dyad: str = DEFAULT_DYAD) -> Scenario:
    return load_scenario(DYADS[dyad].base)


def _target(cond: Conditions) -> str:
    """The party the trigger struck: the other party of a state trigger, else the party non-state
    attackers strike."""
    d = DYADS[cond.dyad]
    if cond.trigger_actor in d.parties:
        return d.parties[1 - d.parties.index(cond.trigger_actor)]
    return d.attacked


def replay_overrides(cond: Conditions) -> dict[str, Any]:
    """The `with_overrides` mapping that turns the base scenario into this crisis's replay."""
    date = cond.trigger_date.isoformat()
    attack = bool(cond.trigger_type == "attack" and cond.trigger_fatalities)
    d = DYADS[cond.dyad]
    target = _target(cond)
    other = d.parties[1 - d.parties.index(target)]
    ov: dict[str, Any] = {
        "name": f"replay-{cond.crisis_id}",
        "start_date": date,
        "schedule": (
            [
                {
                    "date": date,
                    "kind": "attack",
                    "target": target,
                    "fatalities": float(cond.trigger_fatalities or 0),
                    "note": f"trigger of {cond.name}",
                    "source": "tashkent history record",
                }
            ]
            if attack
            else []
        ),
        "initial_state.date": date,
        "initial_state.rung": cond.rung_before,
        "initial_state.crisis_active": not attack,
        "initial_state.crisis_day": 0,
        "initial_state.nuclear_signal": False,
        "initial_state.provocation": (
            {target: 0.0, other: 0.0} if attack else {target: NON_ATTACK_PROVOCATION, other: 0.0}
        ),
        "initial_state.offers": [],
        "initial_state.phase": 0,
        "parameters.attack_rate": 0.0,
        "parameters.other_trigger_rate": 0.0,
    }
    if d.nuclear_from is not None:  # nuclear status changes with the era only in such a dyad
        for party in d.parties:
            ov[f"actors.{party}.nuclear"] = cond.both_nuclear
    if d.restraint_era is not None:
        ov["doctrine.cross_border_restraint"] = d.restraint_era[0] <= cond.trigger_date < d.restraint_era[1]
    for actor, since in d.era_absent.items():
        if cond.trigger_date.year < since:
            ov[f"actors.{actor}.active"] = False
    ov.update(d.replay_overrides)
    return ov


def replay_scenario(cond: Conditions, base: Scenario | None = None) -> Scenario:
    return with_overrides(base or _base(cond.dyad), replay_overrides(cond))


def onset_scenario(base: Scenario | None = None, dyad: str = DEFAULT_DYAD) -> Scenario:
    """Peace-time scenario for the onset rate: rung 0, no crisis, attacks and triggers on."""
    parties = DYADS[dyad].parties
    return with_overrides(
        base or _base(dyad),
        {
            "name": "onset-rate",
            "schedule": [],
            "initial_state.rung": 0,
            "initial_state.crisis_active": False,
            "initial_state.crisis_day": 0,
            "initial_state.phase": 0,
            "initial_state.provocation": {parties[0]: 0.0, parties[1]: 0.0},
            "initial_state.offers": [],
        },
    )


@dataclass(frozen=True)
class CrisisBank:
    """One crisis simulated under J parameter draws with R = 100 runs each."""

    crisis_id: int
    rung_probs: Array  # [J, 7] P(highest rung = k)
    p_nuclear: Array  # [J]
    p_mediation: Array  # [J]
    duration: NDArray[np.int32]  # [J, R] crisis days (censored runs = days + 1)
    lag: NDArray[np.int32]  # [J, R] days from trigger to the crisis's highest rung
    kinetic: NDArray[np.int32]  # [J, R] days at rung >= 5 (strikes; ended by a hotline ceasefire)
    strike: NDArray[np.int32]  # [J, R] days from trigger to the first strike (rung >= 5), -1 if none
    params: dict[str, Array]  # parameter draws [J]

    @property
    def n_draws(self) -> int:
        return int(self.p_nuclear.shape[0])


def _run_blocks(scenario: Scenario, seed: int, days: int, n_blocks: int, keep: bool) -> list[Counts]:
    from tashkent.sim.chunk import ChunkSpec, run_chunk

    data = scenario_to_data(scenario)
    outs = []
    for start in range(0, n_blocks, CHUNK_BLOCKS):
        nb = min(CHUNK_BLOCKS, n_blocks - start)
        spec = ChunkSpec(
            scenario=data,
            seed=seed,
            days=days,
            block_start=start,
            n_blocks=nb,
            keep_trajectories=(start + nb) * BLOCK_RUNS if keep else 0,
        )
        outs.append(run_chunk(spec))
    return outs


def simulate_crisis(cond: Conditions, n_blocks: int, seed: int, days: int = REPLAY_DAYS) -> CrisisBank:
    """Replay one crisis under `n_blocks` parameter draws (n_blocks × 100 runs)."""
    outs = _run_blocks(replay_scenario(cond), seed, days, n_blocks, keep=True)
    ge = np.concatenate(
        [np.stack([o.blocks[f"p_rung_ge_{k}"] for k in range(1, 7)], axis=1) for o in outs]
    )  # [J, 6]
    ge = np.concatenate([np.ones((ge.shape[0], 1)), ge, np.zeros((ge.shape[0], 1))], axis=1)
    rung_probs = np.clip(ge[:, :-1] - ge[:, 1:], 0.0, 1.0)
    rung_probs /= rung_probs.sum(axis=1, keepdims=True)
    p_nuc = np.concatenate([o.blocks["p_nuclear_signal"] for o in outs])
    p_med = np.concatenate([o.blocks["p_mediation"] for o in outs])
    crisis = np.concatenate([o.trajectories["crisis"] for o in outs]).astype(bool)  # [n, H+1]
    rung = np.concatenate([o.trajectories["rung"] for o in outs]).astype(np.int8)
    in_crisis_days = crisis[:, 1:].sum(axis=1) + crisis[:, 0]
    censored = crisis[:, -1]
    duration = np.where(censored, days + 1, np.maximum(in_crisis_days, 1)).astype(np.int32)
    top = rung.max(axis=1)
    lag = np.argmax(rung == top[:, None], axis=1).astype(np.int32)
    kinetic = (rung >= STRIKE_RUNG).sum(axis=1).astype(np.int32)
    struck = rung >= STRIKE_RUNG
    strike = np.where(struck.any(axis=1), np.argmax(struck, axis=1), -1).astype(np.int32)
    params = {
        k[len("param_") :]: np.concatenate([o.blocks[k] for o in outs])
        for k in outs[0].blocks
        if k.startswith("param_")
    }
    shape = (-1, BLOCK_RUNS)
    return CrisisBank(
        cond.crisis_id,
        rung_probs,
        p_nuc,
        p_med,
        duration.reshape(shape),
        lag.reshape(shape),
        kinetic.reshape(shape),
        strike.reshape(shape),
        params,
    )


def simulate_onset(n_blocks: int, seed: int, dyad: str = DEFAULT_DYAD) -> tuple[Array, dict[str, Array]]:
    """Per parameter draw, the crisis onset rate per year implied by one peace-time year, and the
    draws themselves (the replays fix the attack parameters, the onset scenario samples them)."""
    outs = _run_blocks(onset_scenario(dyad=dyad), seed, ONSET_DAYS, n_blocks, keep=False)
    p = np.concatenate([o.blocks["p_crisis"] for o in outs])
    params = {
        k[len("param_") :]: np.concatenate([o.blocks[k] for o in outs])
        for k in outs[0].blocks
        if k.startswith("param_")
    }
    return -np.log(np.clip(1.0 - p, 1e-6, 1.0)) * 365.0 / ONSET_DAYS, params


def years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25
