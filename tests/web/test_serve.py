"""`tashkent serve` as users run it: a separate server process, killed and started again between
two calls of a client that knows only the HTTP contract."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.core.helpers import run_cli

SRC = Path(__file__).resolve().parents[2] / "src"


def test_bad_port_is_a_one_line_error():
    code, _, err = run_cli("serve", "--port", "0")
    assert code == 2 and err.strip().startswith("error: --port 0") and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("serve", "--workers", "-1")
    assert code == 2 and err.strip() == "error: --workers -1: must be between 0 and 64"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: str, port: int, home: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "TASHKENT_HOME": str(home),
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tashkent", "serve", "--port", str(port), "--db", db],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):  # wait until it answers (start-up imports take a few seconds)
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    pytest.fail("tashkent serve did not answer /api/health")


def test_contract_survives_killing_the_server_between_two_calls(tmp_path):
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(db, port, tmp_path)
    http = httpx.Client(timeout=120)  # creating an exercise runs the model; a loaded CI machine is slow
    try:
        ex = http.post(
            f"{base}/api/exercises", json={"scenario": "kashmir-2025", "seats": ["IND", "PAK", "RUS"]}
        ).json()
        h = {"Authorization": f"Bearer {ex['seat_tokens']['IND']}"}
        acts = http.get(f"{base}/api/exercises/{ex['id']}/actions", headers=h).json()
        move = http.post(
            f"{base}/api/exercises/{ex['id']}/moves", json={"seat": "IND", "action": acts[0]["id"]}, headers=h
        )
        assert move.status_code in (200, 201)
    finally:
        proc.send_signal(signal.SIGKILL)  # no shutdown: as if the machine lost power
        proc.wait()
    proc = serve(db, port, tmp_path)
    try:
        fac = {"Authorization": f"Bearer {ex['facilitator_token']}"}
        view = http.get(f"{base}/api/exercises/{ex['id']}", headers=fac).json()
        assert view["turn"] == 0 and [m["action"] for m in view["moves"]] == [acts[0]["id"]]
        adv = http.post(f"{base}/api/exercises/{ex['id']}/advance", headers=fac)
        assert adv.status_code == 200
        assert http.get(f"{base}/api/exercises/{ex['id']}", headers=h).json()["turn"] == 1
        assert ex["id"] in http.get(f"{base}/").text
    finally:
        http.close()
        proc.terminate()
        proc.wait(timeout=30)
