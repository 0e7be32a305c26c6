"""The smoothed likelihood: its regression, and parameter recovery on a synthetic record.

The recovery test simulates a toy model with the bank's shape (per draw, 100 runs of every crisis
of the record): the highest rung and nuclear signalling depend on `a`, the duration on `b`, and
`c` changes nothing. A synthetic record drawn at known values must be recovered by the smoothed
calibration (posteriors narrowed, covering the truth, moved toward it), while `c` must stay a
prior: the surrogate may not manufacture identification."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tashkent.history.calibrate import calibrate
from tashkent.history.model_forecaster import SimulationBank
from tashkent.history.record import load_crises
from tashkent.history.simbank import CrisisBank
from tashkent.history.surrogate import design, quadratic_design, smooth_frequency, standardise

TRUTH = {"a": 0.9, "b": -1.0, "c": 0.7}
BASE = {n: {"value": 0.0, "prior": {"dist": "normal", "mean": 0.0, "sd": 1.0}, "source": "s"} for n in TRUTH}


def test_quadratic_design_has_linear_square_and_product_terms():
    z = np.arange(6.0).reshape(3, 2)
    x = quadratic_design(z)
    assert x.shape == (3, 5)  # z1, z2, z1², z1·z2, z2²
    np.testing.assert_allclose(x[1], [2, 3, 4, 6, 9])


def test_smoothed_frequency_recovers_a_response_under_binomial_noise_and_ignores_pure_noise():
    rng = np.random.default_rng(1)
    z = standardise({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    truth = 1 / (1 + np.exp(-(-2.0 - 1.5 * (z[:, 0] - 0.5) ** 2)))
    hits = rng.binomial(100, truth)
    truth = np.clip(truth, 0.5 / 101, 100.5 / 101)  # the resolution of 100 runs
    fit = smooth_frequency(hits, 100, design(z))
    raw_error = np.abs(np.log((hits + 0.5) / 101) - np.log(truth)).mean()
    assert np.abs(np.log(fit.p) - np.log(truth)).mean() < 0.3 * raw_error
    null = smooth_frequency(rng.binomial(100, np.full(500, 0.2)), 100, design(z))
    assert np.std(np.log(null.p)) < 0.05  # GCV shrinks a fit of noise to nearly a constant
    assert null.deviance_explained < 0.02


def _probs(a: np.ndarray, offset: float) -> np.ndarray:
    ge = 1 / (1 + np.exp(-(a[:, None] + offset + 2.4 - 0.9 * np.arange(1, 7))))
    ge = np.concatenate([np.ones((a.size, 1)), ge, np.zeros((a.size, 1))], axis=1)
    return ge[:, :-1] - ge[:, 1:]


def _toy_bank(crises, j: int, seed: int) -> SimulationBank:
    rng = np.random.default_rng(seed)
    theta = {n: rng.normal(size=j) for n in TRUTH}
    bank = SimulationBank(n_blocks=j // 100, seed=seed)
    for i, c in enumerate(crises):
        off = 0.3 * np.sin(i)
        rung = np.stack([rng.multinomial(100, p) / 100 for p in _probs(theta["a"], off)])
        p_nuc = rng.binomial(100, 1 / (1 + np.exp(1.0 - theta["a"]))) / 100
        p_med = rng.binomial(100, np.full(j, 0.4)) / 100
        dur = np.maximum(1, np.exp(3.0 + 0.8 * theta["b"][:, None] + 0.6 * rng.normal(size=(j, 100))))
        zeros = np.zeros((j, 100), dtype=np.int32)
        bank.crises[c.id] = CrisisBank(
            c.id, rung, p_nuc, p_med, dur.astype(np.int32), zeros, zeros, zeros - 1, theta
        )
    bank._onset = (np.full(j, 18 / 78.4), theta)
    return bank


def _synthetic_record(crises, rng):
    """One run per crisis of the toy model at TRUTH, in the record's shape."""
    out = []
    for i, c in enumerate(crises):
        p = _probs(np.array([TRUTH["a"]]), 0.3 * np.sin(i))[0]
        nuc = rng.uniform() < 1 / (1 + np.exp(1.0 - TRUTH["a"]))
        dur = max(1, int(np.exp(3.0 + 0.8 * TRUTH["b"] + 0.6 * rng.normal())))
        out.append(
            dataclasses.replace(
                c,
                rung_highest=int(rng.choice(7, p=p)),
                nuclear_signal="yes" if nuc else "no",
                mediation_occurred=bool(rng.uniform() < 0.4),
                duration_days=dur,
                response_lag_days=None,
                kinetic_days=None,
            )
        )
    return out


@pytest.fixture(scope="module")
def recovery():
    crises = load_crises()
    record = _synthetic_record(crises, np.random.default_rng(7))
    banks = [_toy_bank(crises, 600, seed) for seed in (11, 12)]
    smoothed = calibrate(record, banks[0], BASE, names=tuple(TRUTH), checks=banks[1:], likelihood="smoothed")
    raw = calibrate(record, banks[0], BASE, names=tuple(TRUTH), checks=banks[1:], likelihood="raw")
    return smoothed["calibration"], raw["calibration"]


def test_smoothed_calibration_recovers_the_parameters_that_shape_the_record(recovery):
    cal, _ = recovery
    assert set(cal["identified"]) == {"a", "b"}
    for name in ("a", "b"):
        d = cal["diagnostics"]["parameters"][name]
        assert max(d["sd_ratio_by_seed"]) < 0.8
        assert abs(d["posterior_mean"] - TRUTH[name]) < 2 * d["posterior_sd"]  # covers the truth
        assert abs(d["posterior_mean"] - TRUTH[name]) < 0.5 * abs(TRUTH[name])  # moved toward it


def test_smoothed_calibration_does_not_identify_a_parameter_without_effect(recovery):
    cal, _ = recovery
    assert "c" in cal["not_identified_keep_prior"]
    assert min(cal["diagnostics"]["parameters"]["c"]["sd_ratio_by_seed"]) > 0.8


def test_smoothing_needs_less_tempering_than_the_raw_likelihood(recovery):
    smoothed, raw = recovery
    assert smoothed["likelihood"] == "smoothed" and raw["likelihood"] == "raw"
    for s, r in zip(smoothed["diagnostics"]["by_seed"], raw["diagnostics"]["by_seed"], strict=True):
        assert s["tempering_beta"] > r["tempering_beta"]
        assert s["ess_untempered"] > r["ess_untempered"]


def test_a_parameter_the_recovery_study_rejects_keeps_its_prior(recovery):
    crises = load_crises()
    record = _synthetic_record(crises, np.random.default_rng(7))
    banks = [_toy_bank(crises, 600, seed) for seed in (11, 12)]
    overlay = calibrate(
        record,
        banks[0],
        BASE,
        names=tuple(TRUTH),
        checks=banks[1:],
        likelihood="smoothed",
        unrecovered=("a",),
    )
    cal = overlay["calibration"]
    assert cal["identified"] == ["b"] and cal["passes_criterion_not_recovered"] == ["a"]
    assert overlay["parameters"]["a"] == {"identified": False}


def test_calibrate_rejects_an_unknown_likelihood_in_one_line(capsys):
    from tashkent.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["calibrate", "--runs", "100", "--likelihood", "smooth"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "--likelihood smooth: must be one of raw, smoothed" in err
