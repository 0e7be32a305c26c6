"""Who offers, with what tilt and whose consent (issue 8): mechanisms and paired simulations."""

from __future__ import annotations

import numpy as np

from tashkent.model import acceptance, patrons, standing
from tashkent.scenario import load_scenario
from tashkent.sim.context import build_context
from tashkent.sim.document import forecast
from tashkent.sim.state import initial_state
from tashkent.sim.step import apply_schedule

P = {
    k: np.array([v])
    for k, v in dict(
        offer_tilt=3.0,
        offer_great_power=-0.4,
        offer_standing=1.0,
        offer_hardening=1.0,
        standing_erosion=0.3,
        patron_embolden=0.5,
        patron_deter=0.5,
    ).items()
}


def test_offer_term_rises_with_tilt_and_standing_and_falls_with_hardening():
    base = acceptance.offer_term(np.array([0.0]), 1.0, np.array([0.0]), np.array([0.0]), P)
    assert acceptance.offer_term(np.array([0.2]), 1.0, np.array([0.0]), np.array([0.0]), P) > base
    assert acceptance.offer_term(np.array([0.0]), 1.0, np.array([0.3]), np.array([0.0]), P) > base
    assert acceptance.offer_term(np.array([0.0]), 1.0, np.array([0.0]), np.array([0.9]), P) < base
    np.testing.assert_allclose(base, [-0.4])


def test_patron_emboldens_its_client_and_deters_the_other_and_flips_with_the_tilt():
    lev = np.array([0.5])
    pro_b = patrons.crisis_tilt(np.array([[-0.4, 0.7]]), lev, np.array([0.8]), P)[:, 0]
    pro_a = patrons.crisis_tilt(np.array([[0.7, -0.4]]), lev, np.array([0.8]), P)[:, 0]
    assert pro_b[1] > 0 > pro_b[0]  # client pushed up, opponent held back
    np.testing.assert_allclose(pro_a, pro_b[::-1])
    np.testing.assert_allclose(pro_b, [-0.5 * 0.8 * 0.5 * 0.55, 0.5 * 0.8 * 0.5 * 0.55])


def test_standing_erodes_only_while_the_party_rejects_and_shocks_fade():
    s = np.array([[0.3], [0.3]])
    new = standing.update_standing(s, s, np.array([[True], [False]]), np.array([1.0]), P)
    np.testing.assert_allclose(new[:, 0], [0.3 - 0.3 / 365.0, 0.3])
    # a shock fades back to the scenario's standing
    back = standing.update_standing(
        np.array([[0.5], [0.5]]), s, np.array([[False], [False]]), np.array([0.5]), P
    )
    np.testing.assert_allclose(back[:, 0], [0.4, 0.4])


def test_faction_shift_moves_bias_and_standing_toward_one_party_and_away_from_the_other():
    sc = load_scenario("kashmir-2025")
    ctx = build_context(sc)
    state = initial_state(sc, ctx, 3, np.zeros((len(ctx.mediator_ids), 2, 3)))
    m = ctx.mediator_ids.index("RUS")
    before_bias, before_standing = state.bias[m].copy(), state.standing.copy()
    ev = {"kind": "faction_shift", "actor": "RUS", "mediator_index": m, "target_index": 1, "delta": 0.1}
    apply_schedule(state, [ev], ctx)
    np.testing.assert_allclose(state.bias[m] - before_bias, [[-0.1] * 3, [0.1] * 3])
    np.testing.assert_allclose(state.offer_bias - before_bias, [[-0.1] * 3, [0.1] * 3])
    np.testing.assert_allclose(state.standing - before_standing, [[-0.1] * 3, [0.1] * 3])


def _accept(offerer: str) -> dict:
    sc = load_scenario("kashmir-2025", sets=[f"initial_state.offers=[{offerer}]"])
    return forecast(sc, runs=2000, days=365, seed=11)["milestones"]["365"]


def test_who_offers_changes_india_acceptance_with_common_random_numbers():
    rus, usa, chn = _accept("RUS"), _accept("USA"), _accept("CHN")
    ind = [m["p_accept"]["IND"]["1.5"] for m in (rus, usa, chn)]
    assert ind[0] > ind[1] > ind[2]  # Russia > United States > China for India
    assert chn["p_accept"]["IND"]["1.5"] < 0.05  # near-hopeless
    assert rus["p_mediation"] > usa["p_mediation"]
    assert chn["p_accept"]["PAK"]["1.5"] == 1.0  # welcome to Pakistan


def test_reversing_china_tilt_raises_escalation():
    base = forecast(
        load_scenario("kashmir-2025", injects=["2026-01-10:attack:fatalities=40"]),
        runs=2000,
        days=120,
        seed=5,
    )
    flip = forecast(
        load_scenario(
            "kashmir-2025",
            sets=["actors.CHN.bias.IND=0.7", "actors.CHN.bias.PAK=-0.4"],
            injects=["2026-01-10:attack:fatalities=40"],
        ),
        runs=2000,
        days=120,
        seed=5,
    )
    assert flip["milestones"]["120"]["p_rung_ge"]["4"] > base["milestones"]["120"]["p_rung_ge"]["4"]


def test_announced_co_facilitators_enter_the_prospective_coalition_before_they_join():
    """The judgement of decision 0055: acceptance and the official phases weigh the coalition that
    would run the process, co-facilitators due at Track 1.5 included, though at phase 0 they take
    no part in crises; seven members are beyond the optimum of three, so announcing the four that
    only join at phase 3 lowers the coverage both parties see."""
    from tashkent.model.credibility import size_effect
    from tashkent.sim.step import mediation, mediators_active

    announced = ["IDN", "KAZ", "UZB", "SCO"]  # due at phase 3, no crisis role
    coverage = {}
    for label, sets in (
        ("as written", []),
        ("not announced", [f"actors.{a}.active=false" for a in announced]),
    ):
        sc = load_scenario("kashmir-2025", sets=sets)
        ctx = build_context(sc)
        state = initial_state(sc, ctx, 1, np.zeros((len(ctx.mediator_ids), 2, 1)))
        keys = ("cred_threshold", "cred_war_aversion", "cred_sharpness", "coalition_optimum")
        p = {k: np.array([sc.parameters[k].value]) for k in keys}
        coverage[label] = mediation(state, p, ctx)[1][0]
        if label == "as written":
            ids = [ctx.mediator_ids[j] for j in np.flatnonzero(mediators_active(state, ctx)[:, 0])]
            assert not set(announced) & set(ids)  # not active at phase 0 ...
            k = sc.parameters["coalition_optimum"].value
            assert size_effect(np.array(7.0), k) < size_effect(np.array(3.0), k)  # ... but in the prospect
    assert coverage["not announced"] > coverage["as written"] > 0
