"""KTAB's Spatial Model of Politics against KTAB's own histories.

Fixtures: `examples/bargaining/ktab/SOE-Pol-Comp.csv` and `SOE-Policy.csv` are input files shipped
with KTAB (KAPSARC, MIT licence, https://github.com/KAPSARC/KTAB); the `.history.txt` files are what
KTAB's `smpc` printed for them with its default deterministic settings (examples/bargaining/README.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tashkent.bargain.inputs import read_csv
from tashkent.bargain.result import parse_options
from tashkent.bargain.smp import SMPOptions, run_smp


def _history(path: Path, actors: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    pos: dict[str, list[list[float]]] = {}
    prob: dict[str, list[float]] = {}
    for line in path.read_text().splitlines():
        m = re.match(r"(\w+), (.*) Position:(.*)", line)
        if m:
            pos.setdefault(m.group(1), []).append([float(v) for v in m.group(3).split()])
        m = re.match(r"(\w+), prob :(.*)", line)
        if m:
            prob[m.group(1)] = [float(v) for v in m.group(2).split()]
    H = np.array([pos[a] for a in actors]).transpose(2, 0, 1)  # turn, actor, dimension
    P = np.array([prob[a] for a in actors]).T  # turn, actor
    return H, P


@pytest.mark.parametrize(("name", "turns"), [("SOE-Pol-Comp", 27), ("SOE-Policy", 19)])
def test_reproduces_ktab_history(bargaining_data, name, turns):
    folder = bargaining_data / "ktab"
    problem = read_csv(folder / f"{name}.csv")
    H, P = _history(folder / f"{name}.history.txt", problem.actors)
    res = run_smp(problem)
    assert res.turns == turns == H.shape[0] - 1
    # KTAB prints positions to 0.1 and probabilities to 1e-4
    assert np.abs(res.history - H).max() <= 0.05 + 1e-9
    assert np.abs(res.probabilities - P).max() <= 1e-3
    assert np.abs(res.probabilities - P).max() <= 5e-5 + 1e-9


def test_soe_pol_comp_forecast(bargaining_data):
    problem = read_csv(bargaining_data / "ktab" / "SOE-Pol-Comp.csv")
    res = run_smp(problem)
    assert res.forecast["expected"] == pytest.approx([39.73, 32.78], abs=0.01)
    assert res.forecast["p_most_likely"] == pytest.approx(0.2330, abs=1e-4)
    assert res.baselines["weighted_mean"] == pytest.approx([36.29, 38.89], abs=0.01)
    assert sum(o["probability"] for o in res.forecast["options"]) == pytest.approx(1.0)


def test_stochastic_mode_is_reproducible_from_seed(bargaining_data):
    problem = read_csv(bargaining_data / "ktab" / "SOE-Pol-Comp.csv")
    opt = parse_options(SMPOptions, ["transitions=stochastic"], "smp")
    a = run_smp(problem, opt, seed=7)
    b = run_smp(problem, opt, seed=7)
    np.testing.assert_array_equal(a.history, b.history)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    c = run_smp(problem, opt, seed=8)
    assert c.history.shape != a.history.shape or not np.array_equal(c.history, a.history)


@pytest.mark.parametrize(
    "option",
    [
        "victory_prob=square",
        "victory_prob=binary",
        "pce=markov_uniform",
        "pce=markov_incentive",
        "voting_rule=binary",
        "voting_rule=cubic",
        "big_r_adjust=full",
        "big_r_range=min",
        "third_party_commit=full",
        "third_party_commit=none",
        "bargain_interp=s1p1",
        "bargain_model=init_rcvr",
        "bargain_model=pw_comp",
    ],
)
def test_every_option_runs_and_stays_in_range(bargaining_data, option):
    problem = read_csv(bargaining_data / "ktab" / "SOE-Pol-Comp.csv")
    res = run_smp(problem, parse_options(SMPOptions, [option, "max_turns=8"], "smp"))
    assert 1 <= res.turns <= 8
    assert np.all((res.history >= 0) & (res.history <= 100))
    np.testing.assert_allclose(res.probabilities.sum(axis=1) >= 1 - 1e-9, True)
    assert np.all((res.probabilities >= 0) & (res.probabilities <= 1 + 1e-12))
