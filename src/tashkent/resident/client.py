"""The launcher's side of the resident worker: find the worker for this code and environment, hand it
the command with this process's standard streams, relay signals, and return its exit status.

Standard library only, and cheap (a few milliseconds): it runs before anything else is imported."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
from contextlib import suppress

from tashkent.fingerprint import code_fingerprint

# Commands handed to the worker: the quick, single-process ones whose start-up is most of their
# cost. `serve` (a long-lived server) and `resident` itself always run in their own process.
COMMANDS = frozenset({"forecast", "compare", "runs", "scenario", "report"})

# Environment read when the libraries are imported (numba, numpy's threads and CPU dispatch, the
# interpreter, the locale of the standard streams): a worker serves only the same values.
IMPORT_TIME_ENV = ("NUMBA_", "NPY_", "OMP_", "OPENBLAS_", "MKL_", "PYTHON", "LANG", "LC_")

IDLE_MINUTES = 15  # a worker started after a command exits after this long without a command
HEADER = struct.Struct("!4sI")  # magic, length of the JSON request that follows
MAGIC = b"TKR1"
STATUS = struct.Struct("!ci")  # b"P" + pid of the forked process, then b"X" + exit status
GO = b"G"  # the launcher's answer to b"P": it waits for the command, so the fork may run it
HANDSHAKE_SECONDS = 10.0  # a worker that has not forked by then is stuck: run the command here
MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 108 bytes on Linux, 104 on macOS


def setting() -> str:
    """`TASHKENT_RESIDENT`: "off" (never), "on" (start a worker even without a terminal) or "auto"
    (the default: use a worker if one runs; start one after a command run in a terminal)."""
    raw = os.environ.get("TASHKENT_RESIDENT", "auto").strip().lower()
    if raw in ("0", "off", "no", "false"):
        return "off"
    if raw in ("1", "on", "yes", "true"):
        return "on"
    if raw in ("", "auto"):
        return "auto"
    raise ValueError(f"TASHKENT_RESIDENT={raw!r}: use 0 (off), 1 (on) or auto")


def supported() -> bool:
    """A POSIX system that can fork and pass open files over a Unix socket."""
    return os.name == "posix" and hasattr(os, "fork") and hasattr(socket, "send_fds")


def interpreter_options() -> list[str]:
    """This interpreter's options (-W, -X, -O, -B, ...), which a worker is started with too."""
    import subprocess

    return list(subprocess._args_from_interpreter_flags())  # type: ignore[attr-defined]


def runtime_dir() -> str | None:
    """The private folder of this user's workers, created 0700: `$XDG_RUNTIME_DIR/tashkent`, else
    `$TMPDIR/tashkent-UID` (`/tmp` without TMPDIR); the first that is a folder owned by this user
    and closed to others. None if neither is (then no worker is used or started)."""
    candidates = [os.path.join(os.environ.get("TMPDIR") or "/tmp", f"tashkent-{os.getuid()}")]
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.insert(0, os.path.join(os.environ["XDG_RUNTIME_DIR"], "tashkent"))
    for path in candidates:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            return path  # a real folder (lstat: not a link), this user's, closed to others
    return None


def key() -> str:
    """What a worker must share with this process to serve it: the tashkent code, the interpreter,
    the installed libraries (their folders' modification times) and the import-time environment."""
    h = hashlib.sha256()
    h.update(code_fingerprint().encode())
    h.update(f"{sys.executable}\n{sys.version}\n{interpreter_options()}\n".encode())
    for entry in sys.path[1:]:  # [0] is the script's folder (launcher) or the working folder (-m)
        try:
            h.update(f"{entry}:{os.stat(entry or '.').st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{entry}:-\n".encode())
    for name in sorted(os.environ):
        if name.startswith(IMPORT_TIME_ENV):
            h.update(f"{name}={os.environ[name]}\n".encode())
    return h.hexdigest()[:20]


def socket_path() -> str | None:
    """Where this process's worker listens, or None if workers cannot be used here."""
    folder = runtime_dir()
    if folder is None:
        return None
    path = os.path.join(folder, f"{key()}.sock")
    return path if len(path.encode()) <= MAX_SOCKET_PATH else None


