"""A candidate sentence's terms (retrieval/answer/candidates.py, records.py): an interchangeable
synonym of a question term stands for the term, a loose one counts for part of it."""

from __future__ import annotations

from retrieval.answer.candidates import with_interchangeable
from retrieval.answer.records import QueryTerms
from retrieval.lang.text import char_bigrams

GDP, OUTPUT, YEAR = 1, 2, 3  # term ids: gdp (asked), 生产总值 (its synonym), 亿元


def test_an_interchangeable_synonym_holds_the_term_and_its_bigrams():
    same = [(GDP, frozenset({OUTPUT}), frozenset(char_bigrams("gdp")))]
    toks = {OUTPUT, YEAR}
    grams = with_interchangeable(toks, char_bigrams("生产总值5503亿元"), same)
    assert GDP in toks and {"gd", "dp"} <= grams
    other = {YEAR}
    assert with_interchangeable(other, {"亿元"}, same) == {"亿元"} and other == {YEAR}


def test_a_loose_synonym_counts_for_part_of_its_term():
    terms = QueryTerms(weights={GDP: 2.0, YEAR: 2.0}, alternatives=[(0.5 * 2.0, GDP, frozenset({OUTPUT}))])
    assert terms.covered({OUTPUT, YEAR}) == 0.75
    assert terms.covered({GDP, OUTPUT, YEAR}) == 1.0  # the term itself: the synonym adds nothing
