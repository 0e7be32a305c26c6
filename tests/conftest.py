"""Shared test fixtures: an isolated TASHKENT_HOME and the path to ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("tashkent_home")
    monkeypatch.setenv("TASHKENT_HOME", str(home))
    monkeypatch.delenv("TASHKENT_DB", raising=False)
    yield home


@pytest.fixture
def shared_data() -> Path:
    """The workplace's shared data folder (ICB, event dev data, bargaining fixtures)."""
    assert SHARED_DATA.is_dir(), f"expected the shared data folder at {SHARED_DATA}"
    return SHARED_DATA
