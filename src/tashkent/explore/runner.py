"""Run designed experiments through the ensemble machinery: the one place `tashkent.explore` calls
the simulation.

An experiment is a small ensemble (`runs_per_experiment` runs, whole blocks of 100) with every
uncertain parameter fixed at the design's values. Experiment e of a set occupies blocks
[e·k, (e+1)·k) and replays random streams 0..k−1, so every experiment (and every strategy) sees the
same attacks and draws (common random numbers) and an outcome is a deterministic function of the
design point for a seed. Chunks of experiments go to the existing executors (in-process, local
processes, Dask); each block depends only on (scenario, seed, stream, parameters), so the results
are bit-identical for any executor, worker count or chunking. With a store folder, finished chunks
are kept (atomically) under a key of everything they depend on, and a rerun only computes the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.errors import UserError
from tashkent.explore.model import uncertainties
from tashkent.scenario.load import scenario_to_data
from tashkent.scenario.schema import Scenario
from tashkent.sim.chunk import ChunkSpec, run_chunk
from tashkent.sim.ensemble import RunConfig, execute
from tashkent.sim.params import check_parameters
from tashkent.sim.seeds import BLOCK_RUNS
from tashkent.store.paths import atomic_write

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Execution:
    """Where and how experiments run. `chunk_blocks` blocks (of 100 runs) go to a worker at once."""

    workers: int = 1
    dask: str | None = None  # scheduler address, or "local" for a LocalCluster on this machine
    store: Path | None = None  # folder that keeps finished chunks (resume)
    chunk_blocks: int = 64

    @classmethod
    def make(
        cls,
        workers: int = 0,
        dask: str | None = None,
        store: str | Path | None = None,
        chunk_blocks: int = 64,
    ) -> Execution:
        """An execution from user settings: `workers=0` means up to two cores."""
        from tashkent.sim.ensemble import default_workers

        if workers < 0:
            raise UserError(f"--workers {workers}: must be 0 (up to two cores) or more")
        if chunk_blocks < 1:
            raise UserError(f"--chunk-blocks {chunk_blocks}: must be at least 1")
        return cls(workers=workers or default_workers(), dask=dask, store=Path(store) if store else None,
                   chunk_blocks=chunk_blocks)  # fmt: skip


@dataclass
class ExperimentSet:
    """Experiments of one scenario (one strategy): `values[name][e]` is parameter `name` in
    experiment e. Parameters the scenario fixes (for instance through a lever) or that `overrides`
    sets are dropped from the design for this set; the others stay at the scenario's values."""

    key: str
    scenario: Scenario
    values: dict[str, np.ndarray]
    overrides: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(next(iter(self.values.values()))) if self.values else 0

    def design_names(self) -> list[str]:
        """The parameters this set's experiments actually vary."""
        free = {u.name for u in uncertainties(self.scenario, exclude=set(self.overrides))}
        return sorted(n for n in self.values if n in free)


def link_overrides(scenario: Scenario) -> dict[str, float]:
    """Inputs the forecast takes from other analyses (the bargaining link), as `forecast` does."""
    from tashkent.bargain.link import bargaining_overrides

    return bargaining_overrides(scenario)[0]


def _link_worker(item: tuple[int, dict[str, Any]]) -> tuple[int, dict[str, float]]:
    index, data = item
    return index, link_overrides(Scenario.model_validate(data))


def link_overrides_all(scenarios: list[Scenario], execution: Execution) -> list[dict[str, float]]:
    """`link_overrides` of many scenarios (one per strategy), computed on the executor (each is a
    small crisis forecast of its own) and kept in the store folder, if any."""
    out: list[dict[str, float]] = [{} for _ in scenarios]
    todo = []
    paths: dict[int, Path] = {}
    for i, sc in enumerate(scenarios):
        if sc.bargaining is None:
            continue
        data = scenario_to_data(sc)
        if execution.store is not None:
            key = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]
            paths[i] = execution.store / f"link_{key}.json"
            if paths[i].is_file():
                out[i] = json.loads(paths[i].read_text(encoding="utf-8"))
                continue
        todo.append((i, data))
    config = RunConfig(workers=execution.workers, dask=execution.dask)
    for i, ov in execute(todo, config, _link_worker):
        out[i] = ov
        if i in paths:
            with atomic_write(paths[i]) as fh:
                json.dump(ov, fh)
    return out


