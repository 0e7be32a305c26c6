"""One day of the coupled model for all runs: composes the mechanisms of `tashkent.model` in a
fixed order (schedule, spoilers, mediation, escalation, nuclear, ceasefire, crisis end, standing
measures, acceptance, process, durability). Each day consumes a fixed set of uniforms per run, so
variants of a scenario see common random numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from tashkent.ladder import load_ladder
from tashkent.model import (
    acceptance,
    ceasefire,
    credibility,
    durability,
    escalation,
    nuclear,
    process,
    ripeness,
)
from tashkent.model.common import daily_prob, halflife_decay
from tashkent.model.costs import rung_cost_table
from tashkent.model.spoilers import attack_rate, crisis_trigger_prob, draw_attacks, provocation_from
from tashkent.sim.context import Context
from tashkent.sim.params import audience_cost_name
from tashkent.sim.state import State

# Uniform columns consumed per run per day.
(
    U_ATTACK,
    U_SEVERITY,
    U_TRIGGER,
    U_OTHER,
    U_MOVE_A,
    U_MOVE_B,
    U_SIGNAL,
    U_USE,
    U_CEASEFIRE,
    U_END,
    U_FATAL,
    U_ACCEPT_A,
    U_ACCEPT_B,
    U_ADVANCE,
    U_SETBACK,
    U_NORMALISE,
    U_BREAKDOWN,
) = range(17)
N_UNIFORMS = 17

_LADDER = load_ladder()
ENTRY_SCORE = _LADDER.entry_scores()
DEESC_SCORE = float(_LADDER.tier_scores["de_escalation"])
SIGNAL_SCORE = float(_LADDER.tier_scores[_LADDER.action("nuclear_signal").tier])
NUCLEAR_SCORE = float(_LADDER.tier_scores["nuclear"])
NUCLEAR_USE_FATALITIES = 100_000.0  # judgement: a floor for one nuclear detonation on a city


@dataclass
class Derived:
    """Per-run quantities computed once from the parameters."""

    decay_prov: np.ndarray
    decay_recent: float
    decay_hurt: np.ndarray
    decay_cat: np.ndarray
    cost_table: np.ndarray  # [7, n]
    audience: np.ndarray  # [2, 3, n]
    gp: np.ndarray  # [n]
    gate_closed: np.ndarray | None  # [n] bool for the consent holder


def derive(p: dict[str, np.ndarray], ctx: Context) -> Derived:
    n = p["attack_rate"].shape[0]
    audience = np.stack(
        [np.stack([p[audience_cost_name(party, t)] for t in ("II", "1.5", "I")]) for party in ctx.parties]
    )
    gate = (p["simla_gate_open"] < 0.5) if ctx.consent_holder is not None else None
    return Derived(
        decay_prov=halflife_decay(p["provocation_half_life_days"]),
        decay_recent=float(halflife_decay(3.0)),
        decay_hurt=halflife_decay(p["hurt_half_life_days"]),
        decay_cat=halflife_decay(p["catastrophe_half_life_days"]),
        cost_table=rung_cost_table(p["cost_rung2"], p["cost_rung4"]),
        audience=audience.reshape(2, 3, n),
        gp=p["gp_engagement"] * ctx.gp_leverage,
        gate_closed=gate,
    )


@dataclass
class DayOutcome:
    score: np.ndarray  # escalation score of the day (Rivera tiers), float
    deescalations: np.ndarray  # number of de-escalatory moves (int)
    new_crisis: np.ndarray  # bool
    ended_crisis: np.ndarray  # bool
    ended_duration: np.ndarray  # int: duration of crises that ended today
    ceasefire: np.ndarray  # bool
    kinetic_ended: np.ndarray  # int: length of kinetic phases that ended today (0 if none)
    attacks: np.ndarray  # bool


def mediators_active(state: State, ctx: Context) -> np.ndarray:
    """Active mediators [M, n]: initially active ones, co-facilitators once the process reaches
    their phase or, for those with a crisis role, while a crisis is on; overridden by scheduled
    joins and leaves; never those disabled with `active: false`."""
    m = len(ctx.mediator_ids)
    if m == 0:
        return np.zeros((0, state.n), dtype=bool)
    by_phase = np.where(
        ctx.joins_at_phase[:, None] >= 0,
        state.phase[None, :] >= ctx.joins_at_phase[:, None],
        ctx.initially_active[:, None],
    )
    by_phase = (by_phase | (ctx.crisis_role[:, None] & state.crisis[None, :])) & ctx.enabled[:, None]
    return np.where(state.forced_active == 1, True, np.where(state.forced_active == -1, False, by_phase))


def apply_schedule(state: State, events: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Apply today's scheduled events; return forced attack fatalities and target index per run."""
    forced = np.zeros(state.n)
    target = np.zeros(state.n, dtype=np.int64)
    for ev in events:
        kind = ev["kind"]
        if kind == "attack":
            forced[:] = ev["fatalities"]
            target[:] = ev["target_index"] if ev["target_index"] is not None else 0
        elif kind == "bias_shift" and ev["mediator_index"] is not None and ev["target_index"] is not None:
            m, i = ev["mediator_index"], ev["target_index"]
            state.bias[m, i] = np.clip(state.bias[m, i] + ev["delta"], -1.0, 1.0)
        elif kind in ("join", "leave") and ev["mediator_index"] is not None:
            state.forced_active[ev["mediator_index"]] = 1 if kind == "join" else -1
        elif kind == "trust_shock":
            state.trust = np.clip(state.trust + ev["delta"], 0.0, 1.0)
    return forced, target


