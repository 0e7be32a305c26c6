"""The shortcuts of the fast paths give the numbers of the long way round: the bargaining link read
from the on-disk cache, keyed uniforms that jump to their block, and the ensemble's bounded
per-block table."""

from __future__ import annotations

import json

import numpy as np

from tashkent.api import load
from tashkent.bargain.link import _bargaining_overrides, bargaining_overrides
from tashkent.scenario.load import with_overrides
from tashkent.sim.ensemble import RunConfig, run_ensemble
from tashkent.sim.seeds import keyed_uniforms, name_key


def test_bargaining_link_from_the_cache_equals_the_computed_one(_isolated_home):
    sc = load("kashmir-2025")
    computed = _bargaining_overrides(sc)
    first = bargaining_overrides(sc)  # computes and writes the cache
    files = list((_isolated_home / "cache" / "bargaining-link").glob("*.json"))
    assert len(files) == 1
    second = bargaining_overrides(sc)  # read back
    assert first == second == computed
    assert json.loads(files[0].read_text())["value"][0] == computed[0]
    # another scenario (here: another seed of the reservation forecast) is another entry
    seed = sc.bargaining.reservation.seed
    other = with_overrides(sc, {"bargaining.reservation.seed": seed + 1})
    bargaining_overrides(other)
    assert len(list(files[0].parent.glob("*.json"))) == 2


def test_a_corrupt_cache_entry_is_recomputed(_isolated_home):
    sc = load("kashmir-2025")
    want = bargaining_overrides(sc)
    (path,) = (_isolated_home / "cache" / "bargaining-link").glob("*.json")
    path.write_text("{not json")
    assert bargaining_overrides(sc) == want


def test_keyed_uniforms_jump_to_their_block():
    ss = np.random.SeedSequence(7, spawn_key=(1, name_key("attack_rate")))
    every = np.random.Generator(np.random.PCG64(ss)).random(1000)
    assert np.array_equal(keyed_uniforms(7, 1, "attack_rate", 990, 10), every[990:])
    assert np.array_equal(keyed_uniforms(7, 1, "attack_rate", 0, 3), every[:3])


def test_the_per_block_table_is_bounded_and_the_counts_do_not_change():
    sc = load("pahalgam-2025")
    cfg = RunConfig(runs=600, days=20, chunk_runs=200, workers=1, keep_trajectories=150)
    full = run_ensemble(sc, cfg)
    some = run_ensemble(sc, cfg, keep_blocks=3)
    none = run_ensemble(sc, cfg, keep_blocks=0)
    assert list(full.blocks["block"]) == [0, 1, 2, 3, 4, 5]
    assert list(some.blocks["block"]) == [0, 1, 2] and none.blocks == {}
    for k, v in full.blocks.items():
        assert np.array_equal(some.blocks[k], v[:3])
    for other in (some, none):
        for k in full.SUMMED:
            assert np.array_equal(np.asarray(getattr(other, k)), np.asarray(getattr(full, k))), k
        for k, v in full.trajectories.items():
            assert other.trajectories[k].dtype == v.dtype and np.array_equal(other.trajectories[k], v)


def test_blocks_parquet_written_during_the_run_equals_the_one_from_the_chunk_files(_isolated_home):
    from tashkent import api
    from tashkent.store.results import BlockTableWriter, write_blocks

    fc = api.forecast("pahalgam-2025", runs=600, days=10, chunk_runs=200, workers=1, store=True)
    path = fc.run_dir / "blocks.parquet"
    during = path.read_bytes()
    write_blocks(fc.run_dir)  # the old way: read back from the chunk files
    assert path.read_bytes() == during
    # chunks arriving out of order are written in block order; an aborted writer leaves nothing
    tables = {b: {"block": np.arange(b, b + 2), "p_x": np.full(2, b / 10)} for b in (0, 2, 4)}
    out = _isolated_home / "w"
    out.mkdir()
    writer = BlockTableWriter(out, [0, 2, 4])
    for b in (4, 0, 2):
        writer.add(b, tables[b])
    writer.close()
    import pandas as pd

    assert list(pd.read_parquet(out / "blocks.parquet")["block"]) == [0, 1, 2, 3, 4, 5]
    broken = BlockTableWriter(out, [0, 2])
    broken.add(0, tables[0])
    broken.abort()
    assert sorted(p.name for p in out.iterdir()) == ["blocks.parquet"]


def test_the_command_line_is_assembled_without_the_numeric_libraries():
    """`tashkent --help` must not pay for numpy, scipy, pandas, pydantic, SQLAlchemy, numba or
    xarray: command modules import them when a command runs (decision 0072)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import tashkent

    heavy = ("numpy", "scipy", "pandas", "pydantic", "sqlalchemy", "numba", "xarray", "pyarrow")
    code = f"import sys, tashkent.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(Path(tashkent.__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"
