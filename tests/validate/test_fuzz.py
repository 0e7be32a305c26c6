"""Property-based fuzzing of everything a user feeds tashkent: scenario documents, command-line
arguments, bargaining and event files, and damage to a stored run.

The property, everywhere: the command exits 0 with a valid result, or exits 2 with one line (two
with a hint); never a traceback, a hang or a silently changed result. Commands run in-process.
CI runs few examples; `TASHKENT_FUZZ_EXAMPLES=500 pytest tests/validate/test_fuzz.py` is the long
run (figures in benchmarks/RESULTS.md)."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tashkent.scenario.load import builtin_text

from .helpers import run_cli

EXAMPLES = int(os.environ.get("TASHKENT_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 50,  # CI: the same examples every time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE: dict[str, Any] = yaml.safe_load(builtin_text("kashmir-2025"))


def check_outcome(code: int, err: str) -> None:
    assert "Traceback" not in err, err
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), err


# ------------------------------------------------------------------ scenario documents

odd_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["2025-13-45", "9999-12-31", ".nan", "1e999", "", "IND", "[", "{a: 1}"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _leaves(v, (*path, i))
    return out


LEAVES = _leaves(BASE)


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for p in path[:-1]:
        doc = doc[p]
    doc[path[-1]] = value


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(LEAVES), odd_values), min_size=1, max_size=3))
def test_fuzz_scenario_documents(tmp_path: Path, edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    doc = copy.deepcopy(BASE)
    for path, value in edits:
        try:
            _set(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced a parent
    path = tmp_path / "fuzzed.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, _, err = run_cli("scenario", "validate", str(path))
    check_outcome(code, err)
    if code == 0:  # accepted: the values the file states are the values used
        from tashkent.scenario.load import load_scenario

        sc = load_scenario(path)
        for name, p in sc.parameters.items():
            assert p.value == float(doc["parameters"][name]["value"])


# ------------------------------------------------------------------ command-line arguments

arg_values = st.one_of(
    st.integers(min_value=-(2**66), max_value=2**66).map(str),
    st.sampled_from(["nan", "inf", "-1", "0", "1e9", "", "%", "_", "abc", "2025-13-45", "2026-02-15"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
)
SET_PATHS = [
    "parameters.attack_rate",
    "parameters.ceasefire_rung",
    "actors.RUS.bias.IND",
    "initial_state.trust",
    "start_date",
    "parameters.nope",
    "actors.XXX.leverage",
    "process.phases.1.median_days",
]
TAIL = ["-n", "100", "-d", "3", "--workers", "1", "--chunk-runs", "100"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["forecast", "set", "inject", "runs", "scenario", "bargain", "events"]))
    v = draw(arg_values)
    if kind == "forecast":
        opt = draw(st.sampled_from(["--seed", "--as-of", "--keep-trajectories", "--resume", "--db"]))
        return ["forecast", opt, v, *TAIL, "--json"]
    if kind == "set":
        return ["forecast", "--set", f"{draw(st.sampled_from(SET_PATHS))}={v}", *TAIL, "--json"]
    if kind == "inject":
        spec = draw(st.sampled_from([f"{v}:attack", f"2026-01-01:{v}", f"2026-01-01:attack:fatalities={v}"]))
        return ["forecast", "--inject", spec, *TAIL, "--json"]
    if kind == "runs":
        return draw(
            st.sampled_from([["runs", "list", "--limit", v], ["runs", "show", v], ["runs", "repair", v]])
        )
    if kind == "scenario":
        return ["scenario", draw(st.sampled_from(["show", "validate", "export"])), v]
    if kind == "bargain":
        opt = draw(st.sampled_from(["--rounds", "--model", "--option", "--seed"]))
        return ["bargain", "kashmir-2025", opt, v, "--json"]
    return ["events", "list", "--limit", v]


@FUZZ
@given(argv=command_lines())
def test_fuzz_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)  # a fuzzed relative path (e.g. --db -2833) must not land in the repository
    code, out, err = run_cli(*argv)
    check_outcome(code, err)
    if code == 0 and "--json" in argv and argv[0] == "forecast":
        doc = json.loads(out)
        assert 0.0 <= doc["milestones"]["3"]["p_crisis"] <= 1.0


# ------------------------------------------------------------------ bargaining and event files

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "nan", "1e999", "-0", "50", "100", "0", "A" * 150, "IND", "PAK"]),
    st.sampled_from(["99991231", "20250422", "2025-04-22", "0"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=12),
)  # fmt: skip


@FUZZ
@given(
    n_act=st.integers(-1, 6), n_dim=st.integers(-1, 3), rows=st.lists(st.lists(cells, max_size=9), max_size=6)
)
def test_fuzz_ktab_files(tmp_path: Path, n_act: int, n_dim: int, rows: list[list[str]]) -> None:
    lines = [f"fuzz,fuzzed scenario,{n_act},{n_dim}", "Actor,Description,Power,Pos,Sal"]
    lines += [",".join(c.replace(",", ";") for c in r) for r in rows]
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_cli("bargain", str(path), "--json")
    check_outcome(code, err)
    if code == 0:
        doc = json.loads(out)
        assert all(0.0 <= x <= 100.0 for x in doc["forecast"]["expected"])


HEADERS = {
    "icews": ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
              "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID"],
    "polecat": ["Event ID", "Event Date", "Event Type", "Event Mode", "Actor Country", "Recipient Country",
                "Primary Actor Sector", "Primary Recipient Sector"],
}  # fmt: skip


@FUZZ
@given(
    fmt=st.sampled_from(["gdelt1", "gdelt2", "icews", "polecat", "jsonl"]),
    rows=st.lists(st.lists(cells, min_size=1, max_size=12), min_size=1, max_size=5),
    good=st.integers(0, 3),
)
def test_fuzz_event_rows(tmp_path: Path, fmt: str, rows: list[list[str]], good: int) -> None:
    width = {"gdelt1": 58, "gdelt2": 61}.get(fmt)
    lines: list[str] = []
    if fmt in HEADERS:
        lines.append("\t".join(HEADERS[fmt]))
    for r in rows:
        if width:  # a GDELT row: the fuzzed cells scattered over the columns that are read
            f = ["1", "20250422", "", "", "", "IND", "", "IND"] + [""] * (width - 8)
            f[15], f[17], f[26], f[30] = "PAK", "PAK", "190", "-10"
            for i, c in enumerate(r[: good + 4]):
                f[(1, 5, 7, 12, 15, 17, 22, 26, 30)[i % 9]] = c.replace("\t", " ")
            lines.append("\t".join(f))
        elif fmt == "jsonl":
            lines.append(json.dumps({"cameo": r[0], "date": r[-1], "goldstein": r[0],
                                     "source": {"code": r[-1]}}))  # fmt: skip
        else:
            lines.append("\t".join(c.replace("\t", " ") for c in r))
    path = tmp_path / f"fuzz.{fmt}.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "events.db"
    code, _, err = run_cli("events", "ingest", str(path), "--format", fmt, "--db", str(db))
    check_outcome(code, err)
    if code == 0 and db.exists():
        from tashkent.events.store import EventStore

        for ev in EventStore(str(db)).query():
            g = ev.event.goldstein if ev.event is not None else None
            assert g is None or -10.0 <= g <= 10.0
            when = ev.event.date if ev.event is not None else None
            assert when is None or 1800 <= when.year <= 2100


# ------------------------------------------------------------------ damage to a stored run

damage = st.tuples(
    st.sampled_from(["chunks/chunk_00000000.npz", "chunks/chunk_00000001.npz", "summary.json",
                     "daily.parquet", "blocks.parquet", "manifest.json"]),
    st.sampled_from(["truncate", "flip", "empty", "delete", "foreign"]),
    st.floats(0.0, 1.0),
    st.sampled_from(["show", "resume", "report", "repair"]),
)  # fmt: skip


def test_fuzz_store_damage(tmp_path: Path) -> None:
    from tashkent.store import index

    def run(seed: str) -> tuple[str, Path]:
        code, out, err = run_cli("forecast", *TAIL, "-n", "200", "--seed", seed, "--json")
        assert code == 0, err
        rid = json.loads(out)["run_id"]
        return rid, Path(index.get_run(None, rid).run_dir)

    rid, run_dir = run("1")
    _, other = run("2")
    pristine = tmp_path / "pristine"
    shutil.copytree(run_dir, pristine)
    original = json.loads((run_dir / "summary.json").read_text())

    @FUZZ
    @given(hit=damage)
    def one(hit: tuple[str, str, float, str]) -> None:
        name, how, where, command = hit
        shutil.rmtree(run_dir)
        shutil.copytree(pristine, run_dir)
        index.record_finish(None, rid, "complete", 1.0, None)
        target = run_dir / name
        data = target.read_bytes()
        cut = int(where * len(data))
        if how == "truncate":
            target.write_bytes(data[:cut])
        elif how == "flip":
            target.write_bytes(data[:cut] + bytes([data[cut % len(data)] ^ 0xFF]) + data[cut + 1 :])
        elif how == "empty":
            target.write_bytes(b"")
        elif how == "delete":
            target.unlink()
        else:
            target.write_bytes((other / name).read_bytes())
        args = {"show": ["runs", "show", rid, "--json"], "resume": ["forecast", "--resume", rid, "--json"],
                "report": ["report", rid], "repair": ["runs", "repair", rid]}[command]  # fmt: skip
        code, out, err = run_cli(*args)
        check_outcome(code, err)
        if code == 0 and command in ("show", "resume"):  # accepted: exactly the stored forecast
            assert json.loads(out)["milestones"] == original["milestones"]

    one()
