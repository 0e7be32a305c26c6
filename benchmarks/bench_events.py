"""Benchmarks of the event layer (not tests). Run from the repository root:

    .venv/bin/python benchmarks/bench_events.py            # coder speed + 1,000,000-row import
    .venv/bin/python benchmarks/bench_events.py --rows 100000 --skip-coder

Prints sentences per second of the coder on one core (news sentences: the dev TSV in
../shared/data/events/ if present, else the hand-coded set), and the time and peak memory (max RSS)
of importing synthetic GDELT 2.0 rows into a fresh SQLite store: once with an actor filter
that keeps about one row in four, once keeping every row. Figures go to
benchmarks/RESULTS.md (## Events).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "events" / "conflibert_cameo_penta_dev.tsv"
HAND = REPO / "tests" / "events" / "data" / "handcoded.jsonl"

ACTORS = [
    "IND",
    "PAK",
    "RUS",
    "CHN",
    "USA",
    "GBR",
    "FRA",
    "IRN",
    "SAU",
    "AFG",
    "BGD",
    "JPN",
    "DEU",
    "TUR",
    "ISR",
]
CODES = [
    "010",
    "020",
    "036",
    "039",
    "040",
    "042",
    "046",
    "051",
    "057",
    "0871",
    "111",
    "112",
    "120",
    "126",
    "138",
    "154",
    "160",
    "161",
    "163",
    "173",
    "190",
    "191",
    "194",
    "195",
]


def sentences() -> list[str]:
    if DEV.exists():
        with DEV.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
        return [r[0] for r in rows]
    return [json.loads(line)["text"] for line in HAND.open(encoding="utf-8")]


def bench_coder(repeat: int = 3) -> float:
    from tashkent.events.coder import code_sentence

    sents = sentences()
    code_sentence("Warm-up: Russia offered to mediate.")
    best = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        for s in sents:
            code_sentence(s)
        best = max(best, len(sents) / (time.perf_counter() - t))
    return best


def write_gdelt(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            a1, a2 = rng.choice(ACTORS), rng.choice(ACTORS)
            code = rng.choice(CODES)
            day = f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f = [""] * 61
            f[0], f[1], f[2], f[3], f[4] = str(i), day, day[:6], day[:4], "2025.5"
            f[5], f[6], f[7], f[12] = a1 + "GOV", a1, a1, "GOV"
            f[15], f[16], f[17] = a2, a2, a2
            f[25], f[26], f[27], f[28], f[29], f[30] = "1", code, code[:3], code[:2], "1", "-4.0"
            f[31], f[32], f[33], f[34] = "4", "1", "4", "-3.1"
            f[59], f[60] = day + "120000", f"https://news.example/{i}"
            fh.write("\t".join(f) + "\n")


def bench_import(n: int, actors: str | None) -> dict[str, float]:
    from tashkent.events.importers import Filter, ingest
    from tashkent.events.store import EventStore

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "synthetic.export.CSV"
        write_gdelt(src, n)
        store = EventStore(str(Path(tmp) / "bench.db"))
        flt = Filter(frozenset(actors.split(",")) if actors else None)
        t = time.perf_counter()
        st = ingest(src, store, "gdelt2", flt)
        dt = time.perf_counter() - t
        t = time.perf_counter()
        again = ingest(src, store, "gdelt2", flt)
        dt2 = time.perf_counter() - t
    return {
        "rows": n,
        "added": st.rows_added,
        "seconds": round(dt, 1),
        "reimport_added": again.rows_added,
        "reimport_seconds": round(dt2, 1),
    }


def max_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-coder", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    if not args.skip_coder:
        print(f"coder: {bench_coder():,.0f} sentences/s (one core, {len(sentences())} sentences)")
    for actors in ("IND,PAK", None):
        r = bench_import(args.rows, actors)
        print(
            f"import {r['rows']:,} GDELT 2.0 rows, actors={actors or 'all'}: {r['seconds']} s, "
            f"{r['added']:,} added; re-import {r['reimport_seconds']} s, "
            f"{r['reimport_added']} added; peak RSS so far {max_rss_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
