"""Shared test fixtures: an isolated TASHKENT_HOME and the path to data the repository may not hold.

Data that tashkent may ship lives in the repository (`examples/`, `tests/data/`). Data it may not
redistribute (the full ICB v15 release, the GPL-licensed ConfliBERT dev file) is read from the
folder named by `TASHKENT_SHARED_DATA` (default: `../shared/data` beside the repository, when it
exists); tests that need it are skipped with a one-line reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ENV = "TASHKENT_SHARED_DATA"


def shared_data_dir() -> Path | None:
    """The external data folder, or None when there is none."""
    value = os.environ.get(ENV)
    path = Path(value).expanduser() if value else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


def need_shared(*parts: str) -> Path:
    """The path `parts` inside the external data folder; skip the test when it is not there."""
    root = shared_data_dir()
    path = root.joinpath(*parts) if root else None
    if path is None or not path.exists():
        where = "/".join(parts)
        pytest.skip(f"needs {where} from the external data folder: set {ENV}=/path/to/data")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("tashkent_home")
    monkeypatch.setenv("TASHKENT_HOME", str(home))
    monkeypatch.delenv("TASHKENT_DB", raising=False)
    # Commands run in their own process unless a test asks for the resident worker (decision 0074).
    monkeypatch.setenv("TASHKENT_RESIDENT", "0")
    yield home


@pytest.fixture
def icb_dir() -> Path:
    """The user's ICB v15 folder (not redistributable)."""
    return need_shared("history", "icb")


@pytest.fixture
def dev_tsv() -> Path:
    """The ConfliBERT CAMEO penta dev file (GPL-3.0: read, never copied into the repository)."""
    return need_shared("events", "conflibert_cameo_penta_dev.tsv")


@pytest.fixture
def bargaining_data() -> Path:
    """The bargaining fixtures shipped in the repository (BDM 1994 table, KTAB SMP examples)."""
    return EXAMPLES / "bargaining"
