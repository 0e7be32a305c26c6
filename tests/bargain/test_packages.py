"""Settlement packages, reservation utilities, Nash / Kalai–Smorodinsky, ZOPA and the link."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tashkent.bargain.inputs import from_spec
from tashkent.bargain.link import crisis_expected_cost, process_inputs
from tashkent.bargain.load import load_spec, spec_from_mapping
from tashkent.bargain.packages import analyse, frontier, utilities
from tashkent.errors import UserError


@pytest.fixture(scope="module")
def kashmir():
    spec, _ = load_spec("kashmir-2025")
    return spec


def test_kashmir_section_is_complete_and_sourced(kashmir):
    assert kashmir.parties == ("IND", "PAK")
    ids = {a.id for a in kashmir.actors}
    assert {"IND", "PAK", "RUS", "CHN", "USA", "IRN", "IDN", "SAU", "KAZ", "UZB", "SCO"} <= ids
    assert [d.id for d in kashmir.dimensions] == [
        "mediation_format",
        "kashmir_arrangement",
        "indus_waters",
        "trade_connectivity",
        "ct_verification",
    ]
    assert {p.id for p in kashmir.packages} == {
        "status_quo",
        "four_point",
        "aceh_autonomy",
        "demilitarised_zone",
        "confederation",
        "power_sharing",
    }
    for a in kashmir.actors:
        assert a.capability.source.strip()
        for s in a.stances.values():
            assert s.source.strip()
    assert kashmir.dimension_labels if hasattr(kashmir, "dimension_labels") else True
    assert kashmir.dimensions[0].label_at(70) == "co-facilitated Track 1.5"


def test_utility_is_one_at_own_position(kashmir):
    p = from_spec(kashmir)
    u = utilities(p, p.position)
    np.testing.assert_allclose(np.diag(u), 1.0)
    assert np.all(u <= 1.0 + 1e-12)


def test_frontier_runs_between_the_parties_ideals(kashmir):
    p = from_spec(kashmir)
    fr = frontier(p, ("IND", "PAK"))
    np.testing.assert_allclose(fr.points[-1], p.position[p.actors.index("IND")])
    np.testing.assert_allclose(fr.points[0], p.position[p.actors.index("PAK")])
    assert np.all(np.diff(fr.u[0]) >= -1e-12)  # India's utility rises with t
    assert np.all(np.diff(fr.u[1]) <= 1e-12)


def test_nash_and_ks_are_in_the_zopa_and_nash_maximises_the_product(kashmir):
    j = analyse(kashmir).to_json()
    assert j["zopa_exists"] is True
    r = j["reservation"]["values"]
    for key in ("nash", "kalai_smorodinsky"):
        g = j[key]["gain"]
        assert g["IND"] >= -1e-9 and g["PAK"] >= -1e-9
    prod = j["nash"]["gain"]["IND"] * j["nash"]["gain"]["PAK"]
    p = from_spec(kashmir)
    fr = frontier(p, ("IND", "PAK"))
    grid = (fr.u[0] - r["IND"]).clip(0) * (fr.u[1] - r["PAK"]).clip(0)
    assert prod >= grid.max() - 1e-9
    rows = {row["id"]: row for row in j["packages"]}
    assert rows["status_quo"]["acceptable"]["CHN"] is True  # veto-holder's reservation is the status quo
    assert 0 <= rows["confederation"]["support"] <= 1
    assert j["reservation"]["mode"] == "model (fallback)"


def test_no_zopa_gives_the_smallest_concession(kashmir):
    data = kashmir.model_dump()
    data["reservation"] = {"mode": "fixed", "fixed": {"IND": 0.95, "PAK": 0.95}, "source": "test"}
    spec = spec_from_mapping(data, "test")
    j = analyse(spec).to_json()
    assert j["zopa_exists"] is False and j["nash"] is None
    c = j["concession"]
    assert c["equal"]["each"] > 0
    # lowering both reservations by the equal concession opens a zone
    data2 = copy.deepcopy(data)
    g = c["equal"]["each"] + 1e-6
    data2["reservation"]["fixed"] = {"IND": 0.95 - g, "PAK": 0.95 - g}
    assert analyse(spec_from_mapping(data2, "test")).to_json()["zopa_exists"] is True
    assert c["least_total"]["total"] <= 2 * c["equal"]["each"] + 1e-9


def test_process_inputs(kashmir):
    out = process_inputs(kashmir)
    assert set(out) >= {"zopa_exists", "way_out", "settlement_gap"}
    assert 0.0 <= out["way_out"] <= 1.0 and out["settlement_gap"] >= 0.0
    assert out["framework"] == "four_point"
    hard = kashmir.model_dump()
    hard["reservation"] = {"mode": "fixed", "fixed": {"IND": 0.9, "PAK": 0.9}, "source": "test"}
    out2 = process_inputs(spec_from_mapping(hard, "test"))
    assert out2["zopa_exists"] is False
    assert out2["way_out"] < out["way_out"]
    assert out2["settlement_gap"] > 0


def test_model_reservation_uses_expected_cost(kashmir):
    a = analyse(kashmir, {"IND": 0.0, "PAK": 0.0}).reservation
    b = analyse(kashmir, {"IND": 0.5, "PAK": 0.5}).reservation
    assert a.mode == "model"
    assert b.values["IND"] == pytest.approx(0.5 * a.values["IND"])
    costs, note = crisis_expected_cost(kashmir, None)
    assert costs is None and "fallback" in note


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (lambda d: d["actors"][0]["stances"]["indus_waters"].update(salience=99), "sum to"),
        (lambda d: d["actors"][0]["stances"]["indus_waters"].update(source=" "), "give a source"),
        (lambda d: d["actors"].append(copy.deepcopy(d["actors"][0])), "appears twice"),
        (
            lambda d: d["packages"][0]["point"].pop("indus_waters"),
            "has no value for 'indus_waters'",
        ),
        (lambda d: d.update(parties=["IND", "XYZ"]), "XYZ is not among the actors"),
        (
            lambda d: d["actors"][1]["stances"]["mediation_format"].update(position=120),
            "less than or equal to 100",
        ),
        (lambda d: d.update(surprise=1), "surprise: Extra inputs are not permitted"),
    ],
)
def test_spec_errors_are_one_line(kashmir, patch, message):
    data = kashmir.model_dump()
    patch(data)
    with pytest.raises(UserError, match=message) as err:
        spec_from_mapping(data, "k.yaml")
    assert "\n" not in str(err.value)
    assert str(err.value).startswith("k.yaml: ")


def test_model_reservation_reads_the_crisis_forecast(kashmir, monkeypatch):
    """The adapter calls tashkent.sim.document.forecast and reads milestones[H].expected_cost."""
    import tashkent.sim.document as api

    calls = {}

    def fake(scenario, runs, days, seed):
        calls.update(runs=runs, days=days, seed=seed)
        return {"milestones": {str(days): {"expected_cost": {"IND": 0.1, "PAK": 0.7}}}}

    monkeypatch.setattr(api, "forecast", fake)
    costs, note = crisis_expected_cost(kashmir, object())
    assert costs == {"IND": 0.1, "PAK": 0.7}
    assert calls == {
        "runs": kashmir.reservation.runs,
        "days": 365,
        "seed": kashmir.reservation.seed,
    }
    assert "crisis model" in note
    res = analyse(kashmir, costs).reservation
    sq = analyse(kashmir, {"IND": 0.0, "PAK": 0.0}).reservation
    assert res.values["PAK"] == pytest.approx(0.3 * sq.values["PAK"])


def test_scenario_carries_the_bargaining_section():
    from tashkent.scenario.load import load_scenario

    sc = load_scenario("kashmir-2025")
    assert sc.bargaining is not None and sc.bargaining.parties == sc.parties
