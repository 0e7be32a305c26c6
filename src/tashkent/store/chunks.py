"""Chunk files of a run (`chunks/chunk_NNNNNNNN.npz`): each finished chunk's counts, kept so an
interrupted run can be resumed with identical results. `ChunkFolder` is the store the ensemble
writes to and resumes from; the ensemble itself knows nothing of files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tashkent.errors import UserError
from tashkent.sim.counts import Counts
from tashkent.store import integrity

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
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    rel = chunk_path(run_dir, part.block_start).relative_to(run_dir).as_posix()
    integrity.write_checked(run_dir, rel, buf.getvalue())  # checksum recorded before the file lands


def _plain(v: Any) -> Any:
    return int(v) if isinstance(v, np.integer | np.ndarray) else v


def load_chunk(path: Path, run_dir: Path | None = None) -> Counts:
    """A chunk's counts; with `run_dir`, checked first against the run's manifest, and refused by
    name (with what to do) when it is truncated, corrupted or from another run."""
    if run_dir is None:
        return _read_chunk(path)
    data = integrity.verified_bytes(run_dir, path.relative_to(run_dir).as_posix())
    try:
        return _read_chunk(io.BytesIO(data))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        raise UserError(
            f"{path}: unreadable chunk; `tashkent runs repair {run_dir.name}` removes it"
        ) from None


def load_chunk_blocks(path: Path, run_dir: Path) -> dict[str, np.ndarray]:
    """Only the per-block table of a chunk file (checked as `load_chunk` checks it): the other
    arrays are not decompressed."""
    data = integrity.verified_bytes(run_dir, path.relative_to(run_dir).as_posix())
    try:
        with np.load(io.BytesIO(data)) as z:
            return {k[6:]: z[k] for k in z.files if k.startswith("block_")}
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        raise UserError(
            f"{path}: unreadable chunk; `tashkent runs repair {run_dir.name}` removes it"
        ) from None


def _read_chunk(source: Path | io.BytesIO) -> Counts:
    with np.load(source) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        arrays = {k: z[k] for k in CHUNK_ARRAYS}
        trajectories = {k[5:]: z[k] for k in z.files if k.startswith("traj_")}
        blocks = {k[6:]: z[k] for k in z.files if k.startswith("block_")}
    return Counts(**meta, **arrays, trajectories=trajectories, blocks=blocks)


def done_chunks(run_dir: Path) -> dict[int, Path]:
    """Finished chunk files of a run, by first block; a stray file is refused by name."""
    folder = run_dir / "chunks"
    if not folder.is_dir():
        return {}
    out: dict[int, Path] = {}
    for p in folder.glob("chunk_*.npz"):
        try:
            out[int(p.stem.split("_")[1])] = p
        except (IndexError, ValueError):
            raise UserError(
                f"{p}: not a chunk file of this run; `tashkent runs repair {run_dir.name}` removes it"
            ) from None
    return out


class ChunkFolder:
    """The chunk files of one run folder, as the ensemble's `ChunkStore`. Every chunk read is
    checked against the checksum the run recorded when it wrote it."""

    def __init__(self, run_dir: Path, manifest: dict[str, Any] | None = None) -> None:
        self.run_dir = Path(run_dir)
        if not (self.run_dir / integrity.MANIFEST).exists():
            # a folder used directly from Python: make it self-describing so checksums can be kept
            self.run_dir.mkdir(parents=True, exist_ok=True)
            integrity.write_manifest(self.run_dir, {**(manifest or {}), "checksums": {}})

    def done(self) -> set[int]:
        return set(done_chunks(self.run_dir))

    def load(self, block_start: int) -> Counts:
        part = load_chunk(chunk_path(self.run_dir, block_start), self.run_dir)
        if part.block_start != block_start:
            raise UserError(
                f"{chunk_path(self.run_dir, block_start)}: holds block {part.block_start}, "
                f"not {block_start}; `tashkent runs repair {self.run_dir.name}` removes it"
            )
        return part

    def save(self, part: Counts) -> None:
        save_chunk(self.run_dir, part)
