"""The refusal home (retrieval/answer/refusals.py): each check alone, without a corpus."""

from __future__ import annotations

from retrieval.answer import messages
from retrieval.answer.refusals import (
    REASONS,
    Reason,
    absent_word,
    check_follow_up,
    check_question,
    no_match,
    not_answered,
    report_not_in_corpus,
)
from retrieval.types import Citation, Refusal, Sentence


def test_every_reason_is_a_json_name():
    assert {r.value for r in Reason} == REASONS
    assert Refusal(Reason.NO_MATCH).to_json()["reason"] == "no_match"


def test_an_empty_or_over_long_question_is_refused_and_a_fair_one_is_not():
    assert check_question("  ", 10).refusal.reason == Reason.EMPTY_QUESTION
    long = check_question("问" * 11, 10)
    assert long.refusal.reason == Reason.QUESTION_TOO_LONG and "11" in long.message
    assert check_question("古丈县有几所学校？", 10) is None


def test_a_follow_up_about_an_unknown_place_or_an_absent_word():
    place = check_follow_up(
        "那凤凰县呢？", "凤凰县有几所学校？", place="凤凰县", place_known=False, coverage="现有1份报告。"
    )
    assert place.refusal.reason == Reason.PLACE_NOT_IN_CORPUS and "凤凰县" in place.message
    word = check_follow_up("近视率呢？", "古丈县近视率是多少？", word="近视率", report_title="古丈报告")
    assert word.refusal.reason == Reason.WORD_NOT_IN_REPORT and "近视率" in word.message
    assert check_follow_up("那长葛呢？", "长葛有几所学校？", place="长葛", place_known=True) is None


def test_absent_word_looks_through_synonyms_and_normalised_text():
    text = "全县共有教师1296人。"
    synonyms = {"老师": ("教师",)}.get
    asked: list[str] = []

    def normalised() -> str:
        asked.append(text)
        return text.lower()

    assert absent_word(["教师"], text, lambda w: synonyms(w, ()), normalised) == "" and not asked  # found as it is
    assert absent_word(["老师"], text, lambda w: synonyms(w, ()), normalised) == ""
    assert absent_word(["近视率", "老师"], text, lambda w: synonyms(w, ()), normalised) == "近视率"
    assert len(asked) == 2  # once per call at most, only when a word seemed absent
    assert absent_word(["abc"], "ABC", lambda w: (), lambda: "abc") == ""  # found once the report is normalised
    assert absent_word(["年", "2024"], text, lambda w: (), normalised) == ""  # too short, a figure


def test_not_answered_is_unsure_with_sentences_and_none_without():
    cite = Citation("d", "t", "a.txt", "", 1, 0, 1, 0, 1)
    unsure = not_answered("q", Refusal(Reason.LOW_CONFIDENCE, 0.3, 0.8), "没有找到", [Sentence("句。", 1.0, cite)])
    assert unsure.outcome == "unsure" and unsure.message == messages.UNSURE
    none = not_answered("q", Refusal(Reason.LOW_CONFIDENCE), "没有找到")
    assert none.outcome == "none" and none.message == "没有找到"
    assert no_match("q", "没有找到").refusal.reason == Reason.NO_MATCH
    assert report_not_in_corpus("q", 2030, "").refusal.reason == Reason.REPORT_NOT_IN_CORPUS


def test_a_place_no_report_covers_is_said_so():
    from retrieval.answer.refusals import Reason, place_not_in_corpus, place_not_named

    coverage = "现有2份报告，涉及安徽省、江西省（2025年）。"
    refused = place_not_in_corpus("四川GDP多少？", "四川省", coverage)
    assert refused.refusal.reason == Reason.PLACE_NOT_IN_CORPUS and not refused.answered
    assert refused.message == "现有报告不涉及四川省，无法回答“四川GDP多少？”。" + coverage
    assert place_not_named("四川GDP多少？", "四川省", True, coverage) is None  # the passage names it
    assert place_not_named("四川GDP多少？", "四川省", False, coverage).message == refused.message
