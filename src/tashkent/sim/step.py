"""One day of the coupled model for all runs: composes the mechanisms of `tashkent.model` in a
fixed order (schedule, spoilers, mediation, escalation, nuclear, ceasefire, crisis end, standing
measures, acceptance, process, durability). Each day consumes a fixed set of uniforms per run, so
variants of a scenario see common random numbers. Crisis dynamics (`crisis_day`) are computed only
for the runs in a crisis, and mediator credibility is cached until a bias shifts or a mediator
joins or leaves; both give the same numbers as computing everything for every run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    patrons,
    process,
    ripeness,
    standing,
)
from tashkent.model.common import daily_prob, halflife_decay
from tashkent.model.costs import rung_cost_table
from tashkent.model.spoilers import attack_rate, crisis_trigger_prob, draw_attacks, provocation_from
from tashkent.scenario.schema import TRACKS
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
    U_LAG,
) = range(18)
N_UNIFORMS = 18

_LADDER = load_ladder()
ENTRY_SCORE = _LADDER.entry_scores()
DEESC_SCORE = float(_LADDER.tier_scores["de_escalation"])
SIGNAL_SCORE = float(_LADDER.tier_scores[_LADDER.action("nuclear_signal").tier])
NUCLEAR_SCORE = float(_LADDER.tier_scores["nuclear"])
MAX_ENTRY_SCORE = float(ENTRY_SCORE.max())  # entering war: scales provocation and trust hits to 0..1
FREE_MOVE = -128  # in `forced_moves`: the model chooses this party's move
NUCLEAR_USE_FATALITIES = 100_000.0  # judgement: a floor for one nuclear detonation on a city
# Named constants of the stepper, each a stated judgement (not sampled):
OTHER_TRIGGER_PROVOCATION = 0.5  # a non-attack trigger provokes half as much as a Pulwama-size attack
KINETIC_PROVOCATION = 0.5  # the opponent's entry into war provokes like half a Pulwama-size attack
FATALITY_LOG_SD = 0.6  # day-to-day spread of combat deaths (lognormal, mean kept at the rung's rate)
CEASEFIRE_PROVOCATION_KEPT = 0.5  # a hotline ceasefire halves standing provocation (both sides claim a win)
CEASEFIRE_DEESCALATIONS = 2  # a ceasefire counts as two de-escalatory moves (stop fire, stand down)
RECENT_HALF_LIFE_DAYS = 3.0  # memory of the opponent's escalations: a few days (tit-for-tat rounds)
NORMALISE_TRUST_WEIGHT = 2.0  # trust 0.5 above baseline multiplies the lifting rate by e


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
    gate_closed: np.ndarray | None  # [2, 3, n] bool: tracks a party may not accept (consent gate)
    p_other: np.ndarray  # [n] daily probability of a crisis trigger other than an attack
    decay_standing: np.ndarray  # [n]
    decay_hardening: np.ndarray  # [n]
    patron: np.ndarray  # [2, n] great powers' tilt added to each party's push to escalate
    p_include: np.ndarray  # [n] daily rate at which stakeholders are brought in (phase >= 2)


def derive(p: dict[str, np.ndarray], ctx: Context) -> Derived:
    n = p["attack_rate"].shape[0]
    audience = np.stack(
        [np.stack([p[audience_cost_name(party, t)] for t in TRACKS]) for party in ctx.parties]
    )
    gate = None
    if ctx.consent_holder is not None and ctx.consent_tracks:
        gate = np.zeros((2, 3, n), dtype=bool)
        gate[ctx.consent_holder, ctx.consent_tracks] = p["consent_gate_open"] < 0.5
    return Derived(
        decay_prov=halflife_decay(p["provocation_half_life_days"]),
        decay_recent=float(halflife_decay(RECENT_HALF_LIFE_DAYS)),
        decay_hurt=halflife_decay(p["hurt_half_life_days"]),
        decay_cat=halflife_decay(p["catastrophe_half_life_days"]),
        cost_table=rung_cost_table(p["cost_rung2"], p["cost_rung4"]),
        audience=audience.reshape(2, 3, n),
        gp=p["gp_engagement"] * ctx.gp_leverage,
        gate_closed=gate,
        p_other=daily_prob(p["other_trigger_rate"]),
        decay_standing=halflife_decay(p["standing_half_life_days"]),
        decay_hardening=halflife_decay(p["hardening_half_life_days"]),
        patron=patrons.crisis_tilt(ctx.gp_bias, ctx.gp_leverages, p["gp_engagement"], p),
        p_include=daily_prob(p["inclusion_rate"]),
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


def mediators_active(state: State, ctx: Context, rows: np.ndarray | None = None) -> np.ndarray:
    """Active mediators [M, n] (or [M, len(rows)]): initially active ones, co-facilitators once the
    process reaches their phase or, for those with a crisis role, while a crisis is on; overridden
    by scheduled joins and leaves; never those disabled with `active: false`."""
    phase = state.phase if rows is None else state.phase[rows]
    crisis = state.crisis if rows is None else state.crisis[rows]
    forced = state.forced_active if rows is None else state.forced_active[:, rows]
    by_phase = np.where(
        ctx.joins_at_phase[:, None] >= 0,
        phase[None, :] >= ctx.joins_at_phase[:, None],
        ctx.initially_active[:, None],
    )
    by_phase = (by_phase | (ctx.crisis_role[:, None] & crisis[None, :])) & ctx.enabled[:, None]
    return with_joins_and_leaves(by_phase, forced)


def with_joins_and_leaves(mask: np.ndarray, forced: np.ndarray) -> np.ndarray:
    """A mediator mask [M, n] overridden by scheduled joins (1) and leaves (-1)."""
    return np.where(forced == 1, True, np.where(forced == -1, False, mask))


def apply_schedule(state: State, events: list[dict], ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Apply today's scheduled events; return forced attack fatalities and target index per run
    (an attack naming no party strikes the scenario's spoiler target).

    A `bias_shift` moves one bias; a `faction_shift` (a public tilt) moves the actor's bias toward
    the target by delta and away from the other party by delta, and moves the offerer's standing
    with the two parties the same way."""
    default_target = ctx.spoiler_target
    forced = np.zeros(state.n)
    target = np.full(state.n, default_target, dtype=np.int64)
    for ev in events:
        kind = ev["kind"]
        if kind == "attack":
            forced[:] = ev["fatalities"]
            target[:] = ev["target_index"] if ev["target_index"] is not None else default_target
        elif kind in ("bias_shift", "faction_shift") and ev["target_index"] is not None:
            i, delta = ev["target_index"], ev["delta"]
            shifts = ((i, delta),) if kind == "bias_shift" else ((i, delta), (1 - i, -delta))
            m = ev["mediator_index"]
            for j, dj in shifts:
                if m is not None:
                    state.bias[m, j] = np.clip(state.bias[m, j] + dj, -1.0, 1.0)
                if ev["actor"] == ctx.offerer:
                    state.offer_bias[j] = np.clip(state.offer_bias[j] + dj, -1.0, 1.0)
                    if kind == "faction_shift":
                        state.standing[j] = np.clip(state.standing[j] + dj, -1.0, 1.0)
            state.cache.clear()
        elif kind in ("join", "leave") and ev["mediator_index"] is not None:
            state.forced_active[ev["mediator_index"]] = 1 if kind == "join" else -1
            state.cache.clear()
        elif kind == "trust_shock":
            state.trust = np.clip(state.trust + ev["delta"], 0.0, 1.0)
    return forced, target


