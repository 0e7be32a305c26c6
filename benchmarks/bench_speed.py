"""Speed of the forecast against the cost of its random numbers and against Mesa (issue 13).

    .venv/bin/python benchmarks/bench_speed.py --json benchmarks/results/bench_speed.json
    .venv/bin/python benchmarks/bench_speed.py --only scale --scale-runs 10000000

Everything is measured in ONE process run, so the ratios are robust to other load on a shared
machine (every figure is best of `--repeats` after one warm-up; the load average is recorded):

  floor    numpy drawing 8 float64 uniforms per run-day for `--runs` runs x `--days` days, in one
           process, chunked as the ensemble chunks (10,000-run chunks of 100-run blocks, each
           block its own PCG64 generator, drawn in 32-day slabs): the least any Monte Carlo of
           this size pays.
  api      `tashkent.forecast("kashmir-2025", runs, days)` end to end in this process (scenario,
           overlay, bargaining link, ensemble on the default 2 workers, JSON document).
  cli      `tashkent forecast kashmir-2025 --runs N --days D --json` as a subprocess of the
           installed console script (temporary TASHKENT_HOME).
  mesa     the Mesa 3 baseline (`mesa_baseline.py`: the escalation and spoiler mechanisms on the
           reduced scenario) against tashkent on the same scenario, both on ONE core: Mesa on
           `--mesa-runs` runs, tashkent on 10,000 runs with one worker; seconds per run compared.
  startup  `tashkent --help` and `tashkent forecast --runs 1000 --days 365 --json` (subprocess):
           in its own process (TASHKENT_RESIDENT=0), and handed to a resident worker started
           with `tashkent resident start` (wall time: the work runs in the worker's fork).
  profile  cProfile (CPU clock) of one 10,000-run chunk, top functions by own time.
  scale    `--scale-runs` runs x `--days` on 2 workers through the API, with the peak memory of
           the process tree (summed PSS, psutil every 0.25 s). Not part of the default sections.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_forecast import tashkent_exe  # noqa: E402

SCENARIO = "kashmir-2025"
BLOCK_RUNS, CHUNK_RUNS, SLAB_DAYS = 100, 10_000, 32


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def best_of(fn: Callable[[], Any], repeats: int, warmup: bool = True) -> dict[str, Any]:
    """Best wall time of `repeats` calls after one warm-up call (CPU time of the same call); the
    warm-up call's own times are kept as `first_wall`/`first_cpu` (caches cold)."""
    first: dict[str, float] = {}
    if warmup:
        t0, c0 = time.perf_counter(), _cpu()
        fn()
        first = {"first_wall": time.perf_counter() - t0, "first_cpu": _cpu() - c0}
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    i = int(np.argmin(walls))
    return {"wall": walls[i], "cpu": cpus[i], "walls": walls, "cpus": cpus, "load": load(), **first}


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    import numba

    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "tashkent": md.version("tashkent"),
        "platform": platform.platform(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }


# ----------------------------------------------------------------------------- sections


def floor(runs: int, days: int, uniforms: int = 8) -> None:
    """Draw `uniforms` float64 uniforms per run-day as the ensemble's blocks would."""
    slab = np.empty((CHUNK_RUNS // BLOCK_RUNS, SLAB_DAYS, uniforms, BLOCK_RUNS))
    for c0 in range(0, runs // BLOCK_RUNS, CHUNK_RUNS // BLOCK_RUNS):
        rngs = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0, c0 + b))))
            for b in range(CHUNK_RUNS // BLOCK_RUNS)
        ]
        for _ in range(0, days, SLAB_DAYS):
            for b, rng in enumerate(rngs):
                rng.random(out=slab[b])


def api_forecast(runs: int, days: int, workers: int | None = None) -> Any:
    import tashkent

    return tashkent.forecast(SCENARIO, runs=runs, days=days, workers=workers)


