"""Search and retrieval's own pieces (retrieval/answer/search.py, reports.py): synonyms the
reports use, chunks added after the retrieved ones, report-name credit on a tiny index."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from retrieval.answer.records import Retrieved
from retrieval.answer.reports import ReportNames
from retrieval.answer.search import (
    expand,
    interchangeable,
    reports_beyond,
    term_scores,
    unplaced_naming,
    with_chunks,
    writing_asked_years,
)
from retrieval.dates.ask import TimeAsk
from retrieval.index.bm25 import BM25Index
from retrieval.index.corpus import chunks_about
from retrieval.lang.synonyms import Thesaurus


class Vocab:
    """The one part of a retriever :func:`expand` reads: the reports' words."""

    def __init__(self, words: list[str]):
        self.vocab = {w: i for i, w in enumerate(words)}


def test_only_synonyms_the_reports_use_and_the_question_does_not_are_added():
    thesaurus = Thesaurus([["教师", "老师", "教员"], ["学校", "学堂"]])
    retriever = Vocab(["教师", "教员", "学校"])
    assert expand(["老师", "学校"], retriever, thesaurus) == {"老师": ("教员", "教师")}
    assert expand(["老师", "教师"], retriever, thesaurus) == {"老师": ("教员",), "教师": ("教员",)}
    assert expand(["学生"], retriever, thesaurus) == {}


def test_interchangeable_synonyms_are_told_from_loose_ones():
    thesaurus = Thesaurus([["gdp", "生产总值", "国内生产总值"]], base=Thesaurus([["老师", "教师"]]), exact=True)
    expansions = expand(["gdp", "老师"], Vocab(["生产总值", "教师"]), thesaurus)
    assert expansions == {"gdp": ("生产总值",), "老师": ("教师",)}
    assert interchangeable(expansions, thesaurus) == {"gdp": ("生产总值",)}


def test_extra_chunks_come_after_the_retrieved_ones_once():
    found = Retrieved([4, 1], np.zeros(6), {}, None)
    more = with_chunks(found, [1, 5, 5, 0])
    assert more.chunks == [4, 1, 5, 0] and found.chunks == [4, 1]
    assert with_chunks(found, [4, 1]) is found


def test_named_reports_are_the_reports_whose_name_holds_the_term():
    names = ["上海市普陀区财政局2024年度部门决算", "万里街道办事处2025年部门预算", "淮安市政府信息公开年度报告"]
    named = ReportNames(names).naming(("普陀区", "财政局", "决算", "部门", "信息化", "年"))
    assert set(named) == {"普陀区", "财政局", "决算", "部门"}  # 信息化 names none; 年 is too short
    assert named["财政局"].tolist() == [True, False, False]
    assert named["部门"].tolist() == [True, True, False]
    assert ReportNames(["甲报告", "乙报告"]).naming(("报告乙",)) == {}  # never across two names
    assert ReportNames([]).naming(("报告",)) == {}


@pytest.fixture()
def index():
    # Report 0: a heading repeating the report's name, and a table row; report 1: another issuer.
    chunks = [
        ["财政局", "财政局", "单位", "万元"],
        ["信息化", "建设", "支出", "决算", "合计", "万元", "项目", "支出", "万元"],
        ["财政局", "信息化", "建设", "万元"],
        ["天气"],
    ] + [[f"词{i}"] for i in range(20)]
    return BM25Index.build(chunks), np.array([0, 0, 1] + [1] * 21)


def test_a_term_naming_the_report_counts_once_in_each_of_its_matching_chunks(index):
    bm25, docs = index
    tokens = ("财政局", "信息化", "万元")
    plain = bm25.scores(tokens)
    naming = {"财政局": np.array([True, False])}
    scores = term_scores(tokens, bm25, naming, docs)
    # Without the credit, the chunk repeating the name beats the row; with it, the row leads its report.
    assert plain[0] > plain[1]
    assert scores[1] > scores[0]
    credit = bm25.idf_of("财政局")
    assert scores[1] == pytest.approx(bm25.scores(["信息化", "万元"])[1] + credit)
    # Another report's chunk keeps its own score for the term; a chunk matching nothing else gets none.
    assert scores[2] == pytest.approx(plain[2])
    assert scores[3] == 0.0


def test_without_naming_terms_the_scores_are_plain_bm25(index):
    bm25, docs = index
    tokens = ("信息化", "万元")
    assert np.allclose(term_scores(tokens, bm25, {}, docs), bm25.scores(tokens))
    # A term the index has never seen gives no credit.
    assert np.allclose(
        term_scores(tokens + ("普陀区",), bm25, {"普陀区": np.array([True, True])}, docs), bm25.scores(tokens)
    )


