"""The resident worker: a process that has imported tashkent's libraries and loaded the compiled
stepper once, and forks a copy of itself for every command handed to it.

The forked process takes the launcher's standard streams, working folder, umask, environment and
arguments, then runs the command line exactly as a fresh process would; its output, files and exit
status are the same, only its start-up is skipped (decision 0074). Each command gets its own fork,
so nothing one command does is seen by the next. The worker serves only launchers of the same user
(a private folder, and the peer's uid is checked), exits after a stretch without commands, on
SIGTERM, or when its socket is removed or replaced.

Run as `python -m tashkent.resident.server SOCKET [--idle-minutes M] [--ready-fd FD]`; the launcher
and `tashkent resident start` do this."""

from __future__ import annotations

import argparse
import fcntl
import gc
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
import traceback
from contextlib import suppress
from pathlib import Path
from typing import Any

from tashkent.resident.client import GO, HANDSHAKE_SECONDS, HEADER, MAGIC, STATUS, read_exactly

POLL_SECONDS = 2.0  # how often an idle worker checks its deadline and its socket
FIRST_BYTES_SECONDS = 5.0  # a launcher sends its first bytes as it connects


def warm() -> None:
    """Import what the handed-over commands use and load the compiled stepper for every argument
    type they pass it: a small stored forecast of each built-in scenario, in a temporary home that
    is removed afterwards. Nothing of the user's (run index, result cache, files) is touched."""
    from tashkent.api import forecast
    from tashkent.cli import click_command
    from tashkent.scenario.load import builtin_names
    from tashkent.store.index import close_all

    click_command()
    saved = {name: os.environ.get(name) for name in ("TASHKENT_HOME", "TASHKENT_DB")}
    try:
        with tempfile.TemporaryDirectory(prefix="tashkent-warm-") as home:
            os.environ["TASHKENT_HOME"] = home
            os.environ.pop("TASHKENT_DB", None)
            for name in builtin_names():
                for kept in (0, 200):  # the stepper is compiled apart with and without trajectories
                    forecast(name, runs=200, days=2, keep_trajectories=kept, workers=1, store=kept > 0)
            close_all()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    # Move everything loaded so far out of the collector's reach: a forked process's collections
    # would otherwise touch, and so copy, every page of the worker's memory.
    gc.collect()
    gc.freeze()


def serve(path: str, idle_seconds: float, ready_fd: int | None = None) -> int:
    """Listen at `path` until idle for `idle_seconds`; return the process's exit status."""
    lock = open(path[: -len(".sock")] + ".lock", "a")  # noqa: SIM115  # held for the process's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("another resident worker for this key is running or starting", flush=True)
        _ready(ready_fd, b"busy\n")
        return 0
    started = time.monotonic()
    warm()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{path}.{os.getpid()}"
    with suppress(FileNotFoundError):
        os.unlink(staging)
    listener.bind(staging)
    listener.listen(16)
    os.replace(staging, path)  # clients never see a socket that is not yet listening
    mine = os.stat(path).st_ino
    pid_file = path[: -len(".sock")] + ".pid"
    with open(pid_file, "w") as fh:
        json.dump({"pid": os.getpid(), "idle_seconds": idle_seconds, "started": time.time()}, fh)
    print(f"ready in {time.monotonic() - started:.2f} s; pid {os.getpid()}; socket {path}", flush=True)
    _ready(ready_fd, b"ready\n")

    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked commands are reaped by the system
    listener.settimeout(POLL_SECONDS)
    deadline = time.monotonic() + idle_seconds
    served = 0
    while not stopping and time.monotonic() < deadline and _still_mine(path, mine):
        try:
            conn, _ = listener.accept()
        except (TimeoutError, InterruptedError):
            continue
        first = _first_bytes(conn) if _same_user(conn) else None
        if first is None:  # another user, or a probe (`client.running`) that connected and left
            conn.close()
            continue
        served += 1
        print(f"command {served}: forking", flush=True)
        if os.fork() == 0:
            listener.close()
            lock.close()
            _run_forked(conn, *first)  # never returns
        for fd in first[1]:
            os.close(fd)
        conn.close()
        deadline = time.monotonic() + idle_seconds
    if _still_mine(path, mine):
        with suppress(OSError):
            os.unlink(path)
    with suppress(OSError, ValueError):
        if json.loads(Path(pid_file).read_text(encoding="utf-8"))["pid"] == os.getpid():
            os.unlink(pid_file)
    listener.close()
    print(f"stopped after {served} commands", flush=True)
    return 0


