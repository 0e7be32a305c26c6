"""The record of third-party offers and the acceptance model scored on it (issue 8)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tashkent.cli import app
from tashkent.errors import UserError
from tashkent.history.offers import attacks_on, features, fitted_parameters, load_offers, score_offers
from tashkent.history.record import load_crises
from tashkent.scenario.load import load_scenario, scenario_to_data

NAMES = ["model", "climatology", "persistence", "uniform"]


@pytest.fixture(scope="module")
def record():
    return load_offers()


@pytest.fixture(scope="module")
def params():
    return scenario_to_data(load_scenario("kashmir-2025"))["parameters"]


def test_record_has_thirty_sourced_offers(record):
    assert len(record.offers) >= 30
    for o in record.offers:
        assert o.source and o.tilt_source and o.loss_source
        for a in o.answers.values():
            assert a.source
    ids = [o.id for o in record.offers]
    assert "tashkent-1965" in ids and "world-bank-1951" in ids and "china-2025" in ids


def test_features_follow_the_coding_rules(record):
    f = features(record, attacks_on(load_crises(), record.parties), 365.0, 365.0)
    ids = [o.id for o in record.offers]
    k = ids.index
    assert f["clause"][k("trump-2019-07"), 0] == 1 and f["clause"][k("trump-2019-07"), 1] == 0
    assert f["clause"][k("uae-2021"), 0] == 0  # facilitation is outside the clause
    assert f["clause"][k("tashkent-1965"), 0] == 0  # before Simla
    assert f["tilt"][k("china-2025")].tolist() == [-0.55, 0.55]
    assert f["hardening"][k("iran-2025"), 0] > 0.8 and f["hardening"][k("iran-2025"), 1] == 0
    assert f["standing"][k("trump-2020-01"), 0] < -1  # two earlier US rebuffs in six months


def test_model_beats_climatology_leave_one_out(record, params):
    _, per = score_offers(record, load_crises(), params, "loo", NAMES)
    means = {n: float(np.mean(v)) for n, v in per.items()}
    assert len(per["model"]) == len(record.offers)
    assert means["model"] < 0.8 * means["climatology"]


def test_fit_finds_tilt_and_the_bilateral_clause(record, params):
    fit = fitted_parameters(record, load_crises(), params)
    assert fit["offer_tilt"][0] > 1 and fit["offer_clause"][0] > 2
    assert fit["offer_clause"][1] < 1.5  # the record narrows the prior sd


def test_bad_record_is_one_line_error(tmp_path):
    bad = tmp_path / "offers.yaml"
    bad.write_text(
        "parties: [A, B]\nbilateral_clause: {party: A, since: 1972-07-02, forms: [mediation], source: s}\n"
        "offers:\n  - {id: x, date: 2000-01-01, mediator: m, offerer: M, form: lunch, issue: kashmir}\n"
    )
    with pytest.raises(UserError, match=r"offers\[0\] \(x\)\.form = 'lunch'"):
        load_offers(bad)


def test_cli_lists_offers_and_json_has_sources():
    runner = CliRunner()
    res = runner.invoke(app, ["history", "offers"])
    assert res.exit_code == 0, res.output
    assert "tashkent-1965" in res.output and "accepted by both" in res.output
    res = runner.invoke(app, ["history", "offers", "--json"])
    out = json.loads(res.output)
    assert len(out["offers"]) >= 30 and out["offers"][0]["answers"]["IND"]["source"]
    assert set(out["fit"]) >= {"offer_tilt", "offer_clause", "offer_hardening"}
