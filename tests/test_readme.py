"""Every `$ tashkent …` command in the README (and in docs/tour/*.md) runs as written.

Lines look like `$ tashkent forecast --runs 2000` inside fenced code blocks. A trailing
`# exit N` comment states an expected non-zero exit status; `# head N` only trims the shown
output. `<RUN_ID>` stands for the most recent
run. A `> FILE` redirect writes stdout to a temporary file that later commands can read by name.
`$TASHKENT_SHARED_DATA` names data tashkent may not ship (the ICB release, the GPL dev file):
such commands run only where that folder exists (default ../shared/data).

The output shown under a command is checked too: every number with two or more decimals in it
(probabilities, scores, accuracies) must appear in the command's output as often as it is shown,
so documentation that no longer matches the code fails.
The two install commands of the quickstart are run by CI itself (`.ci/run` → scripts/test.sh) and
checked below for what they invoke.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from tests.conftest import shared_data_dir
from tests.core.helpers import run_cli

from tashkent.store import index

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs" / "tour").glob("*.md"))]


def commands(path: Path) -> list[tuple[str, list[str]]]:
    """(command, output lines shown under it) for every `$ tashkent` line in a fenced block."""
    out: list[tuple[str, list[str]]] = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            out.append(("", []))  # output belongs to a command of the same block only
            continue
        if fenced and line.startswith("$ tashkent "):
            out.append((line[2:].strip(), []))
        elif fenced and out and not line.startswith("$ "):
            out[-1][1].append(line)
        elif fenced and line.startswith("$ "):
            out.append(("", []))  # another program: its output is not checked
    return [c for c in out if c[0]]


NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d{2,}(?![\w.])")


def numbers(text: str) -> Counter[str]:
    return Counter(NUMBER.findall(text))


def run_doc(path: Path, tmp_path: Path, monkeypatch) -> int:
    monkeypatch.chdir(REPO)
    files: dict[str, str] = {}
    shared = shared_data_dir()
    ran = 0
    for cmd, shown in commands(path):
        expected = 0
        m = re.search(r"\s+#\s*head\s+\d+\s*$", cmd)
        if m:
            cmd = cmd[: m.start()]
        m = re.search(r"\s+#\s*exit\s+(\d+)\s*$", cmd)
        if m:
            expected = int(m.group(1))
            cmd = cmd[: m.start()]
        if "$TASHKENT_SHARED_DATA" in cmd:
            if shared is None:
                continue
            cmd = cmd.replace("$TASHKENT_SHARED_DATA", str(shared))
        if "<RUN_ID>" in cmd:
            cmd = cmd.replace("<RUN_ID>", index.list_runs(None, 1)[0].run_id)
        target = None
        if " > " in cmd:
            cmd, target = (part.strip() for part in cmd.split(" > ", 1))
        args = [files.get(a, a) for a in shlex.split(cmd)[1:]]
        code, out, err = run_cli(*args)
        assert code == expected, f"{path.name}: `{cmd}` exited {code}, expected {expected}\n{err[-2000:]}"
        missing = numbers("\n".join(shown)) - numbers(out + err)
        assert not missing, (
            f"{path.name}: `{cmd}` no longer prints {sorted(missing)} shown in the documentation; "
            "regenerate it with scripts/update_docs.py"
        )
        if target:
            dest = tmp_path / Path(target).name
            dest.write_text(out, encoding="utf-8")
            files[target] = str(dest)
        ran += 1
    return ran


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_documented_commands_run(doc, tmp_path, monkeypatch):
    assert run_doc(doc, tmp_path, monkeypatch) > 0


def test_quickstart_commands_are_what_ci_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/forecast.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (REPO / ".ci" / "run").read_text()
    forecast = (REPO / "scripts" / "forecast.sh").read_text()
    assert "pip install" in forecast and ".venv/bin/tashkent forecast" in forecast
    test = (REPO / "scripts" / "test.sh").read_text()
    assert "pip install" in test and "-m pytest" in test
