"""The model's work for exercises runs beside the server: in worker processes (`ModelPool`) with
the same results as in-process, and while it runs the server answers other requests."""

from __future__ import annotations

import os
import threading

import httpx
from tests.web.helpers import served

from tashkent.exercise import runner, world
from tashkent.exercise.inputs import scenario
from tashkent.web.app import create_app

WAIT = 60  # seconds a test waits for an event before it fails (never reached when all is well)


def test_the_pool_adjudicates_in_another_process_with_the_same_result():
    sc = scenario("kashmir-2025")
    w = world.world_from_scenario(sc)
    orders = world.Orders(posture={0: ("escalate", 3)})
    pool = runner.ModelPool(1)
    try:
        assert pool(runner.worker_pid) != os.getpid()
        far = pool(runner.adjudicate_turn, "kashmir-2025", w, 0, 7, orders, 17)
    finally:
        pool.close()
    assert far == runner.adjudicate_turn("kashmir-2025", w, 0, 7, orders, 17)


class Gate:
    """A runner that holds the model's work until released, so a test can act while it is in flight."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()
        self.released_in_time = True

    def __call__(self, fn, *args):
        self.started.set()
        self.released_in_time = self.release.wait(WAIT)
        return fn(*args)


def test_the_server_answers_while_a_turn_and_an_exercise_creation_are_being_computed(tmp_path):
    gate = Gate()
    with (
        served(create_app(f"sqlite:///{tmp_path / 'w.db'}", run=gate)) as base,
        httpx.Client(base_url=base, timeout=WAIT * 2) as http,
    ):
        gate.release.set()  # the exercise is created without holding
        ex = http.post("/api/exercises", json={"seats": ["IND", "PAK"], "turn_days": 7}).json()
        fac = {"Authorization": f"Bearer {ex['facilitator_token']}"}
        ind = {"Authorization": f"Bearer {ex['seat_tokens']['IND']}"}
        for request in (
            lambda: http.post(f"/api/exercises/{ex['id']}/advance", headers=fac),
            lambda: http.post("/exercises", data={"seats": ["IND"], "turn_days": "7"}),  # the form route
        ):
            gate.started.clear()
            gate.release.clear()
            answer: dict = {}
            t = threading.Thread(target=lambda r=request, a=answer: a.setdefault("r", r()))
            t.start()
            assert gate.started.wait(WAIT)  # the model's work is in flight ...
            assert http.get("/api/health").status_code == 200  # ... and the server answers
            assert http.get(f"/api/exercises/{ex['id']}", headers=fac).status_code == 200
            assert "r" not in answer
            gate.release.set()
            t.join(WAIT)
            assert gate.released_in_time and answer["r"].status_code == 200
        assert http.get(f"/api/exercises/{ex['id']}", headers=ind).json()["turn"] == 1
