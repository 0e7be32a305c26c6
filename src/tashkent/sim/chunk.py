"""Run one chunk of an ensemble: a contiguous range of blocks (BLOCK_RUNS runs each) over H days.

A pure function of (scenario data, seed, days, block range, options): it samples the blocks'
parameters, draws their uniforms from per-block generators, steps the model day by day and returns
a `Partial` of integer counts (plus a small per-block table and a few kept trajectories)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from tashkent.scenario.schema import Scenario
from tashkent.sim.context import build_context, phase_parameters
from tashkent.sim.counts import Counts
from tashkent.sim.outcomes import FATALITY_EDGES, SCORE_MAX, SCORE_MIN, TRACKS, metric_names, milestone_days
from tashkent.sim.params import ParamMode, block_parameters, check_parameters, expand
from tashkent.sim.seeds import BIASES, BLOCK_RUNS, dynamics_rng, keyed_uniforms
from tashkent.sim.state import initial_state
from tashkent.sim.step import N_UNIFORMS, derive, step

SLAB_DAYS = 32  # uniforms are drawn per block in slabs of this many days
Engine = Literal["compiled", "numpy"]


def _default_engine() -> Engine:
    """The compiled stepper unless TASHKENT_ENGINE=numpy asks for the reference."""
    return "numpy" if os.environ.get("TASHKENT_ENGINE") == "numpy" else "compiled"


@dataclass(frozen=True)
class ChunkSpec:
    scenario: dict[str, Any]  # validated scenario as JSON-able data
    seed: int
    days: int
    block_start: int
    n_blocks: int
    keep_trajectories: int = 0  # keep daily trajectories of runs with global index < this
    param_mode: ParamMode = "sample"
    overrides: dict[str, Any] | None = None  # per-parameter link inputs (e.g. from bargaining)
    # Designed experiments (`tashkent.explore`): this chunk's rows of a design, one per block:
    # {"values": {parameter: [value per block]}, "streams": [random-stream block per block]}.
    design: dict[str, Any] | None = None
    # "compiled": sim.kernel; "numpy": the reference stepper of sim.step (the same numbers, slower)
    engine: Engine = field(default_factory=lambda: _default_engine())


def _bias_noise(
    seed: int, ctx_ids: list[str], parties: tuple[str, str], streams: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """Per-run mediator-bias perturbations [M, 2, n]: one standard normal per block of the keyed
    stream (block `streams[j]` for the chunk's j-th block), scaled by the run's `mediator_bias_sd`."""
    from scipy.special import ndtri

    m = len(ctx_ids)
    n_blocks = len(streams)
    out = np.zeros((m, 2, n_blocks * BLOCK_RUNS))
    for a, mid in enumerate(ctx_ids):
        for i, party in enumerate(parties):
            lo, hi = int(streams.min()), int(streams.max()) + 1
            u = keyed_uniforms(seed, BIASES, f"{mid}->{party}", lo, hi - lo)[streams - lo]
            out[a, i] = np.repeat(ndtri(np.clip(u, 1e-9, 1 - 1e-9)), BLOCK_RUNS) * sd
    return out


def run_chunk(spec: ChunkSpec) -> Counts:
    """Simulate the chunk's blocks day by day and return its integer counts (see module doc)."""
    scenario = Scenario.model_validate(spec.scenario)
    check_parameters(scenario)
    ctx = build_context(scenario)
    table = {**scenario.parameters, **phase_parameters(scenario)}
    bp = block_parameters(table, spec.seed, spec.block_start, spec.n_blocks, spec.param_mode)
    for k, v in (spec.overrides or {}).items():
        bp[k] = np.full(spec.n_blocks, float(v))
    # A design fixes each block's parameters and the random stream it replays; without one,
    # block b uses stream b.
    streams = np.arange(spec.block_start, spec.block_start + spec.n_blocks)
    if spec.design is not None:
        for k, v in spec.design["values"].items():
            bp[k] = np.asarray(v, dtype=np.float64)
        streams = np.asarray(spec.design["streams"], dtype=np.int64)
    p = expand(bp)
    n = spec.n_blocks * BLOCK_RUNS
    H = spec.days
    d = derive(p, ctx)
    noise = (
        _bias_noise(spec.seed, ctx.mediator_ids, ctx.parties, streams, p["mediator_bias_sd"])
        if spec.param_mode == "sample" or spec.design is not None
        else 0.0
    )
    state = initial_state(scenario, ctx, n, np.zeros((len(ctx.mediator_ids), 2, n)) + noise)
    rngs = [dynamics_rng(spec.seed, int(b)) for b in streams]

    names = metric_names(ctx.parties)
    first = np.full((len(names), n), H + 1, dtype=np.int32)
    idx = {name: i for i, name in enumerate(names)}
    mdays = milestone_days(H)
    fat_at = np.zeros((len(mdays), n))
    rung_daily = np.zeros((H + 1, 7), dtype=np.int64)
    phase_daily = np.zeros((H + 1, 6), dtype=np.int64)
    crisis_daily = np.zeros(H + 1, dtype=np.int64)
    score_hist = np.zeros((H + 1, SCORE_MAX - SCORE_MIN + 1), dtype=np.int64)
    deesc_daily = np.zeros(H + 1, dtype=np.int64)
    trust_daily = np.zeros(H + 1, dtype=np.int64)  # sum of round(trust × 10^4)
    duration_hist = np.zeros(H + 2, dtype=np.int64)  # completed crisis durations (days)
    kinetic_hist = np.zeros(H + 2, dtype=np.int64)
    total_score = np.zeros(n, dtype=np.int64)
    crises = np.zeros(n, dtype=np.int32)
    global_run = spec.block_start * BLOCK_RUNS + np.arange(n)
    keep = global_run < spec.keep_trajectories
    traj: dict[str, list[np.ndarray]] = {
        k: [] for k in ("rung", "score", "phase", "trust", "crisis", "fatalities")
    }

    if spec.engine == "numpy":
        _run_numpy(state, p, d, ctx, rngs, H, first, idx, mdays, fat_at, rung_daily, phase_daily,
                   crisis_daily, score_hist, deesc_daily, trust_daily, duration_hist, kinetic_hist,
                   total_score, crises, keep, traj)  # fmt: skip
    else:
        from tashkent.sim import kernel

        n_keep = int(keep.sum())
        tr: dict[str, np.ndarray] = {
            "rung": np.zeros((n_keep, H + 1), dtype=np.int8),
            "score": np.zeros((n_keep, H + 1)),
            "phase": np.zeros((n_keep, H + 1), dtype=np.int8),
            "trust": np.zeros((n_keep, H + 1)),
            "crisis": np.zeros((n_keep, H + 1), dtype=bool),
            "fatalities": np.zeros((n_keep, H + 1)),
        }
        rec: dict[str, Any] = {
            "first": first, "crises": crises, "total_score": total_score, "rung_daily": rung_daily,
            "phase_daily": phase_daily, "crisis_daily": crisis_daily, "trust_daily": trust_daily,
            "score_hist": score_hist, "deesc_daily": deesc_daily, "duration_hist": duration_hist,
            "kinetic_hist": kinetic_hist, "milestones": mdays, "fat_at": fat_at, "n_keep": n_keep,
            "traj": tr,
        }  # fmt: skip
        kernel.simulate(state, p, d, ctx, rngs, H, SLAB_DAYS, N_UNIFORMS, BLOCK_RUNS, rec)
        traj = {k: [v[:, t] for t in range(H + 1)] if n_keep else [] for k, v in tr.items()}
    censored = int(state.crisis.sum())

    # per-block milestone counts → sums and sums of squares (exact integers)
    nb = spec.n_blocks
    ms_sum = np.zeros((len(names), len(mdays)), dtype=np.int64)
    ms_sq = np.zeros_like(ms_sum)
    block_rows: dict[str, np.ndarray] = {"block": np.arange(spec.block_start, spec.block_start + nb)}
    for j, dd in enumerate(mdays):
        hit = (first <= dd).reshape(len(names), nb, BLOCK_RUNS).sum(axis=2)
        ms_sum[:, j] = hit.sum(axis=1)
        ms_sq[:, j] = (hit.astype(np.int64) ** 2).sum(axis=1)
        if dd == H:
            for i, name in enumerate(names):
                block_rows[f"p_{name}"] = hit[i] / BLOCK_RUNS
    for name, v in bp.items():
        block_rows[f"param_{name}"] = v
    cost_norm = -np.expm1(-state.cost / 50.0)  # normalised cost index in [0, 1)
    # Per-block means of the continuous outcomes (for designed experiments and drivers).
    block_rows["p_crisis_ongoing"] = state.crisis.reshape(nb, BLOCK_RUNS).mean(axis=1)
    block_rows["mean_fatalities"] = state.fatalities.reshape(nb, BLOCK_RUNS).mean(axis=1)
    block_rows["mean_escalation_score"] = total_score.reshape(nb, BLOCK_RUNS).mean(axis=1)
    block_rows["mean_trust"] = state.trust.reshape(nb, BLOCK_RUNS).mean(axis=1)
    for i, party in enumerate(ctx.parties):
        block_rows[f"mean_cost_{party}"] = cost_norm[i].reshape(nb, BLOCK_RUNS).mean(axis=1)
    fat_hist = np.stack([np.histogram(fat_at[j], bins=FATALITY_EDGES)[0] for j in range(len(mdays))]).astype(
        np.int64
    )
    first_hist = np.stack([np.bincount(first[i], minlength=H + 2) for i in range(len(names))]).astype(
        np.int64
    )
    # highest rung of each run: the number of rungs k whose first passage fell within the horizon
    max_rung = sum((first[idx[f"rung_ge_{k}"]] <= H).astype(np.int64) for k in range(1, 7))
    return Counts(
        runs=n,
        days=H,
        block_start=spec.block_start,
        n_blocks=nb,
        metrics=names,
        milestones=mdays,
        first_hist=first_hist,
        ms_sum=ms_sum,
        ms_sq=ms_sq,
        rung_daily=rung_daily,
        phase_daily=phase_daily,
        crisis_daily=crisis_daily,
        score_hist=score_hist,
        deesc_daily=deesc_daily,
        trust_daily=trust_daily,
        fat_hist=fat_hist,
        duration_hist=duration_hist,
        duration_censored=int(censored),
        kinetic_hist=kinetic_hist,
        max_rung_hist=np.bincount(max_rung, minlength=7).astype(np.int64),
        crises_hist=np.bincount(np.minimum(crises, 20), minlength=21).astype(np.int64),
        total_score_sum=int(total_score.sum()),
        cost_sum=np.rint(cost_norm * 1e6).astype(np.int64).sum(axis=1),
        blocks=block_rows,
        trajectories={
            k: (np.stack(v, axis=1) if v and keep.any() else np.zeros((0, H + 1))) for k, v in traj.items()
        },
        trajectory_runs=global_run[keep],
    )


def _run_numpy(
    state, p, d, ctx, rngs, H, first, idx, mdays, fat_at, rung_daily, phase_daily, crisis_daily,
    score_hist, deesc_daily, trust_daily, duration_hist, kinetic_hist, total_score, crises, keep, traj,
) -> None:  # fmt: skip
    """The reference loop: `sim.step.step` over all runs, a day at a time, recorded here."""
    n = state.n
    last: dict[str, np.ndarray] = {}

    def changed_rows() -> np.ndarray | None:
        """Runs whose recorded state changed since the last call (None: all runs, the first time)."""
        now = {
            "rung": state.rung,
            "phase": state.phase,
            "signal": state.signal,
            "agreement": state.agreement_age >= 0,
            "use": state.nuclear_use,
            "accept": state.accept.reshape(6, -1),
        }
        if not last:
            last.update({k: v.copy() for k, v in now.items()})
            return None
        diff = np.zeros(n, dtype=bool)
        for k, v in now.items():
            d = v != last[k]
            diff |= d.any(axis=0) if d.ndim == 2 else d
            last[k] = v.copy()
        return np.flatnonzero(diff)

    def record(day: int, score: np.ndarray) -> None:
        rung_daily[day] += np.bincount(state.rung, minlength=7)
        phase_daily[day] += np.bincount(state.phase, minlength=6)
        crisis_daily[day] += int(state.crisis.sum())
        trust_daily[day] += int(np.rint(state.trust * 1e4).sum())
        # First-passage days change only where the state changed: look at those runs alone.
        rows = changed_rows()
        if rows is None or rows.size:
            sel = slice(None) if rows is None else rows
            rung, phase, acc = state.rung[sel], state.phase[sel], state.accept[:, :, sel]
            conds = {f"rung_ge_{k}": rung >= k for k in range(1, 7)}
            conds.update({f"phase_ge_{k}": phase >= k for k in range(1, 6)})
            conds["nuclear_signal"] = state.signal[sel]
            conds["agreement"] = state.agreement_age[sel] >= 0
            conds["mediation"] = (acc[0, 1] & acc[1, 1]) | (acc[0, 2] & acc[1, 2])
            conds["nuclear_use"] = state.nuclear_use[sel]
            for i, party in enumerate(ctx.parties):
                for t, track in enumerate(TRACKS):
                    conds[f"accept_{party}_{track}"] = acc[i, t]
            for name, cond in conds.items():
                row = first[idx[name]]
                row[sel] = np.minimum(row[sel], np.where(cond, day, H + 1))
        s = np.clip(np.rint(score).astype(np.int64), SCORE_MIN, SCORE_MAX) - SCORE_MIN
        score_hist[day] += np.bincount(s, minlength=SCORE_MAX - SCORE_MIN + 1)
        if keep.any():
            traj["rung"].append(state.rung[keep].copy())
            traj["score"].append(score[keep].copy())
            traj["phase"].append(state.phase[keep].copy())
            traj["trust"].append(state.trust[keep].copy())
            traj["crisis"].append(state.crisis[keep].copy())
            traj["fatalities"].append(state.fatalities[keep].copy())

    record(0, np.zeros(n))
    slab = np.empty((0,))
    for day in range(1, H + 1):
        slot = (day - 1) % SLAB_DAYS
        if slot == 0:
            slab = np.concatenate(
                [rng.random((SLAB_DAYS, N_UNIFORMS, BLOCK_RUNS), dtype=np.float32) for rng in rngs], axis=2
            )
        # events dated start_date + k apply on the step that produces day k + 1
        out = step(state, p, d, ctx, slab[slot], ctx.schedule.get(day - 1, []))
        first[idx["crisis"]] = np.minimum(first[idx["crisis"]], np.where(out.new_crisis, day, H + 1))
        first[idx["ceasefire"]] = np.minimum(first[idx["ceasefire"]], np.where(out.ceasefire, day, H + 1))
        crises += out.new_crisis
        duration_hist += np.bincount(out.ended_duration[out.ended_crisis], minlength=H + 2)[: H + 2]
        kinetic_hist += np.bincount(out.kinetic_ended[out.ceasefire], minlength=H + 2)[: H + 2]
        deesc_daily[day] += int(out.deescalations.sum())
        total_score += np.rint(out.score).astype(np.int64)
        record(day, out.score)
        if day in mdays:
            fat_at[mdays.index(day)] = state.fatalities
