from datetime import date
from pathlib import Path

import pytest

from tashkent.errors import UserError
from tashkent.events.coder import code_sentence, code_text, split_sentences
from tashkent.events.dictionaries import load_dictionaries

D = date(2025, 5, 4)


def triples(text, when=D, **kw):
    return [
        (e.source.code if e.source else None, e.cameo, e.target.code if e.target else None)
        for e in code_sentence(text, when=when, **kw)
    ]


def test_offer_gives_one_event_per_target():
    assert triples("Russia has offered to mediate between India and Pakistan.") == [
        ("RUS", "039", "IND"),
        ("RUS", "039", "PAK"),
    ]


def test_answers_to_the_offer():
    assert triples("Pakistan welcomed the Russian offer.") == [("PAK", "038", "RUS")]
    assert triples("India rejects third-party mediation.") == [("IND", "126", None)]
    assert triples("India has not accepted the offer.") == [("IND", "126", None)]


def test_crisis_measures_several_per_sentence():
    got = triples(
        "India suspended the Indus Waters Treaty, expelled Pakistani diplomats and "
        "closed the Attari border crossing."
    )
    assert [c for _, c, _ in got] == ["160", "161", "191"]
    assert all(s == "IND" for s, _, _ in got)
    assert got[1][2] == "PAK"


def test_reported_speech_belongs_to_the_reported_actor():
    assert triples("Pakistan said India had stopped the flow of the Chenab.") == [("IND", "1621", None)]


def test_passive_voice():
    assert triples("Indian posts were shelled by Pakistani troops.") == [("PAK", "194", "IND")]


def test_quoted_statement_is_attributed_to_the_speaker():
    ev = code_sentence('"We are ready to help if both sides wish," Khorev said.', when=D)
    assert [(e.source.code, e.source.sector, e.cameo) for e in ev] == [("RUS", "GOV", "039")]


def test_negation_and_modality():
    assert triples("Modi said India would never accept mediation.") == [("IND", "126", None)]
    assert triples("Indian troops did not attack the post.") == []
    # a hypothetical material act inside a threat is not an event of its own
    assert triples("Pakistan said any attempt to stop the flow of water would be an act of war.") == [
        ("PAK", "138", None)
    ]
    ev = code_sentence("China agreed to supply fighter jets to Pakistan.")
    assert ev[0].cameo == "0312" and ev[0].modality == "intent"


def test_appeal_with_compound_target_and_title():
    ev = code_sentence(
        "Russian Foreign Minister Sergei Lavrov urged India and Pakistan to exercise restraint.",
        when=D,
    )
    assert [(e.source.label(), e.cameo, e.target.code) for e in ev] == [
        ("RUS-GOV", "0256", "IND"),
        ("RUS-GOV", "0256", "PAK"),
    ]


def test_capitals_seats_and_sectors():
    assert triples("The Kremlin welcomed the talks.")[0][0] == "RUS"
    ev = code_sentence("Indian troops shelled Pakistani posts.")
    assert ev[0].source.label() == "IND-MIL"
    assert triples("India and Pakistan held talks in Tashkent.") == [
        ("IND", "046", "PAK"),
        ("PAK", "046", "IND"),
    ]


def test_office_holders_by_date_in_office():
    s = "Rubio criticised India."
    assert code_sentence(s, when=date(2025, 6, 1))[0].source.label() == "USA-GOV"
    assert code_sentence(s, when=date(2020, 6, 1))[0].source.label() == "USA-LEG"
    s = "Jaishankar criticised Pakistan."
    assert code_sentence(s, when=date(2016, 1, 1))[0].source.label() == "IND-GOV"
    assert code_sentence(s, when=date(2018, 6, 1))[0].source.label() == "IND-ELI"
    assert code_sentence("Lavrov met Dar.", when=D)[0].target.label() == "PAK-GOV"


def test_militant_groups_and_organisations():
    assert triples("Jaish-e-Mohammed claimed responsibility for the bombing.")[0][:2] == (
        "SASREB",
        "015",
    )
    assert triples("The SCO condemned the attack.")[0][0] == "IGOCAS"
    assert triples("The United Nations urged restraint.")[0][:2] == ("IGOUNO", "0256")


def test_json_record_has_the_issue_keys():
    e = code_sentence("Russia offered to mediate.", doc="a", index=3, when=D)[0]
    j = e.to_json()
    for k in (
        "doc",
        "sentence",
        "source",
        "target",
        "cameo",
        "root",
        "goldstein",
        "plover",
        "text",
    ):
        assert k in j
    assert j["source"] == {"code": "RUS", "sector": "", "name": "Russia"}
    assert (j["doc"], j["sentence"], j["root"], j["goldstein"]) == ("a", 3, "03", 5.0)


def test_sentence_splitting_keeps_abbreviations():
    text = "The U.S. said so. Minister S. Jaishankar spoke.\n\nHeadline without stop"
    assert split_sentences(text) == [
        "The U.S. said so.",
        "Minister S. Jaishankar spoke.",
        "Headline without stop",
    ]
    assert [e.sentence for e in code_text("India expelled envoys. Pakistan closed airspace.")] == [
        1,
        2,
    ]


def test_user_dictionaries_extend_the_shipped_ones(tmp_path: Path):
    actors = tmp_path / "a.yaml"
    actors.write_text(
        "countries:\n  - {code: USR, names: [Soviet Union], adjectives: [Soviet]}\n"
        "people:\n  - name: Alexei Kosygin\n    patterns: [Kosygin]\n    roles:\n"
        "      - {code: USR, sector: GOV, from: 1964-10-15, to: 1980-10-23}\n"
    )
    verbs = tmp_path / "v.yaml"
    verbs.write_text('"045": ["(chaperon+)"]\n')
    d = load_dictionaries([actors], [verbs])
    ev = code_sentence("Kosygin chaperoned India and Pakistan.", when=date(1966, 1, 10), dicts=d)
    assert [(e.source.label(), e.cameo, e.target.code) for e in ev] == [
        ("USR-GOV", "045", "IND"),
        ("USR-GOV", "045", "PAK"),
    ]


def test_bad_user_dictionary_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "v.yaml"
    bad.write_text('"999": ["x"]\n')
    with pytest.raises(UserError, match="not a CAMEO code"):
        load_dictionaries(None, [bad])
    bad.write_text("a: [\n")
    with pytest.raises(UserError, match="not valid YAML"):
        load_dictionaries(None, [bad])
