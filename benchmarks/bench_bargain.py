"""Speed of the bargaining engines (issue 3), beside KTAB's and the Python BDM replication's times.

Run from the repository root (needs ../shared/data for the fixtures):

    .venv/bin/python benchmarks/bench_bargain.py            # all cases, prints a markdown table
    .venv/bin/python benchmarks/bench_bargain.py --quick    # skip the 160-actor SMP case

Wall-clock seconds, best of `repeat` runs, single process. Synthetic inputs (random actors) are
drawn from a fixed seed; they stand in for KTAB's dummyData-a040/a080/a160 files, which are not
shipped, so the turn counts differ from KTAB's runs and the per-turn time is the fairer comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tashkent.bargain.eu import run_eu
from tashkent.bargain.inputs import Problem, read_csv
from tashkent.bargain.smp import SMPOptions, run_smp

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bargaining"


def synthetic(n: int, dims: int = 1, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    sal = rng.uniform(10, 90, size=(n, dims))
    sal = sal / np.maximum(1.0, sal.sum(axis=1, keepdims=True) / 100.0)
    return Problem(
        name=f"synthetic-{n}x{dims}",
        actors=tuple(f"A{i:03d}" for i in range(n)),
        capability=rng.uniform(5, 100, size=n).round(1),
        position=rng.uniform(0, 100, size=(n, dims)).round(0),
        salience=sal / 100.0,
        dimensions=tuple(f"d{k}" for k in range(dims)),
    )


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rows = []
    eu = read_csv(SHARED / "eu_emissions_1994.csv")
    t, _ = best(lambda: run_eu(eu, rounds=10), 20)
    rows.append(
        (
            "EU model, EU fixture (10 × 1), 10 rounds",
            f"{t * 1e3:.1f} ms ({t * 100:.2f} ms/round)",
            "3.48 s (Python replication)",
            "< 10 ms per round",
        )
    )
    big = synthetic(200, seed=1)
    t, _ = best(lambda: run_eu(big, rounds=10), 3)
    rows.append(
        (
            "EU model, 200 actors × 1, 10 rounds",
            f"{t:.3f} s",
            "~n^6: not feasible (17 actors: 89.5 s)",
            "< 1 s",
        )
    )
    soe = read_csv(SHARED / "ktab" / "SOE-Pol-Comp.csv")
    t, r = best(lambda: run_smp(soe), 5)
    rows.append(
        (
            "SMP, SOE-Pol-Comp (13 × 2)",
            f"{t:.3f} s ({r.turns} turns)",  # type: ignore[attr-defined]
            "0.88 s -O2 / 1.29 s as shipped (27 turns)",
            "< 0.1 s",
        )
    )
    pol = read_csv(SHARED / "ktab" / "SOE-Policy.csv")
    t, r = best(lambda: run_smp(pol), 3)
    rows.append(
        (
            "SMP, SOE-Policy (26 × 1)",
            f"{t:.3f} s ({r.turns} turns)",  # type: ignore[attr-defined]
            "2.67 s -O2 / 5.93 s as shipped (19 turns)",
            "—",
        )
    )
    for n, ktab, target, rep in (
        (40, "9.46 s -O2 / 56.5 s (20 turns; 0.47 s/turn -O2)", "—", 2),
        (80, "79.0 s -O2 / 391 s (17 turns; 4.6 s/turn -O2)", "< 5 s", 1),
        (160, "~6 min per turn (stopped after 7 turns)", "< 60 s", 1),
    ):
        if args.quick and n == 160:
            continue
        p = synthetic(n, seed=n)
        t, r = best(lambda p=p: run_smp(p, SMPOptions()), rep)
        turns = r.turns  # type: ignore[attr-defined]
        rows.append(
            (
                f"SMP, {n} actors × 1 (synthetic)",
                f"{t:.2f} s ({turns} turns; {t / turns:.3f} s/turn)",
                ktab,
                target,
            )
        )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print()
    print("| case | tashkent | reference (KTAB / Python BDM, same machine) | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
