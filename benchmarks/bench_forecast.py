"""Benchmark of the core forecast (issue 2, section 7): wall time and peak memory of
`tashkent forecast` as a user runs it, per-phase timing, the worker/chunk sweep and a profile.

    .venv/bin/python benchmarks/bench_forecast.py                  # everything (~15-25 min)
    .venv/bin/python benchmarks/bench_forecast.py --only cli       # CLI wall time and memory only
    .venv/bin/python benchmarks/bench_forecast.py --only cli --runs 20000 --memory-runs 20000

Sections (`--only` takes a comma-separated subset):
  cli      `tashkent forecast --runs N --days 365 --json` on the built-in scenario, run as a
           subprocess of the installed console script, `--repeats` times (median wall time), then
           once at each of `--memory-runs` for peak memory. Peak memory is measured two ways:
           (a) psutil, every 100 ms, over the process tree (the CLI and its worker processes):
           the summed RSS (upper bound: pages shared by forked workers count once per process)
           and the summed PSS (shared pages split between processes: the real footprint);
           (b) ru_maxrss from os.wait4: the largest single process of the tree.
  phases   in-process breakdown of one forecast: import, scenario load, ensemble, document,
           result files (as `tashkent.forecasting.execute` does it, each step timed).
  sweep    the ensemble alone through the Python API (`run_ensemble`) for 1 and 2 workers and
           several chunk sizes.
  profile  cProfile of `run_chunk` on one chunk, top functions by own time.

Every run uses a temporary TASHKENT_HOME so the user's run index is untouched. CPU time (user +
system of the process tree) is reported beside wall time because this machine may be shared.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "kashmir-2025"


def tashkent_exe() -> str:
    """The installed console script next to this interpreter (fallback: on PATH)."""
    here = Path(sys.executable).parent / "tashkent"
    found = str(here) if here.exists() else shutil.which("tashkent")
    if not found:
        raise SystemExit("the `tashkent` console script is not installed; `pip install -e .` first")
    return found


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    import numpy as np

    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tashkent": md.version("tashkent"),
        "platform": platform.platform(),
        "memory_total_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


# ----------------------------------------------------------------------------- CLI runs


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped: the summed RSS
    (counts pages shared by forked workers once per process, an upper bound) and the summed PSS
    (shares them out, the tree's real footprint)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self._done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.is_set():
            rss, pss, count = 0, 0, 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                count += 1
            if rss > self.peak_rss:
                self.peak_rss, self.peak_processes = rss, count
            self.peak_pss = max(self.peak_pss, pss)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_cli(args: list[str], home: Path) -> dict[str, Any]:
    """Run `tashkent ARGS` once: wall time, CPU time and peak memory of its process tree.

    The child is reaped with os.wait4, whose rusage covers the child and the worker processes it
    reaped: CPU time is theirs only, and ru_maxrss is the largest single process among them."""
    env = dict(os.environ, TASHKENT_HOME=str(home))
    env.pop("TASHKENT_DB", None)
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([tashkent_exe(), *args], env=env, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"tashkent {' '.join(args)} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    doc = json.loads(stdout) if "--json" in args else {}
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "tree_peak_rss_mb": sampler.peak_rss / 2**20,
        "tree_peak_pss_mb": sampler.peak_pss / 2**20,
        "tree_processes_at_peak": sampler.peak_processes,
        "max_single_process_rss_mb": usage.ru_maxrss / 1024,
        "loadavg_1min_at_start": load,
        "reported_seconds": doc.get("seconds"),
    }


def cli_section(runs: int, days: int, repeats: int, memory_runs: list[int], workers: int) -> dict:
    results: dict[str, Any] = {"timing": [], "memory": {}}
    base = ["forecast", SCENARIO, "--days", str(days), "--json"]
    if workers:
        base += ["--workers", str(workers)]

    def once(n: int) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="tashkent-bench-") as tmp:
            r = run_cli([*base, "--runs", str(n)], Path(tmp))
        r["runs"] = n
        return r

    for i in range(repeats):
        r = once(runs)
        results["timing"].append(r)
        print(
            f"  cli {runs:,} runs, repeat {i + 1}: wall {r['wall_s']:.1f} s, "
            f"cpu {r['cpu_s']:.1f} s, "
            f"peak RSS {r['tree_peak_rss_mb']:.0f} MB (PSS {r['tree_peak_pss_mb']:.0f}), "
            f"load {r['loadavg_1min_at_start']:.1f}",
            flush=True,
        )
    walls = [r["wall_s"] for r in results["timing"]]
    results["median_wall_s"] = statistics.median(walls)
    results["median_cpu_s"] = statistics.median(r["cpu_s"] for r in results["timing"])
    for n in memory_runs:
        same = [r for r in results["timing"] if r["runs"] == n]
        r = same[0] if same else once(n)
        results["memory"][str(n)] = r
        print(
            f"  cli {n:,} runs: wall {r['wall_s']:.1f} s, cpu {r['cpu_s']:.1f} s, "
            f"tree peak RSS {r['tree_peak_rss_mb']:.0f} MB, PSS {r['tree_peak_pss_mb']:.0f} MB "
            f"({r['tree_processes_at_peak']} processes), largest process "
            f"{r['max_single_process_rss_mb']:.0f} MB",
            flush=True,
        )
    return results


# ----------------------------------------------------------------------------- in-process


def phases_section(runs: int, days: int, workers: int) -> dict[str, float]:
    """One forecast in-process, each step of `forecasting.execute` timed separately (wall and CPU
    seconds; CPU includes the worker processes)."""
    out: dict[str, float] = {}
    clock: list[tuple[float, float]] = []

    def lap(name: str) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        if clock:
            out[f"{name}_s"] = wall - clock[-1][0]
            out[f"{name}_cpu_s"] = cpu - clock[-1][1]
        clock.append((wall, cpu))

    with tempfile.TemporaryDirectory(prefix="tashkent-bench-") as tmp:
        os.environ["TASHKENT_HOME"] = tmp
        lap("start")
        import tashkent.cli  # noqa: F401  (what the console script imports first)
        from tashkent import forecasting
        from tashkent.scenario.load import load_scenario
        from tashkent.scenario.overlays import calibrated_overlays
        from tashkent.sim.document import document
        from tashkent.sim.ensemble import RunConfig, run_ensemble
        from tashkent.store import index
        from tashkent.store.chunks import ChunkFolder
        from tashkent.store.results import write_blocks, write_results

        lap("import")

        scenario = load_scenario(SCENARIO, overlays=calibrated_overlays())
        config = RunConfig(runs=runs, days=days, workers=workers)
        run_id, run_dir = forecasting.start_run(scenario, config, None, {})
        lap("load_and_index")

        total = run_ensemble(scenario, config, chunks=ChunkFolder(run_dir))
        lap("ensemble")

        doc = document(scenario, config, total) | {"run_id": run_id}
        lap("document")

        write_results(run_dir, total, doc, scenario.start_date)
        write_blocks(run_dir)
        index.record_finish(None, run_id, "complete", out["ensemble_s"], forecasting.headline(doc))
        lap("results_and_index")
        os.environ.pop("TASHKENT_HOME", None)
    out["total_s"] = clock[-1][0] - clock[0][0]
    out["total_cpu_s"] = clock[-1][1] - clock[0][1]
    for k, v in out.items():
        print(f"  {k:<26} {v:7.2f} s", flush=True)
    return out


def sweep_section(runs: int, days: int, configs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    from tashkent.scenario.load import load_scenario
    from tashkent.scenario.overlays import calibrated_overlays
    from tashkent.sim.ensemble import RunConfig, run_ensemble

    scenario = load_scenario(SCENARIO, overlays=calibrated_overlays())
    rows = []
    for workers, chunk in configs:
        config = RunConfig(runs=runs, days=days, workers=workers, chunk_runs=chunk)
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), _cpu()
        run_ensemble(scenario, config)
        row = {
            "workers": workers,
            "chunk_runs": chunk,
            "wall_s": time.perf_counter() - t0,
            "cpu_s": _cpu() - c0,
            "loadavg_1min_at_start": load,
        }
        rows.append(row)
        print(
            f"  workers {workers}, chunk {chunk:>6,}: wall {row['wall_s']:.1f} s, "
            f"cpu {row['cpu_s']:.1f} s, load {load:.1f}",
            flush=True,
        )
    return rows


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def profile_section(runs: int, days: int, top: int) -> str:
    from tashkent.scenario.load import load_scenario, scenario_to_data
    from tashkent.sim.chunk import ChunkSpec, run_chunk
    from tashkent.sim.seeds import BLOCK_RUNS

    spec = ChunkSpec(
        scenario=scenario_to_data(load_scenario(SCENARIO)),
        seed=20251120,
        days=days,
        block_start=0,
        n_blocks=runs // BLOCK_RUNS,
        keep_trajectories=200,
    )
    prof = cProfile.Profile(time.process_time)  # CPU time: robust to other load
    prof.enable()
    run_chunk(spec)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    print(text, flush=True)
    return text


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="cli,phases,sweep,profile")
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--memory-runs", default="100000,1000000", help="comma-separated run counts for the peak-memory runs"
    )
    ap.add_argument("--workers", type=int, default=0, help="CLI --workers (0 = its default)")
    ap.add_argument(
        "--sweep",
        default="1:10000,2:10000,2:5000,2:25000",
        help="workers:chunk_runs pairs for the ensemble sweep",
    )
    ap.add_argument("--profile-runs", type=int, default=10_000)
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    report: dict[str, Any] = {
        "machine": machine(),
        "runs": a.runs,
        "days": a.days,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(f"machine: {report['machine']}", flush=True)
    if "cli" in only:
        print("CLI (end to end):", flush=True)
        mem = [int(x) for x in a.memory_runs.split(",") if x]
        report["cli"] = cli_section(a.runs, a.days, a.repeats, mem, a.workers)
        print(
            f"  median wall {report['cli']['median_wall_s']:.1f} s over {a.repeats} repeats (target < 15 s)",
            flush=True,
        )
    if "phases" in only:
        print("phases (in-process, 2 workers):", flush=True)
        report["phases"] = phases_section(a.runs, a.days, 2)
    if "sweep" in only:
        print("ensemble sweep (Python API):", flush=True)
        pairs = [(int(w), int(c)) for w, c in (x.split(":") for x in a.sweep.split(","))]
        report["sweep"] = sweep_section(a.runs, a.days, pairs)
    if "profile" in only:
        print(f"profile of run_chunk ({a.profile_runs:,} runs x {a.days} days):", flush=True)
        report["profile"] = profile_section(a.profile_runs, a.days, 25)
    if a.json:
        a.json.write_text(json.dumps(report, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
