from datetime import date

from tashkent.events.coder import code_sentence
from tashkent.events.nowcast import daily_series, fatalities, nowcast

TIMELINE = [
    (
        "2025-04-22",
        "Militants attacked tourists near Pahalgam in India, and 26 people were killed.",
    ),
    (
        "2025-04-23",
        "India held the Indus Waters Treaty in abeyance and expelled Pakistani military advisers.",
    ),
    ("2025-04-24", "Pakistan closed its airspace to Indian airlines."),
    ("2025-04-25", "Iran offered its good offices to Pakistan and India."),
    ("2025-05-03", "Pakistan test-fired a ballistic missile."),
    ("2025-05-04", "Russia has offered to mediate between India and Pakistan."),
    ("2025-05-04", "Pakistan welcomed the Russian offer."),
    ("2025-05-05", "India rejected Russia's offer of mediation."),
    ("2025-05-07", "Indian jets struck militant camps inside Pakistan."),
    ("2025-05-10", "India and Pakistan agreed to a ceasefire along the Line of Control."),
]


def events():
    out = []
    for i, (d, text) in enumerate(TIMELINE, start=1):
        out.extend(code_sentence(text, doc="t", index=i, when=date.fromisoformat(d)))
    return out


def test_state_during_the_crisis():
    nc = nowcast(events(), date(2025, 5, 8))
    s = nc.state
    assert s["date"] == "2025-05-08"
    assert s["rung"] == 5
    assert s["crisis_active"] is True
    assert s["crisis_day"] == 16  # since the Pahalgam attack
    assert s["nuclear_signal"] is True
    assert s["offers"] == ["IRN", "RUS"]
    assert s["accept"] == {"PAK": {"1.5": True, "I": True}, "IND": {"1.5": False, "I": False}}
    assert 0 <= s["trust"] < 0.5
    assert s["provocation"]["IND"] > 0.5 and s["provocation"]["PAK"] > 0
    assert set(nc.evidence) >= set(s) - {"date"}
    top = nc.evidence["rung"][0]
    assert (top["cameo"], top["source"], top["date"]) == ("195", "IND", "2025-05-07")


def test_ceasefire_ends_the_crisis_but_measures_stay_in_force():
    nc = nowcast(events(), date(2025, 6, 1))
    assert nc.state["crisis_active"] is False
    assert nc.state["crisis_day"] == 0
    assert nc.state["rung"] == 2  # treaty in abeyance, airspace closed: not lifted
    assert {e["cameo"] for e in nc.evidence["rung"]} >= {"160", "161", "191", "0356"}


def test_lifting_a_measure_lowers_the_standing_rung():
    evs = events()
    evs += code_sentence("India reopened the Attari border crossing.", when=date(2025, 7, 1))
    evs += code_sentence("Pakistan reopened its airspace to Indian airlines.", when=date(2025, 7, 2))
    evs += code_sentence("India restored the Indus Waters Treaty.", when=date(2025, 7, 3))
    evs += code_sentence(
        "India restored relations with Pakistan and sent back its envoy.", when=date(2025, 7, 4)
    )
    nc = nowcast(evs, date(2025, 7, 10))
    assert nc.state["rung"] <= 1


def test_events_after_as_of_are_ignored_and_empty_input_gives_only_the_date():
    nc = nowcast(events(), date(2025, 4, 23))
    assert ("offers" not in nc.state and nc.state["rung"] == 1) or nc.state["rung"] == 2
    empty = nowcast([], date(2025, 1, 1))
    assert empty.state == {"date": "2025-01-01"}


def test_fatalities_and_daily_series():
    assert fatalities("Militants killed 26 tourists") == 26
    assert fatalities("an attack in which 26 people were killed") == 26
    assert fatalities("no casualties") is None
    s = daily_series(events())
    assert int(s["events"].sum()) >= 4
    assert s.loc[date(2025, 5, 10), "quad1"] == 2  # the ceasefire agreement (0356, both ways)
