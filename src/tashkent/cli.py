"""The `tashkent` command line. Each area registers its own commands; this file only assembles them
and turns `UserError` into a one-line message with exit status 2."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import typer

from tashkent import __version__
from tashkent.errors import UserError
from tashkent.terminal import Console

app = typer.Typer(
    help="Model, simulate and forecast third-party mediation under the shadow of crisis escalation.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(f"tashkent {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


def _register_all() -> None:
    """Import every area's command module and let it add its commands."""
    # Each area owns its commands in `<area>/commands.py` with a `register(app)` function.
    import importlib

    for area in _AREAS:
        importlib.import_module(f"tashkent.{area}.commands").register(app)


# One line per area; an area's commands live in src/tashkent/<area>/commands.py.
_AREAS = ["scenario", "sim", "report", "bargain", "events", "history", "explore", "web", "resident"]


_register_all()


@cache
def click_command() -> Any:
    """The assembled click command, built once per process (the resident worker builds it before
    forking, so a forked command does not rebuild it)."""
    return typer.main.get_command(app)


def _log_internal_error(exc: BaseException) -> str:
    """Write the traceback of an unexpected error to a log file and return its path."""
    import datetime as dt
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    for folder in (os.environ.get("TASHKENT_HOME", ""), tempfile.gettempdir()):
        try:
            path = Path(folder or tempfile.gettempdir()) / "logs" / f"error-{stamp}-{os.getpid()}.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"tashkent {__version__}\nargv: {sys.argv}\n\n{text}", encoding="utf-8")
            return str(path)
        except OSError:
            continue
    return "(no writable folder for the log)"


def _os_error_text(exc: OSError) -> str:
    """An operating-system error (missing file, permission, read-only disk, a folder where a file
    should be) in one line, naming the path."""
    name = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or type(exc).__name__
    hint = {
        "PermissionError": "check its permissions or set TASHKENT_HOME to a writable folder",
        "IsADirectoryError": "give a file name, not a folder",
        "NotADirectoryError": "a part of the path is a file, not a folder",
        "FileExistsError": "a file is in the way where a folder should be",
        "FileNotFoundError": "check the path",
    }.get(type(exc).__name__, "check the path, the disk and TASHKENT_HOME")
    return f"{name}: {reason}; {hint}" if name else f"{reason}; {hint}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, printing user errors as one line (exit 2), never a traceback."""
    try:
        click_command().main(args=argv, standalone_mode=False)
    except UserError as exc:
        err_console.print(f"error: {exc.message}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:
        err_console.print(f"error: {_os_error_text(exc)}", markup=False)
        sys.exit(2)
    except RecursionError as exc:
        log = _log_internal_error(exc)
        err_console.print(f"error: input nested too deeply to process; details in {log}", markup=False)
        sys.exit(2)
    except MemoryError:
        err_console.print(
            "error: out of memory; use fewer runs, a shorter horizon or smaller input", markup=False
        )
        sys.exit(2)
    except Exception as exc:
        # Usage errors from the command-line parser (click, as vendored by typer): the message and a
        # hint, two lines, with the exit status click gives them (2).
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            ctx = getattr(exc, "ctx", None)
            command = ctx.command_path if ctx is not None else "tashkent"
            err_console.print(f"error: {exc.format_message()}", markup=False)
            err_console.print(f"hint: see `{command} --help`", markup=False)
            sys.exit(int(getattr(exc, "exit_code", 2)))
        if type(exc).__name__ == "Abort":
            err_console.print("aborted", markup=False)
            sys.exit(1)
        log = _log_internal_error(exc)
        err_console.print(
            f"internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); this is a bug in "
            f"tashkent: please open an issue in the tashkent repository and attach the log {log}",
            markup=False,
        )
        sys.exit(1)
