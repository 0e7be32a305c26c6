"""The explore commands end to end on tiny designs: JSON shapes, tables, errors."""

from __future__ import annotations

import json

import pytest
from tests.core.helpers import run_cli

from tashkent.scenario.load import load_scenario

SMALL = ["--days", "30", "--quiet", "--workers", "1"]
# without the bargaining link (a small crisis forecast per strategy) the tests run in seconds;
# test_robust_ranks_every_strategy_and_marks_the_one_as_written keeps it
FAST = [*SMALL, "--set", "bargaining=null"]


def test_sensitivity_json_has_exactly_the_documented_keys(tmp_path):
    html = tmp_path / "s.html"
    code, out, err = run_cli(
        "sensitivity",
        "kashmir-2025",
        "--outcome",
        "crisis",
        "--method",
        "morris",
        "--samples",
        "2",
        "--json",
        "--html",
        str(html),
        *SMALL,
    )
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["outcome", "method", "runs", "parameters"]
    assert doc["outcome"] == "crisis" and doc["method"] == "morris"
    n_params = len(doc["parameters"])
    assert n_params >= 10
    assert doc["runs"] == 2 * (n_params + 1) * 100
    assert "<svg" in html.read_text()


def test_sensitivity_sobol_table(tmp_path):
    code, out, err = run_cli(
        "sensitivity",
        "kashmir-2025",
        "--outcome",
        "crisis",
        "--samples",
        "2",
        "--figure",
        str(tmp_path / "f.svg"),
        *SMALL,
    )
    assert code == 0, err
    assert "S1" in out and "ST" in out and "sum of S1" in out
    assert (tmp_path / "f.svg").read_text().startswith("<svg")


def test_discover_json_shape(tmp_path):
    code, out, err = run_cli(
        "discover",
        "kashmir-2025",
        "--outcome",
        "crisis",
        "--experiments",
        "40",
        "--strategies",
        "4",
        "--json",
        *SMALL,
    )
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["outcome", "base_rate", "boxes"]
    assert 0 < doc["base_rate"] < 1
    for box in doc["boxes"]:
        assert set(box) == {"coverage", "density", "restrictions"}
        assert box["density"] > doc["base_rate"]
        for r in box["restrictions"]:
            assert set(r) in ({"parameter", "low", "high"}, {"parameter", "values"})


def test_robust_ranks_every_strategy_and_marks_the_one_as_written():
    code, out, err = run_cli(
        "robust",
        "kashmir-2025",
        "--actor",
        "IND",
        "--futures",
        "4",
        "--json",
        *SMALL,
    )
    assert code == 0, err
    doc = json.loads(out)
    labels = [s["label"] for s in doc["strategies"]]
    assert sorted(labels) == ["doctrine=cross-border", "doctrine=restraint"]
    assert [s["rank"] for s in doc["strategies"]] == [1, 2]
    assert sum(s["as_written"] for s in doc["strategies"]) == 1
    regrets = [s["max_regret"] for s in doc["strategies"]]
    assert regrets == sorted(regrets) and min(regrets) >= 0


