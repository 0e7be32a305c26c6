"""The Python API runs what the CLI runs: same numbers for the same arguments, labelled results."""

from __future__ import annotations

import json

import pytest

import tashkent
from tashkent.cli import main
from tashkent.errors import UserError


@pytest.fixture(scope="module")
def small():
    return tashkent.forecast("kashmir-2025", runs=2000, days=90, seed=7)


def test_api_forecast_equals_cli_json(small, capsys):
    main(["forecast", "kashmir-2025", "--runs", "2000", "--days", "90", "--seed", "7", "--json"])
    cli = json.loads(capsys.readouterr().out)
    assert small.milestones.loc[90, "p_crisis"] == cli["milestones"]["90"]["p_crisis"]
    api_doc = dict(small.to_json())
    for key in ("run_id", "seconds"):
        api_doc.pop(key), cli.pop(key)
    assert api_doc == cli


def test_milestones_are_labelled(small):
    ms = small.milestones
    assert list(ms.index) == [30, 90]
    assert {"p_crisis", "p_rung_ge_5", "p_nuclear_signal", "p_phase_ge_3", "p_accept_PAK_1.5"} <= set(
        ms.columns
    )
    doc = small.to_json()["milestones"]["90"]
    assert ms.loc[90, "p_rung_ge_5"] == doc["p_rung_ge"]["5"]
    assert ms.loc[90, "p_accept_PAK_1.5"] == doc["p_accept"]["PAK"]["1.5"]
    unc = small.uncertainty.loc[(90, "p_crisis")]
    assert unc["lo"] <= unc["p"] <= unc["hi"]


def test_daily_dataset_over_day_rung_phase_party(small):
    ds = small.daily
    assert ds.sizes["day"] == 91 and ds.sizes["rung"] == 7 and ds.sizes["party"] == 2
    assert ds["p_rung"].sum("rung").values == pytest.approx(1.0)
    assert ds["p_phase"].sum("phase").values == pytest.approx(1.0)
    # P(event by day) from the daily curves matches the milestone table on milestone days
    assert float(ds["p_crisis_by"].sel(day=90)) == pytest.approx(
        small.milestones.loc[90, "p_crisis"], abs=1e-6
    )
    assert float(ds["p_accept"].sel(day=90, party="PAK", track="1.5")) == pytest.approx(
        small.milestones.loc[90, "p_accept_PAK_1.5"], abs=1e-6
    )


def test_report_of_an_in_memory_forecast(small, tmp_path):
    path = small.report(tmp_path / "r.html")
    text = path.read_text()
    assert "<svg" in text and "Drivers" in text


def test_set_as_mapping_equals_set_as_strings():
    a = tashkent.forecast(runs=200, days=30, seed=3, set={"parameters.attack_rate": 0.5})
    b = tashkent.forecast(runs=200, days=30, seed=3, set=["parameters.attack_rate=0.5"])
    c = tashkent.forecast(runs=200, days=30, seed=3)
    assert a.milestones.equals(b.milestones)
    assert not a.milestones.equals(c.milestones)


def test_errors_name_the_argument():
    with pytest.raises(UserError, match=r"^runs=150: "):
        tashkent.forecast(runs=150, days=30)
    with pytest.raises(UserError, match=r"^param_mode='bogus': "):
        tashkent.forecast(runs=100, days=30, param_mode="bogus")


def test_compare_returns_a_table():
    cmp = tashkent.compare("kashmir-2025", ["calm=set:parameters.attack_rate=0.1"], runs=300, days=60, seed=5)
    df = cmp.differences
    assert df.loc[("calm", "crisis"), "diff"] == pytest.approx(
        df.loc[("calm", "crisis"), "value"] - df.loc[("calm", "crisis"), "base"]
    )
    assert cmp.to_json()["variants"][0]["label"] == "calm"


def test_bargain_returns_a_result():
    res = tashkent.bargain("kashmir-2025", model="compromise")
    assert res.to_json()["model"] == "compromise"
