"""Time to rung in the forecast document and the library: the shape of the 2025 crisis."""

from __future__ import annotations

from tashkent import api


def test_pahalgam_strikes_come_after_a_deliberation():
    f = api.forecast("pahalgam-2025", runs=2000, days=60)
    ttr = f.to_json()["time_to_rung"]
    assert set(ttr) == {"3", "4", "5", "6"}
    for v in ttr.values():
        assert v["q10_if_reached"] <= v["median_if_reached"] <= v["q90_if_reached"]
    assert ttr["3"]["median_if_reached"] <= ttr["4"]["median_if_reached"] <= ttr["5"]["median_if_reached"]
    assert 9 <= ttr["5"]["median_if_reached"] <= 20  # 2016: 11 days, 2019: 12, 2025: 15
    assert 0.35 <= f.to_json()["milestones"]["60"]["p_rung_ge"]["5"] <= 0.85
    assert f.to_json()["kinetic_days_quantiles"]["0.5"] <= 7  # hotline ceasefire within a week
    assert list(f.time_to_rung.index) == [3, 4, 5, 6]


def test_pakistan_afghanistan_has_no_nuclear_signalling_or_use():
    doc = api.forecast("pakistan-afghanistan-2025", runs=1000, days=365).to_json()
    last = doc["milestones"]["365"]
    assert last["p_nuclear_signal"] == 0.0 and last["p_nuclear_use"] == 0.0
    assert 0.5 <= last["p_crisis"] <= 0.9  # six crises in 2021-2025: about 1.4 a year
