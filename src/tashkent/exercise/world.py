"""The model as adjudicator of an exercise turn.

The exercise's world is one realised state of the coupled model (`State` with a single run). A turn
replicates it over an ensemble, lets the seats' orders replace the model's own choices for the
actors they play (escalation moves through the stepper's `forced_moves` hook, track acceptance
pinned, mediators engaged, CBMs sponsored, the white cell's injects applied), simulates everything
else, and draws one run of the ensemble as what happened. The same ensemble without the seats'
orders (common random numbers) is what the model expected; the forecast ahead is a fresh ensemble
from the drawn state. Pure functions of (scenario, world, orders, seed): no files, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from tashkent.ladder import load_ladder
from tashkent.model.escalation import WAR_RUNG
from tashkent.scenario.schema import TRACKS, Scenario
from tashkent.sim.context import Context, build_context, phase_parameters
from tashkent.sim.params import block_parameters, check_parameters, expand
from tashkent.sim.seeds import BLOCK_RUNS, dynamics_rng
from tashkent.sim.state import State, initial_state
from tashkent.sim.step import FREE_MOVE, N_UNIFORMS, derive, step

TURN_RUNS = 400  # ensemble behind each turn's outcome (4 blocks of parameter draws)
AHEAD_RUNS = 400  # ensemble of the forecast ahead
AHEAD_DAYS = 90  # horizon of the forecast ahead
Z90 = 1.6448536269514722  # two-sided 90 % normal quantile (Wilson intervals)


@dataclass
class Orders:
    """The seats' choices for one turn, in the model's terms."""

    posture: dict[int, tuple[str, int]] = field(default_factory=dict)  # party → (kind, target rung)
    lift: set[int] = field(default_factory=set)  # parties that lift one standing measure this turn
    signal: set[int] = field(default_factory=set)  # parties that signal (nuclear-capable test etc.)
    accept: dict[tuple[int, int], bool] = field(default_factory=dict)  # (party, track) → pinned choice
    engage: set[int] = field(default_factory=set)  # mediator indices engaged for the turn
    gp_engagement: float | None = None  # great powers' crisis management this turn (None: the model's draw)
    cbms: list[str] = field(default_factory=list)  # CBM ids sponsored this turn
    injects: list[dict[str, Any]] = field(default_factory=list)  # schedule-like events on day 1

    def empty(self) -> bool:
        return not (
            self.posture
            or self.lift
            or self.signal
            or self.accept
            or self.engage
            or self.gp_engagement is not None
            or self.cbms
            or self.injects
        )


def world_from_scenario(scenario: Scenario) -> dict[str, Any]:
    """The scenario's initial state as a one-run world (JSON-able)."""
    ctx = build_context(scenario)
    st = initial_state(scenario, ctx, 1, np.zeros((len(ctx.mediator_ids), 2, 1)))
    return state_to_json(st)


def state_to_json(st: State, run: int = 0) -> dict[str, Any]:
    """One run of a state as plain lists (the run axis is always the last)."""
    out: dict[str, Any] = {}
    for f in fields(State):
        if f.name == "cache":
            continue
        a = getattr(st, f.name)
        out[f.name] = {"dtype": str(a.dtype), "value": a[..., run].tolist()}
    return out


def state_from_json(world: dict[str, Any], n: int) -> State:
    """A world replicated over n runs."""
    kw: dict[str, Any] = {}
    for name, v in world.items():
        a = np.asarray(v["value"], dtype=v["dtype"])
        kw[name] = np.repeat(a[..., None], n, axis=-1).copy()
    return State(**kw)


