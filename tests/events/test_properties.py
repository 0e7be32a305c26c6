from hypothesis import given, settings
from hypothesis import strategies as st

from tashkent.events.coder import code_text
from tashkent.events.taxonomy import cameo_table

WORDS = [
    "India",
    "Pakistan",
    "Russia",
    "offered",
    "to",
    "mediate",
    "rejected",
    "talks",
    "not",
    "the",
    "said",
    "attacked",
    "ceasefire",
    "and",
    "by",
    "were",
    "shelled",
    "Lavrov",
    "Islamabad",
    ",",
    ".",
    '"',
    "would",
    "if",
    "expelled",
    "diplomats",
    "closed",
    "border",
    "airspace",
    "welcomed",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_coder_is_total_and_events_are_well_formed(words):
    text = " ".join(words)
    table = cameo_table()
    for e in code_text(text):
        assert e.cameo in table
        assert e.root == e.cameo[:2]
        assert e.goldstein == table[e.cameo].goldstein
        assert 0 <= e.penta <= 4 and 1 <= e.quad <= 4
        assert e.span and e.span.lower() in e.text.lower()
        assert 0.0 <= e.confidence <= 1.0
        assert e.source is None or e.source.code
        assert e.target is None or e.target.code


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_coder_never_fails_on_arbitrary_text(text):
    code_text(text)
