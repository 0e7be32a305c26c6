"""`tashkent report RUN_ID`."""

from __future__ import annotations

from pathlib import Path

import typer

from tashkent.errors import UserError


def report(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Where to write the HTML file."),
    db: str | None = typer.Option(None, "--db", help="Run index URL or SQLite file."),
    analysis: list[Path] = typer.Option(
        [],
        "--analysis",
        "-a",
        help="A result saved by `tashkent sensitivity|discover|robust --save FILE` for the run's "
        "scenario; adds its section (repeatable).",
    ),
) -> None:
    """Write the self-contained HTML report of a run (offline: figures inline, no CDN), with a
    section for each saved analysis given with --analysis."""
    from tashkent.report.html import write_report  # matplotlib loads only when a report is made
    from tashkent.store import index

    row = index.get_run(db, run_id)
    run_dir = Path(row.run_dir)
    if not (run_dir / "summary.json").is_file():
        raise UserError(
            f"run {row.run_id} has no results (status {row.status}); "
            f"finish it with `tashkent forecast --resume {row.run_id}`"
        )
    sections = [_analysis_section(path, row.scenario) for path in analysis]
    typer.echo(str(write_report(run_dir, out, sections)))


def _analysis_section(path: Path, scenario: str) -> str:
    """The report section of a saved analysis, which must be of the run's scenario."""
    from tashkent.explore.report import load_analysis, section

    doc = load_analysis(path)
    of = doc["details"]["scenario"]
    if of != scenario:
        raise UserError(f"--analysis {path}: an analysis of {of}, but the run is of {scenario}")
    try:
        return section(doc)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UserError(f"--analysis {path}: malformed result ({exc.__class__.__name__}: {exc})") from None


def register(app: typer.Typer) -> None:
    app.command("report")(report)
