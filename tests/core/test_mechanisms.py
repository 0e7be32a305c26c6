"""Direction-of-effect tests of each mechanism (pure functions over run arrays)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tashkent.model import (
    acceptance,
    ceasefire,
    credibility,
    escalation,
    nuclear,
    process,
    ripeness,
    spoilers,
)
from tashkent.model.durability import breakdown_prob


def test_more_russian_bias_toward_india_raises_credibility_to_india_and_lowers_it_to_pakistan():
    wa = np.array([0.5])
    cred = []
    for b in (0.0, 0.2, 0.4, 0.6):
        bias = np.array([[[b], [0.0]]])  # [M=1, parties=2, n=1]
        cred.append(credibility.credibility(bias, wa, 0.05, 0.3, 8.0)[0, :, 0])
    cred = np.array(cred)
    assert np.all(np.diff(cred[:, 0]) > 0)  # to India
    assert np.all(np.diff(cred[:, 1]) < 0)  # to Pakistan


def test_war_averse_mediator_is_less_credible():
    bias = np.array([[[0.4], [0.0]], [[0.4], [0.0]]])
    c = credibility.credibility(bias, np.array([0.2, 0.9]), 0.05, 0.3, 8.0)
    assert c[0, 0, 0] > c[1, 0, 0]


def test_coalition_covers_both_sides_and_has_an_inverted_u():
    # Russia leans to India, Saudi Arabia to Pakistan: together they cover both sides.
    bias = np.array([[[0.4], [0.0]], [[0.1], [0.5]]])
    cred = credibility.credibility(bias, np.array([0.5, 0.5]), 0.05, 0.3, 8.0)
    lev = np.array([0.4, 0.3])
    alone = credibility.coalition(cred[:1], lev[:1], np.ones((1, 1), bool), 3.0)
    both = credibility.coalition(cred, lev, np.ones((2, 1), bool), 3.0)
    assert both["coverage"][0] > alone["coverage"][0]
    sizes = credibility.size_effect(np.arange(0, 10, dtype=float), 3.0)
    assert sizes[0] == 0 and np.argmax(sizes) == 3 and sizes[9] < sizes[3]


def _params(**kw):
    p = dict(
        esc_base=-2.3,
        esc_provocation=3.5,
        esc_reciprocity=1.6,
        esc_rung_cost=0.45,
        esc_nuclear_risk=1.8,
        esc_restraint=1.0,
        esc_gp_management=0.8,
        esc_fatigue=0.03,
        esc_two_step=0.6,
        deesc_base=-3.0,
        war_threshold_cost=0.0,
        response_strike_base=2.4,
        response_strike_provocation=1.5,
        cross_border_restraint_cost=1.5,
    )
    p.update(kw)
    return {k: np.asarray(v, dtype=float) for k, v in p.items()}


def _p_up(rung, prov=0.5, restraint=0.0, nuclear_dyad=True, **kw):
    util = escalation.move_utilities(
        np.array([rung], dtype=np.int8),
        np.array([prov]),
        np.array([0.0]),
        np.array([restraint]),
        np.array([0.0]),
        np.array([0.0]),
        _params(**kw),
        nuclear_dyad,
    )
    w = np.exp(util[:, 0] - util[:, 0].max())
    w /= w.sum()
    return w[2] + w[3]


def test_escalation_rises_with_provocation_and_falls_with_restraint():
    assert _p_up(2, prov=1.0) > _p_up(2, prov=0.3)
    assert _p_up(2, restraint=0.8) < _p_up(2, restraint=0.0)


def test_nuclear_dyad_deters_air_strikes_and_war():
    assert _p_up(4, nuclear_dyad=True) < _p_up(4, nuclear_dyad=False)
    assert _p_up(2) > _p_up(4)  # convex cost of climbing


def test_no_move_beyond_the_ladder():
    util = escalation.move_utilities(
        np.array([6, 0], dtype=np.int8),
        np.ones(2),
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        _params(),
        True,
    )
    assert np.isneginf(util[2, 0]) and np.isneginf(util[3, 0]) and np.isneginf(util[0, 1])


@given(st.lists(st.floats(0, 1, exclude_max=True), min_size=4, max_size=4))
def test_choice_follows_the_logit_cdf(us):
    util = np.zeros((4, 4))
    moves = escalation.choose(util, np.array(us))
    assert set(moves.tolist()) <= {-1, 0, 1, 2}
    # equal utilities: interval (k/4, (k+1)/4] picks option k
    expected = np.maximum(np.ceil(np.array(us) * 4).astype(int) - 1, 0) - 1
    assert np.all(moves == expected)


def test_dyad_rung_follows_the_larger_escalation():
    r = np.array([2, 2, 2, 2], dtype=np.int8)
    a = np.array([1, -1, 0, -1], dtype=np.int8)
    b = np.array([2, 0, 0, -1], dtype=np.int8)
    assert escalation.dyad_rung(r, a, b).tolist() == [4, 1, 2, 1]


@given(st.floats(0, 1e4), st.floats(0, 1e4))
def test_provocation_is_monotone_in_fatalities(f1, f2):
    lo, hi = sorted((f1, f2))
    assert spoilers.provocation_from(np.array([lo]))[0] <= spoilers.provocation_from(np.array([hi]))[0]


def test_spoilers_strike_more_as_the_process_advances():
    rates = spoilers.attack_rate(0.8, 1.0, np.arange(5))
    assert np.all(np.diff(rates) > 0)
    p = spoilers.crisis_trigger_prob(np.array([5.0, 26.0, 166.0]), -6.8, 2.2)
    assert np.all(np.diff(p) > 0)


def test_nuclear_signalling_needs_a_nuclear_dyad_and_rises_with_the_rung():
    rung = np.array([2, 3, 4, 5], dtype=np.int8)
    p = nuclear.signal_prob(rung, -4.0, 1.8, True)
    assert np.all(np.diff(p) > 0)
    assert np.all(nuclear.signal_prob(rung, -4.0, 1.8, False) == 0)
    assert nuclear.use_prob(np.array([4]), np.array([True]), 1e-4, True)[0] == 0


def test_ripeness_needs_hurt_and_way_out():
    hurt_low, hurt_high = np.full((2, 1), 0.1), np.full((2, 1), 2.0)
    args = dict(catastrophe=np.zeros(1), stalemate=0.8, trust=np.array([0.2]), threshold=0.5)
    assert ripeness.ripeness(hurt_high, way_out=0.5, **args) > ripeness.ripeness(
        hurt_low, way_out=0.5, **args
    )
    assert ripeness.ripeness(hurt_high, way_out=0.0, **args) == 0


def test_closed_consent_gate_blocks_acceptance():
    p = {"accept_rate": np.array([1e6]), "withdraw_rate": np.array([0.0])}
    new = acceptance.update(
        np.array([False]),
        np.array([10.0]),
        np.array([0.0]),
        np.array([False]),
        True,
        p,
        gate_closed=np.array([True]),
    )
    assert not new[0]


def test_process_blocked_without_consent_or_in_crisis():
    p = {
        k: np.array([v])
        for k, v in dict(
            advance_trust=3.0,
            advance_trust_reference=0.25,
            advance_coverage_floor=0.3,
            advance_ripeness_floor=0.1,
        ).items()
    }
    base = dict(
        next_median_days=np.array([100.0]),
        trust=np.array([0.5]),
        coverage=np.array([1.0]),
        ripe=np.array([1.0]),
        official_next=np.array([True]),
        frozen=np.array([False]),
        p=p,
    )
    ok = process.advance_hazard(consent_ok=np.array([True]), crisis=np.array([False]), **base)
    assert ok[0] > 0
    assert process.advance_hazard(consent_ok=np.array([False]), crisis=np.array([False]), **base)[0] == 0
    assert process.advance_hazard(consent_ok=np.array([True]), crisis=np.array([True]), **base)[0] == 0
    more_trust = process.advance_hazard(
        consent_ok=np.array([True]), crisis=np.array([False]), **{**base, "trust": np.array([0.9])}
    )
    assert more_trust[0] > ok[0]


def test_setback_spares_track_two_more_often():
    u = np.full(4, 0.3)
    phase = np.array([1, 2, 3, 5], dtype=np.int8)
    out = process.setback(phase, np.ones(4, bool), u, 0.4, 0.85)
    assert out.tolist() == [1, 1, 2, 5]


def test_inducements_delay_breakdown():
    p = {
        k: np.array([v])
        for k, v in dict(
            inducement=0.3,
            inducement_half_life_days=365.0,
            settlement_gap=0.3,
            breakdown_rate=0.05,
            breakdown_gap_weight=2.0,
        ).items()
    }
    early = breakdown_prob(np.array([0]), np.array([False]), p["settlement_gap"], p)
    late = breakdown_prob(np.array([3650]), np.array([False]), p["settlement_gap"], p)
    assert late[0] > early[0]


def test_war_threshold_cost_deters_only_the_step_into_war():
    assert _p_up(5, prov=1.0, war_threshold_cost=4.0) < _p_up(5, prov=1.0)
    assert _p_up(3, prov=1.0, war_threshold_cost=4.0) == _p_up(3, prov=1.0)


def test_deliberation_caps_the_attacked_party_below_strikes_until_its_decision_day():
    rung = np.array([3, 3, 3, 3], dtype=np.int8)
    move = np.array([2, 2, 0, 0], dtype=np.int8)
    lag = np.array([5, 0, 1, 1])
    decide = np.array([False, False, True, False])
    out = escalation.deliberate(move, rung, lag, decide)
    assert out.tolist() == [1, 2, 2, 0]  # capped at rung 4; free; strikes to rung 5; holds


def test_strike_decision_falls_with_restraint_nuclear_risk_and_doctrine():
    p = _params()
    one = np.ones(1)
    base = escalation.strike_decision_prob(one, 0 * one, 0 * one, p, False, False)[0]
    assert escalation.strike_decision_prob(one, one, 0 * one, p, False, False)[0] < base
    assert escalation.strike_decision_prob(one, 0 * one, 0 * one, p, True, False)[0] < base
    assert escalation.strike_decision_prob(one, 0 * one, 0 * one, p, False, True)[0] < base
    assert escalation.strike_decision_prob(2 * one, 0 * one, 0 * one, p, False, False)[0] > base


def test_response_lag_is_lognormal_around_its_median():
    u = (np.arange(1000) + 0.5) / 1000
    lag = escalation.response_lag_days(u, np.full(1000, 12.5), np.full(1000, 0.25))
    assert 12 <= np.median(lag) <= 13 and 4 <= lag.min() <= 6 and 20 < lag.max() < 40


def test_no_nuclear_signalling_or_use_without_two_nuclear_parties():
    rung = np.array([5, 6])
    assert not nuclear.signal_prob(rung, np.zeros(2), np.ones(2), False).any()
    assert not nuclear.use_prob(rung, np.ones(2, dtype=bool), np.ones(2), False).any()


def test_a_party_at_war_cannot_step_down_alone():
    util = escalation.move_utilities(
        np.array([6, 5], dtype=np.int8),
        np.zeros(2),
        np.zeros(2),
        np.ones(2),
        np.ones(2),
        np.full(2, 200.0),  # a long crisis: fatigue favours stepping down
        _params(),
        False,
    )
    assert np.isneginf(util[0, 0]) and np.isfinite(util[0, 1])
    moves = escalation.choose(util, np.array([0.001, 0.001]))
    assert moves.tolist() == [0, -1]  # at war only "hold" is left; at strikes stepping down is


def test_war_ends_at_its_own_steady_rate_not_by_the_hotline_clock():
    p = {"war_end_base": np.array([-4.45, -3.0])}
    rate = ceasefire.war_end_prob(p)
    assert rate[0] == pytest.approx(1 / (1 + np.exp(4.45)))
    assert np.log(2) / rate[0] == pytest.approx(60, rel=0.05)  # the record's median war, about 60 days
    assert rate[1] > rate[0]
