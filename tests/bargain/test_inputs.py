"""Readers and validation: each user mistake is a one-line UserError naming file, line, field."""

from __future__ import annotations

import numpy as np
import pytest

from tashkent.bargain.inputs import read_csv, read_ktab_csv, read_plain_csv
from tashkent.errors import UserError

GOOD = "actor,capability,position,salience\nA,1,10,50\nB,2,60,80\nC,1,90,20\n"


def test_plain_one_dimension():
    p = read_plain_csv(GOOD, "x.csv")
    assert p.actors == ("A", "B", "C")
    assert p.dimensions == ("issue",)
    np.testing.assert_allclose(p.salience[:, 0], [0.5, 0.8, 0.2])
    np.testing.assert_allclose(p.position[:, 0], [10, 60, 90])


def test_plain_many_dimensions():
    text = (
        "actor,capability,pos_water,sal_water,pos_trade,sal_trade\n"
        "A,1,10,50,0,50\nB,2,60,30,5,20\nC,1,90,20,100,10\n"
    )
    p = read_plain_csv(text, "m.csv")
    assert p.dimensions == ("water", "trade")
    assert p.position.shape == (3, 2)


def test_ktab_format_unchanged(bargaining_data):
    p = read_csv(bargaining_data / "ktab" / "SOE-Pol-Comp.csv")
    assert p.n_actors == 13 and p.dimensions == ("Policy", "Competitive")
    assert p.labels["XJ"] == "Xi Jinping"
    assert p.capability[0] == 100.0
    assert p.salience[0].tolist() == pytest.approx([0.24, 0.48])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "actor,capability,position,salience\nA,1,10,140\nB,1,20,10\nC,1,30,10\n",
            r"x\.csv:2: salience of 'issue' = 140 is outside \[0, 100\]",
        ),
        (
            "actor,capability,position,salience\nA,1,101,40\nB,1,20,10\nC,1,30,10\n",
            r"x\.csv:2: position of 'issue' = 101 is outside \[0, 100\]",
        ),
        (
            "actor,capability,position,salience\nA,1,10,40\nA,1,20,10\nC,1,30,10\n",
            r"x\.csv:3: actor 'A' appears twice \(first at x\.csv:2\)",
        ),
        ("actor,capability,position,salience\nA,1,10,40\nB,1,20,10\n", r"only 2 actor\(s\)"),
        (
            "actor,capability,position,salience\nA,-1,10,40\nB,1,20,10\nC,1,30,10\n",
            r"x\.csv:2: capability = -1 is negative",
        ),
        (
            "actor,capability,position,salience\nA,1,ten,40\nB,1,20,10\nC,1,30,10\n",
            r"x\.csv:2: position of 'issue' = 'ten' is not a number",
        ),
        (
            "actor,capability,pos_a,sal_a,pos_b,sal_b\nA,1,10,60,10,60\nB,1,20,10,1,1\nC,1,30,10,1,1\n",
            r"x\.csv:2: saliences sum to 120, more than 100",
        ),
        (
            "actor,capability,pos_a\nA,1,10\nB,1,20\nC,1,30\n",
            r"x\.csv:1: column `pos_a` has no matching `sal_a`",
        ),
        ("name,cap\n", r"x\.csv:1: header needs `actor` and `capability`"),
        (
            "actor,capability,position,salience\nA,1,10\nB,1,20,10\nC,1,30,10\n",
            r"x\.csv:2: 3 fields",
        ),
    ],
)
def test_validation_messages(text, message):
    with pytest.raises(UserError, match=message):
        read_plain_csv(text, "x.csv")


def test_ktab_count_mismatch():
    text = (
        "S,desc, 4, 1\nActor,Description,Influence,P Position,P Salience\n"
        "A,a,1,10,10\nB,b,1,20,10\nC,c,1,30,10\n"
    )
    with pytest.raises(UserError, match=r"k\.csv:1: the first line says 4 actors but the file has 3"):
        read_ktab_csv(text, "k.csv")


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_csv(tmp_path / "nope.csv")


def test_fractional_saliences_are_caught():
    text = "actor,capability,position,salience\nA,1,10,0.5\nB,1,20,0.8\nC,1,30,1\n"
    with pytest.raises(UserError, match="look like fractions"):
        read_plain_csv(text, "f.csv")
