"""`tashkent report RUN_ID`."""

from __future__ import annotations

from pathlib import Path

import typer

from tashkent.errors import UserError


def report(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Where to write the HTML file."),
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
) -> None:
    """Write the self-contained HTML report of a run (offline: figures inline, no CDN)."""
    from tashkent.report.html import write_report  # matplotlib loads only when a report is made
    from tashkent.store import index

    row = index.get_run(db, run_id)
    run_dir = Path(row.run_dir)
    if not (run_dir / "summary.json").is_file():
        raise UserError(
            f"run {row.run_id} has no results (status {row.status}); "
            f"finish it with `tashkent forecast --resume {row.run_id}`"
        )
    typer.echo(str(write_report(run_dir, out)))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
