"""`tashkent resident start | stop | status`: the resident worker that keeps the model loaded
between commands (decision 0074)."""

from __future__ import annotations

import json
import os
import select
import signal
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import typer

from tashkent.errors import UserError
from tashkent.resident import client

resident_app = typer.Typer(
    help="The resident worker: keeps the model loaded so that commands after the first start fast.",
    no_args_is_help=True,
)
START_TIMEOUT = 120.0  # seconds to wait for a worker to load (about 2 s on a quiet machine)
STOP_TIMEOUT = 15.0


def _folder() -> Path:
    if not client.supported():
        raise UserError(
            "the resident worker needs a POSIX system (fork and Unix sockets); commands run as usual"
        )
    folder = client.runtime_dir()
    if folder is None:
        raise UserError(
            "no private runtime folder for the resident worker: $XDG_RUNTIME_DIR/tashkent or "
            "$TMPDIR/tashkent-UID must be a folder of yours closed to others (mode 700)"
        )
    return Path(folder)


def _setting() -> str:
    try:
        return client.setting()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _here() -> str:
    path = client.socket_path()
    if path is None:
        raise UserError(
            "the runtime folder's path is too long for a Unix socket; set TMPDIR to a shorter folder"
        )
    return path


def workers() -> list[dict[str, Any]]:
    """This user's workers: socket, pid, whether they serve this process's code and environment."""
    folder = _folder()
    here = client.socket_path()
    found = []
    for sock in sorted(folder.glob("*.sock")):
        info: dict[str, Any] = {
            "socket": str(sock),
            "running": client.running(str(sock)),
            "current": str(sock) == here,
        }
        with suppress(OSError, ValueError):
            info.update(json.loads(sock.with_suffix(".pid").read_text(encoding="utf-8")))
        found.append(info)
    return found


def start(
    idle_minutes: float = typer.Option(
        client.IDLE_MINUTES, "--idle-minutes", help="Exit after this many minutes without a command."
    ),
) -> None:
    """Start a resident worker for this code and environment (or say that one runs) and wait until it
    serves commands."""
    if not 0 < idle_minutes <= 24 * 60:
        raise UserError(f"--idle-minutes {idle_minutes}: must be more than 0 and at most 1440")
    _folder()
    path = _here()
    if client.running(path):
        typer.echo(f"a resident worker already serves this environment ({path})")
        return
    t0 = time.monotonic()
    read_end, write_end = os.pipe()
    try:
        pid = client.spawn(path, idle_minutes, ready_fd=write_end)
        os.close(write_end)
        answer = b""
        ready, _, _ = select.select([read_end], [], [], START_TIMEOUT)
        if ready:
            answer = os.read(read_end, 64)
    finally:
        os.close(read_end)
    if answer.startswith(b"busy"):
        # Another launcher is starting one: wait for it to listen.
        while not client.running(path) and time.monotonic() - t0 < START_TIMEOUT:
            time.sleep(0.1)
    if not client.running(path):
        log = path[: -len(".sock")] + ".log"
        raise UserError(f"the resident worker (pid {pid}) did not start; its log is {log}")
    typer.echo(
        f"resident worker ready in {time.monotonic() - t0:.1f} s ({path}; "
        f"exits after {idle_minutes:g} idle minutes)"
    )


def stop() -> None:
    """Stop all of this user's resident workers (running commands finish)."""
    stopped = []
    for info in workers():
        sock = Path(info["socket"])
        if not info["running"]:
            for suffix in (".sock", ".pid"):
                sock.with_suffix(suffix).unlink(missing_ok=True)
            continue
        if "pid" in info:
            try:
                os.kill(int(info["pid"]), signal.SIGTERM)
                stopped.append(sock)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(s.with_suffix(".pid").exists() for s in stopped) and time.monotonic() < deadline:
        time.sleep(0.05)
    _remove_leftovers()
    left = [s for s in stopped if s.with_suffix(".pid").exists()]
    if left:
        raise UserError(f"{len(left)} resident worker(s) did not stop within {STOP_TIMEOUT:g} s: {left[0]}")
    typer.echo(f"stopped {len(stopped)} resident worker(s)")


def _remove_leftovers() -> None:
    """The lock and log files of workers that are gone (no process holds the lock)."""
    import fcntl

    for lock in _folder().glob("*.lock"):
        with suppress(OSError), lock.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.with_suffix(".log").unlink(missing_ok=True)
            lock.unlink()


def status(as_json: bool = typer.Option(False, "--json", help="Print the workers as JSON.")) -> None:
    """List this user's resident workers and which serves this environment."""
    found = workers()
    if as_json:
        doc = {"setting": _setting(), "socket": client.socket_path(), "workers": found}
        typer.echo(json.dumps(doc, indent=2))
        return
    typer.echo(f"TASHKENT_RESIDENT={_setting()}; handed over: {', '.join(sorted(client.COMMANDS))}")
    if not found:
        typer.echo("no resident worker")
    for info in found:
        state = "running" if info["running"] else "not running (stale files)"
        mine = "serves this environment" if info["current"] else "other code or environment"
        started = time.strftime("%H:%M:%S", time.localtime(info["started"])) if "started" in info else "?"
        typer.echo(f"pid {info.get('pid', '?')}: {state}, {mine}, started {started} ({info['socket']})")


def register(app: typer.Typer) -> None:
    resident_app.command("start")(start)
    resident_app.command("stop")(stop)
    resident_app.command("status")(status)
    app.add_typer(resident_app, name="resident")
