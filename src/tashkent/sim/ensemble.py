"""Run an ensemble: split N runs into chunks of whole blocks, execute them in-process, in local
processes or on a Dask cluster, merge their counts as they arrive, and (optionally) keep each
finished chunk on disk so an interrupted run can be resumed with identical results."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.errors import UserError
from tashkent.scenario.load import scenario_hash, scenario_to_data
from tashkent.scenario.schema import Scenario
from tashkent.sim.aggregate import SUM_KEYS, merge
from tashkent.sim.chunk import ChunkSpec, run_chunk
from tashkent.sim.params import ParamMode, check_parameters
from tashkent.sim.seeds import BLOCK_RUNS
from tashkent.store.paths import atomic_write

DEFAULT_CHUNK_RUNS = 10_000
Progress = Callable[[int, int], None]


@dataclass
class RunConfig:
    runs: int = 10_000
    days: int = 365
    seed: int = 20251120
    chunk_runs: int = DEFAULT_CHUNK_RUNS
    workers: int = 1
    dask: str | None = None  # scheduler address, or "local" for an in-process LocalCluster
    keep_trajectories: int = 200
    param_mode: ParamMode = "sample"
    overrides: dict[str, float] = field(default_factory=dict)
    # Designed experiments: per-block parameter values and random streams for all runs // BLOCK_RUNS
    # blocks, {"values": {name: array}, "streams": array} (built by `tashkent.explore.design`).
    design: dict[str, Any] | None = None

    def validate(self) -> None:
        if self.runs < BLOCK_RUNS or self.runs % BLOCK_RUNS:
            raise UserError(
                f"--runs {self.runs}: must be a positive multiple of {BLOCK_RUNS} "
                f"(runs come in blocks of {BLOCK_RUNS} that share one parameter draw)"
            )
        if not 1 <= self.days <= 3650:
            raise UserError(f"--days {self.days}: must be between 1 and 3650")
        if self.chunk_runs < BLOCK_RUNS or self.chunk_runs % BLOCK_RUNS:
            raise UserError(f"--chunk-runs {self.chunk_runs}: must be a positive multiple of {BLOCK_RUNS}")
        if self.workers < 1:
            raise UserError(f"--workers {self.workers}: must be at least 1")
        if not 0 <= self.seed < 2**63:
            raise UserError(f"--seed {self.seed}: must be a non-negative integer")
        if self.design is not None:
            blocks = self.runs // BLOCK_RUNS
            sizes = {len(v) for v in self.design["values"].values()} | {len(self.design["streams"])}
            if sizes != {blocks}:
                raise ValueError(f"design rows {sorted(sizes)} do not match the {blocks} blocks of the run")


def plan(config: RunConfig) -> list[tuple[int, int]]:
    """Chunks as (first block, number of blocks)."""
    total_blocks = config.runs // BLOCK_RUNS
    per = config.chunk_runs // BLOCK_RUNS
    return [(b, min(per, total_blocks - b)) for b in range(0, total_blocks, per)]


def _design_rows(design: dict[str, Any] | None, b: int, nb: int) -> dict[str, Any] | None:
    if design is None:
        return None
    return {
        "values": {k: [float(x) for x in np.asarray(v)[b : b + nb]] for k, v in design["values"].items()},
        "streams": [int(x) for x in np.asarray(design["streams"])[b : b + nb]],
    }


def specs(scenario: Scenario, config: RunConfig) -> list[ChunkSpec]:
    data = scenario_to_data(scenario)
    return [
        ChunkSpec(
            scenario=data,
            seed=config.seed,
            days=config.days,
            block_start=b,
            n_blocks=nb,
            keep_trajectories=config.keep_trajectories,
            param_mode=config.param_mode,
            overrides=dict(config.overrides) or None,
            design=_design_rows(config.design, b, nb),
        )
        for b, nb in plan(config)
    ]


# ------------------------------------------------------------------ chunk files (resume)

# Counts saved per chunk: everything that is summed (less the scalars kept in the metadata),
# plus the ids of the runs whose trajectories the chunk kept.
CHUNK_ARRAYS = (*(k for k in SUM_KEYS if k not in ("runs", "n_blocks")), "trajectory_runs")


def chunk_path(run_dir: Path, block_start: int) -> Path:
    return run_dir / "chunks" / f"chunk_{block_start:08d}.npz"


def save_chunk(run_dir: Path, part: dict[str, Any]) -> None:
    arrays = {k: np.asarray(part[k]) for k in CHUNK_ARRAYS}
    for k, v in part["trajectories"].items():
        arrays[f"traj_{k}"] = v
    for k, v in part["blocks"].items():
        arrays[f"block_{k}"] = np.asarray(v)
    meta = {k: part[k] for k in ("runs", "days", "block_start", "n_blocks", "metrics", "milestones")}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with atomic_write(chunk_path(run_dir, part["block_start"]), "wb") as fh:
        np.savez(fh, allow_pickle=False, **arrays)


def load_chunk(path: Path) -> dict[str, Any]:
    with np.load(path) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        part: dict[str, Any] = dict(meta)
        for k in CHUNK_ARRAYS:
            part[k] = z[k]
        part["trajectories"] = {k[5:]: z[k] for k in z.files if k.startswith("traj_")}
        part["blocks"] = {k[6:]: z[k] for k in z.files if k.startswith("block_")}
    return part


def done_chunks(run_dir: Path) -> dict[int, Path]:
    folder = run_dir / "chunks"
    if not folder.is_dir():
        return {}
    return {int(p.stem.split("_")[1]): p for p in folder.glob("chunk_*.npz")}


# ------------------------------------------------------------------ execution


def _execute(
    todo: list[Any], config: RunConfig, fn: Callable[[Any], Any] = run_chunk
) -> Iterator[Any]:
    """Yield `fn(item)` for every item as each finishes, with the configured executor (in-process,
    local processes or Dask). `fn` must be a module-level function (it is pickled to workers)."""
    if not todo:
        return
    if config.dask:
        yield from _execute_dask(todo, config.dask, fn)
    elif config.workers > 1 and len(todo) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if os.name == "posix" else mp.get_context("spawn")
        with ProcessPoolExecutor(max_workers=config.workers, mp_context=ctx) as pool:
            pending = {pool.submit(fn, s) for s in todo}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        yield fut.result()
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise
    else:
        for s in todo:
            yield fn(s)


def execute(todo: list[Any], config: RunConfig, fn: Callable[[Any], Any]) -> Iterator[Any]:
    """Public face of the executors for other designs of runs (`tashkent.explore`)."""
    yield from _execute(todo, config, fn)


def _execute_dask(todo: list[Any], address: str, fn: Callable[[Any], Any]) -> Iterator[Any]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="10s")
    except OSError as exc:
        raise UserError(
            f"--dask {address}: cannot reach the Dask scheduler ({exc}); check the address"
        ) from None
    try:
        futures = client.map(fn, todo, pure=False)
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_ensemble(
    scenario: Scenario,
    config: RunConfig,
    run_dir: Path | None = None,
    progress: Progress | None = None,
    collect_blocks: bool = False,
) -> dict[str, Any]:
    """Run (or finish) an ensemble and return the merged counts. With `run_dir`, finished chunks
    are kept on disk and chunks already there are not run again (resume)."""
    config.validate()
    check_parameters(scenario)
    all_specs = specs(scenario, config)
    total: dict[str, Any] | None = None
    blocks: list[dict[str, np.ndarray]] = []
    done = 0
    have: dict[int, Path] = done_chunks(run_dir) if run_dir else {}
    for spec in all_specs:
        if spec.block_start in have:
            part = load_chunk(have[spec.block_start])
            total = merge(total, part)
            if collect_blocks:
                blocks.append(part["blocks"])
            done += spec.n_blocks * BLOCK_RUNS
    if progress:
        progress(done, config.runs)
    todo = [s for s in all_specs if s.block_start not in have]
    for part in _execute(todo, config):
        if run_dir is not None:
            save_chunk(run_dir, part)
        total = merge(total, part)
        if collect_blocks:
            blocks.append(part["blocks"])
        done += part["runs"]
        if progress:
            progress(done, config.runs)
    assert total is not None
    if collect_blocks:
        keys = blocks[0].keys()
        merged = {k: np.concatenate([b[k] for b in blocks]) for k in keys}
        order = np.argsort(merged["block"])
        total["blocks"] = {k: v[order] for k, v in merged.items()}
    return total


def manifest(scenario: Scenario, config: RunConfig) -> dict[str, Any]:
    from tashkent import __version__

    return {
        "scenario": scenario_to_data(scenario),
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "config": asdict(config),
        "version": __version__,
    }
