"""`tashkent bargain` and `tashkent packages` end to end."""

from __future__ import annotations

import json

import pytest

from tashkent.cli import main


def run(argv, capsys):
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_bargain_json_keys_smp(bargaining_data, capsys):
    code, out, _ = run(["bargain", str(bargaining_data / "ktab/SOE-Pol-Comp.csv"), "--json"], capsys)
    assert code == 0
    j = json.loads(out)
    for key in ("model", "actors", "dimensions", "history", "probabilities", "forecast", "turns"):
        assert key in j
    assert j["model"] == "smp" and j["turns"] == 27
    assert len(j["history"]) == 28 and len(j["history"][0]) == 13 and len(j["history"][0][0]) == 2
    assert len(j["probabilities"]) == 28 and len(j["probabilities"][0]) == 13
    assert set(j["forecast"]) >= {"expected", "most_likely", "p_most_likely"}
    assert j["baselines"]["weighted_mean"] == pytest.approx([36.29, 38.89], abs=0.01)


def test_bargain_eu_table_and_options(bargaining_data, capsys):
    path = str(bargaining_data / "eu_emissions_1994.csv")
    code, out, _ = run(["bargain", path, "--model", "eu"], capsys)
    assert code == 0 and "Forecast and baselines" in out and "oscillating: yes" in out
    code, out, _ = run(
        ["bargain", path, "--model", "eu", "--rounds", "3", "--json", "--option", "q=0.5"], capsys
    )
    j = json.loads(out)
    assert j["turns"] == 3 and j["options"]["q"] == 0.5 and j["probabilities"] is None


def test_bargain_compromise_and_scenario(capsys):
    code, out, _ = run(["bargain", "kashmir-2025", "--model", "compromise", "--json"], capsys)
    j = json.loads(out)
    assert code == 0 and j["turns"] == 0 and j["forecast"]["expected"] == j["baselines"]["weighted_mean"]
    assert j["dimensions"][0] == "mediation_format"


def test_bargain_report_and_plot(bargaining_data, tmp_path, capsys):
    html, png = tmp_path / "r.html", tmp_path / "p.png"
    code, _out, _ = run(
        [
            "bargain",
            str(bargaining_data / "eu_emissions_1994.csv"),
            "--model",
            "eu",
            "--report",
            str(html),
            "--plot",
            str(png),
        ],
        capsys,
    )
    assert code == 0
    text = html.read_text()
    assert "data:image/png;base64," in text and "<script" not in text and "http" not in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stochastic_seed_reproducible_via_cli(bargaining_data, capsys):
    args = [
        "bargain",
        str(bargaining_data / "ktab/SOE-Pol-Comp.csv"),
        "--json",
        "--option",
        "transitions=stochastic",
        "--seed",
        "3",
        "--rounds",
        "6",
    ]
    _, a, _ = run(args, capsys)
    _, b, _ = run(args, capsys)
    assert json.loads(a)["history"] == json.loads(b)["history"]


def test_packages_json_and_plot(tmp_path, capsys):
    code, out, _ = run(["packages", "kashmir-2025", "--json"], capsys)
    assert code == 0
    j = json.loads(out)
    assert {
        "packages",
        "nash",
        "kalai_smorodinsky",
        "zopa_exists",
        "frontier",
        "reservation",
    } <= set(j)
    assert len([r for r in j["packages"] if r["kind"] == "package"]) == 6  # with NI power-sharing
    assert j["converged"] == "four_point"
    fc = j["forecast"]
    assert fc["converges"] is False and "never move" in fc["verdict"]
    assert max(fc["principal_moves"].values()) < 1.0
    png = tmp_path / "f.png"
    code, out, _ = run(["packages", "kashmir-2025", "--plot", str(png)], capsys)
    assert code == 0 and "Nash:" in out and png.stat().st_size > 1000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bargain", "nope.csv"], "nope.csv: no such file"),
        (
            ["bargain", "atlantis"],
            "no built-in scenario named 'atlantis'",
        ),
        (
            ["bargain", "kashmir-2025", "--model", "xyz"],
            "--model xyz: choose one of eu, smp, compromise",
        ),
        (["bargain", "kashmir-2025", "--option", "victory_prob=huge"], "choose one of linear"),
        (["packages", "pahalgam-2025"], "pahalgam-2025: the scenario has no `bargaining` section"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, capsys):
    code, _out, err = run(argv, capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_csv_row_is_reported(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("actor,capability,position,salience\nA,1,10,50\nB,1,20,140\nC,1,30,10\n")
    code, _, err = run(["bargain", str(f)], capsys)
    assert code == 2 and "bad.csv:3: salience of 'issue' = 140 is outside [0, 100]" in err


def test_bargaining_errors_point_at_the_scenario_line(tmp_path, capsys):
    from tashkent.scenario.load import builtin_text

    text = builtin_text("kashmir-2025")
    bad = text.replace(
        "indus_waters: {position: 15, salience: 15,",
        "indus_waters: {position: 15, salience: 140,",
        1,
    )
    assert bad != text
    f = tmp_path / "k.yaml"
    f.write_text(bad)
    code, _, err = run(["packages", str(f)], capsys)
    assert code == 2
    assert "k.yaml:" in err and "bargaining.actors[0].stances.indus_waters.salience = 140" in err


def test_packages_report_is_self_contained(tmp_path, capsys):
    out = tmp_path / "pk.html"
    code, stdout, _ = run(["packages", "kashmir-2025", "--report", str(out)], capsys)
    assert code == 0 and f"wrote {out}" in stdout
    text = out.read_text()
    assert "data:image/png;base64," in text and "four-point framework" in text
    assert "<script" not in text and "src='http" not in text