def step(
    state: State, p: dict[str, np.ndarray], d: Derived, ctx: Context, u: np.ndarray, events: list[dict]
) -> DayOutcome:
    """Advance every run one day in place; u is [N_UNIFORMS, n] float32."""
    n = state.n
    alive = ~state.nuclear_use
    score = np.zeros(n)
    deesc = np.zeros(n, dtype=np.int64)

    # --- scheduled events and spoiler attacks
    forced, forced_target = apply_schedule(state, events)
    rate = attack_rate(p["attack_rate"], p["attack_progress_gain"], state.phase)
    attacked, fat = draw_attacks(
        rate, u[U_ATTACK], u[U_SEVERITY], p["severity_log_mean"], p["severity_log_sd"]
    )
    attacked &= alive
    fat = np.where(attacked, fat, 0.0)
    is_forced = forced > 0
    attacked = attacked | is_forced
    fat = np.where(is_forced, forced, fat)
    target = np.where(is_forced, forced_target, 0)  # spoilers strike the first party (India here)
    inc = provocation_from(fat)
    state.provocation[0] += np.where(target == 0, inc, 0.0)
    state.provocation[1] += np.where(target == 1, inc, 0.0)
    state.trust = np.clip(state.trust - p["trust_attack_hit"] * inc, 0.0, 1.0)
    state.fatalities += fat
    trig = attacked & (u[U_TRIGGER] < crisis_trigger_prob(fat, p["trigger_intercept"], p["trigger_slope"]))
    other = alive & (u[U_OTHER] < daily_prob(p["other_trigger_rate"]))
    state.provocation += np.where(other & ~state.crisis, 0.5, 0.0)[None, :]
    new_crisis = ~state.crisis & (trig | other | (is_forced & ~state.crisis))
    new_crisis &= alive
    state.crisis = state.crisis | new_crisis
    state.crisis_day = np.where(new_crisis, 0, state.crisis_day)
    state.freeze = np.where(
        attacked & (state.crisis | new_crisis),
        np.maximum(state.freeze, p["freeze_days"].astype(np.int32)),
        state.freeze,
    )
    state.phase = process.setback(
        state.phase, new_crisis, u[U_SETBACK], p["setback_prob"], p["track2_survival"]
    )

    # --- mediation: credibility, coalition, great powers
    active = mediators_active(state, ctx)
    if active.shape[0]:
        cred = credibility.credibility(
            state.bias, ctx.war_aversion, p["cred_threshold"], p["cred_war_aversion"], p["cred_sharpness"]
        )
        coal = credibility.coalition(cred, ctx.leverage, active, p["coalition_optimum"])
        restraint = coal["restraint"]
        # Parties judge an offered track by the coalition that would run it: the mediators
        # already engaged plus every enabled co-facilitator due to join the official phases.
        offered = active | (ctx.enabled & (ctx.joins_at_phase >= 0))[:, None]
        prospect = credibility.coalition(cred, ctx.leverage, offered, p["coalition_optimum"])
        coverage, leverage = prospect["coverage"], prospect["leverage"]
    else:
        restraint, coverage, leverage = np.zeros((2, n)), np.zeros(n), np.zeros(n)
    gp = np.where(state.crisis, d.gp, 0.0)

    # --- escalation moves (crisis runs)
    crisis = state.crisis & alive
    r0 = state.rung.copy()
    moves = []
    for i, col in ((0, U_MOVE_A), (1, U_MOVE_B)):
        util = escalation.move_utilities(
            state.rung,
            state.provocation[i],
            state.opponent_recent[i],
            restraint[i],
            gp,
            state.crisis_day,
            p,
            ctx.both_nuclear,
            p["post_crisis_rung_cap"],
        )
        mv = escalation.choose(util, u[col])
        moves.append(np.where(crisis, mv, 0).astype(np.int8))
    new_rung = escalation.dyad_rung(state.rung, moves[0], moves[1])
    for i in (0, 1):
        up = moves[i] > 0
        entered = np.clip(state.rung + moves[i], 0, 6)
        s_i = np.where(up, ENTRY_SCORE[entered], 0.0) + np.where(moves[i] < 0, DEESC_SCORE, 0.0)
        score += s_i
        deesc += moves[i] < 0
        state.opponent_recent[1 - i] += up.astype(np.float64)
        violent = up & (entered >= 4)
        state.provocation[1 - i] += np.where(violent, 0.5 * ENTRY_SCORE[entered] / 28.0, 0.0)
        state.trust = np.clip(state.trust - p["trust_escalation_hit"] * np.maximum(s_i, 0.0) / 28.0, 0.0, 1.0)
    state.rung = new_rung

    # --- nuclear signalling and use
    sig_p = nuclear.signal_prob(state.rung, p["ns_intercept"], p["ns_slope"], crisis, ctx.both_nuclear)
    new_signal = crisis & ~state.signal & (u[U_SIGNAL] < sig_p)
    state.signal |= new_signal
    score += np.where(new_signal, SIGNAL_SCORE, 0.0)
    use = crisis & (
        u[U_USE] < nuclear.use_prob(state.rung, state.signal, p["nuclear_use_daily"], ctx.both_nuclear)
    )
    state.nuclear_use |= use
    score += np.where(use, NUCLEAR_SCORE, 0.0)
    state.fatalities += np.where(use, NUCLEAR_USE_FATALITIES, 0.0)
    state.rung = np.where(use, 6, state.rung).astype(np.int8)
    near_cat = new_signal | (crisis & (state.rung >= 5) & (r0 < 5))
    state.catastrophe = state.catastrophe * d.decay_cat + near_cat

    # --- fighting: fatalities, kinetic days, ceasefire
    kinetic = crisis & (state.rung >= 4) & ~state.nuclear_use
    per_day = np.select(
        [state.rung == 4, state.rung == 5, state.rung == 6],
        [p["fatalities_rung4"], p["fatalities_rung5"], p["fatalities_rung6"]],
        0.0,
    )
    z = ndtri(np.clip(u[U_FATAL], 1e-7, 1 - 1e-7))
    state.fatalities += np.where(kinetic, per_day * np.exp(0.6 * z - 0.18), 0.0)
    state.kinetic_days = np.where(kinetic, state.kinetic_days + 1, 0)
    cf_p = ceasefire.ceasefire_prob(
        kinetic, state.catastrophe, gp, restraint.mean(axis=0), state.kinetic_days, p
    )
    cf = kinetic & (u[U_CEASEFIRE] < cf_p)
    kinetic_ended = np.where(cf, state.kinetic_days, 0)
    state.rung = np.where(cf, np.minimum(state.rung, p["ceasefire_rung"]).astype(np.int8), state.rung)
    state.kinetic_days = np.where(cf, 0, state.kinetic_days)
    state.provocation = np.where(cf[None, :], 0.5 * state.provocation, state.provocation)
    state.opponent_recent = np.where(cf[None, :], 0.0, state.opponent_recent)
    score += np.where(cf, 2 * DEESC_SCORE, 0.0)
    deesc += 2 * cf

    # --- crisis end
    end_p = ceasefire.crisis_end_prob(
        crisis, state.rung, state.crisis_day, state.provocation.max(axis=0), p, p["ceasefire_rung"]
    )
    ended = crisis & (u[U_END] < end_p)
    ended_duration = np.where(ended, state.crisis_day + 1, 0)
    state.crisis = state.crisis & ~ended
    state.signal = state.signal & ~ended
    state.rung = np.where(
        ended, np.minimum(state.rung, p["post_crisis_rung_cap"]).astype(np.int8), state.rung
    )
    state.crisis_day = np.where(state.crisis, state.crisis_day + 1, 0)

    # --- standing measures outside crises: lifting one rung at a time
    calm = ~state.crisis & alive & (state.rung > 0)
    norm_rate = p["normalise_rate"] * np.exp(2.0 * (state.trust - 0.5)) * (1.0 + state.phase)
    lift = calm & (u[U_NORMALISE] < daily_prob(norm_rate))
    state.rung = np.where(lift, state.rung - 1, state.rung).astype(np.int8)
    score += np.where(lift, DEESC_SCORE, 0.0)
    deesc += lift

    # --- costs, hurt, decays
    day_cost = np.take_along_axis(d.cost_table, state.rung[None, :].astype(np.int64), axis=0)[0]
    party_cost = np.stack([day_cost, day_cost * p["pak_cost_ratio"]])
    state.cost += party_cost
    state.hurt = state.hurt * d.decay_hurt + party_cost
    state.provocation *= d.decay_prov
    state.opponent_recent *= d.decay_recent

    # --- ripeness and acceptance
    ripe = ripeness.ripeness(
        state.hurt, state.catastrophe, p["stalemate"], p["way_out"], state.trust, p["hurt_threshold"]
    )
    for i, col in ((0, U_ACCEPT_A), (1, U_ACCEPT_B)):
        for t in range(3):
            util = acceptance.utility(coverage, leverage, ripe, state.trust, d.audience[i, t], p)
            gate = None
            if d.gate_closed is not None and i == ctx.consent_holder and t in ctx.consent_tracks:
                gate = d.gate_closed
            state.accept[i, t] = (
                acceptance.update(
                    state.accept[i, t], util, u[col], state.crisis, acceptance.OFFICIAL[t], p, gate
                )
                & alive
            )

    # --- process: trust, CBMs, phase changes
    state.trust = np.clip(
        process.relax_trust(state.trust, p["trust_baseline"], p["trust_relax_days"])
        + process.cbm_trust_gain(state.phase, state.rung, state.crisis, ctx.cbms),
        0.0,
        1.0,
    )
    both = state.accept[0] & state.accept[1]  # [3, n]
    phase = state.phase.astype(np.int64)
    # a phase whose track is no longer accepted by both falls back one step (agreement excepted)
    needs_now = _consent(both, ctx.phase_tracks, phase)
    state.phase = np.where((phase >= 1) & (phase <= 4) & ~needs_now, phase - 1, phase).astype(np.int8)
    phase = state.phase.astype(np.int64)
    nxt = np.minimum(phase + 1, 5)
    median = np.select([nxt == k for k in range(1, 6)], [p[ctx.phase_median[k]] for k in range(1, 6)])
    official_next = ctx.phase_official[nxt]
    h = process.advance_hazard(
        median,
        state.trust,
        coverage,
        ripe,
        official_next,
        _consent(both, ctx.phase_tracks, nxt),
        state.crisis,
        state.freeze > 0,
        p,
    )
    advance = alive & (phase < 5) & (u[U_ADVANCE] < h)
    state.phase = np.where(advance, nxt, phase).astype(np.int8)
    score += np.where(advance, DEESC_SCORE, 0.0)
    state.freeze = np.maximum(state.freeze - 1, 0)

    # --- durability of an agreement
    reached = advance & (state.phase == 5)
    state.agreement_age = np.where(
        reached, 0, np.where(state.agreement_age >= 0, state.agreement_age + 1, -1)
    )
    in_force = state.agreement_age >= 0
    brk = in_force & (u[U_BREAKDOWN] < durability.breakdown_prob(state.agreement_age, state.crisis, p))
    state.agreement_age = np.where(brk, -1, state.agreement_age)
    state.phase = np.where(brk, 4, state.phase).astype(np.int8)

    return DayOutcome(
        score=score,
        deescalations=deesc,
        new_crisis=new_crisis,
        ended_crisis=ended,
        ended_duration=ended_duration,
        ceasefire=cf,
        kinetic_ended=kinetic_ended,
        attacks=attacked,
    )


def _consent(both: np.ndarray, phase_tracks: list[list[int]], phase: np.ndarray) -> np.ndarray:
    """Whether both parties accept every track the given phase needs."""
    ok = np.ones(phase.shape, dtype=bool)
    for k in range(1, 6):
        for t in phase_tracks[k]:
            ok &= np.where(phase == k, both[t], True)
    return ok
