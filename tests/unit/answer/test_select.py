"""Selection (retrieval/answer/select.py): the toll that spreads an answer across reports, the
greedy pick, and one sentence per report year."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from retrieval.answer.records import ReportOf
from retrieval.answer.select import by_year, diversify, spread


def test_the_toll_applies_only_across_reports_of_different_places_no_place_named():
    q, every = SimpleNamespace(every_place=False), SimpleNamespace(every_place=True)
    assert spread(q, set(), 5, True, 0.3, 2.0) == 0.3
    assert spread(every, set(), 5, True, 0.3, 2.0) == 0.6  # asks about every place: more
    assert spread(q, {"古丈县"}, 5, True, 0.3, 2.0) == 0.0  # names a place
    assert spread(q, set(), 1, True, 0.3, 2.0) == 0.0  # one report
    assert spread(every, set(), 5, False, 0.3, 2.0) == 0.0  # reports about no place


def test_without_a_toll_the_pick_is_the_score_order():
    order = np.array([2, 0, 1])
    assert diversify(order, np.array([0.5, 0.1, 0.9]), [0, 0, 0], 0.0, 2) == [2, 0]


def test_a_toll_lets_another_reports_sentence_in():
    scores = np.array([1.0, 0.9, 0.8, 0.5])
    docs = [0, 0, 0, 1]
    order = np.argsort(-scores)
    assert diversify(order, scores, docs, 0.6, 3) == [0, 3, 1]  # second from report 0: 0.9 − 0.6 < 0.5
    assert diversify(order, scores, docs, 0.3, 3) == [0, 1, 3]  # 0.9 − 0.3 > 0.5, then 0.8 − 0.6 < 0.5
    assert diversify(order, scores, docs, 0.05, 3) == [0, 1, 2]  # 0.8 − 0.1 > 0.5


def _cands(years, companions, confidences):
    items = [SimpleNamespace(report=ReportOf(title="", year=y, companion=c)) for y, c in zip(years, companions)]
    return SimpleNamespace(items=items, confidences=[SimpleNamespace(value=v) for v in confidences])


def test_by_year_keeps_each_years_best_confident_report_within_the_margin():
    cands = _cands(
        [2024, 2024, 2023, None, 2022, 2021], [False, False, False, False, True, False], [0.5, 0.9, 0.1, 0.9, 0.9, 0.9]
    )
    scores = np.array([1.0, 0.95, 0.9, 0.85, 0.8, 0.2])
    order = np.argsort(-scores)
    # 2024 from its best-scored confident candidate; 2023 not confident; no year; a companion;
    # 2021 too far below the best.
    assert by_year(order, scores, cands, 0.3, 0.5) == {2024: 0}
    assert by_year(order, scores, cands, 0.3, 1.0) == {2024: 0, 2021: 5}