def _ready(fd: int | None, message: bytes) -> None:
    if fd is not None:
        with suppress(OSError):
            os.write(fd, message)
            os.close(fd)


def _still_mine(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


def _same_user(conn: socket.socket) -> bool:
    """The peer runs as this user (Linux's SO_PEERCRED; elsewhere the private folder decides)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return bool(struct.unpack("3i", creds)[1] == os.getuid())


# ------------------------------------------------------------------ in the forked process


def _run_forked(conn: socket.socket, head: bytes, fds: list[int]) -> None:
    """Become the launcher's process and run its command; exit with the command's status."""
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        request = _receive(conn, head, fds)
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # the launcher's TZ
        tempfile.tempdir = None  # the launcher's TMPDIR, on next use
        sys.argv = list(request["argv"])
        sys.modules["__main__"].__package__ = request["main_package"]
        _reopen_stdio()
        conn.sendall(STATUS.pack(b"P", os.getpid()))
        conn.settimeout(HANDSHAKE_SECONDS)
        if conn.recv(1) != GO:
            raise ValueError("the launcher gave up waiting")
        conn.settimeout(None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"refused a request: {exc}", file=sys.__stderr__, flush=True)
        os._exit(1)  # the launcher runs the command itself: nothing has been run here
    code = _run_command(sys.argv[1:])
    with suppress(OSError):
        conn.sendall(STATUS.pack(b"X", code))
    os._exit(code)


def _first_bytes(conn: socket.socket) -> tuple[bytes, list[int]] | None:
    """The start of a request and the launcher's three standard streams that come with it; None if
    the peer closed without sending any (a probe) or sent no streams."""
    conn.settimeout(FIRST_BYTES_SECONDS)
    try:
        data, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, 3)
    except OSError:
        return None
    finally:
        conn.settimeout(None)
    if not data or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return None
    return data, fds


def _receive(conn: socket.socket, data: bytes, fds: list[int]) -> dict[str, Any]:
    """The rest of the request (a header, then JSON); the standard streams put in place."""
    magic, length = HEADER.unpack(read_exactly(conn, HEADER.size, "header", start=data))
    if magic != MAGIC:
        raise ValueError(f"not a tashkent launcher ({magic!r})")
    body = read_exactly(conn, length, "request")
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    request: dict[str, Any] = json.loads(body)
    return request


def _reopen_stdio() -> None:
    """Standard streams on the new descriptors 0-2, buffered as the interpreter would at start-up
    (stdout line-buffered on a terminal, stderr always), then the consoles remade for them."""
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    # The interpreter's own streams are replaced on purpose (mypy: they are "final").
    sys.stdin = sys.__stdin__ = open(0, encoding=encoding, errors=errors, closefd=False)  # type: ignore[misc]  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(  # type: ignore[misc]  # noqa: SIM115
        1, "w", buffering=1 if os.isatty(1) else -1, encoding=encoding, errors=errors, closefd=False
    )
    sys.stderr = sys.__stderr__ = open(  # type: ignore[misc]  # noqa: SIM115
        2, "w", buffering=1, encoding=encoding, errors="backslashreplace", closefd=False
    )
    from tashkent.terminal import remake_all

    remake_all()


def _run_command(argv: list[str]) -> int:
    """`tashkent.cli.main(argv)` with the exit status a fresh interpreter would give."""
    from tashkent.cli import main

    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tashkent.resident.server", description=__doc__)
    parser.add_argument("socket", help="the Unix socket to listen at (in the private runtime folder)")
    parser.add_argument("--idle-minutes", type=float, default=15.0, help="exit after this long idle")
    parser.add_argument("--ready-fd", type=int, default=None, help="write 'ready' to this descriptor")
    args = parser.parse_args(argv)
    if not 0 < args.idle_minutes <= 24 * 60:
        parser.error(f"--idle-minutes {args.idle_minutes}: use more than 0 and at most 1440")
    if not args.socket.endswith(".sock"):
        parser.error(f"{args.socket}: the socket's name must end in .sock")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # a TextIOWrapper
    return serve(args.socket, args.idle_minutes * 60, args.ready_fd)


if __name__ == "__main__":
    sys.exit(main())
