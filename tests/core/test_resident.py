"""The resident worker (decision 0074): a command handed to it gives the same output, files and exit
status as the same command run in its own process; it serves only its own code and environment,
relays interrupts, and goes away when idle, stopped, or when its socket is removed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tashkent.resident import client

pytestmark = pytest.mark.skipif(
    not client.supported(), reason="the resident worker needs fork and Unix sockets"
)

TIMEOUT = 120


def launch(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    """`tashkent ARGS` through the launcher, as a user's shell runs it (output captured unless
    `stdout`/`stderr` are given)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "tashkent", *args],
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
        **streams,
    )


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder (short: socket paths are limited) with the worker allowed."""
    folder = Path(tempfile.mkdtemp(prefix="tkr", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("TASHKENT_RESIDENT", "auto")
    yield folder
    for pid_file in folder.glob("*/*.pid"):  # a worker a failed test left running
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(json.loads(pid_file.read_text())["pid"]), signal.SIGTERM)
    shutil.rmtree(folder, ignore_errors=True)


def socket_for_launcher() -> str:
    """The socket a launcher in this environment looks for (its key, computed by the launcher)."""
    doc = json.loads(launch("resident", "status", "--json").stdout)
    assert doc["socket"], doc
    return str(doc["socket"])


class Worker:
    """A worker started in the foreground by the test, so that the test can wait for its exit."""

    def __init__(self, path: str, idle_minutes: float = 10) -> None:
        self.path = path
        self.log = Path(path).with_suffix(".log")
        read_end, write_end = os.pipe()
        options = ["--idle-minutes", str(idle_minutes), "--ready-fd", str(write_end)]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tashkent.resident.server", path, *options],
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
            )
        os.close(write_end)
        with os.fdopen(read_end, "rb") as ready:
            assert ready.readline() == b"ready\n", self.log.read_text()

    def handed(self) -> int:
        """How many commands the worker has forked for."""
        return self.log.read_text().count(": forking")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def worker(runtime: Path) -> Iterator[Worker]:
    w = Worker(socket_for_launcher())
    yield w
    w.stop()


def run_folder(home: Path) -> Path:
    (folder,) = (home / "runs").iterdir()
    return folder


def test_a_handed_over_forecast_matches_one_run_in_its_own_process(worker: Worker, tmp_path: Path) -> None:
    args = ("forecast", "pahalgam-2025", "--runs", "300", "--days", "30", "--seed", "7", "--json")
    own = launch(*args, env={"TASHKENT_RESIDENT": "0", "TASHKENT_HOME": str(tmp_path / "own")})
    assert worker.handed() == 0
    handed = launch(*args, env={"TASHKENT_HOME": str(tmp_path / "handed")})
    assert worker.handed() == 1
    assert own.returncode == handed.returncode == 0, handed.stderr
    assert own.stderr == handed.stderr
    a, b = json.loads(own.stdout), json.loads(handed.stdout)
    for doc in (a, b):
        del doc["run_id"], doc["seconds"]
    assert a == b
    # The stored tables are the same bytes.
    own_dir, handed_dir = run_folder(tmp_path / "own"), run_folder(tmp_path / "handed")
    tables = sorted(p.name for p in own_dir.glob("*.parquet"))
    assert len(tables) >= 5
    for name in tables:
        assert (own_dir / name).read_bytes() == (handed_dir / name).read_bytes(), name
    # The run index of the launcher's home holds the handed-over run.
    listed = launch("runs", "list", env={"TASHKENT_RESIDENT": "0", "TASHKENT_HOME": str(tmp_path / "handed")})
    assert handed_dir.name in listed.stdout


def test_user_errors_and_exit_status_are_the_launchers(worker: Worker, tmp_path: Path) -> None:
    for args in (("forecast", "--runs", "150"), ("forecast", "no-such-scenario"), ("compare", "--bogus")):
        own = launch(*args, env={"TASHKENT_RESIDENT": "0"})
        handed = launch(*args)
        assert own.returncode == handed.returncode == 2, (args, handed.stderr)
        assert own.stderr == handed.stderr
        assert "Traceback" not in handed.stderr
    assert worker.handed() == 3
    # Relative paths are the launcher's: the command runs in the launcher's working folder.
    (tmp_path / "mine.yaml").write_text(launch("scenario", "export", "kashmir-2025").stdout)
    out = launch("scenario", "validate", "mine.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("mine.yaml: ok")
    assert worker.handed() == 5


def test_only_its_own_commands_code_and_environment(worker: Worker) -> None:
    assert launch("resident", "status").returncode == 0  # never handed over
    assert launch("scenario", "list", env={"TASHKENT_RESIDENT": "0"}).returncode == 0
    # A different import-time environment (numba's optimisation level) is another worker's.
    assert launch("scenario", "list", env={"NUMBA_OPT": "1"}).returncode == 0
    assert worker.handed() == 0
    assert launch("scenario", "list").returncode == 0
    assert worker.handed() == 1


def test_bad_setting_and_unsafe_folder_are_one_line_errors(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = launch("scenario", "list", env={"TASHKENT_RESIDENT": "maybe"})
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: TASHKENT_RESIDENT='maybe': use 0 (off), 1 (on) or auto"
    # Folders open to others are never used: $XDG_RUNTIME_DIR/tashkent, then $TMPDIR/tashkent-UID.
    monkeypatch.setenv("TMPDIR", str(runtime))
    for name in ("tashkent", f"tashkent-{os.getuid()}"):
        (runtime / name).mkdir(mode=0o700)
        os.chmod(runtime / name, 0o755)
    assert client.socket_path() is None
    status = launch("resident", "start")
    assert status.returncode == 2
    assert status.stderr.startswith("error: no private runtime folder") and status.stderr.count("\n") == 1
    assert launch("scenario", "list").returncode == 0  # commands still run, in their own process


def test_idle_worker_exits_and_removes_its_socket(runtime: Path) -> None:
    w = Worker(socket_for_launcher(), idle_minutes=0.01)
    assert w.proc.wait(timeout=TIMEOUT) == 0
    assert not Path(w.path).exists()
    assert "stopped after 0 commands" in w.log.read_text()


def test_removing_the_socket_stops_the_worker(worker: Worker) -> None:
    os.unlink(worker.path)
    assert worker.proc.wait(timeout=TIMEOUT) == 0
    assert not Path(worker.path).with_suffix(".pid").exists()


def test_start_status_stop(runtime: Path) -> None:
    started = launch("resident", "start", "--idle-minutes", "5")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith("resident worker ready in")
    assert "already serves" in launch("resident", "start").stdout
    doc = json.loads(launch("resident", "status", "--json").stdout)
    (info,) = doc["workers"]
    assert info["running"] and info["current"] and info["pid"] > 0
    stopped = launch("resident", "stop")
    assert stopped.stdout.strip() == "stopped 1 resident worker(s)", stopped.stderr
    assert json.loads(launch("resident", "status", "--json").stdout)["workers"] == []
    assert list((runtime / "tashkent").iterdir()) == []  # no socket, pid, lock or log left


def test_a_command_run_in_a_terminal_leaves_a_worker(runtime: Path) -> None:
    primary, secondary = os.openpty()  # standard error on a terminal, as in a user's shell
    try:
        first = launch("scenario", "list", stderr=secondary)
    finally:
        os.close(secondary)
        note = os.read(primary, 4096).decode()
        os.close(primary)
    assert first.returncode == 0
    assert "a resident worker now keeps the model loaded" in note
    # The worker it started: wait until it serves (start waits for one that is starting), then stop it.
    assert launch("resident", "start").returncode == 0
    assert len(json.loads(launch("resident", "status", "--json").stdout)["workers"]) == 1
    assert launch("resident", "stop").stdout.strip() == "stopped 1 resident worker(s)"


def test_interrupts_reach_the_forked_command(runtime: Path) -> None:
    """The launcher relays Ctrl-C to the process running its command and returns its status."""
    path = client.socket_path()
    assert path is not None
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    command = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys\n"
            "signal.signal(signal.SIGINT, lambda *a: sys.exit(130))\n"
            "print('ready', flush=True)\n"
            "signal.pause()",
        ],
        stdout=subprocess.PIPE,
    )
    assert command.stdout is not None and command.stdout.readline() == b"ready\n"

    def fake_worker() -> None:
        conn, _ = listener.accept()
        with conn:  # closed whatever happens: the launcher then returns instead of waiting
            head, fds, _flags, _addr = socket.recv_fds(conn, client.HEADER.size, 3)
            for fd in fds:
                os.close(fd)
            _magic, length = client.HEADER.unpack(head)
            with conn.makefile("rb") as request:
                json.loads(request.read(length))
            conn.sendall(client.STATUS.pack(b"P", command.pid))
            if conn.recv(1) == client.GO:
                os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C at the launcher
                conn.sendall(client.STATUS.pack(b"X", command.wait(timeout=TIMEOUT)))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=fake_worker)
    thread.start()
    try:
        assert client.handover(["forecast"]) == 130
    finally:
        thread.join(timeout=TIMEOUT)
        listener.close()
    assert signal.getsignal(signal.SIGINT) is before  # restored


def test_consoles_are_remade_for_the_streams_a_forked_command_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from tashkent.terminal import Console, remake_all

    monkeypatch.setattr(sys, "stdout", io.StringIO())
    console = Console(highlight=False, piped_width=150)
    assert not console.is_terminal and console.width == 150
    primary, secondary = os.openpty()
    try:
        with os.fdopen(secondary, "w") as terminal:
            monkeypatch.setattr(sys, "stdout", terminal)
            remake_all()
            assert console.is_terminal and console.width != 150
    finally:
        os.close(primary)
        monkeypatch.undo()
        remake_all()  # every command module's console, back to the test run's streams


def test_a_stuck_worker_is_given_up_and_the_command_runs_here(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that never forks (stopped, swamped): the launcher stops waiting and runs the command
    itself; without the launcher's go-ahead a late fork would exit without running it."""
    path = client.socket_path()
    assert path is not None
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)  # accepts into the backlog, never answers
    monkeypatch.setattr(client, "HANDSHAKE_SECONDS", 0.2)
    try:
        assert client.handover(["forecast"]) is None
    finally:
        listener.close()