def _parameters(
    scenario: Scenario, seed: int, n: int, overrides: dict[str, float] | None
) -> dict[str, np.ndarray]:
    """Per-run parameters drawn from the priors (as forecasts draw them), with the bargaining
    link's overrides."""
    check_parameters(scenario)
    table = {**scenario.parameters, **phase_parameters(scenario)}
    bp = block_parameters(table, seed, 0, n // BLOCK_RUNS, "sample")
    for k, v in (overrides or {}).items():
        bp[k] = np.full(n // BLOCK_RUNS, float(v))
    return expand(bp)


def _uniforms(seed: int, n: int, days: int) -> np.ndarray:
    """[days, N_UNIFORMS, n] uniforms, one generator per block (as the ensemble keys them)."""
    return np.concatenate(
        [dynamics_rng(seed, b).random((days, N_UNIFORMS, BLOCK_RUNS)) for b in range(n // BLOCK_RUNS)],
        axis=2,
    )


def _first_day(state: State, orders: Orders) -> None:
    """Orders that act once, at the start of the turn."""
    for i, (kind, target) in orders.posture.items():
        if kind == "escalate":
            opens = ~state.crisis & (state.rung < target)  # a deliberate escalation opens a crisis
            state.crisis |= opens
            state.crisis_day = np.where(opens, 0, state.crisis_day)
            state.provocation[1 - i] += np.where(opens, 0.5, 0.0)
    for _i in orders.signal:
        state.crisis |= True  # signalling is a crisis act
        state.signal |= True
    for m in orders.engage:
        state.forced_active[m] = 1
    if orders.engage:
        state.cache.clear()


def _forced_moves(state: State, orders: Orders, ceasefire_rung: np.ndarray) -> np.ndarray | None:
    """A party's daily escalation move from its posture: climb toward the target then hold; a
    ceasefire steps down to the scenario's ceasefire rung (fire and strikes stop, standing
    measures stay) then holds, and leaves full-scale war only when both parties order it (as in
    the model, nobody steps down from war alone); talks hold."""
    if not orders.posture:
        return None
    fm = np.full((2, state.n), FREE_MOVE, dtype=np.int8)
    mutual = _mutual(orders)
    for i, (kind, target) in orders.posture.items():
        if kind == "escalate":
            fm[i] = np.clip(target - state.rung.astype(np.int64), 0, 1)
        elif kind == "deescalate":
            down = (state.rung > ceasefire_rung) & (mutual | (state.rung < WAR_RUNG))
            fm[i] = np.where(down, -1, 0)
        else:  # hold
            fm[i] = 0
    return fm


def _mutual(orders: Orders) -> bool:
    """Both parties order a ceasefire: the hotline ceasefire (or, at war, the agreed one)."""
    return all(orders.posture.get(i, ("", 0))[0] == "deescalate" for i in (0, 1))


def _mutual_ceasefire(state: State, orders: Orders, ceasefire_rung: np.ndarray) -> None:
    """Both parties ordering a ceasefire is the hotline ceasefire: once the fire has stopped, the
    crisis ends at the model's post-ceasefire rate (its `crisis_end_ceasefire` term)."""
    if _mutual(orders):
        state.ceasefire_held |= state.crisis & (state.rung <= ceasefire_rung)


def _lift_measure(state: State, pending: np.ndarray) -> np.ndarray:
    """Lift one standing measure where a lift is pending and the dyad stands on a measures rung
    (diplomatic, economic/treaty: `Ladder.measure_rungs`); under mobilisation or fire the lift
    waits until they end. Returns the runs whose lift is still pending."""
    now = pending & np.isin(state.rung, load_ladder().measure_rungs())
    state.rung = np.where(now, state.rung - 1, state.rung).astype(np.int8)
    return pending & ~now


def _pin(state: State, orders: Orders) -> None:
    for (i, t), v in orders.accept.items():
        state.accept[i, t] = v & ~state.nuclear_use


def _sponsored_cbms(state: State, orders: Orders, ctx: Context) -> None:
    """A sponsored CBM runs at its scenario rate on top of the model's, whatever the phase, where
    its rung and crisis preconditions hold."""
    for cbm in ctx.cbms:
        if cbm["id"] not in orders.cbms:
            continue
        ok = np.ones(state.n, dtype=bool)
        if cbm.get("max_rung") is not None:
            ok &= state.rung <= cbm["max_rung"]
        if cbm.get("requires_no_crisis", True):
            ok &= ~state.crisis
        state.trust = np.clip(state.trust + np.where(ok, cbm["trust_gain_per_year"] / 365.0, 0.0), 0.0, 1.0)


def simulate(
    scenario: Scenario,
    world: dict[str, Any],
    day0: int,
    days: int,
    orders: Orders | None,
    seed: int,
    runs: int,
    overrides: dict[str, float] | None = None,
) -> tuple[State, dict[str, np.ndarray]]:
    """Simulate `days` days from the world for `runs` runs; return the final state and, per run,
    the highest rung reached, the first day of rung >= 5 (days + 1 if never) and fatalities."""
    ctx = build_context(scenario)
    p = _parameters(scenario, seed, runs, overrides)
    orders = orders or Orders()
    if orders.gp_engagement is not None:
        p["gp_engagement"] = np.full(runs, float(orders.gp_engagement))
    d = derive(p, ctx)
    state = state_from_json(world, runs)
    saved_active = state.forced_active.copy()
    fat0 = state.fatalities.copy()
    u = _uniforms(seed, runs, days)
    _first_day(state, orders)
    _pin(state, orders)
    cf_rung = p["ceasefire_rung"]
    lifting = _lift_measure(state, np.full(runs, bool(orders.lift)))
    max_rung = state.rung.astype(np.int64).copy()
    first5 = np.where(state.rung >= 5, 0, days + 1)
    attacks = np.zeros(runs, dtype=np.int64)
    for k in range(days):
        events = list(ctx.schedule.get(day0 + k, []))
        if k == 0:
            events += orders.injects
        out = step(state, p, d, ctx, u[k].astype(np.float32), events, _forced_moves(state, orders, cf_rung))
        _pin(state, orders)
        _mutual_ceasefire(state, orders, cf_rung)
        lifting = _lift_measure(state, lifting)
        _sponsored_cbms(state, orders, ctx)
        max_rung = np.maximum(max_rung, state.rung)
        first5 = np.where((first5 > days) & (state.rung >= 5), k + 1, first5)
        attacks += out.attacks
    if orders.engage:  # engagement lasts the turn; scheduled joins and leaves stay
        for m in orders.engage:
            state.forced_active[m] = saved_active[m]
        state.cache.clear()
    return state, {
        "max_rung": max_rung,
        "first_rung_ge_5": first5,
        "new_fatalities": state.fatalities - fat0,
        "attacks": attacks,
    }


def wilson(k: int, n: int) -> dict[str, float]:
    """Share with a 90 % Wilson interval."""
    if n == 0:
        return {"p": 0.0, "lo": 0.0, "hi": 1.0, "n": 0}
    p = k / n
    z2 = Z90 * Z90
    den = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = Z90 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return {"p": p, "lo": float(max(0.0, centre - half)), "hi": float(min(1.0, centre + half)), "n": n}


def summarise(state: State, extra: dict[str, np.ndarray], parties: tuple[str, str]) -> dict[str, Any]:
    """Shares over an ensemble's runs, each with a 90 % interval."""
    n = state.n
    out: dict[str, Any] = {
        "runs": n,
        "rung": [float(x) for x in np.bincount(state.rung, minlength=7) / n],
        "mean_rung": float(state.rung.mean()),
        "p_max_rung_ge": [float((extra["max_rung"] >= k).mean()) for k in range(7)],
        "p_rung_ge_5": wilson(int((extra["max_rung"] >= 5).sum()), n),
        "p_rung_ge_4": wilson(int((extra["max_rung"] >= 4).sum()), n),
        "p_crisis": wilson(int(state.crisis.sum()), n),
        "p_nuclear_signal": wilson(int(state.signal.sum()), n),
        "p_phase_ge_1": wilson(int((state.phase >= 1).sum()), n),
        "p_phase_ge_3": wilson(int((state.phase >= 3).sum()), n),
        "mean_trust": float(state.trust.mean()),
        "fatalities_median": float(np.median(extra["new_fatalities"])),
        "fatalities_q95": float(np.quantile(extra["new_fatalities"], 0.95)),
        "p_accept": {
            party: {t: float(state.accept[i, k].mean()) for k, t in enumerate(TRACKS)}
            for i, party in enumerate(parties)
        },
    }
    return out


def world_summary(world: dict[str, Any], parties: tuple[str, str], ctx: Context) -> dict[str, Any]:
    """The shared picture of a one-run world, for every seat."""
    st = state_from_json(world, 1)
    return {
        "rung": int(st.rung[0]),
        "crisis": bool(st.crisis[0]),
        "crisis_day": int(st.crisis_day[0]),
        "nuclear_signal": bool(st.signal[0]),
        "nuclear_use": bool(st.nuclear_use[0]),
        "phase": int(st.phase[0]),
        "trust": round(float(st.trust[0]), 4),
        "fatalities": round(float(st.fatalities[0]), 1),
        "agreement": bool(st.agreement_age[0] >= 0),
        "accept": {
            party: {t: bool(st.accept[i, k, 0]) for k, t in enumerate(TRACKS)}
            for i, party in enumerate(parties)
        },
        "mediators_engaged": [m for j, m in enumerate(ctx.mediator_ids) if st.forced_active[j, 0] == 1],
    }


def adjudicate(
    scenario: Scenario,
    world: dict[str, Any],
    day0: int,
    days: int,
    orders: Orders,
    seed: int,
    overrides: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One turn: the ensemble with the seats' orders, the model's own ensemble (same random
    numbers), the drawn outcome (the new world) and the forecast ahead from it."""
    parties = scenario.parties
    played, x_played = simulate(scenario, world, day0, days, orders, seed, TURN_RUNS, overrides)
    model, x_model = simulate(scenario, world, day0, days, None, seed, TURN_RUNS, overrides)
    pick = int(np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,))).integers(TURN_RUNS))
    new_world = state_to_json(played, pick)
    happened = {
        "run": pick,
        "attacks": int(x_played["attacks"][pick]),
        "max_rung": int(x_played["max_rung"][pick]),
        "new_fatalities": round(float(x_played["new_fatalities"][pick]), 1),
    }
    ahead = forecast_ahead(scenario, new_world, day0 + days, seed + 1, overrides)
    return {
        "world": new_world,
        "happened": happened,
        "ensemble": summarise(played, x_played, (parties[0], parties[1])),
        "model_expected": summarise(model, x_model, (parties[0], parties[1])),
        "ahead": ahead,
    }


def forecast_ahead(
    scenario: Scenario, world: dict[str, Any], day0: int, seed: int, overrides: dict[str, float] | None = None
) -> dict[str, Any]:
    """The model's forecast for AHEAD_DAYS from a world, nobody's orders forced."""
    st, x = simulate(scenario, world, day0, AHEAD_DAYS, None, seed, AHEAD_RUNS, overrides)
    out = summarise(st, x, (scenario.parties[0], scenario.parties[1]))
    out["days"] = AHEAD_DAYS
    return out
