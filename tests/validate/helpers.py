"""Helpers for the bad-input tests: run the CLI in-process, edit the built-in scenario's text."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from tashkent.cli import main
from tashkent.scenario.load import builtin_text

KASHMIR = builtin_text("kashmir-2025")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


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
