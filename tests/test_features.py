"""Each feature group and the answer policy alone, on made-up questions and sentences (no corpus)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from retrieval.answer import features as fx
from retrieval.answer.policy import AnswerPolicy, Confidence
from retrieval.answer.question import analyse
from retrieval.answer.records import (
    BigramRarity,
    Candidate,
    Context,
    Match,
    Pool,
    QueryTerms,
    ReportOf,
    Said,
    TableRow,
)
from retrieval.answer.refusals import Reason
from retrieval.dates.when import ask_time
from retrieval.lang.text import char_bigrams, default_tokenizer, normalize

LOW_CONFIDENCE, NO_MATCH = Reason.LOW_CONFIDENCE, Reason.NO_MATCH
PLACE_NOT_IN_CORPUS, YEAR_NOT_IN_CORPUS = Reason.PLACE_NOT_IN_CORPUS, Reason.YEAR_NOT_IN_CORPUS


def q_of(text: str):
    return analyse(text, default_tokenizer())


def said(text: str, **fields) -> Said:
    """A sentence record of ``text`` (its bigrams from the text; terms and counts as given)."""
    norm = normalize(text)
    return Said(norm, char_bigrams(norm), fields.pop("toks", set()), **fields)


def cand(
    text: str,
    *,
    before: tuple[Said, ...] = (),
    after: tuple[Said, ...] = (),
    ctx: dict | None = None,
    report: ReportOf | None = None,
    row: TableRow | None = None,
    match: Match | None = None,
    pool: Pool | None = None,
    **said_fields,
) -> Candidate:
    """A candidate built by hand: ``text`` between the sentences ``before`` and ``after`` of its
    chunk, whose terms and bigrams are theirs together; ``ctx``: the other context fields."""
    s = said(text, **said_fields)
    sentences = [*before, s, *after]
    context = Context(
        sentences,
        toks=set().union(*(x.toks for x in sentences)),
        grams=set().union(*(x.grams for x in sentences)),
        **(ctx or {}),
    )
    return Candidate(0, 0, 0, s, context, len(before), report or ReportOf(), row, match or Match(), pool or Pool())


def test_every_column_is_registered_once_with_a_description():
    columns = [c for g in fx.GROUPS for c in g.columns]
    assert len(columns) == len(set(columns)) == len(fx.FEATURES)
    assert all(fx.DESCRIPTIONS[c].strip() for c in fx.FEATURES)


# Term ids of a made-up question: 新建 (idf 1), 幼儿园 (idf 1), 多少 (idf 2).
BUILD, KINDERGARTEN, HOW_MANY = 1, 2, 3
TERMS = QueryTerms(weights={BUILD: 1.0, KINDERGARTEN: 1.0, HOW_MANY: 2.0}, key_term="幼儿园")


def covering(text: str, *toks: int) -> Said:
    return said(text, toks=set(toks), cov=TERMS.covered(set(toks)))


def test_coverage_reads_the_sentence_its_neighbours_and_its_chunk():
    prev, nxt = covering("全县新建。", BUILD), covering("幼儿园。", BUILD, KINDERGARTEN)
    c = cand("共5所。", toks={HOW_MANY}, cov=0.5, before=(prev,), after=(nxt,))
    cols = fx.coverage(q_of("新建了多少所幼儿园？"), TERMS, c)
    assert cols["tok_cov"] == 0.5 and cols["prev_cov"] == 0.25 and cols["next_cov"] == 0.5
    assert fx.chunk(q_of("新建了多少所幼儿园？"), TERMS, c)["ctx_cov"] == 1.0  # the chunk holds every term
    assert cols["win_cov"] == 1.0  # with its next sentence (0.75 with the previous one)
    assert cols["best_in_chunk"] == 1.0  # as good as the next sentence
    first = fx.coverage(q_of("新建了多少所幼儿园？"), TERMS, cand("全县新建。", toks={BUILD}, cov=0.25, after=(nxt,)))
    assert first["prev_cov"] == 0.0 and first["win_cov"] == 0.5 and first["best_in_chunk"] == 0.0


def test_coverage_of_what_the_paragraph_opening_lacks():
    """rel_cov: the terms the opening sentence holds are the paragraph's subject; what is asked
    about it is the rest."""
    c = cand("共5所。", toks={HOW_MANY}, cov=0.5, ctx={"opening": {BUILD}})
    assert fx.coverage(q_of("新建了多少所幼儿园？"), TERMS, c)["rel_cov"] == pytest.approx(2 / 3)
    every = cand("共5所。", toks={HOW_MANY}, cov=0.5, ctx={"opening": {BUILD, KINDERGARTEN, HOW_MANY}})
    assert fx.coverage(q_of("新建了多少所幼儿园？"), TERMS, every)["rel_cov"] == 0.0


def test_the_rarest_term_is_near_when_here_or_earlier_in_the_chunk():
    q = q_of("新建了多少所幼儿园？")
    earlier = cand("共5所。", before=(said("新建幼儿园。"),))
    later = cand("共5所。", after=(said("新建幼儿园。"),))
    assert fx.coverage(q, TERMS, earlier)["key_near"] == 1.0
    assert fx.coverage(q, TERMS, later)["key_near"] == 0.0
    assert fx.coverage(q, QueryTerms(), earlier)["key_near"] == 0.0  # no term the reports use


def test_bigrams_are_weighed_by_their_rarity_in_the_pool():
    rarity = BigramRarity(("新建", "幼儿"), np.array([1.0, 3.0]), 4.0)
    c = cand("全县新建5所。", after=(said("幼儿园。"),), pool=Pool(bigrams=rarity))
    q = q_of("新建了多少所幼儿园？")
    assert fx.bigrams(q, QueryTerms(), c) == {"big_cov": 0.25}
    assert fx.chunk(q, QueryTerms(), c)["ctx_big"] == 1.0  # with the next sentence's 幼儿
    assert fx.bigrams(q, QueryTerms(), cand("全县新建5所。")) == {"big_cov": 0.0}  # no pool: no weights
    assert fx.chunk(q, QueryTerms(), cand("全县新建5所。"))["ctx_big"] == 0.0


def test_chunk_columns_are_worked_out_once_per_chunk_and_the_same_for_its_sentences():
    rarity = BigramRarity(("新建", "幼儿"), np.array([1.0, 3.0]), 4.0)
    first = cand("全县新建5所。", toks={BUILD}, cov=0.25, pool=Pool(bigrams=rarity))
    second = Candidate(0, 1, 0, said("幼儿园。", toks={KINDERGARTEN}), first.ctx, 1, pool=Pool(bigrams=rarity))
    first.ctx.sentences.append(second.said)
    first.ctx.toks |= second.said.toks
    first.ctx.grams |= second.said.grams
    other = cand("全县新建5所。", toks={BUILD}, cov=0.25, pool=Pool(bigrams=rarity))  # a chunk of its own
    X = fx.feature_matrix(q_of("新建了多少所幼儿园？"), TERMS, [first, second, other])
    ctx = [fx.F["ctx_cov"], fx.F["ctx_big"]]
    assert X[0, ctx].tolist() == X[1, ctx].tolist() == [0.5, 1.0]
    assert X[2, ctx].tolist() == [0.25, 0.25]
    assert X[0, fx.F["big_cov"]] == 0.25 and X[1, fx.F["big_cov"]] == 0.75


def test_standing_ranks_the_first_chunk_highest():
    q = q_of("新建了多少所幼儿园？")
    first = fx.standing(q, QueryTerms(), cand("甲。", pool=Pool(rank=0, rel=1.0, sent_bm25=0.5), opens_para=True))
    third = fx.standing(q, QueryTerms(), cand("乙。", pool=Pool(rank=2, rel=0.4)))
    assert first["rank_recip"] == 1.0 and third["rank_recip"] == pytest.approx(1 / 3)
    assert first["first_sent"] == 1.0 and third["first_sent"] == 0.0
    assert first["sent_bm25"] == 0.5 and third["bm25_rel"] == 0.4


def test_information_and_a_bare_heading_label():
    q = q_of("控辍保学做了哪些工作？")
    adds = fx.wording(q, QueryTerms(), cand("劝返失学儿童12人。", added=20.0))
    assert adds["info"] == pytest.approx(math.log1p(20.0) / 5.0) and adds["label"] == 0.0
    label = {"label": "一是全力做好控辍保学工作"}
    assert fx.wording(q, QueryTerms(), cand("一是全力做好控辍保学工作。", ctx=label))["label"] == 1.0
    assert fx.wording(q, QueryTerms(), cand("一是全力做好控辍保学工作，劝返12人。", ctx=label))["label"] == 0.0


def test_wording_marks_a_restatement_and_a_long_sentence():
    q = q_of("一是全力做好控辍保学工作")
    restated = fx.wording(q, QueryTerms(), cand("一是全力做好控辍保学工作。"))
    assert restated["restate"] > 0.5 and restated["novel"] < 0.2
    new = fx.wording(q, QueryTerms(), cand("全县劝返失学儿童12人，建立台账逐一销号。"))
    assert new["restate"] == 0.0 and new["novel"] > 0.8
    long = fx.wording(q, QueryTerms(), cand("字" * (2 * fx.LONG_SENTENCE)))
    assert long["long"] == pytest.approx(1.0) and new["long"] == 0.0


def test_years_match_a_named_year_in_the_sentence_or_the_title():
    q = q_of("2023年新建了多少所幼儿园？")
    t = QueryTerms(years=("2023",))
    assert fx.years(q, t, cand("2023年新建幼儿园5所。", ctx={"para_year": True})) == {
        "year_match": 1.0,
        "year_miss": 0.0,
    }
    assert (
        fx.years(q, t, cand("新建幼儿园5所。", report=ReportOf(title="某县2023年工作总结"), ctx={"para_year": True}))[
            "year_match"
        ]
        == 1.0
    )
    assert fx.years(q, t, cand("新建幼儿园5所。")) == {"year_match": 0.0, "year_miss": 1.0}
    assert fx.years(q_of("新建了多少所幼儿园？"), QueryTerms(), cand("新建幼儿园5所。")) == {}


def test_answer_type_wants_a_value_in_the_asked_unit():
    q = q_of("学校新建了多少所幼儿园？")
    t = QueryTerms(near_terms=[("幼儿园", 1.0)])
    hit = fx.answer_type(q, t, cand("全县新建幼儿园5所。"))
    assert hit["type_number"] == 1.0 and hit["type_miss"] == 0.0 and hit["unit_match"] == 1.0
    assert hit["value_near"] == 1.0
    miss = fx.answer_type(q, t, cand("幼儿园建设稳步推进。"))
    assert miss["type_miss"] == 1.0 and "unit_match" not in miss


def test_answer_type_category_head():
    q = q_of("他毕业于哪所大学？")
    assert fx.answer_type(q, QueryTerms(), cand("他毕业于湖南师范学院。")).get("category_head") == 1.0
    assert "category_head" not in fx.answer_type(q, QueryTerms(), cand("他毕业后回乡任教。"))


def test_focus_slot_and_definition():
    q = q_of("会议的焦点是什么？")
    t = QueryTerms(focus="焦点", asked_chars=frozenset(q.norm))
    filled = fx.focus(q, t, cand("会议的焦点是课后服务。"))
    assert filled["focus_sent"] == 1.0 and filled["slot"] == 1.0
    assert fx.focus(q, t, cand("会议开得很成功。")) == {"focus_sent": 0.0, "slot": 0.0}
    d = q_of("什么是控辍保学？")
    assert fx.focus(d, QueryTerms(), cand("控辍保学是指控制辍学、保障适龄儿童入学。"))["defines"] == 1.0


def test_plan_is_the_sign_of_the_plan_heading_for_the_question():
    under = {"plan_heading": "二、2025年工作计划"}
    assert fx.plan(q_of("明年计划做什么？"), QueryTerms(), cand("甲。", ctx=under)) == {"plan": 1.0}
    done = q_of("新建了多少所幼儿园？")
    assert fx.plan(done, QueryTerms(), cand("甲。", ctx=under)) == {"plan": -1.0}
    assert fx.plan(done, QueryTerms(years=("2025",)), cand("甲。", ctx=under)) == {"plan": 1.0}  # its year
    assert fx.plan(done, QueryTerms(), cand("甲。")) == {"plan": 0.0}


def test_feature_matrix_places_columns_by_name():
    q = q_of("新建了多少所幼儿园？")
    X = fx.feature_matrix(q, QueryTerms(), [cand("全县新建幼儿园5所。", cov=0.6), cand("无关。")])
    assert X.shape == (2, len(fx.FEATURES))
    assert X[0, fx.F["tok_cov"]] == 0.6 and X[0, fx.F["unit_match"]] == 1.0
    assert X[1, fx.F["unit_match"]] == 0.0


def test_time_matches_the_year_asked_and_the_part_of_the_report():
    q = replace(q_of("2023年国内生产总值实际增长了多少？"), time=ask_time("2023年国内生产总值实际增长了多少", 2024))
    review = fx.time(q, QueryTerms(), cand("增长5.2%。", period=2023, part="review", report=ReportOf(year=2024)))
    plan = fx.time(q, QueryTerms(), cand("增长5%左右。", period=2024, part="plan", report=ReportOf(year=2024)))
    assert review == {"companion": 0.0, "period_match": 1.0, "wants_match": 1.0}
    assert plan == {"companion": 0.0, "period_other": 1.0, "wants_match": -1.0}


def test_a_span_matches_the_review_of_the_whole_span_not_one_year_in_it():
    text = "2013到2017年棚户区改造了多少套房子？"
    q = replace(q_of(text), time=ask_time(normalize(text), 2024))
    whole = fx.time(
        q, QueryTerms(), cand("棚户区住房改造2600多万套。", period=None, part="review", report=ReportOf(year=2018))
    )
    one_year = fx.time(
        q, QueryTerms(), cand("今年棚户区住房改造600万套。", period=2016, part="plan", report=ReportOf(year=2016))
    )
    assert whole.get("period_match") == 1.0
    assert "period_match" not in one_year and "period_other" not in one_year


def test_one_year_asked_matches_the_undated_review_of_it_not_a_span():
    """2001年农民人均纯收入实际增长多少？: in the 2002 report's unheaded review, the undated
    农民人均纯收入实际增长4.2% is about 2001; 五年来… speaks of five years, not the one asked."""
    text = "2001年农民人均纯收入实际增长多少？"
    q = replace(q_of(text), time=ask_time(normalize(text), 2024))
    report = ReportOf(year=2002)
    review = fx.time(q, QueryTerms(), cand("农民人均纯收入实际增长4.2%。", report=report, ctx={"reviews_asked": True}))
    unknown = fx.time(q, QueryTerms(), cand("农民人均纯收入实际增长4.2%。", report=report))
    span = fx.time(q, QueryTerms(), cand("五年来城镇新增就业3555万人。", span=True, report=report))
    assert review.get("period_match") == 1.0 and "period_other" not in review
    assert "period_match" not in unknown and "period_other" not in unknown
    assert span.get("period_other") == 1.0 and "period_match" not in span
    # Over undated paragraphs (no report year) a span says nothing against the year asked.
    undated = fx.time(q, QueryTerms(), cand("近年来城镇新增就业3555万人。", span=True))
    assert "period_other" not in undated


# --- the answer policy ---------------------------------------------------------------------------


def test_confidence_raises_a_value_of_the_asked_kind_and_lowers_its_absence():
    policy = AnswerPolicy()
    q = q_of("新建了多少所幼儿园？")
    with_value = policy.confidence(q, cand("新建幼儿园5所。"), 0.3, 0.3)
    without = policy.confidence(q, cand("新建幼儿园。"), 0.3, 0.3)
    assert with_value.value == pytest.approx(0.3 * policy.value_evidence)
    assert without.value == pytest.approx(0.3 * policy.value_missing)


def test_a_figure_question_without_a_unit_still_needs_a_figure():
    policy = AnswerPolicy()
    q = q_of("2015年全国彩票销售额是多少？")  # asks for a number, names no unit
    assert q.unit is None and q.types[0] == "number"
    with_figure = policy.confidence(q, cand("彩票销售额3679亿元。", ctx={"para_year": True}), 0.4, 0.4)
    only_a_year = policy.confidence(q, cand("2015年是收官之年。", ctx={"para_year": True}), 0.4, 0.4)
    assert with_figure.value == pytest.approx(0.4)
    assert only_a_year.value == pytest.approx(0.4 * policy.value_missing)


def test_closeness_in_meaning_does_not_make_up_for_a_missing_figure():
    policy = AnswerPolicy(semantic_weight=2.0, semantic_center=0.85)
    q = q_of("新建了多少所幼儿园？")
    close = policy.confidence(q, cand("新建幼儿园。", match=Match(cos=0.95)), 0.3, 0.3)
    assert close.value == pytest.approx((0.3 + 2.0 * 0.1) * policy.value_missing)


def test_confidence_vetoes_another_year_and_place():
    policy = AnswerPolicy(year_missing=0.0, place_missing=0.3)
    text = "2030年古丈县有多少所学校？"
    q = replace(q_of(text), time=ask_time(normalize(text), 2024))
    c = policy.confidence(q, cand("学校88所。", ctx={"foreign_place": True}), 0.5, 0.5)
    assert c.value == 0.0 and c.year_missing and c.place_missing and c.before_vetoes > 0.5


@pytest.mark.parametrize(
    "ranked, answered, reason",
    [
        ([Confidence(0.5, 0.5)], True, None),
        ([], False, NO_MATCH),
        ([Confidence(0.1, 0.1)], False, LOW_CONFIDENCE),
        ([Confidence(0.0, 0.4, year_missing=True)], False, YEAR_NOT_IN_CORPUS),
        ([Confidence(0.12, 0.4, place_missing=True)], False, PLACE_NOT_IN_CORPUS),
    ],
)
def test_decide_answers_or_says_why_not(ranked, answered, reason):
    decision = AnswerPolicy(min_confidence=0.2).decide(ranked)
    assert decision.answered == answered
    assert (decision.refusal.reason if decision.refusal else None) == reason


def test_decide_looks_only_at_the_window_and_shows_closest_above_the_share():
    policy = AnswerPolicy(min_confidence=0.2, window=2, closest_share=0.5, closest=2)
    assert not policy.decide([Confidence(0.0, 0.0)] * 2 + [Confidence(0.9, 0.9)]).answered
    near = policy.decide([Confidence(0.15, 0.15)])
    assert near.closest == 2 and near.refusal.confidence == 0.15 and near.refusal.threshold == 0.2
    assert policy.decide([Confidence(0.05, 0.05)]).closest == 0


def test_policy_numbers_come_from_one_mapping():
    policy = AnswerPolicy.from_mapping({"min_confidence": 0.3, "closest": 1})
    assert policy.min_confidence == 0.3 and policy.closest == 1 and isinstance(policy.closest, int)
    with pytest.raises(ValueError):
        AnswerPolicy.from_mapping({"no_such_number": 1.0})
    with pytest.raises(ValueError):
        AnswerPolicy.from_mapping({"min_confidence": "high"})


def test_shipped_policy_is_the_one_the_composer_uses(engine):
    from retrieval.answer.scoring import default_model

    assert engine.composer.policy == default_model().policy


def test_a_table_row_is_weighed_by_its_label_and_asked_cell():
    """A row's bare figure is a value of the asked unit (a table states its unit once, or not at
    all for counts); its length is that of its label and the asked cell, not of every header."""
    q = q_of("淮安市2024年重复申请有多少件？")
    text = "(五)不予处理 2.重复申请：" + "，".join(f"申请人情况 法人或其他组织 类别{i}0" for i in range(8)) + "。"
    row = cand(text, row=TableRow(30, "申请人情况 总计25"))
    prose = cand(text)
    assert fx.answer_type(q, QueryTerms(), row)["unit_match"] == 1.0
    assert "unit_match" not in fx.answer_type(q, QueryTerms(), prose)
    assert fx.answer_type(q, QueryTerms(), row)["type_miss"] == 0.0
    assert fx.wording(q, QueryTerms(), row)["log_len"] < fx.wording(q, QueryTerms(), prose)["log_len"]
    with_unit = replace(row, row=TableRow(30, "收入预算 合计6,522,681元"))
    assert "unit_match" not in fx.answer_type(q, QueryTerms(), with_unit)


def test_a_row_named_by_row_and_column_is_marked():
    q = q_of("报考小学科学教师，专科要什么专业？")
    assert fx.table(q, QueryTerms(), cand("13.科学教师：专科专业为670119K科学教育。", row=TableRow(cross=True))) == {
        "row_cross": 1.0
    }
    assert fx.table(q, QueryTerms(), cand("13.科学教师：专科专业为670119K科学教育。", row=TableRow())) == {}
