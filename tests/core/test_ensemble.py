"""Ensembles: identical results for any chunk size, worker count and Dask; resume equals an
uninterrupted run; behaviour of the coupled model on the built-in scenarios."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tashkent.scenario import load_scenario
from tashkent.sim.document import document, forecast
from tashkent.sim.ensemble import RunConfig, run_ensemble
from tashkent.store.chunks import ChunkFolder, done_chunks

SCENARIO = load_scenario("kashmir-2025")


def _doc(**kw) -> str:
    cfg = RunConfig(runs=kw.pop("runs", 1200), days=kw.pop("days", 120), seed=kw.pop("seed", 7), **kw)
    total = run_ensemble(SCENARIO, cfg)
    return json.dumps(document(SCENARIO, cfg, total), sort_keys=True)


def test_same_numbers_for_any_chunk_size_and_worker_count():
    a = _doc(chunk_runs=100)
    assert a == _doc(chunk_runs=500)
    assert a == _doc(chunk_runs=1200)
    assert a == _doc(chunk_runs=300, workers=2)


def test_same_numbers_on_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask_doc = _doc(chunk_runs=300, dask=cluster.scheduler_address)
    assert dask_doc == _doc(chunk_runs=600)


def test_different_seeds_differ():
    assert _doc(seed=1) != _doc(seed=2)


def test_resume_after_losing_chunks_gives_identical_numbers(tmp_path):
    cfg = RunConfig(runs=1000, days=90, seed=11, chunk_runs=200)
    full = run_ensemble(SCENARIO, cfg, chunks=ChunkFolder(tmp_path))
    chunks = done_chunks(tmp_path)
    assert len(chunks) == 5
    for block in (2, 6):  # as if the run had been interrupted with these chunks in flight
        chunks[block].unlink()
    calls: list[int] = []
    resumed = run_ensemble(
        SCENARIO, cfg, chunks=ChunkFolder(tmp_path), progress=lambda done, total: calls.append(done)
    )
    assert calls[0] == 600  # the three kept chunks were loaded, not recomputed
    a = json.dumps(document(SCENARIO, cfg, full), sort_keys=True)
    b = json.dumps(document(SCENARIO, cfg, resumed), sort_keys=True)
    assert a == b


def test_trajectories_kept_for_a_sample_only():
    cfg = RunConfig(runs=500, days=30, seed=3, chunk_runs=200, keep_trajectories=150)
    total = run_ensemble(SCENARIO, cfg)
    assert total.trajectory_runs.tolist() == list(range(150))
    assert total.trajectories["rung"].shape == (150, 31)


def test_forecast_document_has_the_documented_keys():
    doc = forecast(SCENARIO, runs=500, days=400, seed=5)
    assert {"scenario", "runs", "days", "seed", "milestones", "se"} <= set(doc)
    assert list(doc["milestones"]) == ["30", "90", "180", "365", "400"]
    for m in doc["milestones"].values():
        for key in ("p_crisis", "p_nuclear_signal", "p_agreement"):
            assert 0.0 <= m[key] <= 1.0
        assert list(m["p_rung_ge"]) == ["1", "2", "3", "4", "5", "6"]
        assert list(m["p_phase_ge"]) == ["1", "2", "3", "4", "5"]
        assert set(m["p_accept"]) == {"IND", "PAK"} and set(m["p_accept"]["IND"]) == {"II", "1.5", "I"}
        assert set(m["fatalities_quantiles"]) == {"0.5", "0.9", "0.99"}
        rung = [m["p_rung_ge"][str(k)] for k in range(1, 7)]
        assert rung == sorted(rung, reverse=True)
    assert 0 < doc["se"] < 0.1
    assert doc["milestones"]["400"]["p_rung_ge"]["2"] == 1.0  # starts at rung 2


def test_probabilities_grow_with_the_horizon():
    doc = forecast(SCENARIO, runs=2000, days=365, seed=9)
    p = [doc["milestones"][d]["p_crisis"] for d in ("30", "90", "180", "365")]
    assert p == sorted(p) and p[-1] > p[0]


def test_closed_consent_gate_keeps_track_one_at_zero():
    # Make India as willing as possible, then close the Simla gate.
    sets = [
        "parameters.audience_cost_IND_1_5=-5",
        "parameters.audience_cost_IND_I=-5",
        "parameters.audience_cost_IND_II=-5",
        "parameters.accept_rate=50",
    ]
    open_gate = forecast(load_scenario("kashmir-2025", sets=sets), runs=1000, days=365, seed=4)
    closed = forecast(
        load_scenario("kashmir-2025", sets=[*sets, "parameters.consent_gate_open=0"]),
        runs=1000,
        days=365,
        seed=4,
    )
    m_open, m_closed = open_gate["milestones"]["365"], closed["milestones"]["365"]
    assert m_open["p_accept"]["IND"]["I"] > 0.5
    assert m_closed["p_accept"]["IND"]["I"] == 0 and m_closed["p_accept"]["IND"]["1.5"] == 0
    assert (
        m_closed["p_phase_ge"]["3"] == 0 and m_closed["p_phase_ge"]["4"] == 0 and m_closed["p_mediation"] == 0
    )
    assert m_closed["p_accept"]["IND"]["II"] > 0.5  # Track II is not gated


def test_an_injected_attack_raises_crisis_and_escalation_with_common_random_numbers():
    base = forecast(SCENARIO, runs=1000, days=180, seed=8)
    hit = forecast(
        load_scenario("kashmir-2025", injects=["2026-02-15:attack:fatalities=40"]),
        runs=1000,
        days=180,
        seed=8,
    )
    b, h = base["milestones"]["180"], hit["milestones"]["180"]
    assert h["p_crisis"] == 1.0 > b["p_crisis"]
    assert h["p_rung_ge"]["4"] > b["p_rung_ge"]["4"]
    assert base["milestones"]["30"] == hit["milestones"]["30"]  # identical before the inject (day 87)


def test_attacks_never_raise_trust():
    from tashkent.scenario.load import scenario_to_data
    from tashkent.sim.chunk import ChunkSpec, run_chunk

    def mean_trust(scenario):
        part = run_chunk(
            ChunkSpec(scenario=scenario_to_data(scenario), seed=2, days=60, block_start=0, n_blocks=3)
        )
        return part.trust_daily / part.runs

    calm = mean_trust(load_scenario("kashmir-2025", sets=["parameters.attack_rate=0.0001"]))
    hit = mean_trust(
        load_scenario(
            "kashmir-2025",
            sets=["parameters.attack_rate=0.0001"],
            injects=["2025-12-01:attack:fatalities=60"],
        )
    )
    assert np.all(hit <= calm) and hit[-1] < calm[-1]


def test_pahalgam_replay_escalates_like_the_nuclear_era_record():
    doc = forecast(load_scenario("pahalgam-2025"), runs=3000, days=60, seed=12)
    m = doc["milestones"]["60"]
    # 2001-2025 attack crises reached rungs 3, 3, 1, 4, 5, 5 (the crisis record): most mobilise, few go to war
    assert m["p_rung_ge"]["3"] > 0.6
    assert 0.1 < m["p_rung_ge"]["5"] < 0.5
    assert m["p_rung_ge"]["6"] < 0.08
    assert 0.2 < m["p_nuclear_signal"] < 0.9


def test_bad_run_settings_are_user_errors():
    from tashkent.errors import UserError

    with pytest.raises(UserError, match="multiple of 100"):
        RunConfig(runs=150).validate()
    with pytest.raises(UserError, match=r"^days="):
        RunConfig(days=0).validate()


def test_counts_merge_is_exact_and_order_free():
    from tashkent.scenario.load import scenario_to_data
    from tashkent.sim.chunk import ChunkSpec, run_chunk

    data = scenario_to_data(SCENARIO)
    a, b, c = (
        run_chunk(ChunkSpec(scenario=data, seed=5, days=40, block_start=s, n_blocks=2, keep_trajectories=300))
        for s in (0, 2, 4)
    )
    ab_c, c_ba = a.merge(b).merge(c), c.merge(b.merge(a))
    assert ab_c.runs == 600 and ab_c.n_blocks == 6
    for name in ab_c.SUMMED:
        assert np.array_equal(getattr(ab_c, name), getattr(c_ba, name)), name
    assert list(ab_c.blocks["block"]) == list(c_ba.blocks["block"]) == [0, 1, 2, 3, 4, 5]
    assert list(ab_c.trajectory_runs) == list(range(300))
    assert np.array_equal(ab_c.trajectories["rung"], c_ba.trajectories["rung"])
    with pytest.raises(ValueError, match="cannot be merged"):
        a.merge(run_chunk(ChunkSpec(scenario=data, seed=5, days=41, block_start=6, n_blocks=1)))


def test_run_config_names_every_invalid_field():
    from tashkent.errors import UserError

    for field, value in (
        ("runs", 150),
        ("days", 0),
        ("seed", -1),
        ("chunk_runs", 50),
        ("workers", 0),
        ("dask", ""),
        ("keep_trajectories", -1),
        ("param_mode", "bogus"),
        ("overrides", {"way_out": float("nan")}),
        ("runs", 100.5),
    ):
        with pytest.raises(UserError, match=rf"^{field}="):
            RunConfig(**{field: value}).validate()
