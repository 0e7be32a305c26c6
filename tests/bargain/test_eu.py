"""BDM/Scholz expected-utility model against the EU car-emissions fixture.

Fixture: `examples/bargaining/eu_emissions_1994.csv` (BDM 1994, as Table 1 of Scholz et al. 2011)
and its `.expected.json` (reference numbers of the Scholz et al. 2011 reconstruction).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tashkent.bargain.eu import EUOptions, condorcet_median, run_eu
from tashkent.bargain.inputs import read_csv
from tashkent.bargain.result import parse_options
from tashkent.errors import UserError


@pytest.fixture
def eu(bargaining_data):
    problem = read_csv(bargaining_data / "eu_emissions_1994.csv")
    expected = json.loads((bargaining_data / "eu_emissions_1994.expected.json").read_text())
    return problem, expected


def test_round0_median_and_mean(eu):
    problem, exp = eu
    res = run_eu(problem, rounds=10)
    assert res.extra["condorcet_median_by_round"][0][0] == pytest.approx(exp["round0"]["condorcet_median"])
    assert res.extra["weighted_mean_by_round"][0][0] == pytest.approx(
        exp["round0"]["weighted_mean"], abs=1e-6
    )
    assert res.baselines["weighted_mean"][0] == pytest.approx(exp["round0"]["weighted_mean"], abs=1e-6)
    assert res.baselines["weighted_median"][0] == pytest.approx(7.0)


def test_round1_risk_and_moves(eu):
    problem, exp = eu
    res = run_eu(problem, rounds=1)
    r1 = res.extra["round1"][0]
    for k, name in enumerate(problem.actors):
        R, r = exp["round1_risk"][name]
        assert r1["R"][k] == pytest.approx(R, abs=1e-6)
        assert r1["r"][k] == pytest.approx(r, abs=1e-6)
    moved = {a: m["to"] for a, m in r1["moves"].items()}
    assert moved == pytest.approx(exp["round1_moves"], abs=1e-6)
    assert r1["moves"]["Belgium"] == {
        "kind": "compromise",
        "with": "France",
        "to": pytest.approx(8.415932, abs=1e-6),
    }
    assert r1["moves"]["Luxembourg"]["kind"] == "confrontation"
    assert r1["moves"]["Ireland"]["with"] == "Luxembourg"


def test_ten_round_trajectory_and_final_positions(eu):
    problem, exp = eu
    res = run_eu(problem, rounds=10)
    means = np.array(res.extra["weighted_mean_by_round"])[:, 0]
    np.testing.assert_allclose(means, exp["weighted_mean_by_round"], atol=1e-4)
    medians = np.array(res.extra["condorcet_median_by_round"])[:, 0]
    np.testing.assert_allclose(medians, exp["condorcet_median_by_round"], atol=1e-4)
    final = dict(zip(problem.actors, res.history[-1, :, 0], strict=True))
    assert final == pytest.approx(exp["final_positions_round10"], abs=1e-4)
    assert res.turns == 10


def test_oscillation_is_reported(eu):
    problem, _ = eu
    osc = run_eu(problem, rounds=10).oscillation
    assert osc["oscillating"] is True
    assert osc["reversals"] == 3


def test_p_matrix_uses_scholz_denominator(eu):
    from tashkent.bargain.eu import eu_round

    problem, _ = eu
    rd = eu_round(problem.position[:, 0], problem.capability, problem.salience[:, 0], EUOptions())
    x = problem.position[:, 0]
    i4, i7, i10 = (int(np.flatnonzero(x == v)[0]) for v in (4, 7, 10))
    P = rd.P[np.ix_([i4, i7, i10], [i4, i7, i10])]
    np.testing.assert_allclose(
        P, [[0, 0.003148, 0.008753], [0.008985, 0, 0.007314], [0.011859, 0.004583, 0]], atol=1e-6
    )


def test_options_change_the_result(eu):
    problem, _ = eu
    base = run_eu(problem, rounds=10).history
    for opt in (
        ["compromise_order=smallest"],
        ["p_denominator=pair"],
        ["capitulation=on"],
        ["q=0.5"],
    ):
        other = run_eu(problem, rounds=10, options=parse_options(EUOptions, opt, "eu")).history
        assert other.shape == base.shape
    smallest = run_eu(problem, 10, parse_options(EUOptions, ["compromise_order=smallest"], "eu"))
    assert not np.allclose(smallest.history, base)


def test_bad_options_are_user_errors():
    with pytest.raises(UserError, match="choose one of scholz, pair"):
        parse_options(EUOptions, ["p_denominator=foo"], "eu")
    with pytest.raises(UserError, match="not an option of the eu model"):
        parse_options(EUOptions, ["nope=1"], "eu")
    with pytest.raises(UserError, match=r"must lie in \[0, 1\]"):
        parse_options(EUOptions, ["q=2"], "eu")


def test_condorcet_median_is_weighted_median():
    x = np.array([1.0, 2.0, 9.0])
    assert condorcet_median(x, np.array([1.0, 1.0, 1.5])) == 2.0


def test_fast_probability_matches_brute_force():
    """The O(N^2) prefix-sum P equals the direct sum over voters and pairs."""
    from tashkent.bargain.eu import _prob

    rng = np.random.default_rng(11)
    for _ in range(5):
        n = 12
        x = rng.integers(0, 8, n).astype(float)
        w = rng.uniform(0.1, 1, n)
        r = rng.uniform(0.5, 2, n)
        span = float(x.max() - x.min())
        f = (np.abs(x[:, None] - x[None, :]) / span) ** r[:, None]
        v = w[:, None, None] * (f[:, None, :] - f[:, :, None])  # [k, a, b]
        num = np.clip(v, 0, None).sum(0)
        for mode, den in (("scholz", np.abs(v).sum()), ("pair", np.abs(v).sum(0))):
            brute = np.divide(num, den, out=np.zeros_like(num), where=np.asarray(den) > 0)
            got = _prob(x, w, r, span, EUOptions(p_denominator=mode))
            np.testing.assert_allclose(got, brute, atol=1e-12)
