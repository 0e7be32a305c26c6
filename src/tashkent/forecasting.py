"""A stored forecast run: create the run directory and index row, run (or resume) the ensemble
with progress, write the result files, and mark the run complete. Used by the CLI (and any other
front end); the model and the ensemble know nothing of files."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tashkent import __version__
from tashkent.errors import Interrupted, UserError
from tashkent.scenario.load import scenario_hash
from tashkent.scenario.schema import Scenario
from tashkent.sim.counts import Counts
from tashkent.sim.document import document
from tashkent.sim.ensemble import RunConfig, manifest, plan, run_ensemble
from tashkent.store import index, integrity
from tashkent.store.chunks import ChunkFolder
from tashkent.store.paths import data_home
from tashkent.store.results import (
    RESULT_FILES,
    BlockTableWriter,
    write_block_table,
    write_json,
    write_results,
)

Progress = Callable[[int, int], None]


def runs_root() -> Path:
    root = data_home() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    return root


def new_run_id(scenario: Scenario) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{scenario.name}-{stamp}-{secrets.token_hex(2)}"


def headline(doc: dict[str, Any]) -> dict[str, Any]:
    m = doc["milestones"][str(doc["days"])]
    return {
        "p_crisis": m["p_crisis"],
        "p_rung_ge_5": m["p_rung_ge"]["5"],
        "p_nuclear_signal": m["p_nuclear_signal"],
        "p_phase_ge_3": m["p_phase_ge"]["3"],
        "p_agreement": m["p_agreement"],
    }


def start_run(
    scenario: Scenario, config: RunConfig, db: str | None, extra: dict[str, Any]
) -> tuple[str, Path]:
    config.validate()
    run_id = new_run_id(scenario)
    run_dir = runs_root() / run_id
    run_dir.mkdir(parents=True)
    man = manifest(scenario, config) | {"run_id": run_id, "inputs": extra, "db": db, "checksums": {}}
    write_json(man, run_dir / "manifest.json")
    index.record_start(
        db,
        {
            "run_id": run_id,
            "created": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            "finished": None,
            "status": "running",
            "scenario": scenario.name,
            "scenario_hash": scenario_hash(scenario),
            "seed": config.seed,
            "runs": config.runs,
            "days": config.days,
            "version": __version__,
            "seconds": None,
            "run_dir": str(run_dir),
            "parameters": {
                "config": asdict(config),
                "inputs": extra,
                "parameters": {k: v.value for k, v in scenario.parameters.items()},
            },
            "headline": None,
        },
    )
    return run_id, run_dir


def execute(
    run_id: str,
    run_dir: Path,
    scenario: Scenario,
    config: RunConfig,
    db: str | None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], Counts]:
    """Run or finish the ensemble of a started run and write its results: (document, counts)."""
    t0 = time.perf_counter()
    # blocks.parquet is written as the chunks come in (their tables are also in the chunk files)
    blocks = BlockTableWriter(run_dir, [b for b, _ in plan(config)])
    try:
        total = run_ensemble(
            scenario, config, chunks=_ChunkFolder(run_dir, blocks), progress=progress, keep_blocks=0
        )
        blocks.close()
    except KeyboardInterrupt:
        blocks.abort()
        index.record_finish(db, run_id, "interrupted", None, None)
        raise Interrupted(
            f"interrupted: finished chunks are kept; finish with `tashkent forecast --resume {run_id}`"
        ) from None
    except UserError:
        blocks.abort()
        index.record_finish(db, run_id, "failed", None, None)
        raise
    except Exception as exc:  # a killed worker or a lost Dask scheduler
        blocks.abort()
        index.record_finish(db, run_id, "interrupted", None, None)
        raise UserError(
            f"run stopped ({type(exc).__name__}: {exc}); finished chunks are kept; "
            f"finish with `tashkent forecast --resume {run_id}`"
        ) from None
    seconds = time.perf_counter() - t0
    doc = document(scenario, config, total) | {"run_id": run_id}
    doc["calibration"] = load_manifest(run_dir).get("inputs", {}).get("calibration")
    write_results(run_dir, total, doc, scenario.start_date)
    integrity.record_files(run_dir, list(RESULT_FILES))
    index.record_finish(db, run_id, "complete", seconds, headline(doc))
    doc["seconds"] = round(seconds, 3)
    return doc, total


class _ChunkFolder(ChunkFolder):
    """The run's chunk files, also handing each chunk's per-block table to blocks.parquet."""

    def __init__(self, run_dir: Path, blocks: BlockTableWriter) -> None:
        super().__init__(run_dir)
        self.blocks = blocks

    def load(self, block_start: int) -> Counts:
        part = super().load(block_start)
        self.blocks.add(block_start, part.blocks)
        return part

    def save(self, part: Counts) -> None:
        super().save(part)
        self.blocks.add(part.block_start, part.blocks)


def write_run_files(
    run_dir: Path,
    scenario: Scenario,
    config: RunConfig,
    total: Counts,
    doc: dict[str, Any],
    inputs: dict[str, Any],
) -> None:
    """The files of a run folder for an ensemble run in memory (so a report can be made from it):
    manifest, result tables and, when the ensemble kept them, the per-block table."""
    man = manifest(scenario, config) | {"run_id": doc.get("run_id"), "inputs": inputs, "checksums": {}}
    write_json(man, run_dir / "manifest.json")
    write_results(run_dir, total, doc, scenario.start_date)
    if total.blocks:
        write_block_table(run_dir, total.blocks)
    integrity.record_files(run_dir, list(RESULT_FILES))


def load_manifest(run_dir: Path) -> dict[str, Any]:
    return integrity.read_manifest(run_dir)


def run_folder(row: index.RunRow) -> Path:
    """The folder of an indexed run, or a one-line error when it is gone."""
    run_dir = Path(row.run_dir)
    if not run_dir.is_dir():
        raise UserError(
            f"run {row.run_id}: its folder {run_dir} is gone; `tashkent runs delete {row.run_id}` "
            "removes it from the index"
        )
    return run_dir


def completed_document(run_id: str, db: str | None) -> dict[str, Any] | None:
    """The stored forecast of a complete run (checked against its manifest), else None: resuming a
    complete run shows it and leaves its recorded duration alone."""
    row = index.get_run(db, run_id)
    if row.status != "complete":
        return None
    doc = integrity.verified_json(run_folder(row), "summary.json")
    doc["seconds"] = row.seconds or 0.0
    return dict(doc)


def reopen(
    run_id: str, db: str | None, workers: int | None = None, dask: str | None = None
) -> tuple[str, Path, Scenario, RunConfig]:
    """An interrupted run, ready for `execute` to finish: (run id, folder, scenario, config)."""
    run_id, run_dir, scenario, config = opened(run_id, db)
    if workers:
        config.workers = workers
    config.dask = dask
    index.record_finish(db, run_id, "running", None, None)
    return run_id, run_dir, scenario, config


def opened(run_id: str, db: str | None) -> tuple[str, Path, Scenario, RunConfig]:
    """A stored run's (id, folder, scenario, config) from its manifest, leaving its status alone."""
    from pydantic import ValidationError

    row = index.get_run(db, run_id)
    run_dir = run_folder(row)
    man = load_manifest(run_dir)
    try:
        scenario = Scenario.model_validate(man["scenario"])
        config = RunConfig(**man["config"])
    except (ValidationError, TypeError):
        raise UserError(
            f"{run_dir / 'manifest.json'}: not a manifest this version can resume; "
            f"`tashkent runs delete {row.run_id}` and run the forecast again"
        ) from None
    return row.run_id, run_dir, scenario, config


def repair(run_id: str, db: str | None) -> tuple[str, list[str]]:
    """Remove the run's files that fail their checksum (and results built from a bad chunk), and mark
    the run interrupted so that `forecast --resume` recomputes them. Returns the removed files."""
    row = index.get_run(db, run_id)
    run_dir = run_folder(row)
    bad = integrity.bad_files(run_dir)
    if any(b.startswith("chunks/") for b in bad):
        bad = sorted(set(bad) | {n for n in RESULT_FILES if (run_dir / n).exists()})
    for name in bad:
        (run_dir / name).unlink(missing_ok=True)
    integrity.forget(run_dir, bad)
    if bad or row.status != "complete":
        index.record_finish(db, row.run_id, "interrupted", None, None)
    return row.run_id, bad


def delete(run_id: str, db: str | None) -> tuple[str, Path]:
    """Remove a run: its folder and its row in the index."""
    import shutil

    row = index.get_run(db, run_id)
    run_dir = Path(row.run_dir)
    if run_dir.is_dir() and ((run_dir / "manifest.json").exists() or run_dir.parent == runs_root()):
        shutil.rmtree(run_dir, ignore_errors=True)
    index.delete_run(db, row.run_id)
    return row.run_id, run_dir
