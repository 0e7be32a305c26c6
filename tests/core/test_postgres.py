"""The run index on PostgreSQL (`--db postgresql+psycopg://…`), against a throwaway local server.

Runs where PostgreSQL's server binaries are installed (they are on the project's machines); the
server listens only on a Unix socket in a temporary folder and is stopped afterwards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from tests.core.helpers import run_cli

from tashkent.store import index

INITDB = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip(
        "psycopg", reason="the PostgreSQL driver is not installed: pip install 'tashkent[postgres]'"
    )
    if INITDB is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    bindir = Path(INITDB).parent
    folder = Path(tempfile.mkdtemp(prefix="tashkent-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tashkent"],
        check=True,
        capture_output=True,
    )
    opts = f"-p 55439 -k {folder} -c listen_addresses=''"
    # the server must not inherit our pipes (we would wait for them forever): it logs to a file
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    try:
        yield f"postgresql+psycopg://tashkent@/postgres?host={folder}&port=55439"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_forecast_runs_are_indexed_in_postgresql(pg_url):
    code, out, err = run_cli("forecast", "--runs", "300", "--days", "30", "--json", "--db", pg_url)
    assert code == 0, err
    doc = json.loads(out)
    row = index.get_run(pg_url, doc["run_id"])
    assert (
        row.status == "complete"
        and row.runs == 300
        and row.headline["p_crisis"] == doc["milestones"]["30"]["p_crisis"]
    )
    code, out, _ = run_cli("runs", "list", "--db", pg_url)
    assert code == 0 and doc["run_id"] in out


def test_unreachable_database_is_a_one_line_error():
    code, _, err = run_cli("runs", "list", "--db", "postgresql+psycopg://nobody@/x?host=/nonexistent&port=1")
    assert code == 2 and err.startswith("error: --db") and err.count("\n") == 1


def test_exercises_on_postgresql_keep_every_move_across_a_restart(pg_url):
    """The exercise store on PostgreSQL: rows locked FOR UPDATE, concurrent moves with a turn
    close, a new app on the same database sees everything."""
    import threading

    from fastapi.testclient import TestClient

    from tashkent.exercise import service
    from tashkent.store.exercises import ExerciseStore
    from tashkent.web.app import create_app

    store = ExerciseStore(pg_url)
    ex = service.create(store, "kashmir-2025", ["IND", "PAK"], turn_days=7)
    seats = {s: service.authenticate(store, ex["id"], t) for s, t in ex["seat_tokens"].items()}
    fac = service.authenticate(store, ex["id"], ex["facilitator_token"])
    made: list[int] = []

    def player(seat: str) -> None:
        for _ in range(6):
            made.append(service.move(store, seats[seat], seat, "talks")["id"])

    threads = [threading.Thread(target=player, args=(s,)) for s in seats]
    for t in threads:
        t.start()
    closed = service.advance(store, fac)
    for t in threads:
        t.join()
    client = TestClient(create_app(pg_url))
    view = client.get(
        f"/api/exercises/{ex['id']}", headers={"Authorization": f"Bearer {ex['facilitator_token']}"}
    )
    assert view.status_code == 200 and view.json()["turn"] == 1
    stored = [m["id"] for m in closed["moves"]] + [m["id"] for m in view.json()["moves"]]
    assert sorted(stored) == sorted(made) and len(made) == 12
    other = client.get(
        f"/api/exercises/{ex['id']}", headers={"Authorization": f"Bearer {ex['seat_tokens']['IND']}"}
    )
    assert other.json()["you"]["seat"] == "IND"
    assert {m["seat"] for m in other.json()["moves"]} <= {"IND"}  # a seat sees only its own moves
