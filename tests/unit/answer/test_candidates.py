"""A candidate sentence's terms (retrieval/answer/candidates.py, records.py): an interchangeable
synonym of a question term stands for the term, a loose one counts for part of it."""

from __future__ import annotations

import pytest

from retrieval.answer.candidates import _told_apart, date_terms, with_interchangeable
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


def test_an_asked_year_is_held_by_the_sentence_about_it():
    dated = {1979: 7}  # the question asks about 1979; its year's term id is 7
    about_it = {GDP}
    assert date_terms(about_it, 1979, dated, set()) == {GDP, 7}  # 去年… in the 1980 report
    assert about_it == {GDP}  # its argument is left as it was
    assert date_terms({GDP}, None, dated, {7}) == {GDP, 7}  # its passage is about 1979
    other = {GDP, 7}
    assert date_terms(other, 1980, dated, {7}) == {GDP}  # 1980年…比1979年增长: written, but a base
    assert other == {GDP, 7}
    unasked = {GDP, 7}
    held = date_terms(unasked, 1980, {}, set())  # no year asked: nothing changes
    assert held == {GDP, 7} and held is not unasked


def test_a_word_that_tells_the_reports_tables_apart_is_not_the_rows():
    CITY, LEVEL = 11, 12  # term ids: 全市, 市级 (both named by the question)
    terms = QueryTerms(weights={CITY: 1.0, LEVEL: 1.0}, spelled=[("全市", CITY), ("市级", LEVEL)])
    own = "2025年市级一般公共预算收支总表"
    other = "2025年全市一般公共预算收支总表"
    # 全市 stands in the other caption where this one has 市级: it is that table's, not this one's.
    assert _told_apart(terms, {CITY, LEVEL}, own, [other]) == {CITY}
    assert _told_apart(terms, {CITY, LEVEL}, other, [own]) == {LEVEL}
    # A caption that differs otherwise, or none at all, tells nothing apart.
    assert _told_apart(terms, {CITY, LEVEL}, own, ["2025年全市政府性基金预算表"]) == set()
    assert _told_apart(terms, {CITY, LEVEL}, own, []) == set()
    assert _told_apart(terms, set(), own, [other]) == set()


def test_a_question_none_of_whose_words_the_reports_use():
    """Unknown terms carry negative ids (比特币, 今天): nothing the search finds is about them."""
    assert not QueryTerms(weights={-1: 5.9, -2: 5.9}).reports_use_any
    assert QueryTerms(weights={-1: 5.9, 17: 2.0}).reports_use_any
    # A looser synonym the reports use for one unknown word is too little; an interchangeable one
    # (GDP, the reports' 生产总值) is the reports' word.
    assert not QueryTerms(weights={-1: 5.9}, alternatives=[(2.9, -1, frozenset({568}))]).reports_use_any
    assert QueryTerms(weights={-1: 5.9}, same=[(-1, frozenset({568}), frozenset({"生产"}))]).reports_use_any


def test_the_share_of_a_question_in_words_the_reports_do_not_use():
    """比特 and 币 unknown, 现在 known: most of the weight is on words foreign to the reports."""
    assert QueryTerms(weights={-1: 6.0, -2: 3.0, 17: 1.0}).foreign_share == pytest.approx(0.9)
    assert QueryTerms(weights={17: 1.0}).foreign_share == 0.0 and QueryTerms().foreign_share == 0.0
    # A word the reports say by an interchangeable synonym (GDP) is not foreign.
    same = [(-1, frozenset({568}), frozenset({"生产"}))]
    assert QueryTerms(weights={-1: 6.0, 17: 2.0}, same=same).foreign_share == 0.0
