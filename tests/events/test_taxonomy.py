from tashkent.events.taxonomy import (
    action_for,
    cameo_table,
    describe,
    normalise_code,
    penta_of,
    quad_of,
    rung_of,
)
from tashkent.ladder import load_ladder


def test_cameo_table_has_all_codes_and_weights():
    t = cameo_table()
    assert len(t) == 316
    assert {c for c in t if len(c) == 2} == {f"{i:02d}" for i in range(1, 21)}
    assert describe("039").goldstein == 5.0
    assert describe("038").goldstein == 7.0
    assert describe("163").goldstein == -8.0
    assert describe("0256").goldstein == -0.3
    assert describe("195").goldstein == -10.0


def test_manual_labels_for_105_to_108():
    assert describe("106").name == "Demand meeting, negotiation"
    assert describe("108").name == "Demand mediation"


def test_penta_and_quad_classes():
    assert [penta_of(f"{r:02d}") for r in range(1, 21)] == [
        0,
        0,
        1,
        1,
        1,
        2,
        2,
        2,
        3,
        3,
        3,
        3,
        3,
        4,
        4,
        3,
        4,
        4,
        4,
        4,
    ]
    assert [quad_of(f"{r:02d}") for r in (1, 5, 6, 8, 9, 13, 14, 20)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert describe("161").penta == 3 and describe("161").quad == 4


def test_plover_crosswalk():
    assert describe("039").plover == "AGREE"
    assert describe("126").plover == "REJECT"
    assert (describe("161").plover, describe("161").plover_mode) == ("SANCTION", "withdraw")
    assert describe("191").plover == "COERCE"
    assert describe("196").plover == "ASSAULT"
    assert describe("0256").plover == ""  # 02 APPEAL has no PLOVER event
    for code, info in cameo_table().items():
        if info.root not in ("01", "02"):
            assert info.plover, code


def test_every_ladder_code_is_a_cameo_code_and_rungs_come_from_ladder():
    for action in load_ladder().actions:
        for code in action.cameo:
            assert code in cameo_table(), (action.id, code)
    assert rung_of("161") == 1
    assert rung_of("160") == 2
    assert rung_of("154") == 3
    assert rung_of("194") == 4
    assert rung_of("195") == 5
    assert rung_of("039") is None
    assert action_for("1123") is not None and action_for("1123").id == "protest"


def test_normalise_code():
    assert normalise_code("42") == "042"
    assert normalise_code("0256") == "0256"
    assert normalise_code("abc") is None
    assert normalise_code("999") is None


def test_verb_dictionary_covers_all_twenty_roots():
    from tashkent.events.dictionaries import load_dictionaries

    roots = {code[:2] for code, _, _ in load_dictionaries().verbs}
    assert roots == {f"{i:02d}" for i in range(1, 21)}
