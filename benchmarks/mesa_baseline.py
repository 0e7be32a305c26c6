"""Mesa 3 baseline: tashkent's escalation and spoiler mechanisms as an idiomatic agent-based model.

    .venv/bin/python benchmarks/mesa_baseline.py                       # 10,000 runs x 365 days
    .venv/bin/python benchmarks/mesa_baseline.py --seed 1 --repeats 1 --timing-runs 200
    .venv/bin/python benchmarks/mesa_baseline.py --calm-start          # crises only from triggers
    .venv/bin/python benchmarks/mesa_baseline.py --rare-cell --runs 100000 --seed 14

This is what a user would otherwise write: a `mesa.Model` subclass with its seeded `rng`, one
`mesa.Agent` subclass for each party and one for the spoiler group, agents acting each step through
their `AgentSet` (`do` / `shuffle_do`), a `DataCollector` recording the standing rung, one model
instance per run and the runs looped. It implements the same per-day logic and parameter values as
`tashkent.model.spoilers`, `.escalation` (with the deliberate response: an attacked party holds
below strikes until its decision day; no party steps down from war alone), `.nuclear`,
`.ceasefire` (hotline ceasefires end strikes, war ends at its own steady rate, sustained fire at
rung 4 falls quiet at its own rate, a crisis ends soon after a ceasefire) and the
corresponding parts of `tashkent.sim.step` for the reduced scenario `benchmarks/escalation_only.yaml`
(no mediators or great powers, the process inert), with fixed parameter values (tashkent's
`param_mode="fixed"`). Where tashkent decides two things with one uniform (the move and the strike
decision; the ceasefire and the quieting of fire), so does this model, so that the distributions
agree and not only their means.

The script then runs tashkent on the same scenario, compares the distributions of the highest rung
reached within the horizon (chi-square test of homogeneity and per-rung differences with their
standard errors) and reports the speed ratio at the same number of runs and days. Only parameter
values and the ladder's tier scores are read from tashkent; no mechanism code is shared.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "escalation_only.yaml"
MAX_RUNG = 6
MOVES = (-1, 0, 1, 2)  # de-escalate, hold, escalate one rung, escalate two rungs
MAJOR_ATTACK_FATALITIES = 40.0  # an attack of this size adds provocation 1.0
STRIKE_RUNG = 5  # the rung of a deliberate response (air, missile or drone strikes)
DELIBERATION_MAX_RUNG = 4  # the highest rung a deliberating party climbs to: fire across the line
CRISIS_END_MAX_RUNG = 4  # strikes hold a crisis open, fire across the line does not
WAR_RUNG = 6  # full-scale war: left only by its own end, at the steady rate of wars
SURVIVAL_DAYS = (1, 2, 3, 5, 10, 20, 30, 60, 120, 180, 365)


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    """Everything one run needs: fixed parameter values, the initial state and dated attacks."""

    params: dict[str, float]
    parties: tuple[str, str]
    rung: int
    crisis: bool
    crisis_day: int
    signal: bool
    trust: float
    provocation: tuple[float, float]
    attacks: dict[int, tuple[float, int]]  # step index (0-based) -> (fatalities, target party)
    entry_score: tuple[float, ...]  # Rivera tier score of entering rung k
    deesc_score: float
    both_nuclear: bool = True
    cross_border_restraint: bool = False
    notes: list[str] = field(default_factory=list)


def load_config(path: Path = SCENARIO, calm: bool = False) -> Config:
    """Read parameter values and the initial state of a scenario file through tashkent's loader
    (so both models see the same numbers) and check it is a configuration this baseline covers.
    `calm` starts outside a crisis with no dated events (see `scenario_for`)."""
    from tashkent.ladder import load_ladder

    sc = scenario_for(path, calm)
    if sc.mediators() or sc.great_powers():
        raise SystemExit(f"{path.name}: the Mesa baseline models no mediators or great powers")
    params = {k: float(v.value) for k, v in sc.parameters.items()}
    if params["accept_rate"] != 0.0 or sc.initial_state.phase != 0:
        raise SystemExit(f"{path.name}: the Mesa baseline needs an inert process (accept_rate 0, phase 0)")
    attacks: dict[int, tuple[float, int]] = {}
    for ev in sc.schedule:
        if ev.kind != "attack":
            raise SystemExit(f"{path.name}: scheduled {ev.kind} events are not modelled here")
        attacks[(ev.date - sc.start_date).days] = (
            float(ev.fatalities or 0.0),
            sc.parties.index(ev.target or sc.parties[0]),
        )
    ladder = load_ladder()
    init = sc.initial_state
    return Config(
        params=params,
        parties=(sc.parties[0], sc.parties[1]),
        rung=init.rung,
        crisis=init.crisis_active,
        crisis_day=init.crisis_day,
        signal=init.nuclear_signal,
        trust=init.trust,
        provocation=(init.provocation.get(sc.parties[0], 0.0), init.provocation.get(sc.parties[1], 0.0)),
        attacks=attacks,
        entry_score=tuple(float(x) for x in ladder.entry_scores()),
        deesc_score=float(ladder.tier_scores["de_escalation"]),
        both_nuclear=all(sc.actor(p).nuclear for p in sc.parties),
        cross_border_restraint=bool(sc.doctrine.cross_border_restraint),
    )


def scenario_for(path: Path, calm: bool = False) -> Any:
    """The scenario file's values (no calibration overlay); `calm`: the same dyad outside a crisis
    and without the dated attack, so that crises come only from the spoiler and other triggers."""
    from tashkent.scenario.load import load_scenario

    sc = load_scenario(str(path))
    if calm:
        sc = sc.with_overrides({"initial_state.crisis_active": False, "schedule": []})
    return sc


def logistic(x: float) -> float:
    if x < -700.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def daily_prob(rate_per_year: float) -> float:
    """P(at least one event today) for a Poisson rate per year."""
    return -math.expm1(-rate_per_year / 365.0)


def half_life_decay(days: float) -> float:
    return 0.5 ** (1.0 / days)


# ----------------------------------------------------------------------------- agents


class Party(mesa.Agent):
    """India or Pakistan: carries its provocation stock and its memory of the opponent's recent
    escalations, and chooses a move each crisis day by a multinomial logit."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, code: str, index: int, provocation: float) -> None:
        super().__init__(model)
        self.code = code
        self.index = index
        self.provocation = provocation
        self.opponent_recent = 0.0
        self.move = 0
        self.response_lag = 0  # days left of its deliberation after an attack (0: none)

    @property
    def opponent(self) -> Party:
        return self.model.party[1 - self.index]

    def _climb_cost(self, rung: int, k: int) -> float:
        """Marginal cost of climbing k rungs: convex rung cost c·(r/2)² plus the nuclear-threshold
        cost ν at rung 5 and 4ν at rung 6, the cost of opening full-scale war and, under a doctrine
        of restraint, the cost of first crossing the line."""
        m, p = self.model, self.model.p
        c, nu = p["esc_rung_cost"], p["esc_nuclear_risk"]

        def standing(r: int) -> float:
            nuclear = nu * ((r >= 5) + 3.0 * (r >= 6)) if m.both_nuclear else 0.0
            return c * (r / 2.0) ** 2 + nuclear

        doctrine = p["cross_border_restraint_cost"] if m.config.cross_border_restraint else 0.0
        crossing = doctrine * (rung + k >= 4 > rung) + p["war_threshold_cost"] * (rung + k >= 6 > rung)
        return crossing + standing(rung + k) - standing(rung)

    def strike_prob(self) -> float:
        """P(answering with strikes at the end of the deliberation): a logit in the provocation,
        less the nuclear-threshold cost and the doctrine of restraint (no mediators here)."""
        m, p = self.model, self.model.p
        x = p["response_strike_base"] + p["response_strike_provocation"] * (self.provocation - 1.0)
        if m.both_nuclear:
            x -= p["esc_nuclear_risk"]
        if m.config.cross_border_restraint:
            x -= p["cross_border_restraint_cost"]
        return logistic(x)

    def start_deliberating(self) -> None:
        """A crisis-grade attack on this party starts its deliberation (if none is running): a
        lognormal number of days, at least one."""
        if self.response_lag == 0:
            p = self.model.p
            z = float(self.rng.standard_normal())
            days = p["response_lag_median_days"] * math.exp(p["response_lag_sdlog"] * z)
            self.response_lag = max(round(days), 1) + 1

    def choose_move(self) -> None:
        """Pick de-escalate / hold / up one / up two from the logit utilities of today's state.
        Both parties decide on the same state; the model applies the moves afterwards."""
        m, p = self.model, self.model.p
        r, day = m.rung, m.crisis_day
        push = (
            p["esc_base"]
            + p["esc_provocation"] * self.provocation
            + p["esc_reciprocity"] * self.opponent_recent
            - p["esc_fatigue"] * day
        )
        utilities = {
            # a crisis de-escalation stands forces down; measures at or below the post-crisis cap
            # (diplomatic, economic) are not lifted during the crisis
            -1: (p["deesc_base"] + p["esc_fatigue"] * day - p["esc_provocation"] * self.provocation)
            if max(int(p["post_crisis_rung_cap"]), 0) < r < WAR_RUNG  # no stepping down from war alone
            else -math.inf,
            0: 0.0,
            1: push - self._climb_cost(r, 1) if r + 1 <= MAX_RUNG else -math.inf,
            2: (push - p["esc_two_step"] - self._climb_cost(r, 2)) if r + 2 <= MAX_RUNG else -math.inf,
        }
        top = max(utilities.values())
        weights = np.array([math.exp(utilities[mv] - top) for mv in MOVES])
        # inverse CDF with one uniform, which also decides a strike on the decision day (from the
        # top, so that a decision not to strike leaves holding likelier)
        u = self.rng.random()
        cdf = np.cumsum(weights / weights.sum())
        move = MOVES[min(int(np.searchsorted(cdf, u)), len(MOVES) - 1)]
        if self.response_lag > 1 and r < STRIKE_RUNG:
            move = min(move, DELIBERATION_MAX_RUNG - r)  # deliberating: fire at most, no strikes
        elif self.response_lag == 1 and r < STRIKE_RUNG and u > 1.0 - self.strike_prob():
            move = STRIKE_RUNG - r  # the decision: strikes
        self.move = move

    def follow_through(self, rung_before: int) -> None:
        """Consequences of today's move for the opponent and for trust: an escalation adds to the
        opponent's memory of escalations, a violent one (into rung ≥ 4) provokes it."""
        m = self.model
        entered = min(max(rung_before + self.move, 0), MAX_RUNG)
        score = 0.0
        if self.move > 0:
            score = m.entry_score[entered]
            self.opponent.opponent_recent += 1.0
            if entered >= 4:
                self.opponent.provocation += 0.5 * score / 28.0
        elif self.move < 0:
            score = m.deesc_score
        m.trust = min(max(m.trust - m.p["trust_escalation_hit"] * max(score, 0.0) / 28.0, 0.0), 1.0)

    def count_down(self, crisis_ended: bool) -> None:
        self.response_lag = 0 if crisis_ended else max(self.response_lag - 1, 0)

    def calm_down(self, ceasefire: bool) -> None:
        if ceasefire:
            self.provocation *= 0.5
            self.opponent_recent = 0.0

    def forget(self) -> None:
        self.provocation *= self.model.decay_provocation
        self.opponent_recent *= self.model.decay_recent


