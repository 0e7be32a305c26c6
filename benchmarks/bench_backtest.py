"""Benchmark: the whole back-test — both designs, 10,000 runs per crisis — on this machine.

    .venv/bin/python benchmarks/bench_backtest.py [--runs 10000] [--workers 2] [--seed 0]

Both designs share one simulation bank (every crisis replayed once under the same prior draws);
each design then calibrates per fold (importance weights) and scores. Prints wall-clock time per
stage, the machine's load average (other jobs on a shared machine slow it down) and the scores.
Not a test: run by hand, figures go to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from tashkent.history.backtest import run_backtest
from tashkent.history.baselines import BASELINES, Conditions
from tashkent.history.model_forecaster import model_forecaster
from tashkent.history.record import load_crises


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print the scores as JSON too")
    ap.add_argument("--save", help="write the full back-test JSON (both designs) to this file")
    ap.add_argument("--report", help="write the HTML report to this file")
    args = ap.parse_args()
    crises = load_crises()
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    model = model_forecaster(runs=args.runs, seed=args.seed, workers=args.workers)
    model.bank.prepare([Conditions.of(c) for c in crises])
    model.bank.onset()
    t_bank = time.perf_counter() - t0
    results = {}
    times = {}
    for method in ("loo", "temporal"):
        t = time.perf_counter()
        results[method] = run_backtest(crises, method, [model, *BASELINES], seed=args.seed)
        times[method] = time.perf_counter() - t
    total = time.perf_counter() - t0
    print(
        f"cpus={os.cpu_count()} workers={args.workers} runs/crisis={args.runs} "
        f"crises={len(crises)} load-average-at-start={load_before[0]:.2f}"
    )
    print(f"simulation bank (18 replays + onset run): {t_bank:7.1f} s")
    for method, secs in times.items():
        print(f"design {method:9s} (calibrate per fold + score): {secs:7.1f} s")
    print(f"total: {total:.1f} s  (budget 300 s)")
    for method, r in results.items():
        print(
            f"\n{method}: "
            + ", ".join(
                f"{m}: model {s['model']:.3f} / clim {s['climatology']:.3f} / pers "
                f"{s['persistence']:.3f} / unif {s['uniform']:.3f}"
                for m, s in r["scores"].items()
            )
        )
    if args.json:
        print(json.dumps({m: r["scores"] for m, r in results.items()}, indent=2))
    if args.save:
        with open(args.save, "w", encoding="utf-8") as fh:
            json.dump({"designs": list(results.values())}, fh, indent=1, default=str)
    if args.report:
        from tashkent.history.report import render_html

        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write(render_html(list(results.values())))


if __name__ == "__main__":
    main()
