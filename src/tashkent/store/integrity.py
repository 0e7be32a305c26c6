"""Checksums of a run's files, kept in its `manifest.json`, and the checks on reading them.

Every chunk and result file a run writes gets its SHA-256 recorded in the manifest under
`checksums` (path relative to the run folder) before the file is moved into place. Reading a file
(resume, `runs show`, the report) first checks it against that record, so a truncated, corrupted or
foreign file is refused by name with what to do, instead of silently changing a forecast."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tashkent.errors import UserError
from tashkent.store.paths import atomic_write

MANIFEST = "manifest.json"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run_label(run_dir: Path) -> str:
    return run_dir.name


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The run's manifest, or a one-line error naming it when it is missing or damaged."""
    path = run_dir / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
        man = json.loads(text)
    except FileNotFoundError:
        raise UserError(
            f"{path}: missing; the run folder is incomplete — `tashkent runs delete {_run_label(run_dir)}`"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(
            f"{path}: damaged (not valid JSON); the run cannot be trusted — "
            f"`tashkent runs delete {_run_label(run_dir)}` and run it again"
        ) from None
    if not isinstance(man, dict) or not {"scenario", "checksums"} & set(man):
        raise UserError(f"{path}: not a tashkent run manifest; `tashkent runs delete {_run_label(run_dir)}`")
    return man


def write_manifest(run_dir: Path, man: dict[str, Any]) -> None:
    with atomic_write(run_dir / MANIFEST) as fh:
        json.dump(man, fh, indent=2, default=str)
        fh.write("\n")


def record(run_dir: Path, entries: dict[str, str]) -> None:
    """Add checksums {relative path: sha256} to the manifest (only the run's own process writes it)."""
    man = read_manifest(run_dir)
    man.setdefault("checksums", {}).update(entries)
    write_manifest(run_dir, man)


def forget(run_dir: Path, names: list[str]) -> None:
    man = read_manifest(run_dir)
    sums = man.setdefault("checksums", {})
    for n in names:
        sums.pop(n, None)
    write_manifest(run_dir, man)


def write_checked(run_dir: Path, rel: str, data: bytes) -> None:
    """Record the checksum of `data`, then move the file into place (atomically)."""
    record(run_dir, {rel: digest(data)})
    with atomic_write(run_dir / rel, "wb") as fh:
        fh.write(data)


def problem(run_dir: Path, rel: str, man: dict[str, Any] | None = None) -> str | None:
    """None if `rel` matches its recorded checksum, else what is wrong with it."""
    man = man if man is not None else read_manifest(run_dir)
    expected = (man.get("checksums") or {}).get(rel)
    path = run_dir / rel
    if expected is None:
        return "was not written by this run (no checksum in its manifest)"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if digest(data) != expected:
        return "is truncated, corrupted or from another run (checksum mismatch)"
    return None


def verified_bytes(run_dir: Path, rel: str, man: dict[str, Any] | None = None) -> bytes:
    """The bytes of a run file, refused by name when they do not match the manifest."""
    man = man if man is not None else read_manifest(run_dir)
    if "checksums" not in man:  # a run written before checksums existed: read as it is
        return (run_dir / rel).read_bytes()
    why = problem(run_dir, rel, man)
    if why:
        run_id = _run_label(run_dir)
        raise UserError(
            f"{run_dir / rel} {why}; `tashkent runs repair {run_id}` removes bad files, "
            f"then `tashkent forecast --resume {run_id}` recomputes them"
        )
    return (run_dir / rel).read_bytes()


def verified_json(run_dir: Path, rel: str) -> Any:
    data = verified_bytes(run_dir, rel)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(
            f"{run_dir / rel}: damaged (not valid JSON); `tashkent runs repair {_run_label(run_dir)}`"
        ) from None


def record_files(run_dir: Path, names: list[str]) -> None:
    """Record the checksums of result files just written into the run folder."""
    entries = {}
    for n in names:
        path = run_dir / n
        if path.is_file():
            entries[n] = digest(path.read_bytes())
    record(run_dir, entries)


def bad_files(run_dir: Path) -> list[str]:
    """Chunk and result files of the run that fail their check (for `runs repair`)."""
    man = read_manifest(run_dir)
    found = [p.relative_to(run_dir).as_posix() for p in (run_dir / "chunks").glob("*.npz")]
    found += [
        p.name
        for p in run_dir.iterdir()
        if p.is_file() and (p.suffix == ".parquet" or p.name == "summary.json")
    ]
    return sorted(n for n in found if problem(run_dir, n, man))