class SpoilerGroup(mesa.Agent):
    """Militant spoilers: attack India at a Poisson rate (plus any dated attack) with lognormal
    fatalities; an attack provokes its target, hits trust and may trigger a crisis."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, target: Party) -> None:
        super().__init__(model)
        self.target = target
        self.attacks = 0
        self.graded: Party | None = None  # the target of today's crisis-grade attack

    def act(self) -> None:
        m, p = self.model, self.model.p
        target, fatalities, forced = self.target, 0.0, False
        self.graded = None
        scheduled = m.config.attacks.get(m.steps - 1)
        if scheduled is not None:
            fatalities, forced = scheduled[0], True
            target = m.party[scheduled[1]]
        elif self.rng.random() < daily_prob(p["attack_rate"]):  # phase 0: base rate
            fatalities = float(self.rng.lognormal(p["severity_log_mean"], p["severity_log_sd"]))
        if fatalities <= 0.0:
            return
        self.attacks += 1
        provocation = math.log1p(fatalities) / math.log1p(MAJOR_ATTACK_FATALITIES)
        target.provocation += provocation
        m.trust = min(max(m.trust - p["trust_attack_hit"] * provocation, 0.0), 1.0)
        trigger = logistic(p["trigger_intercept"] + p["trigger_slope"] * math.log(fatalities))
        if self.rng.random() < trigger or forced:
            m.crisis_triggered = True
            self.graded = target


# ----------------------------------------------------------------------------- model


class CrisisModel(mesa.Model):
    """The India–Pakistan dyad: standing rung, crisis, nuclear signalling, ceasefire, crisis end
    and the lifting of standing measures, one day per step."""

    def __init__(self, config: Config, days: int = 365, rng: Any = None) -> None:
        super().__init__(rng=rng)
        self.config = config
        self.p = config.params
        self.days = days
        self.both_nuclear = config.both_nuclear
        self.entry_score = config.entry_score
        self.deesc_score = config.deesc_score
        self.decay_provocation = half_life_decay(self.p["provocation_half_life_days"])
        self.decay_recent = half_life_decay(3.0)
        self.decay_catastrophe = half_life_decay(self.p["catastrophe_half_life_days"])
        self.rung = config.rung
        self.crisis = config.crisis
        self.crisis_day = config.crisis_day
        self.signal = config.signal
        self.nuclear_use = False
        self.trust = config.trust
        self.catastrophe = 0.0
        self.kinetic_days = 0
        self.ceasefire_held = False
        self.crisis_triggered = False
        self.party = [Party(self, code, i, config.provocation[i]) for i, code in enumerate(config.parties)]
        self.parties = self.agents_by_type[Party]
        SpoilerGroup(self, target=self.party[0])
        self.spoilers = self.agents_by_type[SpoilerGroup]
        self.datacollector = mesa.DataCollector(model_reporters={"rung": "rung"})
        self.datacollector.collect(self)

    def step(self) -> None:
        p = self.p
        # spoiler attacks and other crisis triggers
        self.crisis_triggered = False
        self.spoilers.do("act")
        if self.rng.random() < daily_prob(p["other_trigger_rate"]):
            if not self.crisis:
                for party in self.party:
                    party.provocation += 0.5
            self.crisis_triggered = True
        if self.crisis_triggered and not self.crisis:
            self.crisis, self.crisis_day = True, 0
        for spoiler in self.spoilers:
            if spoiler.graded is not None and self.crisis:
                spoiler.graded.start_deliberating()

        in_crisis = self.crisis
        rung_before = self.rung
        new_signal = False
        if in_crisis:
            # escalation moves: both decide on today's state, then the dyad's rung follows
            self.parties.shuffle_do("choose_move")
            self.parties.do("follow_through", rung_before)
            a, b = self.party[0].move, self.party[1].move
            if max(a, b) > 0:
                self.rung = min(rung_before + max(a, b), MAX_RUNG)
            elif a < 0 or b < 0:
                self.rung = max(rung_before - 1, 0)
            # nuclear signalling, then (after signalling, at rung 5-6) use
            signal_p = logistic(p["ns_intercept"] + p["ns_slope"] * (self.rung - 3.0))
            if self.both_nuclear and self.rung >= 2 and not self.signal and self.rng.random() < signal_p:
                self.signal = new_signal = True
            if self.both_nuclear and self.signal and self.rung >= 5:
                daily_use = p["nuclear_use_daily"] * (5.0 if self.rung >= 6 else 1.0)
                if self.rng.random() < daily_use:
                    self.nuclear_use, self.rung = True, MAX_RUNG
        near_catastrophe = new_signal or (in_crisis and self.rung >= 5 and rung_before < 5)
        self.catastrophe = self.catastrophe * self.decay_catastrophe + near_catastrophe

        # fighting: strikes (rung >= 5) end by a hotline ceasefire, sustained fire across the line
        # (rung 4) falls quiet at its own rate; one uniform decides both, as in tashkent
        u_fire = self.rng.random() if in_crisis else 1.0
        kinetic = in_crisis and self.rung >= STRIKE_RUNG and not self.nuclear_use
        self.kinetic_days = self.kinetic_days + 1 if kinetic else 0
        ceasefire = False
        if kinetic:
            x = (
                p["war_end_base"]  # war ends at its own steady rate, strikes by a hotline ceasefire
                if self.rung >= WAR_RUNG
                else p["ceasefire_base"]
                + p["ceasefire_catastrophe"] * min(self.catastrophe, 1.0)
                + p["ceasefire_days"] * self.kinetic_days
            )  # no great powers, no mediators
            if u_fire < logistic(x):
                ceasefire = True
                self.rung = min(self.rung, int(p["ceasefire_rung"]))
                self.kinetic_days = 0
        self.parties.do("calm_down", ceasefire)
        quiet = in_crisis and self.rung == DELIBERATION_MAX_RUNG and not self.nuclear_use
        if quiet and u_fire < logistic(p["fire_end_base"]):
            self.rung -= 1
        self.ceasefire_held = self.ceasefire_held or ceasefire

        # crisis end: no strikes under way, rising with the crisis's age, sharply after a hotline
        # ceasefire, falling with lingering provocation; the standing rung is capped
        if in_crisis:
            ended = False
            if self.rung <= CRISIS_END_MAX_RUNG:
                provocation = max(party.provocation for party in self.party)
                x = (
                    p["crisis_end_base"]
                    + p["crisis_end_days"] * self.crisis_day
                    + p["crisis_end_ceasefire"] * self.ceasefire_held
                    - p["crisis_end_provocation"] * provocation
                )
                if self.rng.random() < logistic(x):
                    ended = True
                    self.crisis = self.signal = self.ceasefire_held = False
                    self.rung = min(self.rung, int(p["post_crisis_rung_cap"]))
            self.parties.do("count_down", ended)
        self.crisis_day = self.crisis_day + 1 if self.crisis else 0

        # standing measures are lifted one rung at a time outside crises (process phase 0)
        if not self.crisis and not self.nuclear_use and self.rung > 0:
            rate = p["normalise_rate"] * math.exp(2.0 * (self.trust - 0.5))
            if self.rng.random() < daily_prob(rate):
                self.rung -= 1

        # memory decays and trust relaxes toward its baseline
        self.parties.do("forget")
        self.trust += (p["trust_baseline"] - self.trust) / p["trust_relax_days"]
        self.trust = min(max(self.trust, 0.0), 1.0)

        self.datacollector.collect(self)
        if self.nuclear_use or self.steps >= self.days:
            self.running = False  # nuclear use is absorbing: the rung stays at 6

    def highest_rung(self) -> int:
        return int(self.datacollector.get_model_vars_dataframe()["rung"].max())


# ----------------------------------------------------------------------------- ensembles


def run_mesa(config: Config, runs: int, days: int, seed: int, first: int = 0) -> np.ndarray:
    """Runs [first, first + runs) of the Mesa ensemble, one seeded model per run; returns counts of
    the highest rung 0..6."""
    children = np.random.SeedSequence(seed).spawn(first + runs)[first:]
    counts = np.zeros(MAX_RUNG + 1, dtype=np.int64)
    for child in children:
        model = CrisisModel(config, days=days, rng=np.random.default_rng(child))
        model.run_model()
        counts[model.highest_rung()] += 1
    return counts


def _run_mesa_part(args: tuple[Path, bool, int, int, int, int]) -> np.ndarray:
    path, calm, runs, days, seed, first = args
    return run_mesa(load_config(path, calm), runs, days, seed, first)


def run_mesa_parallel(path: Path, calm: bool, runs: int, days: int, seed: int, processes: int) -> np.ndarray:
    """The same runs split over worker processes (identical counts for any split)."""
    if processes <= 1:
        return run_mesa(load_config(path, calm), runs, days, seed)
    edges = np.linspace(0, runs, processes + 1).astype(int)
    parts = [(path, calm, int(b - a), days, seed, int(a)) for a, b in itertools.pairwise(edges)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return np.sum(list(pool.map(_run_mesa_part, parts)), axis=0)


def run_tashkent(path: Path, calm: bool, runs: int, days: int, seed: int, workers: int) -> np.ndarray:
    """tashkent's ensemble on the same scenario with fixed parameters: highest-rung counts."""
    from tashkent.sim.ensemble import RunConfig, run_ensemble

    scenario = scenario_for(path, calm)
    # the default chunk (10,000 runs) would leave a second worker idle at 10,000 runs: split the
    # runs into one chunk per worker (results are identical for any chunking)
    chunk = max(100, -(-runs // workers // 100) * 100)
    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        workers=workers,
        chunk_runs=chunk,
        keep_trajectories=0,
        param_mode="fixed",
    )
    return np.asarray(run_ensemble(scenario, config).max_rung_hist, dtype=np.int64)


# ----------------------------------------------------------------------------- comparison


def compare(mesa_counts: np.ndarray, tk_counts: np.ndarray) -> dict[str, Any]:
    """Chi-square test of homogeneity over rungs seen in either ensemble, and per-rung differences
    of proportions with their standard errors."""
    seen = (mesa_counts + tk_counts) > 0
    table = np.stack([mesa_counts[seen], tk_counts[seen]])
    chi2, pvalue, dof, _ = stats.chi2_contingency(table)
    n1, n2 = int(mesa_counts.sum()), int(tk_counts.sum())
    rows = []
    for k in range(MAX_RUNG + 1):
        p1, p2 = mesa_counts[k] / n1, tk_counts[k] / n2
        se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        rows.append(
            {
                "rung": k,
                "mesa": float(p1),
                "tashkent": float(p2),
                "diff": float(p1 - p2),
                "se": se,
                "z": float((p1 - p2) / se) if se > 0 else 0.0,
            }
        )
    return {
        "chi2": float(chi2),
        "dof": int(dof),
        "p_value": float(pvalue),
        "rows": rows,
        "mesa_runs": n1,
        "tashkent_runs": n2,
    }


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its reaped worker processes."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def timed(fn: Any, *args: Any) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call (CPU time is robust to other load on a shared machine)."""
    t0, c0 = time.perf_counter(), _cpu()
    out = fn(*args)
    return time.perf_counter() - t0, _cpu() - c0, out


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "scipy": md.version("scipy"),
        "tashkent": md.version("tashkent"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def stays_below(
    config: Config, runs: int, days: int, seed: int, screen_days: int = 10, level: int = 2
) -> dict[int, int]:
    """Mesa: how many runs have not reached `level` by each day (first-passage survival), cheaply
    for large `runs`: every run is simulated for `screen_days`, and only those still below `level`
    are continued to `days` (a run that has reached it cannot return below its highest rung)."""
    first: list[int] = []
    survivors: list[CrisisModel] = []
    for child in np.random.SeedSequence(seed).spawn(runs):
        model = CrisisModel(config, days=screen_days, rng=np.random.default_rng(child))
        model.run_model()
        if model.highest_rung() < level:
            survivors.append(model)
        else:
            series = model.datacollector.get_model_vars_dataframe()["rung"].to_numpy()
            first.append(int(np.argmax(series >= level)))
    for model in survivors:
        model.days, model.running = days, True
        model.run_model()
        series = model.datacollector.get_model_vars_dataframe()["rung"].to_numpy()
        first.append(int(np.argmax(series >= level)) if (series >= level).any() else days + 1)
    arr = np.array(first)
    return {d: int((arr > d).sum()) for d in SURVIVAL_DAYS if d <= days}


def tashkent_stays_below(path: Path, runs: int, days: int, seed: int, level: int = 2) -> dict[int, int]:
    """tashkent: the same first-passage survival from its `rung_ge_<level>` first-passage counts."""
    from tashkent.sim.ensemble import RunConfig, run_ensemble

    config = RunConfig(
        runs=runs, days=days, seed=seed, workers=2, chunk_runs=20_000, keep_trajectories=0, param_mode="fixed"
    )
    total = run_ensemble(scenario_for(path), config)
    hist = total.first_hist[total.metrics.index(f"rung_ge_{level}")]
    return {d: int(runs - hist[: d + 1].sum()) for d in SURVIVAL_DAYS if d <= days}


def rare_cell(a: argparse.Namespace) -> int:
    """Targeted check of the rare cell 'highest rung = 1' (the crisis start ends without a move and
    nothing escalates later): P(not yet at rung 2) by day, Mesa vs tashkent, large samples."""
    mesa_n, tk_n = a.runs, 2 * a.runs
    config = load_config(a.scenario)
    wall, _, mesa = timed(stays_below, config, mesa_n, a.days, a.seed)
    print(f"Mesa {mesa_n} runs (screened at day 10): {wall:.0f} s", flush=True)
    tk = tashkent_stays_below(a.scenario, tk_n, a.days, a.seed)
    print("| by day | Mesa | tashkent | difference | SE | z |")
    print("|---:|---:|---:|---:|---:|---:|")
    rows = []
    for d in mesa:
        p1, p2 = mesa[d] / mesa_n, tk[d] / tk_n
        se = math.sqrt(p1 * (1 - p1) / mesa_n + p2 * (1 - p2) / tk_n)
        z = (p1 - p2) / se if se > 0 else 0.0
        rows.append({"day": d, "mesa": mesa[d], "tashkent": tk[d], "z": z})
        print(f"| {d} | {p1:.5f} ({mesa[d]}) | {p2:.5f} ({tk[d]}) | {p1 - p2:+.5f} | {se:.5f} | {z:+.2f} |")
    if a.json:
        a.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "mesa_runs": mesa_n,
                    "tashkent_runs": tk_n,
                    "seed": a.seed,
                    "days": a.days,
                    "rows": rows,
                },
                indent=2,
            )
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--runs", type=int, default=10_000, help="runs on each side for the distributions")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=20251120)
    ap.add_argument(
        "--timing-runs",
        type=int,
        default=1_000,
        help="Mesa runs timed in one process (extrapolated linearly to --runs)",
    )
    ap.add_argument("--processes", type=int, default=2, help="processes for the Mesa distribution runs")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats of tashkent (median)")
    ap.add_argument(
        "--calm-start",
        action="store_true",
        help="start outside a crisis, without the dated attack (both models)",
    )
    ap.add_argument(
        "--rare-cell",
        action="store_true",
        help="instead: P(highest rung stays 1) by day, --runs Mesa runs vs twice as many tashkent runs",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    if a.rare_cell:
        return rare_cell(a)

    config = load_config(a.scenario, a.calm_start)
    info: dict[str, Any] = {
        "machine": machine(),
        "runs": a.runs,
        "days": a.days,
        "seed": a.seed,
        "scenario": str(a.scenario.name),
        "calm_start": a.calm_start,
    }
    print(f"machine: {info['machine']}", flush=True)

    # tashkent: timing (median of repeats) with 1 and 2 workers, and its distribution
    tk_wall: dict[int, list[float]] = {1: [], 2: []}
    tk_cpu: dict[int, list[float]] = {1: [], 2: []}
    tk_counts = np.zeros(MAX_RUNG + 1, dtype=np.int64)
    run_tashkent(a.scenario, a.calm_start, 200, a.days, a.seed, 1)  # warm up: imports, scipy
    for _ in range(a.repeats):
        for w in (1, 2):
            wall, cpu, tk_counts = timed(run_tashkent, a.scenario, a.calm_start, a.runs, a.days, a.seed, w)
            tk_wall[w].append(wall)
            tk_cpu[w].append(cpu)
    tk_med = {w: statistics.median(v) for w, v in tk_wall.items()}
    tk_cpu_med = {w: statistics.median(v) for w, v in tk_cpu.items()}
    print(
        f"tashkent {a.runs} runs x {a.days} days: median wall {tk_med[1]:.2f} s (1 worker), "
        f"{tk_med[2]:.2f} s (2 workers); median CPU {tk_cpu_med[1]:.2f} s (1 worker); "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    # Mesa: serial timing on a subset, extrapolated; then the full distribution
    t_sub, c_sub, _ = timed(run_mesa, config, a.timing_runs, a.days, a.seed + 1)
    per_run, cpu_per_run = t_sub / a.timing_runs, c_sub / a.timing_runs
    mesa_full_est, mesa_cpu_est = per_run * a.runs, cpu_per_run * a.runs
    print(
        f"Mesa {a.timing_runs} runs x {a.days} days in one process: wall {t_sub:.1f} s "
        f"({per_run * 1e3:.2f} ms/run), CPU {c_sub:.1f} s -> {a.runs} runs ≈ "
        f"{mesa_full_est:.0f} s wall, {mesa_cpu_est:.0f} s CPU; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    t_dist, _, mesa_counts = timed(
        run_mesa_parallel, a.scenario, a.calm_start, a.runs, a.days, a.seed, a.processes
    )
    print(f"Mesa {a.runs} runs for the distribution on {a.processes} processes: {t_dist:.1f} s", flush=True)

    result = compare(mesa_counts, tk_counts)
    info.update(
        tashkent_wall_seconds=tk_wall,
        tashkent_cpu_seconds=tk_cpu,
        tashkent_median_wall={str(k): v for k, v in tk_med.items()},
        tashkent_median_cpu={str(k): v for k, v in tk_cpu_med.items()},
        mesa_timing_runs=a.timing_runs,
        mesa_timing_wall=t_sub,
        mesa_timing_cpu=c_sub,
        mesa_serial_estimate_wall=mesa_full_est,
        mesa_serial_estimate_cpu=mesa_cpu_est,
        mesa_distribution_wall=t_dist,
        mesa_processes=a.processes,
        speed_ratio_wall_1_worker=mesa_full_est / tk_med[1],
        speed_ratio_wall_2_workers=mesa_full_est / tk_med[2],
        speed_ratio_cpu_1_worker=mesa_cpu_est / tk_cpu_med[1],
        mesa_counts=mesa_counts.tolist(),
        tashkent_counts=tk_counts.tolist(),
        comparison=result,
        loadavg_at_end=[round(x, 2) for x in os.getloadavg()],
    )
    print(
        f"\nhighest rung within {a.days} days, {result['mesa_runs']} Mesa runs vs "
        f"{result['tashkent_runs']} tashkent runs"
    )
    print("| rung | Mesa | tashkent | difference | SE | z |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        print(
            f"| {r['rung']} | {r['mesa']:.4f} | {r['tashkent']:.4f} | {r['diff']:+.4f} | "
            f"{r['se']:.4f} | {r['z']:+.2f} |"
        )
    print(
        f"chi-square of homogeneity: {result['chi2']:.2f} on {result['dof']} df, p = {result['p_value']:.3f}"
    )
    print(
        f"speed ratio, Mesa serial (extrapolated) / tashkent: wall "
        f"{info['speed_ratio_wall_1_worker']:.0f}x vs 1 worker, "
        f"{info['speed_ratio_wall_2_workers']:.0f}x vs 2 workers; CPU time "
        f"{info['speed_ratio_cpu_1_worker']:.0f}x vs 1 worker"
    )
    if a.json:
        a.json.write_text(json.dumps(info, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
