"""`tashkent serve`: the web app for exercises and the forecast dashboard."""

from __future__ import annotations

import typer

from tashkent.errors import UserError
from tashkent.limits import MAX_WORKERS


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: str | None = typer.Option(None, "--db", help="Database: SQLAlchemy URL or SQLite file."),
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        help="Worker processes that adjudicate exercise turns (0: in the server process).",
    ),
) -> None:
    """Serve the web app: Track II exercises adjudicated by the model, and the forecast dashboard."""
    if not 0 < port < 65536:
        raise UserError(f"--port {port}: must be between 1 and 65535")
    if not 0 <= workers <= MAX_WORKERS:
        raise UserError(f"--workers {workers}: must be between 0 and {MAX_WORKERS}")
    import uvicorn

    from tashkent.web.app import create_app

    app = create_app(db, workers)
    typer.echo(f"tashkent serving on http://{host}:{port}/ (database {app.state.store.url})")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
