"""What the product ships cites sources a reader can find, never the team's private notes.

A user's clone has no `../shared` folder: no design document, no reference dossier. So no file under
`src/` (code, docstrings, scenario files, the crisis record) and no scenario's `source:` field may cite
`history.md`, `DESIGN`, the other reference notes or `../shared`; they name the paper, dataset, treaty
or news report instead, or a file in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tashkent.scenario.load import builtin_names

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
SCENARIO_FILES = [
    *sorted((SRC / "tashkent" / "scenario" / "builtin").glob("*.yaml")),
    REPO / "examples" / "bad-bias.yaml",
    REPO / "benchmarks" / "escalation_only.yaml",
]
PRIVATE = re.compile(
    r"history\.md|\bDESIGN\b|simulation\.md|bargaining\.md|events\.md|aesthetics\.md"
    r"|reference/|\.\./shared|shared/reference|shared/data"
)
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".md", ".json", ".toml", ".html", ".txt", ".js", ".css"}


def _hits(text: str) -> list[str]:
    return [line.strip()[:120] for line in text.splitlines() if PRIVATE.search(line)]


def test_pattern_catches_the_private_citations() -> None:
    for cite in ("(history.md §2.1 [V])", "DESIGN §3 (provocation)", "events.md §1.6", "../shared/x"):
        assert PRIVATE.search(cite), cite
    assert not PRIVATE.search("Kydd (2003), AJPS 47(4): 597-611; designed by the team")


def test_no_shipped_file_cites_the_private_notes() -> None:
    offenders: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            hits = _hits(path.read_text(encoding="utf-8"))
            if hits:
                offenders[str(path.relative_to(REPO))] = hits
    assert offenders == {}


def _sources(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "source" and isinstance(v, str)]
        return found + [s for v in node.values() for s in _sources(v)]
    if isinstance(node, list):
        return [s for v in node for s in _sources(v)]
    return []


def test_every_scenario_source_field_is_public() -> None:
    assert len(SCENARIO_FILES) >= 5 and set(builtin_names()) <= {p.stem for p in SCENARIO_FILES}
    offenders = {}
    for path in SCENARIO_FILES:
        sources = _sources(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert len(sources) > 50, path
        bad = [s[:120] for s in sources if PRIVATE.search(s)]
        if bad:
            offenders[path.name] = bad
    assert offenders == {}
