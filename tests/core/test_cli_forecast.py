"""The forecast, runs, report and compare commands as a user runs them."""

from __future__ import annotations

import json
import multiprocessing as mp
import re
from pathlib import Path

from tests.core.helpers import run_cli

from tashkent.store import index


def _forecast(*extra: str) -> dict:
    code, out, err = run_cli("forecast", "--runs", "1000", "--days", "90", "--seed", "3", "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_forecast_json_is_saved_and_listed():
    doc = _forecast()
    assert doc["scenario"] == "kashmir-2025" and doc["runs"] == 1000 and doc["seed"] == 3
    row = index.get_run(None, doc["run_id"])
    assert row.status == "complete" and row.seconds and row.scenario_hash == doc["scenario_hash"]
    run_dir = Path(row.run_dir)
    for name in (
        "summary.json",
        "milestones.parquet",
        "daily.parquet",
        "survival.parquet",
        "fatalities.parquet",
        "trajectories.parquet",
        "blocks.parquet",
        "manifest.json",
    ):
        assert (run_dir / name).is_file(), name
    code, out, _ = run_cli("runs", "list")
    assert code == 0 and doc["run_id"][:20] in out
    code, out, _ = run_cli("runs", "show", doc["run_id"], "--json")
    assert json.loads(out)["milestones"] == doc["milestones"]


def test_same_seed_same_numbers_across_commands():
    a, b = _forecast(), _forecast("--workers", "1", "--chunk-runs", "200")
    assert a["milestones"] == b["milestones"]


def test_human_table_and_report_are_offline(tmp_path):
    code, out, err = run_cli(
        "forecast", "--runs", "500", "--days", "60", "--report", str(tmp_path / "f.html")
    )
    assert code == 0, err
    assert "P(new crisis)" in out and "P(IND accepts Track 1.5)" in out
    report = Path(re.search(r"report: (\S+)", out.replace("\n", " ")).group(1))
    html = report.read_text()
    assert html.count("<svg") >= 5
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    assert "Assumptions and sources" in html and "Kydd" in html
    run_id = re.search(r"run (kashmir-2025-\S+)", out).group(1)
    out_file = tmp_path / "r.html"
    code, out, _ = run_cli("report", run_id, "--out", str(out_file))
    assert code == 0 and out_file.read_text() == html


def test_bad_inputs_fail_with_one_line():
    for args, needle in (
        (("forecast", "--runs", "150"), "multiple of 100"),
        (("forecast", "--set", "parameters.nope=1"), "unknown parameter 'nope'"),
        (("forecast", "--inject", "tomorrow:attack"), "is not a date"),
        (("runs", "show", "no-such-run"), "no run 'no-such-run'"),
        (("report", "no-such-run"), "no run 'no-such-run'"),
    ):
        code, _, err = run_cli(*args)
        assert code == 2, args
        assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_compare_with_itself_is_exactly_zero_and_an_attack_is_not():
    code, out, err = run_cli(
        "compare",
        "kashmir-2025",
        "same=set:parameters.attack_rate=0.8",
        "attack=inject:2026-01-15:attack:fatalities=40",
        "--runs",
        "1000",
        "--days",
        "120",
        "--json",
        "--uncalibrated",
    )
    assert code == 0, err
    doc = json.loads(out)
    same = {r["metric"]: r for r in doc["variants"][0]["differences"]}
    attack = {r["metric"]: r for r in doc["variants"][1]["differences"]}
    # the override only fixes attack_rate at its prior median: tiny, paired differences
    assert abs(same["crisis"]["diff"]) < 0.05
    assert attack["crisis"]["diff"] > 0.5 and attack["crisis"]["ci95"][0] > 0
    code, out, err = run_cli(
        "compare", "kashmir-2025", "kashmir-2025", "--runs", "500", "--days", "60", "--json"
    )
    doc = json.loads(out)
    assert all(r["diff"] == 0 and r["se"] == 0 for r in doc["variants"][0]["differences"])


def _write_rows(args):
    home, start = args
    import datetime as dt
    import os

    os.environ["TASHKENT_HOME"] = home
    for i in range(start, start + 25):
        index.record_start(
            None,
            {
                "run_id": f"r{i:04d}",
                "created": dt.datetime(2026, 1, 1),
                "finished": None,
                "status": "running",
                "scenario": "x",
                "scenario_hash": "h",
                "seed": i,
                "runs": 100,
                "days": 1,
                "version": "t",
                "seconds": None,
                "run_dir": "/tmp",
                "parameters": {},
                "headline": None,
            },
        )
        index.record_finish(None, f"r{i:04d}", "complete", 0.1, {"p_crisis": 0.1, "p_rung_ge_5": 0.0})


def test_concurrent_runs_never_corrupt_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("TASHKENT_HOME", str(tmp_path))
    with mp.get_context("spawn").Pool(3) as pool:
        pool.map(_write_rows, [(str(tmp_path), 0), (str(tmp_path), 100), (str(tmp_path), 200)])
    rows = index.list_runs(None, limit=1000)
    assert len(rows) == 75 and all(r.status == "complete" for r in rows)


def test_resume_command_finishes_an_interrupted_run():
    doc = _forecast("--chunk-runs", "200")
    row = index.get_run(None, doc["run_id"])
    chunks = sorted((Path(row.run_dir) / "chunks").glob("chunk_*.npz"))
    for c in chunks[1:3]:
        c.unlink()
    index.record_finish(None, row.run_id, "interrupted", None, None)
    code, out, err = run_cli("forecast", "--resume", row.run_id[:30], "--json")
    assert code == 0, err
    resumed = json.loads(out)
    assert resumed["milestones"] == doc["milestones"]
    assert index.get_run(None, row.run_id).status == "complete"


def test_forecast_starts_from_the_nowcast_of_coded_events():
    code, out, err = run_cli(
        "forecast",
        "--from-events",
        "examples/events/timeline_2025.coded.jsonl",
        "--as-of",
        "2025-05-08",
        "--runs",
        "500",
        "--days",
        "30",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["start_date"] == "2025-05-08"
    m = doc["milestones"]["30"]
    assert m["p_rung_ge"]["5"] == 1.0  # Operation Sindoor (7 May) is in force on the nowcast date
    assert m["p_accept"]["PAK"]["1.5"] == 1.0
    row = index.get_run(None, doc["run_id"])
    assert row.parameters["inputs"]["nowcast"]["state"]["crisis_active"] is True
    code, _, err = run_cli("forecast", "--from-events", "no/such/file.jsonl")
    assert code == 2 and "file.jsonl" in err


def test_version_help_and_usage_errors():
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("tashkent ")
    code, out, _ = run_cli()
    assert code == 0 and "forecast" in out and "scenario" in out
    code, _, err = run_cli("forecast", "--runz", "3")
    assert code == 2 and "No such option: --runz" in err and "Traceback" not in err
    code, _, err = run_cli("no-such-command")
    assert code == 2 and "No such command" in err


def test_forecast_samples_the_calibrated_posteriors_unless_told_not_to():
    from importlib import resources

    import yaml

    overlay = yaml.safe_load(resources.files("tashkent.history").joinpath("data/calibrated.yaml").read_text())
    calibrated = {k: v["value"] for k, v in overlay["parameters"].items() if v.get("identified")}
    assert calibrated, "the shipped overlay calibrates at least one parameter"
    name, value = next(iter(calibrated.items()))
    used = {}
    for flag in ([], ["--uncalibrated"]):
        doc = _forecast(*flag)
        used[bool(flag)] = index.get_run(None, doc["run_id"]).parameters["parameters"][name]
    assert used[False] == value
    assert used[True] != value  # the scenario's own prior