def handover(argv: list[str]) -> int | None:
    """Run `tashkent argv...` in the resident worker and return its exit status; None if no worker
    took the command (none running, command not handed over, resident worker off), in which case
    nothing has been run and the caller runs it itself."""
    if not argv or argv[0] not in COMMANDS or not supported() or setting() == "off":
        return None
    path = socket_path()
    if path is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None  # no worker
    relay = _Relay()
    try:
        request = json.dumps(
            {
                "argv": [sys.argv[0], *argv],
                "cwd": os.getcwd(),
                "env": dict(os.environ),
                "umask": _umask(),
                # `python -m tashkent` or a script: how the command line names itself in messages
                "main_package": getattr(sys.modules["__main__"], "__package__", None),
            }
        ).encode()
        sock.settimeout(HANDSHAKE_SECONDS)
        socket.send_fds(sock, [HEADER.pack(MAGIC, len(request))], [0, 1, 2])
        sock.sendall(request)
        pid = _read_status(sock, b"P")
        # Only after this answer does the fork run the command; without it (this process gave up
        # and runs the command itself) the fork exits, so a command never runs twice.
        sock.sendall(GO)
        sock.settimeout(None)
        relay.to(pid)
    except (OSError, ValueError):
        sock.close()
        relay.restore()
        return None  # the worker refused before running anything
    try:
        return _read_status(sock, b"X")
    except (OSError, ValueError):
        print(
            "error: the resident worker's process ended without an exit status; run the command again "
            "(TASHKENT_RESIDENT=0 runs it without the worker)",
            file=sys.stderr,
        )
        return 1
    finally:
        sock.close()
        relay.restore()


class _Relay:
    """While a command runs in the worker, the signals a user sends the launcher (Ctrl-C, ...) go to
    the process running it; those that arrive before its pid is known wait for it, and come back
    to the launcher if the worker refuses the command."""

    def __init__(self) -> None:
        import signal

        self.pid: int | None = None
        self.pending: list[int] = []
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
        self.before = {int(signum): signal.signal(signum, self._handle) for signum in signals}

    def _handle(self, signum: int, _frame: object) -> None:
        if self.pid is None:
            self.pending.append(signum)
        else:
            with suppress(OSError):
                os.kill(self.pid, signum)

    def to(self, pid: int) -> None:
        self.pid = pid
        for signum in self.pending:
            self._handle(signum, None)
        self.pending.clear()

    def restore(self) -> None:
        import signal

        for signum, handler in self.before.items():
            signal.signal(signum, handler)
        for signum in self.pending:
            os.kill(os.getpid(), signum)
        self.pending.clear()


def read_exactly(sock: socket.socket, size: int, what: str, start: bytes = b"") -> bytes:
    """`size` bytes from a stream socket (`start`: those already read), or ValueError naming
    `what` if the peer closes first."""
    data = bytearray(start)
    while len(data) < size:
        part = sock.recv(min(65536, size - len(data)))
        if not part:
            raise ValueError(f"connection closed in the {what}")
        data += part
    return bytes(data)


def _read_status(sock: socket.socket, kind: bytes) -> int:
    got, value = STATUS.unpack(read_exactly(sock, STATUS.size, "status"))
    if got != kind:
        raise ValueError(f"expected {kind!r}, got {got!r}")
    return int(value)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def start_after(argv: list[str]) -> None:
    """After a command ran in its own process: start a resident worker for the next command, if
    the command is one handed over, none is running, and the setting asks for it ("on"; or "auto"
    and standard error is a terminal). Never fails the command."""
    try:
        if not argv or argv[0] not in COMMANDS or not supported():
            return
        mode = setting()
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            return
        path = socket_path()
        if path is None or running(path):
            return
        spawn(path, IDLE_MINUTES)
        if sys.stderr.isatty():
            print(
                f"tashkent: a resident worker now keeps the model loaded for {IDLE_MINUTES} minutes, so the "
                "next command starts in a fraction of a second (`tashkent resident stop` ends it; "
                "TASHKENT_RESIDENT=0 turns this off)",
                file=sys.stderr,
            )
    except (OSError, ValueError):
        return


def running(path: str) -> bool:
    """Whether a worker accepts connections at `path`."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        return True
    except OSError:
        return False
    finally:
        sock.close()


def spawn(path: str, idle_minutes: float, ready_fd: int | None = None) -> int:
    """Start a worker for socket `path`, detached from this process (its own session, no terminal,
    working in the runtime folder, output to the log file beside the socket); return its pid."""
    import subprocess

    args = [
        sys.executable,
        *interpreter_options(),
        "-m",
        "tashkent.resident.server",
        path,
        "--idle-minutes",
        str(idle_minutes),
    ]
    if ready_fd is not None:
        args += ["--ready-fd", str(ready_fd)]
    env = dict(os.environ)
    if env.get("PYTHONPATH"):  # the worker runs in the runtime folder: make the entries absolute
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in env["PYTHONPATH"].split(os.pathsep))
    with open(path[: -len(".sock")] + ".log", "ab") as out:
        proc = subprocess.Popen(
            args,
            cwd=os.path.dirname(path),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            pass_fds=() if ready_fd is None else (ready_fd,),
        )
    return proc.pid
