"""The `tashkent` command line. Each area registers its own commands; this file only assembles them
and turns `UserError` into a one-line message with exit status 2."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from tashkent import __version__
from tashkent.errors import UserError

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
_AREAS: list[str] = ["scenario", "sim", "report", "bargain", "events", "history", "explore"]


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, printing user errors as one line (exit 2), never a traceback."""
    try:
        app(args=argv, standalone_mode=False)
    except UserError as exc:
        err_console.print(f"error: {exc.message}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        # Usage errors from the command-line parser (click, as vendored by typer): it knows how to
        # print them (one line plus the usage hint) and which exit status they carry.
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(int(getattr(exc, "exit_code", 2)))
        if type(exc).__name__ == "Abort":
            err_console.print("aborted", markup=False)
            sys.exit(1)
        raise
