"""Load test of the exercise API on 127.0.0.1: many seats in many exercises moving at once.

Starts `tashkent serve` in its own process on a fresh database, creates E exercises with S seats
each, then for T seconds every seat loops (POST a random legal move, GET its view) while each
facilitator closes a turn every A seconds. At the end it reads back every stored move (closed turns
from the after-action report, the open turn from the facilitator's view) and checks it against the
moves the server acknowledged: none lost, none duplicated.

    PYTHONPATH=src python benchmarks/bench_web.py                      # 10 × 5 seats, 60 s
    PYTHONPATH=src python benchmarks/bench_web.py --seconds 10 --exercises 2
    PYTHONPATH=src python benchmarks/bench_web.py --workers 0              # adjudicate in the server
    PYTHONPATH=src python benchmarks/bench_web.py --db postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

SEATS = ["IND", "PAK", "RUS", "USA", "KCS-IN", "KCS-PK", "CHN", "SAU", "IRN", "IDN"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, port: int, home: str, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "TASHKENT_HOME": home}
    cmd = [
        sys.executable,
        "-m",
        "tashkent",
        "serve",
        "--port",
        str(port),
        "--db",
        db,
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


async def run(
    base: str, exercises: int, seats_per: int, seconds: float, advance_every: float
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        exs = []
        for k in range(exercises):
            r = await client.post(
                "/api/exercises",
                json={"scenario": "kashmir-2025", "seats": SEATS[:seats_per], "turn_days": 7, "seed": k},
            )
            r.raise_for_status()
            exs.append(r.json())
        latency: dict[str, list[float]] = {"move": [], "view": [], "advance": []}
        errors: dict[str, int] = {}
        acked: dict[str, list[int]] = {e["id"]: [] for e in exs}
        stop = time.monotonic() + seconds

        async def timed(kind: str, coro: Any) -> httpx.Response | None:
            t0 = time.perf_counter()
            try:
                r = await coro
            except httpx.HTTPError as exc:
                errors[f"{kind} {type(exc).__name__}"] = errors.get(f"{kind} {type(exc).__name__}", 0) + 1
                return None
            latency[kind].append(time.perf_counter() - t0)
            if r.status_code >= 400:
                errors[f"{kind} {r.status_code}"] = errors.get(f"{kind} {r.status_code}", 0) + 1
            return r

        async def seat_loop(ex: dict[str, Any], seat: str, rng: random.Random) -> None:
            h = {"Authorization": f"Bearer {ex['seat_tokens'][seat]}"}
            actions = (await client.get(f"/api/exercises/{ex['id']}/actions", headers=h)).json()
            ids = [a["id"] for a in actions]
            while time.monotonic() < stop:
                body = {"seat": seat, "action": rng.choice(ids)}
                r = await timed("move", client.post(f"/api/exercises/{ex['id']}/moves", json=body, headers=h))
                if r is not None and r.status_code in (200, 201):
                    acked[ex["id"]].append(int(r.json()["id"]))
                await timed("view", client.get(f"/api/exercises/{ex['id']}", headers=h))

        async def facilitator_loop(ex: dict[str, Any]) -> None:
            h = {"Authorization": f"Bearer {ex['facilitator_token']}"}
            while True:
                await asyncio.sleep(advance_every)
                if time.monotonic() >= stop:
                    return
                await timed("advance", client.post(f"/api/exercises/{ex['id']}/advance", headers=h))

        t0 = time.perf_counter()
        rng = random.Random(1)
        tasks = [seat_loop(ex, seat, random.Random(rng.random())) for ex in exs for seat in ex["seat_tokens"]]
        tasks += [facilitator_loop(ex) for ex in exs]
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0

        lost = duplicated = unacknowledged = stored_total = turns = 0
        for ex in exs:
            h = {"Authorization": f"Bearer {ex['facilitator_token']}"}
            aar = (await client.get(f"/api/exercises/{ex['id']}/after-action", headers=h)).json()
            view = (await client.get(f"/api/exercises/{ex['id']}", headers=h)).json()
            stored = [m["id"] for t in aar["timeline"] for m in t["moves"]] + [m["id"] for m in view["moves"]]
            turns += len(aar["timeline"])
            stored_total += len(stored)
            duplicated += len(stored) - len(set(stored))
            lost += len(set(acked[ex["id"]]) - set(stored))
            unacknowledged += len(set(stored) - set(acked[ex["id"]]))

    n_req = sum(len(v) for v in latency.values())

    def q(v: list[float], p: float) -> float | None:
        return round(float(np.quantile(v, p)) * 1000, 1) if v else None

    return {
        "exercises": exercises,
        "seats": exercises * seats_per,
        "seconds": round(wall, 1),
        "requests": n_req,
        "requests_per_s": round(n_req / wall, 1),
        "latency_ms": {
            k: {"n": len(v), "p50": q(v, 0.5), "p95": q(v, 0.95), "p99": q(v, 0.99), "max": q(v, 1.0)}
            for k, v in latency.items()
        },
        "all_p95_ms": q([x for v in latency.values() for x in v], 0.95),
        "errors": errors,
        "moves_acknowledged": sum(len(v) for v in acked.values()),
        "moves_stored": stored_total,
        "moves_lost": lost,
        "moves_duplicated": duplicated,
        "moves_stored_unacknowledged": unacknowledged,
        "turns_adjudicated": turns,
        "load_average_after": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exercises", type=int, default=10)
    ap.add_argument("--seats", type=int, default=5, help="seats per exercise (at most 10)")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--advance-every", type=float, default=15.0, help="seconds between turn closes")
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument(
        "--workers", type=int, default=1, help="`tashkent serve --workers` (0: adjudicate in the server)"
    )
    ap.add_argument("--out", type=Path, default=None, help="write the figures here as JSON")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="tashkent-bench-web-")
    db = args.db or f"sqlite:///{home}/bench.db"
    port = free_port()
    proc = start_server(db, port, home, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        res = asyncio.run(run(base, args.exercises, min(args.seats, 10), args.seconds, args.advance_every))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    res["workers"] = args.workers
    res["database"] = "sqlite" if db.startswith("sqlite") else db.split(":", 1)[0]
    text = json.dumps(res, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
