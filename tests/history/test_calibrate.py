"""Replays, the simulation bank, simulated-likelihood calibration and the model forecaster."""

from __future__ import annotations

import numpy as np
import pytest

from tashkent.history.backtest import run_backtest
from tashkent.history.baselines import BASELINES, Conditions
from tashkent.history.calibrate import (
    CALIBRATED,
    calibrate,
    crisis_loglik,
    ess,
    identified_everywhere,
    onset_loglik,
    posterior_entry,
    training_span,
    weights,
)
from tashkent.history.model_forecaster import ModelForecaster, SimulationBank
from tashkent.history.record import load_crises
from tashkent.history.simbank import CrisisBank, replay_overrides, replay_scenario, simulate_crisis


@pytest.fixture(scope="module")
def crises():
    return load_crises()


def _by(crises, name):
    return next(c for c in crises if c.name == name)


def test_replay_of_an_attack(crises):
    cond = Conditions.of(_by(crises, "Pahalgam-Sindoor"))
    sc = replay_scenario(cond)
    assert sc.start_date.isoformat() == "2025-04-22"
    assert [(e.kind, e.target, e.fatalities) for e in sc.schedule] == [("attack", "IND", 26.0)]
    assert sc.initial_state.rung == 2 and not sc.initial_state.crisis_active
    assert sc.actor("IND").nuclear and sc.actor("PAK").nuclear
    assert sc.parameters["attack_rate"].value == 0.0
    assert sc.parameters["attack_rate"].prior.dist == "fixed"


def test_replay_of_a_pre_nuclear_political_trigger(crises):
    cond = Conditions.of(_by(crises, "Junagadh"))
    ov = replay_overrides(cond)
    assert ov["schedule"] == [] and ov["initial_state.crisis_active"] is True
    assert ov["initial_state.provocation"] == {"IND": 0.5, "PAK": 0.0}
    sc = replay_scenario(cond)
    assert not sc.actor("IND").nuclear and not sc.actor("PAK").nuclear
    assert not sc.actor("KAZ").active and not sc.actor("SCO").active
    # India-triggered crises provoke Pakistan
    assert replay_overrides(Conditions.of(_by(crises, "Brasstacks")))["initial_state.provocation"] == {
        "PAK": 0.5,
        "IND": 0.0,
    }


def test_simulate_crisis_shapes_and_determinism(crises):
    cond = Conditions.of(_by(crises, "Pulwama-Balakot"))
    a = simulate_crisis(cond, n_blocks=2, seed=5, days=60)
    b = simulate_crisis(cond, n_blocks=2, seed=5, days=60)
    assert a.rung_probs.shape == (2, 7) and a.duration.shape == (2, 100)
    np.testing.assert_allclose(a.rung_probs.sum(axis=1), 1.0)
    assert np.all((a.p_nuclear >= 0) & (a.p_nuclear <= 1))
    assert np.all((a.duration >= 1) & (a.duration <= 61))
    np.testing.assert_array_equal(a.duration, b.duration)
    assert a.params["esc_base"].shape == (2,)


def _fake_bank(crisis_id: int, j: int, good: int) -> CrisisBank:
    """A bank in which draw `good` reproduces a rung-5, signalling, unmediated, 16-day crisis."""
    rung = np.full((j, 7), 1 / 7)
    rung[good] = np.eye(7)[5] * 0.9 + 0.1 / 7
    p_nuc = np.full(j, 0.1)
    p_nuc[good] = 0.9
    dur = np.full((j, 100), 200, dtype=np.int32)
    dur[good] = 16
    zeros = np.zeros((j, 100), dtype=np.int32)
    params = {"esc_base": np.linspace(-3, -1, j)}
    return CrisisBank(crisis_id, rung, p_nuc, np.zeros(j), dur, zeros + 12, zeros + 2, zeros + 11, params)


def test_loglik_prefers_the_draw_that_reproduces_the_crisis(crises):
    pulwama = _by(crises, "Pulwama-Balakot")
    ll = crisis_loglik(_fake_bank(pulwama.id, 5, good=3), pulwama)
    assert int(np.argmax(ll)) == 3


def test_onset_likelihood_peaks_at_the_observed_rate():
    rates = np.linspace(0.05, 0.6, 56)
    best = rates[np.argmax(onset_loglik(rates, 18, 78.4))]
    assert best == pytest.approx(18 / 78.4, abs=0.01)


def test_training_span(crises):
    assert training_span(crises) == pytest.approx(78.38, abs=0.01)
    assert training_span([c for c in crises if c.year < 2000]) == pytest.approx(52.38, abs=0.01)


def test_weights_are_tempered_to_the_minimum_ess():
    ll = np.linspace(0, -400, 200)
    w, beta = weights(ll, min_ess=30)
    assert 0 < beta < 1 and ess(w) == pytest.approx(30, rel=0.01)
    w1, beta1 = weights(np.zeros(200), min_ess=30)
    assert beta1 == 1.0 and ess(w1) == pytest.approx(200)


def test_posterior_entry_identifies_a_constrained_parameter():
    x = np.linspace(-4, -2, 400)
    prior = {"value": -3.0, "prior": {"dist": "normal", "mean": -3.0, "sd": 0.5}, "source": "x"}
    w = np.exp(-0.5 * ((x + 2.5) / 0.1) ** 2)
    entry, diag = posterior_entry("esc_base", x, w / w.sum(), prior)
    assert entry["identified"] and entry["prior"]["dist"] == "normal"
    assert entry["prior"]["mean"] == pytest.approx(-2.5, abs=0.01)
    assert diag["sd_ratio"] < 0.2
    flat, _ = posterior_entry("esc_base", x, np.full(400, 1 / 400), prior)
    assert flat == {"identified": False}


