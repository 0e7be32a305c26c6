"""Helpers for the bad-input tests: run the CLI in-process, edit the built-in scenario's text."""

from __future__ import annotations

from pathlib import Path

from tests.core.helpers import run_cli as run_cli

from tashkent.scenario.load import builtin_text

KASHMIR = builtin_text("kashmir-2025")


def edited(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    """The built-in scenario with the first `old` replaced by `new`, written to a file."""
    assert old in KASHMIR, old
    path = tmp_path / name
    path.write_text(KASHMIR.replace(old, new, 1), encoding="utf-8")
    return path


def one_clean_line(code: int, err: str) -> str:
    """The error of a refused command: exit 2, one line (two with a hint), no traceback."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err
    assert 1 <= len(lines) <= 2, err
    assert lines[0].startswith("error: "), err
    return lines[0]
