"""A fingerprint of the installed tashkent code: the name, size and modification time of every
source and data file of the package. Any edit, upgrade or checkout changes it, so whatever is keyed
by it (the result cache, the resident worker) never outlives the code that made it.

Standard library only: the command-line launcher computes it before importing anything heavy."""

from __future__ import annotations

import hashlib
import os
from functools import cache

PACKAGE = os.path.dirname(os.path.abspath(__file__))
CODE_SUFFIXES = (".py", ".yaml", ".yml", ".csv", ".json", ".jsonl", ".txt")


@cache
def code_fingerprint() -> str:
    """SHA-256 of (relative path, size, modification time) of the package's code and data files."""
    entries = []
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(CODE_SUFFIXES):
                path = os.path.join(folder, name)
                st = os.stat(path)
                rel = os.path.relpath(path, PACKAGE).replace(os.sep, "/")
                entries.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}\n")
    h = hashlib.sha256()
    for line in sorted(entries):
        h.update(line.encode())
    return h.hexdigest()
