from tashkent.ladder import N_RUNGS, load_ladder


def test_every_tier_used_by_an_action_is_defined():
    ladder = load_ladder()
    for action in ladder.actions:
        assert action.tier in ladder.tier_scores


def test_rivera_scores():
    ladder = load_ladder()
    assert ladder.tier_scores == {
        "de_escalation": -2,
        "status_quo": 0,
        "posturing": 4,
        "non_violent_escalation": 12,
        "violent_escalation": 28,
        "nuclear": 60,
    }


def test_every_escalation_rung_has_an_action_and_entry_score():
    ladder = load_ladder()
    rungs = {a.rung for a in ladder.actions}
    for k in range(1, N_RUNGS):
        assert k in rungs
    scores = ladder.entry_scores()
    assert scores[4] == 28 and scores[1] == 12 and scores[3] == 4


def test_cameo_codes_map_to_one_action_each():
    ladder = load_ladder()
    seen: dict[str, str] = {}
    for action in ladder.actions:
        for code in action.cameo:
            assert code not in seen, f"{code} in {seen.get(code)} and {action.id}"
            seen[code] = action.id
    assert ladder.cameo_to_action()["161"].id == "expel_diplomats"
    assert ladder.cameo_to_action()["195"].rung == 5
