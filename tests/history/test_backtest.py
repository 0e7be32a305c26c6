"""Back-test designs, leakage guard, baseline values, JSON shape, the HTML report and the CLI."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import numpy as np
import pytest
from typer.testing import CliRunner

from tashkent.cli import app
from tashkent.history.backtest import folds, run_backtest
from tashkent.history.baselines import (
    BASELINES,
    Climatology,
    Conditions,
    CrisisForecast,
    Forecaster,
    Persistence,
)
from tashkent.history.record import Crisis, load_crises


@pytest.fixture(scope="module")
def crises():
    return load_crises()


def test_designs(crises):
    loo = folds(crises, "loo")
    assert len(loo) == 18
    assert all(f.test.id not in {c.id for c in f.training} and len(f.training) == 17 for f in loo)
    temporal = folds(crises, "temporal")
    assert [f.test.year for f in temporal] == [2001, 2002, 2008, 2014, 2016, 2019, 2025]
    assert all(c.year < 2000 for c in temporal[0].training) and len(temporal[0].training) == 11


def test_conditions_carry_no_outcome():
    fields = {f.name for f in dataclasses.fields(Conditions)}
    outcome_fields = {
        "rung_highest",
        "nuclear_signal",
        "mediation_occurred",
        "duration_days",
        "end_date",
        "mediators",
        "outcome_form",
        "crisis_managers",
    }
    assert not fields & outcome_fields


@dataclasses.dataclass(frozen=True)
class Spy:
    """Records what it is given; forecasts uniformly."""

    log: list = dataclasses.field(default_factory=list)
    name: str = "spy"
    training: tuple = ()

    def fit(self, training: Sequence[Crisis]) -> Spy:
        return Spy(self.log, self.name, tuple(training))

    def forecast(self, conditions: Conditions) -> CrisisForecast:
        self.log.append((conditions.crisis_id, {c.id for c in self.training}))
        return CrisisForecast(np.full(7, 1 / 7), 0.5, 0.5, np.array([30.0]))


@pytest.mark.parametrize("method", ["loo", "temporal"])
def test_no_information_from_the_test_crisis(crises, method):
    spy = Spy()
    assert isinstance(spy, Forecaster)
    run_backtest(crises, method, [spy, *BASELINES], n_boot=50)
    assert spy.log
    for test_id, training_ids in spy.log:
        assert test_id not in training_ids


def test_baseline_values_for_pahalgam(crises):
    fold = next(f for f in folds(crises, "loo") if f.test.name == "Pahalgam-Sindoor")
    cond = Conditions.of(fold.test)
    clim = Climatology().fit(fold.training).forecast(cond)
    assert clim.p_mediation == pytest.approx(6 / 17)
    assert clim.p_nuclear == pytest.approx(5 / 15)  # 1998, 1999, 2001, 2002, 2019 of 15 scorable
    assert clim.p_rung_ge(5) == pytest.approx(5 / 17)  # 3 wars + Kargil + Pulwama
    pers = Persistence().fit(fold.training).forecast(cond)
    assert pers.rung_probs[5] == 1.0 and pers.p_nuclear == 1.0 and pers.p_mediation == 0.0
    assert pers.duration_values.tolist() == [16.0]  # Pulwama
    assert pers.strike_values.tolist() == [12.0]  # Pulwama 14 Feb -> Balakot 26 Feb
    assert sorted(clim.strike_values.tolist()) == [2.0, 12.0, 17.0, 23.0, 39.0]  # wars, Kargil, Balakot


def test_scores_and_skill_are_deterministic(crises):
    a = run_backtest(crises, "loo", n_boot=200, seed=3)
    b = run_backtest(crises, "loo", n_boot=200, seed=3)
    assert a == b
    assert a["scores"]["rung"] == {"climatology": 0.1419, "persistence": 0.2275, "uniform": 0.1587}
    assert a["scores"]["mediation"]["uniform"] == 0.25
    assert a["n"] == {
        "rung": 18,
        "rung_ge4": 18,
        "rung_ge5": 18,
        "nuclear_signal": 16,
        "mediation": 18,
        "duration": 16,
        "days_to_first_strike": 6,
        "offer_accepted": 34,
    }
    assert a["scores"]["offer_accepted"]["climatology"] == 0.2571
    assert len(a["offers"]) == 34
    s = a["skill"]["rung"]["climatology"]["persistence"]
    assert s["low"] <= s["skill"] <= s["high"]


runner = CliRunner()


def test_cli_json_keys():
    res = runner.invoke(app, ["backtest", "--method", "temporal", "--json", "--baselines-only"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["method"] == "temporal"
    assert len(out["crises"]) == 7
    assert set(out["crises"][0]) >= {"name", "forecasts", "outcome", "scores"}
    assert set(out["scores"]) == {
        "rung",
        "rung_ge4",
        "rung_ge5",
        "nuclear_signal",
        "mediation",
        "duration",
        "days_to_first_strike",
        "offer_accepted",
    }
    assert out["n"]["offer_accepted"] == 17  # offers from 2001, forecast from those before 2000
    assert set(out["scores"]["rung"]) == {"climatology", "persistence", "uniform"}


def test_cli_report_is_offline_html(tmp_path):
    path = tmp_path / "bt.html"
    res = runner.invoke(app, ["backtest", "--method", "both", "--baselines-only", "--report", str(path)])
    assert res.exit_code == 0, res.output
    text = path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 4
    assert "gets wrong" in text and "http" not in text.replace("http-equiv", "")
    assert [p.name for p in tmp_path.iterdir()] == ["bt.html"]


def test_cli_bad_method_is_one_line(capsys):
    from tashkent.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["backtest", "--method", "kfold", "--baselines-only"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "kfold" in err


def test_cli_crises_and_base_rates(icb_dir):
    res = runner.invoke(app, ["history", "crises", "--json"])
    assert res.exit_code == 0 and len(json.loads(res.output)) == 18
    res = runner.invoke(app, ["history", "base-rates", "--icb", str(icb_dir), "--json"])
    assert res.exit_code == 0
    assert json.loads(res.output)["post1945"]["agreement_mediated"]["p"] == 0.6277


def test_pakistan_afghanistan_record_and_replay():
    from tashkent.history.record import load_crises
    from tashkent.history.simbank import replay_scenario

    pa = load_crises(dyad="pakistan-afghanistan")
    assert [c.rung_highest for c in pa] == [5, 4, 4, 5, 5, 5]
    assert all(not c.both_nuclear and c.nuclear_signal == "no" for c in pa)
    war = Conditions.of(pa[-1])
    sc = replay_scenario(war)
    assert sc.parties == ("PAK", "AFG") and sc.schedule[0].target == "PAK"
    assert not sc.actor("AFG").nuclear and sc.initial_state.accept == {}
    chaman = replay_scenario(Conditions.of(pa[1]))  # Afghan forces fired first: Pakistan is the target
    assert chaman.initial_state.provocation["PAK"] > chaman.initial_state.provocation["AFG"]


def test_temporal_design_needs_an_old_record():
    from tests.core.helpers import run_cli

    code, _, err = run_cli("backtest", "--dyad", "pakistan-afghanistan", "--method", "temporal")
    assert code == 2 and "use loo" in err
