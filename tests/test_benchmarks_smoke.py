"""Smoke test of the Mesa baseline in benchmarks/ (a dev-only dependency): it runs for a tiny
size, produces a distribution of the highest rung, and is reproducible for a seed and for any
split of the runs over processes. No timing assertions: figures live in benchmarks/RESULTS.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

pytest.importorskip("mesa")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mesa_baseline", BENCH / "mesa_baseline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mesa_baseline"] = module
    spec.loader.exec_module(module)
    return module


def test_reduced_scenario_is_what_the_baseline_models(baseline: ModuleType) -> None:
    config = baseline.load_config()
    assert config.crisis and config.rung == 1
    assert config.params["accept_rate"] == 0.0
    assert config.attacks == {0: (26.0, 0)}  # the Pahalgam attack on India, on the first step


def test_mesa_baseline_gives_a_rung_distribution(baseline: ModuleType) -> None:
    config = baseline.load_config()
    counts = baseline.run_mesa(config, runs=30, days=60, seed=7)
    assert counts.shape == (7,)
    assert counts.sum() == 30
    assert counts[0] == 0  # the dyad starts at rung 1 and the highest rung counts the start
    assert counts[2:].sum() > 0  # a Pahalgam-size attack in a crisis escalates in some runs
    model = baseline.CrisisModel(config, days=60, rng=np.random.default_rng(1))
    model.run_model()
    series = model.datacollector.get_model_vars_dataframe()["rung"]
    assert len(series) == model.steps + 1  # the initial state plus one row per day
    assert series.between(0, 6).all()


def test_mesa_baseline_is_reproducible_and_split_invariant(baseline: ModuleType) -> None:
    config = baseline.load_config()
    whole = baseline.run_mesa(config, runs=12, days=40, seed=3)
    again = baseline.run_mesa(config, runs=12, days=40, seed=3)
    parts = baseline.run_mesa(config, runs=5, days=40, seed=3, first=0) + baseline.run_mesa(
        config, runs=7, days=40, seed=3, first=5
    )
    np.testing.assert_array_equal(whole, again)
    np.testing.assert_array_equal(whole, parts)


def test_comparison_of_identical_samples_is_homogeneous(baseline: ModuleType) -> None:
    counts = np.array([0, 5, 10, 20, 300, 600, 65])
    result = baseline.compare(counts, counts * 2)
    assert result["p_value"] > 0.99
    assert all(abs(r["diff"]) < 1e-12 for r in result["rows"])