def mediation(
    state: State, p: dict[str, np.ndarray], ctx: Context
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Credibility [M, 2, n] of each mediator to each party, and the coverage and leverage [n] of
    the coalition that would run an offered track: the mediators engaged from the start plus every
    enabled co-facilitator due to join the official phases. Both change only when a bias shifts or
    a mediator joins or leaves, so they are cached on the state until then."""
    if "cred" not in state.cache:
        cred = credibility.credibility(
            state.bias, ctx.war_aversion, p["cred_threshold"], p["cred_war_aversion"], p["cred_sharpness"]
        )
        offered = ctx.initially_active | (ctx.enabled & (ctx.joins_at_phase >= 0)) | ctx.crisis_role
        offered = with_joins_and_leaves((offered & ctx.enabled)[:, None], state.forced_active)
        prospect = credibility.coalition(cred, ctx.leverage, offered, p["coalition_optimum"])
        state.cache.update(cred=cred, coverage=prospect["coverage"], leverage=prospect["leverage"])
    return state.cache["cred"], state.cache["coverage"], state.cache["leverage"]


def step(
    state: State,
    p: dict[str, np.ndarray],
    d: Derived,
    ctx: Context,
    u: np.ndarray,
    events: list[dict],
    forced_moves: np.ndarray | None = None,
) -> DayOutcome:
    """Advance every run one day in place; u is [N_UNIFORMS, n] float32. `forced_moves` [2, n]
    (optional, for exercises) replaces a party's escalation move wherever it is not FREE_MOVE."""
    n = state.n
    alive = ~state.nuclear_use
    score = np.zeros(n)
    deesc = np.zeros(n, dtype=np.int64)

    # --- scheduled events and spoiler attacks
    forced, forced_target = apply_schedule(state, events, ctx)
    rate = attack_rate(p["attack_rate"], p["attack_progress_gain"], state.phase)
    attacked, fat = draw_attacks(
        rate, u[U_ATTACK], u[U_SEVERITY], p["severity_log_mean"], p["severity_log_sd"]
    )
    attacked &= alive
    is_forced = forced > 0
    if is_forced.any():
        attacked = attacked | is_forced
        fat = np.where(is_forced, forced, fat)
    fat = np.where(attacked, fat, 0.0)
    if attacked.any():
        target = np.where(is_forced, forced_target, ctx.spoiler_target)
        inc = provocation_from(fat)
        state.provocation[0] += np.where(target == 0, inc, 0.0)
        state.provocation[1] += np.where(target == 1, inc, 0.0)
        state.hardening[0] += np.where(target == 0, inc, 0.0)
        state.hardening[1] += np.where(target == 1, inc, 0.0)
        state.trust = np.clip(state.trust - p["trust_attack_hit"] * inc, 0.0, 1.0)
        state.fatalities += fat
        trig = attacked & (
            u[U_TRIGGER] < crisis_trigger_prob(fat, p["trigger_intercept"], p["trigger_slope"])
        )
    else:
        trig = attacked
        target = np.zeros(n, dtype=np.int64)
    other = alive & (u[U_OTHER] < d.p_other)
    state.provocation += np.where(other & ~state.crisis, OTHER_TRIGGER_PROVOCATION, 0.0)[None, :]
    new_crisis = ~state.crisis & (trig | other | is_forced) & alive
    state.crisis = state.crisis | new_crisis
    if attacked.any():
        # a crisis-grade attack starts the attacked party's deliberation (if none is running)
        grade = attacked & (trig | is_forced) & state.crisis
        lag = escalation.response_lag_days(u[U_LAG], p["response_lag_median_days"], p["response_lag_sdlog"])
        for i in (0, 1):
            start = grade & (target == i) & (state.response_lag[i] == 0)
            state.response_lag[i] = np.where(start, lag + 1, state.response_lag[i])
    state.crisis_day = np.where(new_crisis, 0, state.crisis_day)
    state.freeze = np.where(
        attacked & state.crisis, np.maximum(state.freeze, p["freeze_days"].astype(np.int32)), state.freeze
    )
    state.phase = process.setback(
        state.phase, new_crisis, u[U_SETBACK], p["setback_prob"], p["track2_survival"]
    )

    # --- mediation: credibility and the offered coalition (cached), great powers
    if len(ctx.mediator_ids):
        cred, coverage, leverage = mediation(state, p, ctx)
    else:
        cred, coverage, leverage = np.zeros((0, 2, n)), np.zeros(n), np.zeros(n)

    # --- crisis dynamics, computed only for runs in a crisis
    crisis = state.crisis & alive
    rows = np.flatnonzero(crisis)
    ended = np.zeros(n, dtype=bool)
    ended_duration = np.zeros(n, dtype=np.int32)
    cf = np.zeros(n, dtype=bool)
    kinetic_ended = np.zeros(n, dtype=np.int32)
    state.catastrophe *= d.decay_cat  # crisis_day adds today's near-catastrophes
    if rows.size:
        fm = None if forced_moves is None else forced_moves[:, rows]
        out = crisis_day(state, p, d, ctx, u[:, rows], rows, cred, fm)
        score[rows] += out["score"]
        deesc[rows] += out["deesc"]
        ended[rows] = out["ended"]
        ended_duration[rows] = out["ended_duration"]
        cf[rows] = out["ceasefire"]
        kinetic_ended[rows] = out["kinetic_ended"]
    state.crisis_day = np.where(state.crisis, state.crisis_day + 1, 0)

    # --- standing measures outside crises: lifting one rung at a time
    calm = ~state.crisis & alive & (state.rung > 0)
    norm_rate = (
        p["normalise_rate"] * np.exp(NORMALISE_TRUST_WEIGHT * (state.trust - 0.5)) * (1.0 + state.phase)
    )
    lift = calm & (u[U_NORMALISE] < daily_prob(norm_rate))
    state.rung = np.where(lift, state.rung - 1, state.rung).astype(np.int8)
    score += np.where(lift, DEESC_SCORE, 0.0)
    deesc += lift

    # --- costs, hurt, decays
    day_cost = np.take_along_axis(d.cost_table, state.rung[None, :].astype(np.int64), axis=0)[0]
    party_cost = np.stack([day_cost, day_cost * p["second_party_cost_ratio"]])
    state.cost += party_cost
    state.hurt = state.hurt * d.decay_hurt + party_cost
    state.provocation *= d.decay_prov
    state.opponent_recent *= d.decay_recent

    # --- ripeness and acceptance (both parties, all three tracks at once)
    ripe = ripeness.ripeness(
        state.hurt, state.catastrophe, p["stalemate"], p["way_out"], state.trust, p["hurt_threshold"]
    )
    common = acceptance.utility(coverage, leverage, ripe, state.trust, 0.0, p)  # [n]
    if "offer" not in state.cache:  # the offerer's tilt and status change only with scheduled events
        state.cache["offer"] = acceptance.offer_term(
            standing.tilt_of(state.offer_bias), ctx.offer_great_power, 0.0, 0.0, p
        )
    offer = (
        state.cache["offer"] + p["offer_standing"] * state.standing - p["offer_hardening"] * state.hardening
    )  # [2, n]: acceptance.offer_term with the daily standing and hardening
    util = common[None, None, :] + offer[:, None, :] - d.audience  # [2, 3, n]
    uu = np.stack([u[U_ACCEPT_A], u[U_ACCEPT_B]])[:, None, :]  # one uniform per party
    official = np.array(acceptance.OFFICIAL)[None, :, None]
    new_accept = acceptance.update(
        state.accept, util, uu, state.crisis[None, None, :], official, p, d.gate_closed
    )
    state.accept = new_accept & alive[None, None, :]
    state.hardening *= d.decay_hardening
    if ctx.offerer is not None:
        state.standing = standing.update_standing(
            state.standing, ctx.offer_standing[:, None], ~state.accept[:, 0, :], d.decay_standing, p
        )

    # --- process: stakeholder inclusion, trust, CBMs, phase changes
    trust = process.relax_trust(state.trust, p["trust_baseline"], p["trust_relax_days"]) + (
        process.cbm_trust_gain(state.phase, state.rung, state.crisis, ctx.cbms)
    )
    included = np.flatnonzero(state.inclusion > 0.0) if state.inclusion.any() else None
    if (state.phase >= 2).any():
        state.inclusion = process.include(state.inclusion, state.phase, state.crisis, d.p_include)
        included = np.flatnonzero(state.inclusion > 0.0)
    if included is not None and included.size:
        trust[included] += p["inclusion_trust"][included] * state.inclusion[included] / 365.0
    state.trust = np.clip(trust, 0.0, 1.0)
    both = state.accept[0] & state.accept[1]  # [3, n]
    phase = state.phase.astype(np.int64)
    # a phase whose track is no longer accepted by both falls back one step (agreement excepted)
    needs_now = _consent(both, ctx.phase_tracks, phase)
    state.phase = np.where((phase >= 1) & (phase <= 4) & ~needs_now, phase - 1, phase).astype(np.int8)
    phase = state.phase.astype(np.int64)
    nxt = np.minimum(phase + 1, 5)
    median = np.choose(nxt - 1, [p[ctx.phase_median[k]] for k in range(1, 6)])
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
    if in_force.any():
        gap = durability.legitimate_gap(p["settlement_gap"], state.inclusion, p["inclusion_legitimacy"])
        brk = in_force & (
            u[U_BREAKDOWN] < durability.breakdown_prob(state.agreement_age, state.crisis, gap, p)
        )
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


class RowView(Mapping[str, np.ndarray]):
    """The per-run parameter arrays restricted to some runs, each taken on first use."""

    def __init__(self, p: dict[str, np.ndarray], rows: np.ndarray) -> None:
        self._p, self._rows = p, rows
        self._taken: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._taken:
            self._taken[key] = self._p[key][self._rows]
        return self._taken[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._p)

    def __len__(self) -> int:
        return len(self._p)


def crisis_day(
    state: State,
    p: dict[str, np.ndarray],
    d: Derived,
    ctx: Context,
    u: np.ndarray,
    rows: np.ndarray,
    cred: np.ndarray,
    forced_moves: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """One crisis day for the runs `rows` (u is [N_UNIFORMS, len(rows)]): mediator restraint,
    escalation moves, nuclear signalling and use, fighting, ceasefire, crisis end. Updates the
    state's rows in place and returns the day's per-row outcomes."""
    q = RowView(p, rows)
    m = rows.size
    rung = state.rung[rows]
    prov = state.provocation[:, rows]
    recent = state.opponent_recent[:, rows]
    trust = state.trust[rows]
    crisis_day_ = state.crisis_day[rows]
    gp = d.gp[rows]
    if len(ctx.mediator_ids):
        active = mediators_active(state, ctx, rows)
        restraint = credibility.coalition(cred[:, :, rows], ctx.leverage, active, q["coalition_optimum"])[
            "restraint"
        ]
    else:
        restraint = np.zeros((2, m))

    # escalation moves and the dyad's rung
    r0 = rung.copy()
    moves = [
        escalation.choose(
            escalation.move_utilities(
                rung,
                prov[i],
                recent[i],
                restraint[i],
                gp,
                crisis_day_,
                q,
                ctx.both_nuclear,
                q["post_crisis_rung_cap"],
                ctx.cross_border_restraint,
                d.patron[i, rows],
            ),
            u[col],
        )
        for i, col in ((0, U_MOVE_A), (1, U_MOVE_B))
    ]
    # deliberate response: an attacked party holds below strikes until its decision day, when the
    # move's uniform decides (from the top, so a decision not to strike leaves holding likelier)
    lag_left = state.response_lag[:, rows]
    for i, col in ((0, U_MOVE_A), (1, U_MOVE_B)):
        deciding = lag_left[i] == 1
        if lag_left[i].any():
            p_strike = np.where(
                deciding,
                escalation.strike_decision_prob(
                    prov[i],
                    restraint[i],
                    gp,
                    q,
                    ctx.both_nuclear,
                    ctx.cross_border_restraint,
                    d.patron[i, rows],
                ),
                0.0,
            )
            moves[i] = escalation.deliberate(moves[i], rung, lag_left[i], u[col] > 1.0 - p_strike)
    if forced_moves is not None:  # exercise hook: a seat's move replaces the model's for that party
        moves = [
            np.where(forced_moves[i] == FREE_MOVE, moves[i], forced_moves[i]).astype(np.int8) for i in (0, 1)
        ]
    new_rung = escalation.dyad_rung(rung, moves[0], moves[1])
    score = np.zeros(m)
    deesc = np.zeros(m, dtype=np.int64)
    for i in (0, 1):
        up = moves[i] > 0
        entered = np.clip(rung + moves[i], 0, 6)
        s_i = np.where(up, ENTRY_SCORE[entered], 0.0) + np.where(moves[i] < 0, DEESC_SCORE, 0.0)
        score += s_i
        deesc += moves[i] < 0
        recent[1 - i] += up
        prov[1 - i] += np.where(
            up & (entered >= 4), KINETIC_PROVOCATION * ENTRY_SCORE[entered] / MAX_ENTRY_SCORE, 0.0
        )
        trust = np.clip(trust - q["trust_escalation_hit"] * np.maximum(s_i, 0.0) / MAX_ENTRY_SCORE, 0.0, 1.0)
    rung = new_rung

    # nuclear signalling and use
    signal = state.signal[rows]
    sig_p = nuclear.signal_prob(rung, q["ns_intercept"], q["ns_slope"], ctx.both_nuclear)
    new_signal = ~signal & (u[U_SIGNAL] < sig_p)
    signal |= new_signal
    score += np.where(new_signal, SIGNAL_SCORE, 0.0)
    use = u[U_USE] < nuclear.use_prob(rung, signal, q["nuclear_use_daily"], ctx.both_nuclear)
    score += np.where(use, NUCLEAR_SCORE, 0.0)
    fatalities = state.fatalities[rows] + np.where(use, NUCLEAR_USE_FATALITIES, 0.0)
    rung = np.where(use, 6, rung).astype(np.int8)
    nuclear_use = state.nuclear_use[rows] | use
    near_cat = new_signal | ((rung >= 5) & (r0 < 5))
    catastrophe = state.catastrophe[rows] + near_cat  # already decayed for today in `step`

    # fighting: fatalities at rung >= 4; strikes (rung 5) end by a hotline ceasefire, full-scale war
    # (rung 6) at the steady rate of wars, sustained fire across the line (rung 4) by its own
    # quieting hazard
    firing = (rung >= escalation.DELIBERATION_MAX_RUNG) & ~nuclear_use
    kinetic = (rung >= escalation.STRIKE_RUNG) & ~nuclear_use
    per_day = np.choose(
        np.clip(rung.astype(np.int64) - 3, 0, 3),
        [np.zeros(m), q["fatalities_rung4"], q["fatalities_rung5"], q["fatalities_rung6"]],
    )
    z = ndtri(np.clip(u[U_FATAL], 1e-7, 1 - 1e-7)).astype(np.float64)  # double precision from here
    fatalities += np.where(firing, per_day * np.exp(FATALITY_LOG_SD * z - FATALITY_LOG_SD**2 / 2), 0.0)
    kinetic_days = np.where(kinetic, state.kinetic_days[rows] + 1, 0)
    cf_p = np.where(
        rung >= ceasefire.WAR_RUNG,
        ceasefire.war_end_prob(q),
        ceasefire.ceasefire_prob(kinetic, catastrophe, gp, restraint.mean(axis=0), kinetic_days, q),
    )
    cf = kinetic & (u[U_CEASEFIRE] < cf_p)
    kinetic_ended = np.where(cf, kinetic_days, 0)
    rung = np.where(cf, np.minimum(rung, q["ceasefire_rung"]), rung).astype(np.int8)
    kinetic_days = np.where(cf, 0, kinetic_days)
    prov = np.where(cf[None, :], CEASEFIRE_PROVOCATION_KEPT * prov, prov)
    recent = np.where(cf[None, :], 0.0, recent)
    score += np.where(cf, CEASEFIRE_DEESCALATIONS * DEESC_SCORE, 0.0)
    deesc += CEASEFIRE_DEESCALATIONS * cf
    quiet = (
        (rung == escalation.DELIBERATION_MAX_RUNG)
        & ~nuclear_use
        & (u[U_CEASEFIRE] < ceasefire.fire_end_prob(q))
    )
    rung = np.where(quiet, rung - 1, rung).astype(np.int8)
    score += np.where(quiet, DEESC_SCORE, 0.0)
    deesc += quiet
    held = state.ceasefire_held[rows] | cf

    # crisis end
    end_p = ceasefire.crisis_end_prob(rung, crisis_day_, prov.max(axis=0), held, q)
    ended = u[U_END] < end_p
    rung = np.where(ended, np.minimum(rung, q["post_crisis_rung_cap"]), rung).astype(np.int8)

    # write the rows back
    state.rung[rows] = rung
    state.provocation[:, rows] = prov
    state.opponent_recent[:, rows] = recent
    state.trust[rows] = trust
    state.signal[rows] = signal & ~ended
    state.nuclear_use[rows] = nuclear_use
    state.fatalities[rows] = fatalities
    state.kinetic_days[rows] = kinetic_days
    state.catastrophe[rows] = catastrophe
    state.crisis[rows] = ~ended
    state.ceasefire_held[rows] = held & ~ended
    state.response_lag[:, rows] = np.where(ended[None, :], 0, np.maximum(lag_left - 1, 0))
    return {
        "score": score,
        "deesc": deesc,
        "ended": ended,
        "ended_duration": np.where(ended, crisis_day_ + 1, 0),
        "ceasefire": cf,
        "kinetic_ended": kinetic_ended,
    }


def _consent(both: np.ndarray, phase_tracks: list[list[int]], phase: np.ndarray) -> np.ndarray:
    """Whether both parties accept every track the given phase needs."""
    ok = np.ones(phase.shape, dtype=bool)
    for k in range(1, 6):
        for t in phase_tracks[k]:
            ok &= np.where(phase == k, both[t], True)
    return ok
