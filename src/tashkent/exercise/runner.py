"""Where an exercise's model work runs. An adjudication costs about 0.6 s of CPU, mostly
interpreter time; in the web server's own process it would hold the interpreter while other
requests wait. The service calls the model through a runner: `inline` (library use, tests,
recovery at start-up) or a `ModelPool` of worker processes (the web server), which gives the same
results from the same seeds because the work is a pure function of its arguments."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tashkent.exercise import inputs
from tashkent.exercise import world as world_mod
from tashkent.sim.ensemble import exit_with_parent

Runner = Callable[..., Any]  # runner(fn, *args) returns fn(*args), computed wherever it likes


def inline(fn: Callable[..., Any], *args: Any) -> Any:
    """Run the model's work here, in the calling thread."""
    return fn(*args)


def adjudicate_turn(
    name: str, world: dict[str, Any], day0: int, days: int, orders: world_mod.Orders, seed: int
) -> dict[str, Any]:
    """One turn of the scenario `name` (loaded once per process with its calibration and
    bargaining link), as `world.adjudicate` computes it."""
    sc = inputs.scenario(name)
    return world_mod.adjudicate(sc, world, day0, days, orders, seed, inputs.link_overrides(name))


def opening_forecast(name: str, world: dict[str, Any], seed: int) -> dict[str, Any]:
    """The forecast ahead from an exercise's starting world."""
    return world_mod.forecast_ahead(inputs.scenario(name), world, 0, seed, inputs.link_overrides(name))


def worker_pid() -> int:
    """The process that runs the work (for tests and health checks)."""
    return os.getpid()


class ModelPool:
    """A small pool of worker processes for the model's work. Workers are started fresh (`spawn`:
    the server has threads, which a fork would copy in an unknown state), live as long as the
    pool, and exit when the server process is gone. A worker that dies is replaced and the work
    submitted again once."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("a model pool needs at least one worker")
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):  # start the workers now: their imports take a second or two
            pool.submit(worker_pid)
        return pool

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        pool = self._pool
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:  # the first thread to see it broken replaces it
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new()
            return self._pool.submit(fn, *args).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