def _synthetic_bank(crises, j=40) -> SimulationBank:
    rng = np.random.default_rng(0)
    bank = SimulationBank(n_blocks=j // 100 or 1, seed=0)
    for c in crises:
        rung = rng.dirichlet(np.ones(7), size=j)
        dur = rng.integers(1, 400, size=(j, 100)).astype(np.int32)
        lag = rng.integers(0, 60, size=(j, 100)).astype(np.int32)
        params = {name: rng.normal(size=j) for name in CALIBRATED}
        bank.crises[c.id] = CrisisBank(
            c.id, rung, rng.uniform(size=j), rng.uniform(size=j), dur, lag, lag // 10, lag - 1, params
        )
    bank._onset = (rng.uniform(0.1, 0.5, size=j), {name: rng.normal(size=j) for name in CALIBRATED})
    return bank


def test_model_forecaster_in_the_backtest_has_no_leak(crises):
    model = ModelForecaster(_synthetic_bank(crises))
    result = run_backtest(crises, "loo", [model, *BASELINES], n_boot=50)
    assert result["forecasters"][0] == "model"
    assert set(result["scores"]["rung"]) == {"model", "climatology", "persistence", "uniform"}
    assert set(result["skill"]["rung"]["model"]) == {"climatology", "persistence", "uniform"}
    fitted = model.fit([c for c in crises if c.name != "Uri"])
    assert fitted.weights is not None and fitted.weights.sum() == pytest.approx(1.0)


def test_calibrate_overlay_shape(crises):
    bank = _synthetic_bank(crises)
    base = {
        n: {"value": 0.0, "prior": {"dist": "normal", "mean": 0.0, "sd": 1.0}, "source": "s"}
        for n in CALIBRATED
    }
    overlay = calibrate(crises, bank, base)
    cal = overlay["calibration"]
    assert set(cal) >= {
        "data",
        "method",
        "date",
        "diagnostics",
        "identified",
        "not_identified_keep_prior",
        "targets_used",
        "targets_not_used",
    }
    assert sorted(cal["identified"] + cal["not_identified_keep_prior"]) == sorted(CALIBRATED)
    for name in cal["identified"]:
        entry = overlay["parameters"][name]
        assert set(entry) == {"value", "prior", "source", "identified", "calibrated_from"}
    for name in cal["not_identified_keep_prior"]:
        assert overlay["parameters"][name] == {"identified": False}


def test_shipped_overlay_applies_to_the_builtin_scenarios():
    from importlib import resources

    import yaml

    from tashkent.scenario.load import load_scenario

    text = resources.files("tashkent.history").joinpath("data/calibrated.yaml").read_text("utf-8")
    overlay = yaml.safe_load(text)
    cal = overlay["calibration"]
    assert {"data", "method", "date", "diagnostics", "identified"} <= set(cal)
    assert cal["diagnostics"]["ess"] >= 20
    for name in ("kashmir-2025", "pahalgam-2025"):
        plain = load_scenario(name)
        sc = load_scenario(name, overlays=[overlay])
        for pname in cal["identified"]:
            entry = overlay["parameters"][pname]
            assert sc.parameters[pname].value == entry["value"]
            assert sc.parameters[pname].prior.dist == entry["prior"]["dist"]
            assert sc.parameters[pname].identified is True
            assert sc.parameters[pname].source.startswith("calibrated to")
        for pname in cal["not_identified_keep_prior"]:
            assert sc.parameters[pname].prior == plain.parameters[pname].prior
            assert sc.parameters[pname].identified is False


def _diag(mean, ratio, ess_=40.0, sample_sd=1.0):
    return {"posterior_mean": mean, "sd_ratio": ratio, "sample_sd": sample_sd, "ess": ess_, "prior_sd": 1.0}


def test_identification_needs_every_seed_to_narrow_the_prior_and_agree():
    assert identified_everywhere([_diag(0.0, 0.6), _diag(0.2, 0.7)])
    assert not identified_everywhere([_diag(0.0, 0.6), _diag(0.2, 0.85)])  # one seed does not narrow it
    assert not identified_everywhere([_diag(0.0, 0.6), _diag(0.8, 0.6)])  # the seeds disagree
    assert not identified_everywhere([_diag(0.0, 0.6, ess_=10.0), _diag(0.0, 0.6)])  # too few draws
    assert not identified_everywhere([])


def test_calibrate_pools_the_seeds_and_reports_each(crises):
    base = {
        n: {"value": 0.0, "prior": {"dist": "normal", "mean": 0.0, "sd": 1.0}, "source": "s"}
        for n in CALIBRATED
    }
    one, two = _synthetic_bank(crises), _synthetic_bank(crises)
    two.seed = 1
    overlay = calibrate(crises, one, base, checks=[two])
    cal = overlay["calibration"]
    assert cal["seeds"] == [0, 1] and cal["draws"] == 80
    assert [b["draws"] for b in cal["diagnostics"]["by_seed"]] == [40, 40]
    assert len(cal["diagnostics"]["parameters"]["esc_base"]["sd_ratio_by_seed"]) == 2
    assert "every one of 2 independent banks" in cal["identification"]
