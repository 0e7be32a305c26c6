"""The example notebook runs as written (its code cells, in order, in one namespace)."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "api.ipynb"


def test_example_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)
    assert (tmp_path / "kashmir-2025.html").is_file()
    assert namespace["doc"]["milestones"]["90"]["p_crisis"] == namespace["fc"].milestones.loc[90, "p_crisis"]