def test_a_synonym_match_earns_the_report_name_its_credit(index):
    bm25, docs = index
    naming = {"财政局": np.array([True, False])}
    alone = term_scores(("财政局", "天气"), bm25, naming, docs)
    synonyms = np.zeros(bm25.n_chunks)
    synonyms[1] = 0.5  # chunk 1 holds a synonym of a question term, nothing else of it
    scores = term_scores(("财政局", "天气"), bm25, naming, docs, synonyms)
    assert alone[1] == 0.0
    assert scores[1] == pytest.approx(0.5 + bm25.idf_of("财政局"))


def test_a_report_about_no_place_is_kept_where_its_passage_names_the_asked_place():
    # Report 0 is about 台湾; report 1 about no place, one chunk naming 台湾; report 2 about 四川.
    bm25 = BM25Index.build([["台湾", "教育"], ["冰雪", "台湾", "市场"], ["冰雪", "市场"], ["四川", "台湾"]])
    docs = np.array([0, 1, 1, 2])
    facts = SimpleNamespace(
        places=SimpleNamespace(keys=[{"tw"}, set(), {"sc"}]), named_places=lambda q: frozenset({"台湾省", "台湾"})
    )
    assert unplaced_naming(None, facts, bm25, docs).tolist() == [False, True, False, False]
    # A question naming no place some report is about keeps nothing more.
    facts.named_places = lambda q: frozenset()
    assert not unplaced_naming(None, facts, bm25, docs).any()


def test_passages_writing_an_asked_year_are_found_in_any_report_searched():
    # Chunks 0 and 2 write 2005 (the second in a later report's five-year review); 1 does not.
    chunks = [["2005", "年", "寿命"], ["寿命", "提高"], ["2005", "年", "期望", "寿命"], ["2006"]]
    bm25 = BM25Index.build(chunks + [[f"词{i}"] for i in range(4)])
    asks = SimpleNamespace(time=TimeAsk(years=(2005,)))
    assert writing_asked_years(asks, bm25, None).tolist()[:4] == [True, False, True, False]
    searched = np.array([True, True, False, True] + [True] * 4)  # the third chunk's report is left out
    assert writing_asked_years(asks, bm25, searched).tolist()[:4] == [True, False, False, False]
    # A question naming a report, asking no year, or a year no report writes: nothing more.
    assert writing_asked_years(SimpleNamespace(time=TimeAsk(report_year=2008, years=(2005,))), bm25, None) is None
    assert writing_asked_years(SimpleNamespace(time=TimeAsk()), bm25, None) is None
    assert writing_asked_years(SimpleNamespace(time=TimeAsk(years=(1999,))), bm25, None) is None


def test_only_reports_after_the_asked_years_can_review_them():
    asks = SimpleNamespace(time=TimeAsk(years=(1991, 1992)))
    assert reports_beyond(asks, [1988, 1992, 1994, None]).tolist() == [False, False, True, False]
    assert not reports_beyond(SimpleNamespace(time=TimeAsk()), [1988, 1994]).any()


def test_a_target_of_a_year_without_its_own_report_is_sought_in_earlier_reports():
    # 到1985年…计划: no report is of 1985, so 1982's (a five-year plan's targets) can hold it.
    target = SimpleNamespace(time=TimeAsk(years=(1985,), wants="target"))
    assert reports_beyond(target, [1980, 1982, 1984, 1986, None]).tolist() == [True, True, False, True, False]
    # The year's own report sets its plan: earlier reports' 到1992年 are forecasts.
    own = SimpleNamespace(time=TimeAsk(years=(1992,), wants="target"))
    assert reports_beyond(own, [1988, 1992, 1994]).tolist() == [False, False, True]
    # A result is reviewed after the year, never before.
    result = SimpleNamespace(time=TimeAsk(years=(1985,), wants="result"))
    assert reports_beyond(result, [1982, 1986]).tolist() == [False, True]


def test_a_passage_joins_only_with_a_sentence_about_the_asked_year():
    # Chunk 0: sentences 0-1, one about 2005; chunk 1: sentence 2, written 1985年以来 (no year);
    # chunk 2: sentences 3-4, about 2004 and none.
    periods, ptr = np.array([2005, -1, -1, 2004, -1]), np.array([0, 2, 3, 5])  # -1: no year
    assert chunks_about(periods, ptr, np.array([0, 1, 2]), (2005,)).tolist() == [0]
    assert chunks_about(periods, ptr, np.array([1, 2]), (2004, 2005)).tolist() == [2]
    assert chunks_about(periods, ptr, np.array([], dtype=np.int64), (2005,)).tolist() == []
