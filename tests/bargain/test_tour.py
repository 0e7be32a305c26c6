"""Every `$ tashkent ...` line in docs/tour/bargain.md runs from the repository root, exits 0, and
prints the lines shown under it ("..." marks trimmed output). `tashkent packages` depends on the
crisis model's calibration (reservation utilities), so only its lines without numbers are compared."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOUR = REPO / "docs" / "tour" / "bargain.md"


def _examples() -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    cmd: str | None = None
    shown: list[str] = []
    for line in TOUR.read_text(encoding="utf-8").splitlines():
        if line.startswith("$ tashkent "):
            cmd, shown = line[2:], []
        elif cmd is not None and line.startswith("```"):
            out.append((cmd, shown))
            cmd = None
        elif cmd is not None:
            shown.append(line)
    return out


EXAMPLES = _examples()


def test_tour_has_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize(("cmd", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_tour_example_runs(cmd, shown, tmp_path):
    argv = [sys.executable, "-m", "tashkent", *shlex.split(cmd)[1:]]
    env = {**os.environ, "TASHKENT_HOME": str(tmp_path)}
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    printed = [ln.strip() for ln in proc.stdout.splitlines()]
    loose = cmd.startswith("tashkent packages")
    for ln in shown:
        if loose and any(ch.isdigit() for ch in ln):
            continue
        if ln.strip() and ln.strip() != "...":
            assert ln.strip() in printed, f"{cmd}: expected line not printed: {ln!r}"
