import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tashkent.cli import main

from .samples import gdelt_row, write_gdelt

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "examples" / "news" / "russia_mediation_offer_2025-05-04.txt"


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_code_article_lists_offer_answers_and_measures(capsys):
    code, out, _ = run(capsys, "events", "code", str(ARTICLE), "--date", "2025-05-04", "--json")
    assert code == 0
    evs = [json.loads(line) for line in out.splitlines()]
    for e in evs:
        assert {
            "doc",
            "sentence",
            "source",
            "target",
            "cameo",
            "root",
            "goldstein",
            "plover",
            "text",
        } <= set(e)
    got = {
        (
            e["source"]["code"] if e["source"] else None,
            e["cameo"],
            e["target"]["code"] if e["target"] else None,
        )
        for e in evs
    }
    assert {("RUS", "039", "IND"), ("RUS", "039", "PAK")} <= got  # the offer
    assert ("PAK", "038", "RUS") in got  # Pakistan welcomes it
    assert ("IND", "126", None) in got  # India rejects mediation
    assert {
        ("IND", "160", None),
        ("IND", "161", "PAK"),
        ("IND", "163", "PAK"),
        ("PAK", "191", "IND"),
        ("PAK", "163", "IND"),
        ("PAK", "138", None),
        ("PAK", "150", None),
    } <= got  # the crisis measures


def test_code_lines_and_stdin(tmp_path, capsys, monkeypatch):
    f = tmp_path / "l.txt"
    f.write_text("India expelled Pakistani diplomats.\n\nRussia offered to mediate.\n")
    code, out, _ = run(capsys, "events", "code", str(f), "--lines", "--json")
    docs = [(json.loads(x)["doc"], json.loads(x)["cameo"]) for x in out.splitlines()]
    assert docs == [("1", "161"), ("3", "039")]
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("Pakistan closed its airspace."))
    code, out, _ = run(capsys, "events", "code", "-")
    assert code == 0 and "191" in out


def test_user_errors_are_one_line_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "events", "code", str(tmp_path / "nope.txt"))
    assert code == 2 and err.count("\n") == 1 and "file not found" in err
    code, _, err = run(capsys, "events", "code", str(ARTICLE), "--date", "May 4")
    assert code == 2 and "is not a date" in err
    bad = tmp_path / "bad.tsv"
    bad.write_text("sentence\tpenta_class\nsome sentence\t7\n")
    code, _, err = run(capsys, "events", "evaluate", str(bad))
    assert code == 2 and "bad.tsv:2:" in err
    code, _, err = run(capsys, "nowcast")
    assert code == 2 and "no events given" in err


def test_evaluate_handcoded_meets_the_targets(capsys):
    _, out, _ = run(capsys, "events", "evaluate", str(REPO / "tests/events/data/handcoded.jsonl"), "--json")
    d = json.loads(out)
    assert d["sentences"] >= 150
    assert d["penta_accuracy"] >= 0.8
    assert d["source"]["f1"] >= 0.85 and d["target"]["f1"] >= 0.85


def test_evaluate_dev_tsv(dev_tsv, capsys):
    _, out, _ = run(
        capsys,
        "events",
        "evaluate",
        str(dev_tsv),
        "--json",
    )
    d = json.loads(out)
    assert d["sentences"] == 1349
    assert d["penta_accuracy"] >= 0.72
    assert sum(map(sum, d["confusion"]["matrix"])) == 1349


def test_ingest_list_and_nowcast_from_store(tmp_path, capsys):
    rows = [
        gdelt_row(1, "20250423", "IND", "PAK", "160"),
        gdelt_row(2, "20250507", "IND", "PAK", "195"),
        gdelt_row(3, "20250504", "RUS", "IND", "039", goldstein="5.0"),
        "garbage",
    ]
    p = write_gdelt(tmp_path / "g.export.CSV.zip", rows, zipped=True)
    db = str(tmp_path / "e.db")
    code, out, _ = run(capsys, "events", "ingest", str(p), "--actors", "IND,PAK", "--db", db)
    assert code == 0
    assert "gdelt2, 4 rows read, 3 added, 0 filtered out, 1 malformed (lines 4)" in out
    code, out, _ = run(capsys, "events", "ingest", str(p), "--db", db)
    assert ", 0 added" in out
    code, out, _ = run(capsys, "events", "list", "--dyad", "IND-PAK", "--db", db, "--json")
    assert [json.loads(x)["cameo"] for x in out.splitlines()] == ["160", "195"]
    code, out, _ = run(capsys, "nowcast", "--from-store", "--db", db, "--as-of", "2025-05-08", "--json")
    state = json.loads(out)["state"]
    assert state["rung"] == 5 and state["crisis_active"] is True and state["offers"] == ["RUS"]


def test_nowcast_from_coded_events(tmp_path, capsys):
    _, out, _ = run(capsys, "events", "code", str(ARTICLE), "--date", "2025-05-04", "--json")
    f = tmp_path / "coded.jsonl"
    f.write_text(out)
    _, out, _ = run(capsys, "nowcast", "--events", str(f), "--json")
    d = json.loads(out)
    s = d["state"]
    assert s["date"] == "2025-05-04"
    # the 3 May missile test (Exercise INDUS) and the "act of war" threat are rung 3 in ladder.yaml
    assert s["rung"] == 3 and s["crisis_active"] is True and s["nuclear_signal"] is True
    assert s["offers"] == ["RUS"]
    assert s["accept"]["PAK"]["I"] is True and s["accept"]["IND"]["I"] is False
    assert all(d["evidence"][k] for k in s if k != "date")


def test_tour_commands_run_in_order_and_print_what_the_tour_shows():
    """Every `$ tashkent …` line of docs/tour/events.md runs from the repository root (in one
    shared TASHKENT_HOME, in order) and its first output line is the one the tour shows."""
    tour = (REPO / "docs/tour/events.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^\$ (tashkent .+)\n(.*)$", tour, re.M)
    assert len(blocks) >= 6
    from tests.conftest import shared_data_dir

    shared = shared_data_dir()
    for command, first_line in blocks:
        if "$TASHKENT_SHARED_DATA" in command:
            if shared is None:
                continue  # the GPL dev file is not in the repository
            command = command.replace("$TASHKENT_SHARED_DATA", str(shared))
            first_line = first_line.replace("$TASHKENT_SHARED_DATA", str(shared))
        argv = shlex.split(command)[1:]
        res = subprocess.run(
            [sys.executable, "-m", "tashkent", *argv],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, (command, res.stderr)
        assert res.stdout.splitlines()[0] == first_line, command


def test_nowcast_series(capsys):
    _, out, _ = run(
        capsys,
        "nowcast",
        "--events",
        str(REPO / "examples/events/timeline_2025.coded.jsonl"),
        "--series",
        "--json",
    )
    series = json.loads(out)["series"]
    assert series[0] == {
        "date": "2025-04-23",
        "goldstein": -4.0,
        "events": 1,
        "quad1": 0,
        "quad2": 0,
        "quad3": 0,
        "quad4": 1,
    }
    assert sum(day["events"] for day in series) == 7
