"""Run an ensemble: split N runs into chunks of whole blocks, execute them in-process, in local
processes or on a Dask cluster, merge their counts as they arrive, and (optionally) keep each
finished chunk on disk so an interrupted run can be resumed with identical results."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.errors import UserError
from tashkent.limits import MAX_CHUNK_RUNS, MAX_DAYS, MAX_RUNS, MAX_TRAJECTORIES, MAX_WORKERS
from tashkent.scenario.load import scenario_hash, scenario_to_data
from tashkent.scenario.schema import Scenario
from tashkent.sim.aggregate import SUM_KEYS, merge
from tashkent.sim.chunk import ChunkSpec, run_chunk
from tashkent.sim.params import ParamMode, check_parameters
from tashkent.sim.seeds import BLOCK_RUNS
from tashkent.store import integrity

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

    def validate(self) -> None:
        if not BLOCK_RUNS <= self.runs <= MAX_RUNS:
            raise UserError(f"--runs {self.runs}: must be between {BLOCK_RUNS} and {MAX_RUNS:,}")
        if self.runs % BLOCK_RUNS:
            raise UserError(
                f"--runs {self.runs}: must be a positive multiple of {BLOCK_RUNS} "
                f"(runs come in blocks of {BLOCK_RUNS} that share one parameter draw)"
            )
        if not 1 <= self.days <= MAX_DAYS:
            raise UserError(f"--days {self.days}: must be between 1 and {MAX_DAYS}")
        if not BLOCK_RUNS <= self.chunk_runs <= MAX_CHUNK_RUNS or self.chunk_runs % BLOCK_RUNS:
            raise UserError(
                f"--chunk-runs {self.chunk_runs}: must be a multiple of {BLOCK_RUNS} up to {MAX_CHUNK_RUNS:,}"
            )
        if not 1 <= self.workers <= MAX_WORKERS:
            raise UserError(f"--workers {self.workers}: must be between 1 and {MAX_WORKERS}")
        if not 0 <= self.keep_trajectories <= MAX_TRAJECTORIES:
            raise UserError(
                f"--keep-trajectories {self.keep_trajectories}: must be between 0 and {MAX_TRAJECTORIES:,}"
            )
        if not 0 <= self.seed < 2**63:
            raise UserError(f"--seed {self.seed}: must be a non-negative integer")


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
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    rel = chunk_path(run_dir, part["block_start"]).relative_to(run_dir).as_posix()
    integrity.write_checked(run_dir, rel, buf.getvalue())


def load_chunk(path: Path, run_dir: Path | None = None) -> dict[str, Any]:
    """A chunk's counts; with `run_dir`, checked first against the run's manifest."""
    if run_dir is not None:
        data = integrity.verified_bytes(run_dir, path.relative_to(run_dir).as_posix())
        try:
            return _read_chunk(io.BytesIO(data))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            raise UserError(
                f"{path}: unreadable chunk; `tashkent runs repair {run_dir.name}` removes it"
            ) from None
    return _read_chunk(path)


def _read_chunk(path: Path | io.BytesIO) -> dict[str, Any]:
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
    out: dict[int, Path] = {}
    for p in folder.glob("chunk_*.npz"):
        try:
            out[int(p.stem.split("_")[1])] = p
        except (IndexError, ValueError):
            raise UserError(
                f"{p}: not a chunk of this run; remove it or `tashkent runs repair {run_dir.name}`"
            ) from None
    return out


# ------------------------------------------------------------------ execution


def _execute(todo: list[ChunkSpec], config: RunConfig) -> Iterator[dict[str, Any]]:
    """Yield chunk results as they finish, with the configured executor."""
    if not todo:
        return
    if config.dask:
        yield from _execute_dask(todo, config.dask)
    elif config.workers > 1 and len(todo) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if os.name == "posix" else mp.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=config.workers, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),)
        ) as pool:
            pending = {pool.submit(run_chunk, s) for s in todo}
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
            yield run_chunk(s)


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the parent process is gone (e.g. killed with SIGKILL), so no
    idle worker is left holding the database and the run folder."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="tashkent-parent-watch").start()


def _execute_dask(todo: list[ChunkSpec], address: str) -> Iterator[dict[str, Any]]:
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
        futures = client.map(run_chunk, todo, pure=False)
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
    if run_dir is not None and not (run_dir / integrity.MANIFEST).exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        integrity.write_manifest(run_dir, manifest(scenario, config) | {"checksums": {}})
    have: dict[int, Path] = done_chunks(run_dir) if run_dir else {}
    for spec in all_specs:
        if spec.block_start in have:
            part = load_chunk(have[spec.block_start], run_dir)
            if (part["block_start"], part["n_blocks"], part["days"]) != (
                spec.block_start,
                spec.n_blocks,
                spec.days,
            ):
                raise UserError(f"{have[spec.block_start]}: a chunk of another plan; `tashkent runs repair`")
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
