"""Run an ensemble: split N runs into chunks of whole blocks, execute them in-process, in local
processes or on a Dask cluster, merge their counts as they arrive, and (optionally) keep each
finished chunk on disk so an interrupted run can be resumed with identical results."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from tashkent.errors import UserError
from tashkent.limits import MAX_CHUNK_RUNS, MAX_DAYS, MAX_RUNS, MAX_TRAJECTORIES, MAX_WORKERS
from tashkent.scenario.load import scenario_hash, scenario_to_data
from tashkent.scenario.schema import Scenario
from tashkent.sim.chunk import ChunkSpec, run_chunk
from tashkent.sim.counts import Counts, concat_blocks, first_blocks, merge
from tashkent.sim.params import ParamMode, check_parameters
from tashkent.sim.seeds import BLOCK_RUNS

DEFAULT_CHUNK_RUNS = 10_000


def default_workers() -> int:
    """Local worker processes when none are asked for: one per core, at most two."""
    return max(1, min(2, os.cpu_count() or 1))


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

    def validate(self) -> None:
        """Raise `UserError` naming the first invalid field (as `field=value: why`)."""
        checks: list[tuple[str, bool, str]] = [
            (
                "runs",
                _is_int(self.runs) and self.runs >= BLOCK_RUNS and self.runs % BLOCK_RUNS == 0,
                f"must be a positive multiple of {BLOCK_RUNS} "
                f"(runs come in blocks of {BLOCK_RUNS} that share one parameter draw)",
            ),
            ("runs", self.runs <= MAX_RUNS, f"must be at most {MAX_RUNS:,}"),
            ("days", _is_int(self.days) and 1 <= self.days <= MAX_DAYS, f"must be between 1 and {MAX_DAYS}"),
            ("seed", _is_int(self.seed) and 0 <= self.seed < 2**63, "must be a non-negative integer"),
            (
                "chunk_runs",
                _is_int(self.chunk_runs)
                and self.chunk_runs >= BLOCK_RUNS
                and self.chunk_runs % BLOCK_RUNS == 0,
                f"must be a positive multiple of {BLOCK_RUNS}",
            ),
            ("chunk_runs", self.chunk_runs <= MAX_CHUNK_RUNS, f"must be at most {MAX_CHUNK_RUNS:,}"),
            (
                "workers",
                _is_int(self.workers) and 1 <= self.workers <= MAX_WORKERS,
                f"must be between 1 and {MAX_WORKERS}",
            ),
            (
                "dask",
                self.dask is None or (isinstance(self.dask, str) and bool(self.dask.strip())),
                "must be a scheduler address such as tcp://host:8786, or 'local'",
            ),
            (
                "keep_trajectories",
                _is_int(self.keep_trajectories) and 0 <= self.keep_trajectories <= MAX_TRAJECTORIES,
                f"must be an integer between 0 and {MAX_TRAJECTORIES:,}",
            ),
            ("param_mode", self.param_mode in ("sample", "fixed"), "must be 'sample' or 'fixed'"),
            (
                "overrides",
                isinstance(self.overrides, dict)
                and all(
                    isinstance(k, str) and _is_number(v) and math.isfinite(float(v))
                    for k, v in self.overrides.items()
                ),
                "must map parameter names to finite numbers",
            ),
        ]
        for name, ok, why in checks:
            if not ok:
                raise UserError(f"{name}={getattr(self, name)!r}: {why}")


def _is_int(v: object) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def plan(config: RunConfig) -> list[tuple[int, int]]:
    """Chunks as (first block, number of blocks)."""
    total_blocks = config.runs // BLOCK_RUNS
    per = config.chunk_runs // BLOCK_RUNS
    return [(b, min(per, total_blocks - b)) for b in range(0, total_blocks, per)]


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
        )
        for b, nb in plan(config)
    ]


class ChunkStore(Protocol):
    """Where finished chunks are kept (e.g. `tashkent.store.chunks.ChunkFolder`), so that an
    interrupted ensemble can be resumed: chunks already there are loaded, not run again."""

    def done(self) -> set[int]: ...  # first blocks of the chunks kept

    def load(self, block_start: int) -> Counts: ...

    def save(self, part: Counts) -> None: ...


# ------------------------------------------------------------------ execution


def _execute(todo: list[Any], config: RunConfig, fn: Callable[[Any], Any] = run_chunk) -> Iterator[Any]:
    """Yield `fn(item)` for every item as each finishes, with the configured executor (in-process,
    local processes or Dask). `fn` must be a module-level function (it is pickled to workers)."""
    if not todo:
        return
    if config.dask:
        yield from _execute_dask(todo, config.dask, fn)
    elif config.workers > 1 and len(todo) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if os.name == "posix" else mp.get_context("spawn")
        if fn is run_chunk and ctx.get_start_method() == "fork":
            _load_kernel(todo[0])
        with ProcessPoolExecutor(
            max_workers=config.workers, mp_context=ctx, initializer=exit_with_parent, initargs=(os.getpid(),)
        ) as pool:
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


def _load_kernel(spec: ChunkSpec) -> None:
    """Load the compiled stepper here before forking the workers, so that they inherit it instead
    of each loading it again from numba's cache (about 0.6 s of CPU per worker): one block, one day."""
    if spec.engine == "compiled":
        run_chunk(replace(spec, n_blocks=1, days=1, keep_trajectories=0))


