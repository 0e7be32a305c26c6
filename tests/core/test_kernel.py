"""The compiled stepper (`tashkent.sim.kernel`) against the numpy reference (`tashkent.sim.step`):
the same counts on every built-in scenario, and the same states and records from random states."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tashkent.api import load
from tashkent.scenario.load import scenario_to_data
from tashkent.sim.chunk import SLAB_DAYS, ChunkSpec, _run_numpy, run_chunk
from tashkent.sim.context import build_context, phase_parameters
from tashkent.sim.outcomes import SCORE_MAX, SCORE_MIN, metric_names, milestone_days
from tashkent.sim.params import block_parameters, expand
from tashkent.sim.seeds import BLOCK_RUNS, dynamics_rng
from tashkent.sim.state import initial_state
from tashkent.sim.step import N_UNIFORMS, derive

SCENARIOS = ("kashmir-2025", "pahalgam-2025", "pakistan-afghanistan-2025")
# every kind of scheduled event, on the offerer and on other actors
INJECTS = [
    "2025-11-25:faction_shift:actor=RUS,target=PAK,delta=0.2",
    "2025-11-28:attack:fatalities=30",
    "2025-12-02:bias_shift:actor=USA,target=IND,delta=-0.3",
    "2025-12-09:leave:actor=RUS",
    "2025-12-20:join:actor=RUS",
    "2026-01-05:trust_shock:delta=-0.2",
    "2026-01-10:faction_shift:actor=CHN,target=PAK,delta=0.3",
]


def _assert_same(a: object, b: object, path: str = "") -> None:
    """Integer counts equal exactly; floating values (trajectories) to the last bits."""
    if dataclasses.is_dataclass(a):
        a, b = vars(a), vars(b)
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _assert_same(a[k], b[k], f"{path}.{k}")
        return
    x, y = np.asarray(a), np.asarray(b)
    assert x.shape == y.shape and x.dtype == y.dtype, path
    if np.issubdtype(x.dtype, np.floating):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12, err_msg=path)
    else:
        np.testing.assert_array_equal(x, y, err_msg=path)


@pytest.mark.parametrize("name", [*SCENARIOS, "kashmir-2025+injects"])
def test_compiled_chunk_equals_the_numpy_reference(name):
    base, _, injects = name.partition("+")
    scenario = load(base, inject=INJECTS if injects else None)
    spec = ChunkSpec(
        scenario=scenario_to_data(scenario), seed=11, days=90, block_start=2, n_blocks=4,
        keep_trajectories=250, engine="compiled",
    )  # fmt: skip
    _assert_same(run_chunk(dataclasses.replace(spec, engine="numpy")), run_chunk(spec))


def _random_state(name: str, seed: int):  # type: ignore[no-untyped-def]
    """A chunk's inputs with every state variable drawn at random (crises, fighting, deliberation,
    acceptance, phases, agreements, nuclear use), so that both steppers meet every branch."""
    scenario = load(name)
    ctx = build_context(scenario)
    table = {**scenario.parameters, **phase_parameters(scenario)}
    nb = 3
    p = expand(block_parameters(table, seed, 0, nb, "sample"))
    n = nb * BLOCK_RUNS
    rng = np.random.default_rng(seed)
    m = len(ctx.mediator_ids)
    state = initial_state(scenario, ctx, n, rng.normal(0.0, 0.3, (m, 2, n)))
    state.rung = rng.integers(0, 7, n).astype(np.int8)
    state.crisis = rng.random(n) < 0.6
    state.crisis_day = rng.integers(0, 60, n).astype(np.int32)
    state.kinetic_days = np.where(state.rung >= 5, rng.integers(0, 5, n), 0).astype(np.int32)
    state.signal = state.crisis & (rng.random(n) < 0.3)
    state.nuclear_use = rng.random(n) < 0.02
    state.provocation = rng.exponential(0.8, (2, n))
    state.opponent_recent = rng.exponential(0.5, (2, n))
    state.trust = rng.random(n)
    state.accept = rng.random((2, 3, n)) < 0.5
    state.phase = rng.integers(0, 6, n).astype(np.int8)
    state.agreement_age = np.where(state.phase == 5, rng.integers(0, 300, n), -1).astype(np.int32)
    state.freeze = rng.integers(0, 3, n).astype(np.int32)
    state.fatalities = rng.exponential(50.0, n)
    state.hurt = rng.exponential(1.0, (2, n))
    state.catastrophe = rng.exponential(0.3, n)
    state.forced_active = rng.integers(-1, 2, (m, n)).astype(np.int8)
    state.response_lag = np.where(state.crisis, rng.integers(0, 4, (2, n)), 0).astype(np.int32)
    state.ceasefire_held = state.crisis & (rng.random(n) < 0.3)
    state.offer_bias = rng.uniform(-0.5, 0.5, (2, n))
    state.standing = rng.uniform(-0.5, 0.5, (2, n))
    state.hardening = rng.exponential(0.5, (2, n))
    state.inclusion = np.where(rng.random(n) < 0.5, rng.random(n), 0.0)
    return state, p, derive(p, ctx), ctx, [dynamics_rng(seed, b) for b in range(nb)]


def _records(ctx, n: int, H: int) -> dict:  # type: ignore[no-untyped-def]
    names = metric_names(ctx.parties)
    mdays = milestone_days(H)
    return {
        "first": np.full((len(names), n), H + 1, dtype=np.int32),
        "idx": {k: i for i, k in enumerate(names)},
        "mdays": mdays,
        "fat_at": np.zeros((len(mdays), n)),
        "rung_daily": np.zeros((H + 1, 7), dtype=np.int64),
        "phase_daily": np.zeros((H + 1, 6), dtype=np.int64),
        "crisis_daily": np.zeros(H + 1, dtype=np.int64),
        "score_hist": np.zeros((H + 1, SCORE_MAX - SCORE_MIN + 1), dtype=np.int64),
        "deesc_daily": np.zeros(H + 1, dtype=np.int64),
        "trust_daily": np.zeros(H + 1, dtype=np.int64),
        "duration_hist": np.zeros(H + 2, dtype=np.int64),
        "kinetic_hist": np.zeros(H + 2, dtype=np.int64),
        "total_score": np.zeros(n, dtype=np.int64),
        "crises": np.zeros(n, dtype=np.int32),
    }


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("seed", [1, 2])
def test_compiled_days_from_random_states_equal_the_numpy_reference(name, seed):
    from tashkent.sim import kernel

    H = SLAB_DAYS + 8  # two slabs of uniforms
    out = {}
    for engine in ("numpy", "compiled"):
        state, p, d, ctx, rngs = _random_state(name, seed)
        r = _records(ctx, state.n, H)
        if engine == "numpy":
            keep = np.zeros(state.n, dtype=bool)
            traj: dict = {k: [] for k in ("rung", "score", "phase", "trust", "crisis", "fatalities")}
            _run_numpy(state, p, d, ctx, rngs, H, r["first"], r["idx"], r["mdays"], r["fat_at"],
                       r["rung_daily"], r["phase_daily"], r["crisis_daily"], r["score_hist"],
                       r["deesc_daily"], r["trust_daily"], r["duration_hist"], r["kinetic_hist"],
                       r["total_score"], r["crises"], keep, traj)  # fmt: skip
        else:
            kinds = ("rung", "score", "phase", "trust", "crisis", "fatalities")
            tr = {k: np.zeros((0, H + 1)) for k in kinds}
            rec = {**r, "milestones": r["mdays"], "n_keep": 0, "traj": tr}
            kernel.simulate(state, p, d, ctx, rngs, H, SLAB_DAYS, N_UNIFORMS, BLOCK_RUNS, rec)
        state.cache.clear()
        r.pop("idx")
        out[engine] = {"state": vars(state), "records": r}
    _assert_same(out["numpy"], out["compiled"])
    # the random states did reach the branches that matter
    assert out["numpy"]["records"]["duration_hist"].sum() > 0
    assert out["numpy"]["records"]["kinetic_hist"].sum() > 0


def test_compiled_normal_quantile_matches_scipy():
    from scipy.special import ndtri

    from tashkent.sim import kernel

    u = np.concatenate(
        [np.random.default_rng(3).random(20_000, dtype=np.float32), np.float32([0.0, 0.5, 1e-7, 0.9999999])]
    )
    ours = np.array([kernel.ndtri32(x) for x in u], dtype=np.float32)
    np.testing.assert_array_equal(ours, ndtri(np.clip(u, 1e-7, 1 - 1e-7)))