def test_robust_table_and_requirements():
    code, out, err = run_cli(
        "robust",
        "kashmir-2025",
        "--actor",
        "IND",
        "--futures",
        "4",
        "--require",
        "rung_ge_5<=0.5",
        "--outcome",
        "rung_ge_5",
        *SMALL,
    )
    assert code == 0, err
    assert "satisficing" in out and "holds up best" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sensitivity", "kashmir-2025", "--outcome", "rung_ge_9"], "--outcome rung_ge_9"),
        (["sensitivity", "kashmir-2025", "--outcome", "crisis", "--samples", "48"], "power of two"),
        (["sensitivity", "kashmir-2025", "--outcome", "crisis", "--method", "fast"], "--method fast"),
        (["robust", "kashmir-2025", "--actor", "XXX"], "--actor XXX"),
        (["robust", "kashmir-2025", "--actor", "CHN"], "declares no levers for CHN"),
        (["robust", "kashmir-2025", "--actor", "RUS", "--require", "mediation=0.3"], "--require"),
        (["discover", "kashmir-2025", "--outcome", "crisis", "--alpha", "0.9"], "--alpha"),
        (
            ["discover", "kashmir-2025", "--outcome", "crisis", "--runs-per-experiment", "150"],
            "multiple of 100",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    code, _out, err = run_cli(*args, "--quiet")
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_levers_are_validated_in_the_scenario(tmp_path):
    from tashkent.errors import UserError
    from tashkent.scenario.load import builtin_text

    text = builtin_text("kashmir-2025").replace(
        "  - id: doctrine\n    actor: IND", "  - id: doctrine\n    actor: XYZ"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=r"levers\[\d\]\.actor.*XYZ is not an actor"):
        load_scenario(str(path))


def test_declared_levers_do_not_change_the_scenario_hash():
    from tashkent.scenario.load import scenario_hash

    sc = load_scenario("kashmir-2025")
    assert scenario_hash(sc) == scenario_hash(sc.model_copy(update={"levers": []}))


def test_python_api_gives_the_command_document():
    import tashkent

    doc = tashkent.robust(
        "kashmir-2025", "IND", futures=4, days=30, workers=1, set=["bargaining=null"], outcomes=["crisis"]
    )
    code, out, err = run_cli(
        "robust", "kashmir-2025", "--actor", "IND", "--futures", "4", "--outcome", "crisis", "--json", *FAST
    )
    assert code == 0, err
    assert json.loads(out) == json.loads(json.dumps(doc))


def test_robust_for_pakistan_holds_the_parameters_its_levers_set():
    code, out, err = run_cli(
        "robust", "kashmir-2025", "--actor", "PAK", "--futures", "4", "--outcome", "crisis", "--json", *FAST
    )
    assert code == 0, err
    doc = json.loads(out)
    assert sorted(s["label"] for s in doc["strategies"]) == [
        "proxies=as-is, nuclear_signalling=early",
        "proxies=as-is, nuclear_signalling=late",
        "proxies=crackdown, nuclear_signalling=early",
        "proxies=crackdown, nuclear_signalling=late",
    ]
    # signalling does not move P(crisis): the tie goes to the strategy closer to the as-written one
    assert doc["strategies"][0]["label"] == "proxies=crackdown, nuclear_signalling=early"
    held = doc["details"]["fixed_by_levers"]
    assert held == {"attack_rate": ["proxies"], "ns_intercept": ["nuclear_signalling"]}
    for s in doc["strategies"]:
        assert s["worst"]["driver"]["parameter"] not in held
    # half the attacks: fewer crises in every future on average
    mean = {s["label"]: s["mean"]["crisis"] for s in doc["strategies"]}
    early = "nuclear_signalling=early"
    assert mean[f"proxies=crackdown, {early}"] < mean[f"proxies=as-is, {early}"]
    code, out, err = run_cli("robust", "kashmir-2025", "--actor", "PAK", "--futures", "4", *FAST)
    assert code == 0, err
    assert "held at the scenario's values" in out and "attack_rate (proxies)" in out


def test_report_gains_a_section_per_saved_analysis(tmp_path):
    import re

    saved = {k: tmp_path / f"{k}.json" for k in ("sensitivity", "discovery", "robust")}
    for args in (
        [
            "sensitivity",
            "kashmir-2025",
            "-o",
            "crisis",
            "-m",
            "morris",
            "-N",
            "2",
            "--save",
            str(saved["sensitivity"]),
        ],
        [
            "discover",
            "kashmir-2025",
            "-o",
            "crisis",
            "-N",
            "40",
            "--strategies",
            "4",
            "--save",
            str(saved["discovery"]),
        ],
        ["robust", "kashmir-2025", "--actor", "IND", "-N", "4", "--save", str(saved["robust"])],
    ):
        code, _out, err = run_cli(*args, *FAST)
        assert code == 0, err
    assert json.loads(saved["robust"].read_text())["analysis"] == "robust"
    code, out, err = run_cli("forecast", "--runs", "200", "--days", "30", "--set", "bargaining=null")
    assert code == 0, err
    run_id = re.search(r"run (kashmir-2025-\S+)", out).group(1)
    page = tmp_path / "r.html"
    code, out, err = run_cli(
        "report", run_id, "--out", str(page), *[a for p in saved.values() for a in ("--analysis", str(p))]
    )
    assert code == 0, err
    html = page.read_text()
    for heading in (
        "<h2>Sensitivity: P(crisis",
        "<h2>Scenario discovery: P(crisis",
        "<h2>Robust strategies of IND",
    ):
        assert heading in html
    assert html.index("<h2>Robust strategies") < html.index("Assumptions and sources")
    # a result of another scenario, or a file that is no result, is refused in one line
    other = json.loads(saved["robust"].read_text())
    other["details"]["scenario"] = "pahalgam-2025"
    (tmp_path / "other.json").write_text(json.dumps(other))
    (tmp_path / "junk.json").write_text('{"a": 1}')
    for name, needle in (
        ("other.json", "an analysis of pahalgam-2025"),
        ("junk.json", "not a saved analysis"),
    ):
        code, _out, err = run_cli("report", run_id, "--analysis", str(tmp_path / name))
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_python_api_report_takes_analysis_documents(tmp_path):
    import tashkent

    doc = tashkent.robust(
        "kashmir-2025", "PAK", futures=4, days=30, workers=1, set=["bargaining=null"], outcomes=["crisis"]
    )
    f = tashkent.forecast("kashmir-2025", runs=200, days=30, set=["bargaining=null"], workers=1)
    html = f.report(tmp_path / "r.html", analyses=[doc]).read_text()
    assert "<h2>Robust strategies of PAK" in html and "attack_rate (proxies)" in html


def test_scenario_show_lists_the_levers():
    code, out, err = run_cli("scenario", "show", "kashmir-2025")
    assert code == 0, err
    text = out[out.index("Levers") : out.index("Parameters")]
    for lever in ("lead", "kashmiri_voices", "doctrine", "proxies", "nuclear_signalling"):
        assert lever in text
    assert "crackdown" in text and "excluded" in text