def exit_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the parent process is gone (e.g. killed with SIGKILL), so no
    idle worker is left holding the database and the run folder."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="tashkent-parent-watch").start()


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
    chunks: ChunkStore | None = None,
    progress: Progress | None = None,
    keep_blocks: int | None = None,
) -> Counts:
    """Run (or finish) an ensemble and return the merged counts. With a chunk store, finished
    chunks are saved there and chunks already there are not run again (resume).

    `keep_blocks` bounds the per-block table of the merged counts (`Counts.blocks`): the blocks
    with index below it are kept (None: all, 0: none). Everything else is summed, so with a bound
    the memory of the merged counts does not grow with the number of runs (decision 0071)."""
    config.validate()
    check_parameters(scenario)
    all_specs = specs(scenario, config)
    total: Counts | None = None
    tables: list[dict[str, np.ndarray]] = []
    done = 0

    def add(part: Counts) -> None:
        nonlocal total, done
        table = part.blocks if keep_blocks is None else first_blocks(part.blocks, keep_blocks)
        if table:
            tables.append(table)
        total = merge(total, replace(part, blocks={}))
        done += part.runs

    have: set[int] = chunks.done() if chunks is not None else set()
    for spec in all_specs:
        if spec.block_start in have:
            assert chunks is not None
            add(chunks.load(spec.block_start))
    if progress:
        progress(done, config.runs)
    todo = [s for s in all_specs if s.block_start not in have]
    for part in _execute(todo, config):
        if chunks is not None:
            chunks.save(part)
        add(part)
        if progress:
            progress(done, config.runs)
    assert total is not None
    total.blocks = concat_blocks(tables)
    return total


def preflight(scenario: Scenario) -> None:
    """Everything a forecast reads from the scenario, exercised: one block of runs for two days,
    with parameters sampled from their priors and fixed at their values (`scenario validate`)."""
    modes: tuple[ParamMode, ...] = ("sample", "fixed")
    for mode in modes:
        cfg = RunConfig(runs=BLOCK_RUNS, days=2, workers=1, keep_trajectories=0, param_mode=mode)
        total = run_ensemble(scenario, cfg)
        if not np.all(np.isfinite(np.asarray(total.trust_daily, dtype=float))):
            raise UserError(f"{scenario.name}: the model gives non-finite values with these parameters")


def manifest(scenario: Scenario, config: RunConfig) -> dict[str, Any]:
    from tashkent import __version__

    return {
        "scenario": scenario_to_data(scenario),
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "config": asdict(config),
        "version": __version__,
    }
