"""Benchmark: raw vs smoothed calibration likelihood on the real record, a placebo, and recovery.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/bench_calibration.py \
        [--blocks 1500] [--seed 20251120] [--truths 20] [--bank-dir DIR]

Builds (or loads from --bank-dir) the two independent banks `tashkent calibrate --runs
BLOCKS*100 --seeds 2` builds, then:

1. calibrates on the 18 crises with `--likelihood raw` and `smoothed` (criterion of decision 0044)
   and prints each parameter's sd ratio per seed;
2. placebo: adds a parameter drawn independently of the runs (no effect on any outcome) and
   checks that neither likelihood identifies it;
3. recovery (decision 0045): draws `--truths` parameter vectors from the second bank (those whose
   peace-time onset rate is compatible with 18 crises in 78 years), draws a synthetic record from
   each (per crisis: the highest rung, signalling and mediation from that draw's frequencies, the
   durations and lags from one of its runs, the same fields present as in the real record) and
   calibrates on the first bank split into two independent halves; for each parameter identified
   it reports how often the posterior covers the truth (|z| < 2) and how well posterior means
   track the truths (correlation of their offsets from the prior mean).

With BLAS threads unrestricted, two processes on two cores slow each other down badly; set
OMP_NUM_THREADS=1. Not a test: run by hand, figures go to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.history.baselines import Conditions
from tashkent.history.calibrate import CALIBRATED, calibrate
from tashkent.history.model_forecaster import SimulationBank
from tashkent.history.record import load_crises
from tashkent.history.simbank import REPLAY_BASE, CrisisBank
from tashkent.scenario.load import load_scenario, scenario_to_data
from tashkent.sim.ensemble import default_workers


def bank(blocks: int, seed: int, crises: list[Any], cache: Path | None) -> SimulationBank:
    path = cache / f"bank_{seed}_{blocks}.pkl" if cache else None
    if path and path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)  # type: ignore[no-any-return]
    b = SimulationBank(n_blocks=blocks, seed=seed, workers=default_workers())
    b.prepare([Conditions.of(c) for c in crises])
    b.onset()
    if path:
        with open(path, "wb") as fh:
            pickle.dump(b, fh)
    return b


def subset(b: SimulationBank, idx: np.ndarray, seed: int) -> SimulationBank:
    out = SimulationBank(n_blocks=len(idx), seed=seed)
    for cid, cb in b.crises.items():
        out.crises[cid] = CrisisBank(
            cid, cb.rung_probs[idx], cb.p_nuclear[idx], cb.p_mediation[idx], cb.duration[idx], cb.lag[idx],
            cb.kinetic[idx], cb.strike[idx], {k: v[idx] for k, v in cb.params.items()},
        )  # fmt: skip
    rate, params = b.onset(), b.params()
    out._onset = (rate[idx], {k: v[idx] for k, v in params.items()})
    return out


def synthetic_record(crises: list[Any], b: SimulationBank, j: int, rng: np.random.Generator) -> list[Any]:
    record = []
    for c in crises:
        cb = b.crises[c.id]
        r = int(rng.integers(cb.duration.shape[1]))
        ns = c.nuclear_signal_binary
        record.append(
            dataclasses.replace(
                c,
                rung_highest=int(rng.choice(7, p=cb.rung_probs[j] / cb.rung_probs[j].sum())),
                nuclear_signal=c.nuclear_signal
                if ns is None
                else ("yes" if rng.uniform() < cb.p_nuclear[j] else "no"),
                mediation_occurred=bool(rng.uniform() < cb.p_mediation[j]),
                duration_days=int(cb.duration[j, r]) if c.duration_days else None,
                response_lag_days=int(cb.lag[j, r]) + 1 if c.response_lag_days else None,
                kinetic_days=float(cb.kinetic[j, r]) if c.kinetic_days else None,
            )
        )
    return record


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=20251120)
    ap.add_argument("--truths", type=int, default=20)
    ap.add_argument("--bank-dir", type=Path, default=None)
    args = ap.parse_args()
    crises = load_crises()
    base = scenario_to_data(load_scenario(REPLAY_BASE))["parameters"]
    t = time.time()
    banks = [bank(args.blocks, args.seed + k, crises, args.bank_dir) for k in range(2)]
    print(f"banks: {time.time() - t:.0f} s; load average {os.getloadavg()}")

    for lk in ("raw", "smoothed"):
        t = time.time()
        cal = calibrate(crises, banks[0], base, checks=banks[1:], likelihood=lk)["calibration"]
        d = cal["diagnostics"]
        passing = [n for n in CALIBRATED if n in cal["identified"] + cal["passes_criterion_not_recovered"]]
        print(f"\n{lk}: {time.time() - t:.1f} s; beta by seed {[b['tempering_beta'] for b in d['by_seed']]}; "
              f"untempered ESS {[b['ess_untempered'] for b in d['by_seed']]}; passes the criterion: "
              f"{passing}")  # fmt: skip
        for n in CALIBRATED:
            p = d["parameters"][n]
            print(f"  {n:28s} sd ratio {p['sd_ratio_by_seed']}  means {p['posterior_mean_by_seed']}")

    placebo_base = {**base, "placebo": {"value": 0.0, "prior": {"dist": "normal", "mean": 0.0, "sd": 1.0}}}
    for k, b in enumerate(banks):
        b.params()["placebo"] = np.random.default_rng(99 + k).normal(size=b.onset().size)
    for lk in ("raw", "smoothed"):
        cal = calibrate(crises, banks[0], placebo_base, names=(*CALIBRATED, "placebo"), checks=banks[1:],
                        likelihood=lk)["calibration"]  # fmt: skip
        p = cal["diagnostics"]["parameters"]["placebo"]
        print(
            f"placebo, {lk}: sd ratio {p['sd_ratio_by_seed']}, identified: {'placebo' in cal['identified']}"
        )
    for b in banks:
        del b.params()["placebo"]

    rng = np.random.default_rng(2026)
    half = args.blocks // 2
    first = banks[0]
    a1, a2 = (
        subset(first, np.arange(half), args.seed),
        subset(first, np.arange(half, args.blocks), args.seed + 100),
    )
    rate = banks[1].onset()
    ok = np.flatnonzero((rate * 78.4 > 12) & (rate * 78.4 < 26))
    rows: dict[str, dict[str, list[tuple[float, float, float]]]] = {
        "raw": defaultdict(list),
        "smoothed": defaultdict(list),
    }
    for j in rng.choice(ok, size=args.truths, replace=False):
        record = synthetic_record(crises, banks[1], int(j), rng)
        for lk in ("raw", "smoothed"):
            cal = calibrate(record, a1, base, checks=[a2], likelihood=lk)["calibration"]
            for n in cal["identified"] + cal["passes_criterion_not_recovered"]:
                if n not in CALIBRATED:
                    continue
                p = cal["diagnostics"]["parameters"][n]
                truth = float(banks[1].params()[n][j])
                truth = float(np.log(truth)) if p["log_scale"] else truth
                rows[lk][n].append(
                    (truth - p["prior_mean"], p["posterior_mean"] - p["prior_mean"], p["posterior_sd"])
                )
    print(f"\nrecovery over {args.truths} synthetic records (calibrated on 2 x {half} draws):")
    for lk, by in rows.items():
        for n, v in sorted(by.items(), key=lambda kv: -len(kv[1])):
            tr, po, sd = (np.array(x) for x in zip(*v, strict=True))
            covered = int(np.sum(np.abs(po - tr) < 2 * sd))
            corr = float(np.corrcoef(tr, po)[0, 1]) if len(v) > 2 else float("nan")
            print(
                f"  {lk:8s} {n:28s} identified {len(v):2d}  covered {covered:2d}  "
                f"corr(truth, posterior) {corr:.2f}"
            )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
