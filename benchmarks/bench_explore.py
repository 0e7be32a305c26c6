"""Benchmark of designed experiments (`tashkent.explore`) on a Dask cluster: how wall time and
memory scale with the number of workers and with the number of experiments, and that the outcomes
are bit-identical whatever the executor.

    .venv/bin/python benchmarks/bench_explore.py --json benchmarks/results/bench_explore.json

Each experiment is 100 runs × 365 days of kashmir-2025 (calibrated overlay) with every uncertain
parameter fixed at a Latin-hypercube point. Worker scaling: a fixed design on a `LocalCluster` of
1, 2 and 4 worker processes (one thread each) and, for reference, in-process. Experiment scaling:
2 workers, a growing design. Memory: peak RSS of each worker (sampled by the workers' own nanny
monitor, read after the run) and of this driver process. `--scheduler tcp://host:8786` runs the
worker sweep on an existing cluster instead (its workers are counted, not started).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.explore.design import latin_hypercube
from tashkent.explore.model import uncertainties
from tashkent.explore.runner import Execution, ExperimentSet, link_overrides, run_experiments
from tashkent.scenario.load import load_scenario
from tashkent.scenario.overlays import calibrated_overlays

SEED = 20251120


def design(n: int) -> ExperimentSet:
    sc = load_scenario("kashmir-2025", overlays=calibrated_overlays())
    ov = link_overrides(sc)
    _, values = latin_hypercube(uncertainties(sc, exclude=set(ov)), n, SEED)
    return ExperimentSet("x", sc, values, ov)


def _worker_stats() -> tuple[int, float]:
    """(RSS bytes, CPU seconds so far) of a worker process."""
    import psutil

    proc = psutil.Process()
    cpu = proc.cpu_times()
    return int(proc.memory_info().rss), float(cpu.user + cpu.system)


def timed(s: ExperimentSet, execution: Execution, days: int, client: Any = None) -> dict[str, Any]:
    before = client.run(_worker_stats) if client is not None else {}
    t0, c0 = time.perf_counter(), os.times()
    out = run_experiments([s], SEED, days, 100, execution)["x"]
    wall = time.perf_counter() - t0
    c1 = os.times()
    row: dict[str, Any] = {
        "experiments": s.size,
        "wall_s": round(wall, 2),
        "driver_cpu_s": round(c1.user - c0.user + c1.system - c0.system, 2),
        "blocks_per_s": round(s.size / wall, 1),
        "load_1min": round(os.getloadavg()[0], 2),
        "checksum": float(np.sum([v.sum() for v in out.values()])),
        "outcome": out,
    }
    if client is not None:
        after = client.run(_worker_stats)
        row["worker_rss_after_mb"] = sorted(round(v[0] / 2**20) for v in after.values())
        row["worker_cpu_s"] = round(sum(after[w][1] - before.get(w, (0, 0.0))[1] for w in after), 2)
        row["cpu_ms_per_experiment"] = round(1000 * (row["worker_cpu_s"] + row["driver_cpu_s"]) / s.size, 1)
    else:
        row["cpu_ms_per_experiment"] = round(1000 * row["driver_cpu_s"] / s.size, 1)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--experiments", type=int, default=2048, help="experiments in the worker sweep")
    ap.add_argument("--workers", default="1,2,4", help="worker counts of the sweep")
    ap.add_argument("--scale", default="512,1024,2048,4096", help="experiment counts of the size sweep")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk-blocks", type=int, default=64)
    ap.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    results: dict[str, Any] = {
        "uptime_start": os.getloadavg(),
        "nproc": os.cpu_count(),
        "workers": [],
        "scale": [],
    }
    base = design(args.experiments)
    ref = timed(base, Execution(workers=1, chunk_blocks=args.chunk_blocks), args.days)
    ref_out = ref.pop("outcome")
    results["in_process"] = ref
    print(f"in-process: {ref}")

    def sweep(n_workers: int, s: ExperimentSet) -> dict[str, Any]:
        if args.scheduler:
            client = Client(args.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        try:
            n = len(client.scheduler_info()["workers"])
            row = timed(
                s, Execution(dask=client.scheduler.address, chunk_blocks=args.chunk_blocks), args.days, client
            )
            row["dask_workers"] = n
            return row
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    for w in [int(x) for x in args.workers.split(",")]:
        row = sweep(w, base)
        out = row.pop("outcome")
        row["identical_to_in_process"] = all(np.array_equal(out[k], ref_out[k]) for k in ref_out)
        results["workers"].append(row)
        print(f"workers {w}: {row}")
    for n in [int(x) for x in args.scale.split(",")]:
        row = sweep(2, design(n))
        row.pop("outcome")
        results["scale"].append(row)
        print(f"experiments {n}: {row}")
    results["driver_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["uptime_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(results: dict[str, Any]) -> str:
    """The rows of the table in benchmarks/RESULTS.md, ready to paste."""
    lines = [
        f"load average {results['uptime_start'][0]:.2f} at the start, {results['uptime_end'][0]:.2f} at "
        f"the end; nproc {results['nproc']}; whole benchmark {results['seconds']} s; driver peak RSS "
        f"{results['driver_peak_rss_mb']} MB",
        "",
        "| executor | experiments | wall s | load | CPU ms / experiment (driver + workers) "
        "| worker RSS after (MB) | identical to in-process |",
        "|---|---|---|---|---|---|---|",
    ]
    ref = results["in_process"]
    lines.append(
        f"| in-process | {ref['experiments']} | {ref['wall_s']} | {ref['load_1min']} "
        f"| {ref['cpu_ms_per_experiment']} | — | (reference) |"
    )
    for row in results["workers"]:
        rss = ", ".join(map(str, row["worker_rss_after_mb"]))
        same = "yes" if row["identical_to_in_process"] else "**no**"
        lines.append(
            f"| Dask LocalCluster, {row['dask_workers']} worker{'s' if row['dask_workers'] > 1 else ''} "
            f"| {row['experiments']} | {row['wall_s']} | {row['load_1min']} | {row['cpu_ms_per_experiment']} "
            f"| {rss} | {same} |"
        )
    for row in results["scale"]:
        rss = ", ".join(map(str, row["worker_rss_after_mb"]))
        lines.append(
            f"| Dask, {row['dask_workers']} workers | {row['experiments']} | {row['wall_s']} "
            f"| {row['load_1min']} | {row['cpu_ms_per_experiment']} | {rss} | — |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
