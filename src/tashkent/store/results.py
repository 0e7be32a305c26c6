"""Result files of a run, written atomically into its run directory:
`summary.json` (the forecast document), `milestones.parquet` (tidy probabilities with errors),
`daily.parquet` (rung and phase distributions, score quantiles per day), `survival.parquet`
(time-to-event curves), `fatalities.parquet`, `trajectories.parquet` (kept sample of runs) and
`blocks.parquet` (per-block parameter draws and outcomes, for sensitivity analysis). The tables
themselves are computed in `tashkent.sim.tables`; this module only writes them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from tashkent.sim.counts import Counts
from tashkent.sim.tables import (
    daily_table,
    fatality_table,
    milestone_table,
    survival_table,
    trajectory_table,
)
from tashkent.store.chunks import done_chunks, load_chunk_blocks
from tashkent.store.paths import atomic_write

RESULT_FILES = (
    "milestones.parquet",
    "daily.parquet",
    "survival.parquet",
    "fatalities.parquet",
    "trajectories.parquet",
    "blocks.parquet",
    "summary.json",
)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    with atomic_write(path, "wb") as fh:
        df.to_parquet(fh, index=False)


def write_json(obj: Any, path: Path) -> None:
    with atomic_write(path, "w") as fh:
        json.dump(obj, fh, indent=2, default=str)
        fh.write("\n")


def write_results(run_dir: Path, total: Counts, doc: dict[str, Any], start: dt.date) -> None:
    write_parquet(milestone_table(total), run_dir / "milestones.parquet")
    write_parquet(daily_table(total, start), run_dir / "daily.parquet")
    write_parquet(survival_table(total), run_dir / "survival.parquet")
    write_parquet(fatality_table(total), run_dir / "fatalities.parquet")
    write_parquet(trajectory_table(total), run_dir / "trajectories.parquet")
    write_json(doc, run_dir / "summary.json")


def write_block_table(run_dir: Path, blocks: dict[str, Any]) -> None:
    """blocks.parquet from the per-block table of an ensemble run in memory."""
    write_parquet(pd.DataFrame(blocks), run_dir / "blocks.parquet")


class BlockTableWriter:
    """blocks.parquet written while the ensemble runs: each chunk's per-block table is appended as
    soon as every earlier chunk's has been (chunks finish out of order), so the file is the one
    `write_blocks` writes from the chunk files afterwards, without reading them back."""

    def __init__(self, run_dir: Path, chunk_starts: list[int]) -> None:
        self.path = run_dir / "blocks.parquet"
        self.tmp = run_dir / ".blocks.parquet.tmp"
        self.order = sorted(chunk_starts)
        self.next = 0
        self.waiting: dict[int, dict[str, Any]] = {}
        self.writer: Any = None

    def add(self, block_start: int, table: dict[str, Any]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.waiting[block_start] = table
        while self.next < len(self.order) and self.order[self.next] in self.waiting:
            rows = self.waiting.pop(self.order[self.next])
            self.next += 1
            if not rows:
                continue
            arrow = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.tmp, arrow.schema)
            self.writer.write_table(arrow)

    def close(self) -> None:
        """Put the file in place (every chunk must have been added)."""
        if self.next < len(self.order):
            raise RuntimeError(f"{self.path}: {len(self.order) - self.next} chunk tables missing")
        if self.writer is not None:
            self.writer.close()
            self.tmp.replace(self.path)

    def abort(self) -> None:
        """Leave no partial file (an interrupted run writes the table when it is finished)."""
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


def write_blocks(run_dir: Path) -> None:
    """Collect the per-block tables of all chunk files into blocks.parquet (streaming, by chunk):
    the file `BlockTableWriter` writes during a run, rebuilt from the chunk files alone."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    chunks = sorted(done_chunks(run_dir).items())
    if not chunks:
        return
    path = run_dir / "blocks.parquet"
    tmp = run_dir / ".blocks.parquet.tmp"
    writer = None
    try:
        for _, cp in chunks:
            table = pa.Table.from_pandas(pd.DataFrame(load_chunk_blocks(cp, run_dir)), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
