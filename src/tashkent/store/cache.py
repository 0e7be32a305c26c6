"""A cache of deterministic results on disk (`TASHKENT_HOME/cache/`): JSON documents keyed by their
inputs and by the installed code, so that a second forecast of the same scenario does not redo
work whose result cannot have changed (decision 0072).

The key is a SHA-256 of the inputs (JSON) and of the code (`tashkent.fingerprint`: the name, size
and modification time of every source and data file of the installed package). Any edit, upgrade
or checkout of tashkent therefore starts a fresh cache; nothing is ever looked up by version number
alone. The cache is an optimisation only: a missing, unreadable or unwritable cache computes the
result as usual, and `TASHKENT_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from tashkent.fingerprint import code_fingerprint
from tashkent.store.paths import atomic_write, data_home


def cached_json(kind: str, inputs: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` (a JSON-able value), or the value it gave before for the same `inputs` and code."""
    if os.environ.get("TASHKENT_NO_CACHE"):
        return compute()
    blob = json.dumps({"inputs": inputs, "code": code_fingerprint()}, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(blob.encode()).hexdigest()
    try:
        path: Path | None = data_home() / "cache" / kind / f"{key}.json"
    except OSError:
        path = None
    if path is not None:
        with suppress(OSError, ValueError, KeyError, TypeError):
            return json.loads(path.read_text(encoding="utf-8"))["value"]
    value = compute()
    if path is not None:
        with suppress(OSError, TypeError, ValueError), atomic_write(path) as fh:
            json.dump({"kind": kind, "value": value}, fh)
    return value
