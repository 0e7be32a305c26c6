"""Locations of tashkent's data: the home directory, the default database URL, atomic writes.

`TASHKENT_HOME` overrides the per-user data directory (tests and CI set it to a temporary folder).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from platformdirs import user_data_dir


def data_home() -> Path:
    """The folder holding the run index and result files (created if missing)."""
    home = os.environ.get("TASHKENT_HOME")
    path = Path(home) if home else Path(user_data_dir("tashkent", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """SQLite file in the data home unless `TASHKENT_DB` gives another SQLAlchemy URL."""
    url = os.environ.get("TASHKENT_DB")
    if url:
        return url
    return f"sqlite:///{data_home() / 'tashkent.db'}"


def resolve_db_url(url: str | None) -> str:
    """A `--db` value (SQLAlchemy URL or a plain file path) or the default."""
    if not url:
        return default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: os.umask can only be read by setting it


@contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        enc = None if "b" in mode else encoding
        with os.fdopen(fd, mode, encoding=enc) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give what open() would
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def process_alive(pid: int) -> bool:
    """Whether process `pid` on this host still exists (a process we may not signal counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
