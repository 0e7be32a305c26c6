"""The ICB reader and base rates on a small synthetic sample in the ICB layout
(tests/data/icb_sample, invented rows): every number below is worked out by hand from the rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tashkent.history.icb import base_rates, india_pakistan_crises, mediation_lags, read_icb

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "icb_sample"


@pytest.fixture(scope="module")
def data():
    return read_icb(SAMPLE)


def test_sizes_and_the_india_pakistan_subset(data):
    assert (len(data.system), len(data.actor), len(data.dyadic)) == (12, 24, 12)
    assert india_pakistan_crises(data) == [4, 9, 12]


def test_base_rates_by_hand(data):
    r = base_rates(data)
    post, every = r["post1945"], r["all"]
    assert r["n_post1945"] == 10
    # mediated post-1945: crises 3-7, agreement (forout 1 or 2) in 3, 4, 5
    assert post["agreement_mediated"] == {"k": 3, "n": 5, "p": 0.6}
    assert post["agreement_not_mediated"] == {"k": 1, "n": 4, "p": 0.25}
    assert every["agreement_mediated"] == {"k": 4, "n": 6, "p": 0.6667}
    # tension reduced (outesr 2) among mediated crises that are not recent (6 is recent)
    assert post["tension_reduction_mediated"] == {"k": 3, "n": 4, "p": 0.75}
    assert post["tension_reduction_not_mediated"] == {"k": 2, "n": 4, "p": 0.5}
    assert (post["median_duration_mediated"], post["median_duration_not_mediated"]) == (120, 35)
    assert post["mediation_offered_not_accepted"] == {"k": 1, "n": 10, "p": 0.1}


def test_mediation_lags_by_hand(data):
    post = [r for r in data.system if r["yrtrig"] >= 1945]
    assert sorted(mediation_lags(post)) == [-30, 0, 10, 30, 90]
    lag = base_rates(data)["post1945"]["mediation_lag_days"]
    assert (lag["median"], lag["q1"], lag["q3"], lag["share_before_trigger"]) == (10, 0, 30, 0.2)
    single = base_rates(data)["post1945"]["by_mediator_type"]["single_state"]
    assert single["n"] == 5 and single["effective"] == {"k": 3, "n": 5, "p": 0.6}


def test_india_pakistan_rates_by_hand(data):
    ip = base_rates(data)["india_pakistan"]
    assert ip["mediation"] == {"occurred": 1, "offered_not_accepted": 1, "none": 1}
    assert ip["mediated_since_simla"] == {"k": 0, "n": 1, "p": 0.0}
    assert ip["duration_days"] == {"median": 70, "min": 40, "max": 200}
