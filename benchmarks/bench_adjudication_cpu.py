"""CPU the web server's own process spends per turn close, with the adjudication in the server
(`--workers 0`) and in a worker process (`--workers 1`): one exercise, a warm-up close, then N
closes of a 30-day turn through the HTTP API in-process; `time.process_time` counts every thread
of this process and none of the worker's.

    PYTHONPATH=src python benchmarks/bench_adjudication_cpu.py            # 5 closes each
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from fastapi.testclient import TestClient

from tashkent.web.app import create_app


def measure(workers: int, closes: int) -> tuple[float, float]:
    """Server-process CPU seconds and wall seconds per turn close."""
    home = tempfile.mkdtemp(prefix="tashkent-bench-cpu-")
    client = TestClient(create_app(f"sqlite:///{home}/bench.db", workers=workers))
    ex = client.post("/api/exercises", json={"seats": ["IND", "PAK"], "turn_days": 30}).json()
    fac = {"Authorization": f"Bearer {ex['facilitator_token']}"}
    url = f"/api/exercises/{ex['id']}/advance"
    client.post(url, headers=fac)  # warm-up: the worker loads the scenario and its bargaining link
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(closes):
        client.post(url, headers=fac).raise_for_status()
    return (time.process_time() - cpu) / closes, (time.perf_counter() - wall) / closes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--closes", type=int, default=5)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for workers in (0, 1):
        cpu, wall = measure(workers, args.closes)
        print(f"--workers {workers}: server-process CPU per turn close {cpu:.3f} s, wall {wall:.3f} s")


if __name__ == "__main__":
    main()