def check_runs(runs_per_experiment: int, days: int, execution: Execution) -> None:
    """Range checks of the run settings, before any work starts."""
    if runs_per_experiment < BLOCK_RUNS or runs_per_experiment % BLOCK_RUNS:
        raise UserError(
            f"--runs-per-experiment {runs_per_experiment}: must be a positive multiple of {BLOCK_RUNS}"
        )
    if not 1 <= days <= 3650:
        raise UserError(f"--days {days}: must be between 1 and 3650")
    if execution.workers < 1:
        raise UserError(f"--workers {execution.workers}: must be at least 1")


def _specs(s: ExperimentSet, seed: int, days: int, k: int, chunk_blocks: int) -> list[ChunkSpec]:
    names = s.design_names()
    n_blocks = s.size * k
    vals = {n: np.repeat(np.asarray(s.values[n], dtype=np.float64), k) for n in names}
    streams = np.tile(np.arange(k), s.size)
    data = scenario_to_data(s.scenario)
    out = []
    for b in range(0, n_blocks, chunk_blocks):
        nb = min(chunk_blocks, n_blocks - b)
        out.append(
            ChunkSpec(
                scenario=data,
                seed=seed,
                days=days,
                block_start=b,
                n_blocks=nb,
                keep_trajectories=0,
                param_mode="fixed",
                overrides=dict(s.overrides) or None,
                design={
                    "values": {n: [float(x) for x in v[b : b + nb]] for n, v in vals.items()},
                    "streams": [int(x) for x in streams[b : b + nb]],
                },
            )
        )
    return out


def _chunk_key(spec: ChunkSpec) -> str:
    blob = json.dumps(
        [spec.scenario, spec.seed, spec.days, spec.block_start, spec.n_blocks, spec.overrides, spec.design],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _run_tagged(item: tuple[int, ChunkSpec]) -> tuple[int, int, dict[str, np.ndarray]]:
    """Worker side: run a chunk and return only its per-block outcome table (small to send back)."""
    index, spec = item
    part = run_chunk(spec)
    table = {k: np.asarray(v) for k, v in part.blocks.items() if k.startswith(("p_", "mean_"))}
    return index, spec.block_start, table


def _save(path: Path, table: dict[str, np.ndarray]) -> None:
    with atomic_write(path, "wb") as fh:
        np.savez(fh, allow_pickle=False, **table)


def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def run_experiments(
    sets: list[ExperimentSet],
    seed: int,
    days: int,
    runs_per_experiment: int,
    execution: Execution,
    progress: Progress | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Run every set's experiments through one executor pass; return, per set key, each outcome
    column as an array [experiments] (the mean over the experiment's blocks)."""
    check_runs(runs_per_experiment, days, execution)
    k = runs_per_experiment // BLOCK_RUNS
    items: list[tuple[int, ChunkSpec]] = []
    for i, s in enumerate(sets):
        check_parameters(s.scenario)
        items += [(i, spec) for spec in _specs(s, seed, days, k, execution.chunk_blocks)]
    total_blocks = sum(spec.n_blocks for _, spec in items)
    parts: dict[int, list[tuple[int, dict[str, np.ndarray]]]] = {i: [] for i in range(len(sets))}
    paths: dict[tuple[int, int], Path] = {}
    todo: list[tuple[int, ChunkSpec]] = []
    done = 0
    for i, spec in items:
        path = execution.store / f"{_chunk_key(spec)}.npz" if execution.store else None
        if path is not None and path.is_file():
            parts[i].append((spec.block_start, _load(path)))
            done += spec.n_blocks
            continue
        if path is not None:
            paths[(i, spec.block_start)] = path
        todo.append((i, spec))
    if progress:
        progress(done, total_blocks)
    config = RunConfig(workers=execution.workers, dask=execution.dask)
    for i, block_start, table in execute(todo, config, _run_tagged):
        if (i, block_start) in paths:
            _save(paths[(i, block_start)], table)
        parts[i].append((block_start, table))
        done += len(next(iter(table.values())))
        if progress:
            progress(done, total_blocks)
    out: dict[str, dict[str, np.ndarray]] = {}
    for i, s in enumerate(sets):
        chunks = [t for _, t in sorted(parts[i], key=lambda x: x[0])]
        columns = {c: np.concatenate([t[c] for t in chunks]) for c in chunks[0]}
        out[s.key] = {c: v.reshape(s.size, k).mean(axis=1) for c, v in columns.items()}
    return out
