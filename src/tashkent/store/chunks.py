"""Chunk files of a run (`chunks/chunk_NNNNNNNN.npz`): each finished chunk's counts, kept so an
interrupted run can be resumed with identical results. `ChunkFolder` is the store the ensemble
writes to and resumes from; the ensemble itself knows nothing of files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.sim.counts import Counts
from tashkent.store.paths import atomic_write

# Saved as arrays: everything summed (less the scalars kept in the metadata) and the ids of the
# runs whose trajectories the chunk kept.
SCALARS = (
    "runs",
    "days",
    "block_start",
    "n_blocks",
    "metrics",
    "milestones",
    "duration_censored",
    "total_score_sum",
)
CHUNK_ARRAYS = (*(k for k in Counts.SUMMED if k not in SCALARS), "trajectory_runs")


def chunk_path(run_dir: Path, block_start: int) -> Path:
    return run_dir / "chunks" / f"chunk_{block_start:08d}.npz"


def save_chunk(run_dir: Path, part: Counts) -> None:
    arrays = {k: np.asarray(getattr(part, k)) for k in CHUNK_ARRAYS}
    for k, v in part.trajectories.items():
        arrays[f"traj_{k}"] = v
    for k, v in part.blocks.items():
        arrays[f"block_{k}"] = np.asarray(v)
    meta = {k: _plain(getattr(part, k)) for k in SCALARS}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with atomic_write(chunk_path(run_dir, part.block_start), "wb") as fh:
        np.savez(fh, allow_pickle=False, **arrays)


def _plain(v: Any) -> Any:
    return int(v) if isinstance(v, np.integer | np.ndarray) else v


def load_chunk(path: Path) -> Counts:
    with np.load(path) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        arrays = {k: z[k] for k in CHUNK_ARRAYS}
        trajectories = {k[5:]: z[k] for k in z.files if k.startswith("traj_")}
        blocks = {k[6:]: z[k] for k in z.files if k.startswith("block_")}
    return Counts(**meta, **arrays, trajectories=trajectories, blocks=blocks)


def done_chunks(run_dir: Path) -> dict[int, Path]:
    """Finished chunk files of a run, by first block."""
    folder = run_dir / "chunks"
    if not folder.is_dir():
        return {}
    return {int(p.stem.split("_")[1]): p for p in folder.glob("chunk_*.npz")}


class ChunkFolder:
    """The chunk files of one run folder, as the ensemble's `ChunkStore`."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)

    def done(self) -> set[int]:
        return set(done_chunks(self.run_dir))

    def load(self, block_start: int) -> Counts:
        return load_chunk(chunk_path(self.run_dir, block_start))

    def save(self, part: Counts) -> None:
        save_chunk(self.run_dir, part)
