"""Re-run every `$ tashkent …` command in README.md and docs/tour/*.md and rewrite the output shown
under it, so that the documentation shows real, current output.

Usage (from the repository root, with tashkent installed):
`.venv/bin/python scripts/update_docs.py [FILE ...]` (default: README.md)

Trailing comments on a command line: `# exit N` (expected status), `# head N` (keep the first N
lines of output). `<RUN_ID>` is replaced by the most recent run's id; `> FILE` writes stdout to a
temporary file that later commands can name; `$TASHKENT_SHARED_DATA` is the external data folder
(that environment variable, default ../shared/data).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TASHKENT = str(Path(sys.executable).parent / "tashkent")


def latest_run(env: dict[str, str]) -> str:
    wide = dict(env, COLUMNS="250")  # long run ids are not cut in a wide table
    out = subprocess.run([TASHKENT, "runs", "list", "--limit", "1"], capture_output=True, text=True, env=wide,
                         cwd=REPO).stdout
    m = re.search(r"(\S+-\d{8}-\d{6}-[0-9a-f]{4})", out)  # the newest run is listed first
    if not m:
        raise SystemExit("no run in the index for <RUN_ID>")
    return m.group(1)


def run(cmd: str, env: dict[str, str], files: dict[str, str], tmp: Path) -> list[str]:
    head = None
    m = re.search(r"\s+#\s*head\s+(\d+)\s*$", cmd)
    if m:
        head = int(m.group(1))
        cmd = cmd[: m.start()]
    m = re.search(r"\s+#\s*exit\s+(\d+)\s*$", cmd)
    expected = int(m.group(1)) if m else 0
    if m:
        cmd = cmd[: m.start()]
    if "<RUN_ID>" in cmd:
        cmd = cmd.replace("<RUN_ID>", latest_run(env))
    shared = os.environ.get("TASHKENT_SHARED_DATA") or str(REPO.parent / "shared" / "data")
    if "$TASHKENT_SHARED_DATA" in cmd:
        if not Path(shared).is_dir():
            raise SystemExit(f"`{cmd}` needs TASHKENT_SHARED_DATA (the external data folder)")
        cmd = cmd.replace("$TASHKENT_SHARED_DATA", shared)
    target = None
    if " > " in cmd:
        cmd, target = (p.strip() for p in cmd.split(" > ", 1))
    args = [files.get(a, a) for a in shlex.split(cmd)[1:]]
    proc = subprocess.run([TASHKENT, *args], capture_output=True, text=True, env=env, cwd=REPO)
    if proc.returncode != expected:
        raise SystemExit(f"`{cmd}` exited {proc.returncode} (expected {expected}):\n{proc.stderr}")
    if target:
        dest = tmp / Path(target).name
        dest.write_text(proc.stdout)
        files[target] = str(dest)
        return []
    text = (proc.stdout + proc.stderr).rstrip("\n")
    for name, tmp_path in files.items():
        text = text.replace(tmp_path, name)
    text = text.replace(str(Path(env["TASHKENT_HOME"])), "~/.local/share/tashkent")
    text = text.replace(shared, "$TASHKENT_SHARED_DATA")
    lines = text.splitlines()
    if head is not None and len(lines) > head:
        lines = [*lines[:head], "…"]
    return lines


def update(path: Path, env: dict[str, str], files: dict[str, str], tmp: Path) -> None:
    src = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i, fenced = 0, False
    while i < len(src):
        line = src[i]
        if line.startswith("```"):
            fenced = not fenced
            out.append(line)
            i += 1
            continue
        if fenced and line.startswith("$ tashkent "):
            out.append(line)
            print(f"{path.name}: {line}", file=sys.stderr)
            out.extend(run(line[2:].strip(), env, files, tmp))
            i += 1
            while i < len(src) and not src[i].startswith("```") and not src[i].startswith("$ "):
                i += 1
            continue
        out.append(line)
        i += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TASHKENT_HOME=home, COLUMNS="100", TERM="dumb", NO_COLOR="1")
        files: dict[str, str] = {}
        paths = [Path(a) for a in sys.argv[1:]] or [REPO / "README.md"]
        for path in paths:
            update(path.resolve(), env, files, Path(home))


if __name__ == "__main__":
    main()