def cli(args: list[str], home: Path, resident: str = "0") -> None:
    """`tashkent ARGS` as a user runs it; `resident`: TASHKENT_RESIDENT (0: in its own process)."""
    env = {**os.environ, "TASHKENT_HOME": str(home), "TASHKENT_RESIDENT": resident}
    subprocess.run([tashkent_exe(), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def startup_section(home: Path) -> dict[str, Any]:
    """The command line's start-up: `--help`, and a 1,000-run forecast in its own process and
    handed to a resident worker (in a private runtime folder of its own, stopped afterwards)."""
    res: dict[str, Any] = {"help": best_of(lambda: cli(["--help"], home), 3)}
    args = ["forecast", SCENARIO, "--runs", "1000", "--days", "365", "--json"]
    res["forecast_1000"] = best_of(lambda: cli(args, home), 3)
    runtime = tempfile.mkdtemp(prefix="tkb", dir="/tmp")
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = runtime
    try:
        t0 = time.perf_counter()
        cli(["resident", "start"], home)
        res["resident_start_wall"] = time.perf_counter() - t0
        res["forecast_1000_resident"] = best_of(lambda: cli(args, home, resident="auto"), 5)
    finally:
        cli(["resident", "stop"], home)
        if saved is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved
    return res


def mesa_section(runs: int, days: int, repeats: int) -> dict[str, Any]:
    import mesa_baseline as mb

    path = mb.SCENARIO
    config = mb.load_config(path)
    tk_runs = 10_000
    tk = best_of(lambda: mb.run_tashkent(path, False, tk_runs, days, 20251120, 1), repeats)
    mesa = best_of(lambda: mb.run_mesa(config, runs, days, 20251120), 1, warmup=False)
    per_mesa, per_tk = mesa["cpu"] / runs, tk["cpu"] / tk_runs
    return {
        "tashkent_runs": tk_runs,
        "tashkent_1_worker": tk,
        "mesa_runs": runs,
        "mesa": mesa,
        "mesa_s_per_run": per_mesa,
        "tashkent_s_per_run": per_tk,
        "ratio_cpu": per_mesa / per_tk,
        "ratio_wall": (mesa["wall"] / runs) / (tk["wall"] / tk_runs),
    }


def profile_section(days: int, top: int) -> str:
    from tashkent.api import load as load_scenario
    from tashkent.scenario.load import scenario_to_data
    from tashkent.sim.chunk import ChunkSpec, run_chunk

    spec = ChunkSpec(
        scenario=scenario_to_data(load_scenario(SCENARIO)),
        seed=20251120,
        days=days,
        block_start=0,
        n_blocks=CHUNK_RUNS // BLOCK_RUNS,
        keep_trajectories=200,
    )
    run_chunk(spec)  # warm-up (compilation, caches)
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    run_chunk(spec)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


class TreeSampler(threading.Thread):
    """Peak summed PSS of this process and its descendants, sampled every `interval` s, and a
    coarse series (seconds, MB) every `every` s to show whether memory grows during the run."""

    def __init__(self, interval: float = 0.25, every: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.interval, self.every, self.peak, self._halt = interval, every, 0, threading.Event()
        self.series: list[tuple[float, float]] = []
        self.last: tuple[float, float] | None = None

    def run(self) -> None:
        me = psutil.Process()
        t0 = last = time.perf_counter()
        while not self._halt.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error, AttributeError):
                    total += p.memory_full_info().pss
            self.peak = max(self.peak, total)
            now = time.perf_counter()
            if now - last >= self.every or not self.series:
                self.series.append((round(now - t0, 1), round(total / 2**20, 1)))
                last = now
            self.last = (round(now - t0, 1), round(total / 2**20, 1))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()
        if self.last is not None:
            self.series.append(self.last)  # the last sample, at the end of the run


def scale_section(runs: int, days: int) -> dict[str, Any]:
    sampler = TreeSampler()
    sampler.start()
    t0, c0 = time.perf_counter(), _cpu()
    api_forecast(runs, days, workers=2)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    sampler.stop()
    return {
        "runs": runs,
        "days": days,
        "wall": wall,
        "cpu": cpu,
        "cores_used": cpu / wall,
        "peak_pss_mb": sampler.peak / 2**20,
        "pss_series_mb": sampler.series,
        "load": load(),
    }


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--only",
        default="floor,api,cli,mesa,startup,profile",
        help="comma-separated sections (add 'scale' for the 10-million-run row)",
    )
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=2, help="timed repeats after one warm-up (best)")
    ap.add_argument("--mesa-runs", type=int, default=200, help="Mesa runs timed on one core")
    ap.add_argument("--scale-runs", type=int, default=10_000_000)
    ap.add_argument("--top", type=int, default=25, help="profile rows")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    res: dict[str, Any] = {"machine": machine(), "runs": a.runs, "days": a.days, "repeats": a.repeats}

    def show(name: str, r: dict[str, Any]) -> None:
        print(
            f"{name:<34} best {r['wall']:7.2f} s wall  {r['cpu']:7.2f} s CPU   "
            f"(walls {', '.join(f'{w:.2f}' for w in r['walls'])}; load {r['load']})",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["TASHKENT_HOME"] = str(home)
        if "floor" in only:
            res["floor"] = best_of(lambda: floor(a.runs, a.days), a.repeats)
            show("floor (8 float64 uniforms/run-day)", res["floor"])
        if "api" in only:
            res["api"] = best_of(lambda: api_forecast(a.runs, a.days), a.repeats)
            show("tashkent.forecast (API)", res["api"])
        if "cli" in only:
            args = ["forecast", SCENARIO, "--runs", str(a.runs), "--days", str(a.days), "--json"]
            res["cli"] = best_of(lambda: cli(args, home), a.repeats)
            show("tashkent forecast (CLI)", res["cli"])
        if "floor" in only:
            for k in ("api", "cli"):
                if k in res:
                    res[f"ratio_{k}_to_floor"] = res[k]["wall"] / res["floor"]["wall"]
                    print(f"ratio {k} / floor: {res[f'ratio_{k}_to_floor']:.2f}x (wall)")
        if "startup" in only:
            res.update(startup_section(home))
            show("tashkent --help", res["help"])
            show("tashkent forecast --runs 1000", res["forecast_1000"])
            print(f"tashkent resident start             {res['resident_start_wall']:7.2f} s wall")
            show("  the same, handed to the worker", res["forecast_1000_resident"])
        if "mesa" in only:
            res["mesa"] = m = mesa_section(a.mesa_runs, a.days, a.repeats)
            show("tashkent, reduced scenario, 1 core", m["tashkent_1_worker"])
            show(f"Mesa, {a.mesa_runs} runs, 1 core", m["mesa"])
            print(
                f"Mesa / tashkent per run, one core: {m['ratio_cpu']:.0f}x (CPU), "
                f"{m['ratio_wall']:.0f}x (wall)"
            )
        if "profile" in only:
            res["profile"] = profile_section(a.days, a.top)
            print(res["profile"])
        if "scale" in only:
            res["scale"] = s = scale_section(a.scale_runs, a.days)
            print(
                f"{s['runs']:,} runs x {s['days']} days, 2 workers: {s['wall']:.1f} s wall, "
                f"{s['cpu']:.1f} s CPU ({s['cores_used']:.2f} cores), peak PSS {s['peak_pss_mb']:.0f} MB "
                f"(load {s['load']})"
            )
            series = s["pss_series_mb"]
            fractions = (0.1, 0.25, 0.5, 0.75, 1.0)
            marks = [series[int(f * (len(series) - 1))] for f in fractions] if series else []
            print("PSS during the run (s, MB): " + ", ".join(f"{t:.0f} s {mb:.0f}" for t, mb in marks))
    res["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(res["machine"]["uptime"], "->", res["uptime_end"])
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(res, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
