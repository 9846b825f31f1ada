"""Time in a question answered on made-up yearly reports: which report and which year are read
(how a question's time is read is unit-tested in tests/unit/dates/test_when.py)."""

from __future__ import annotations

import pytest

from config import load_settings
from retrieval import Engine
from tests.yearbuild import write_yearly_reports


@pytest.fixture(scope="module")
def years_engine(tmp_path_factory):
    """Three yearly reports of one issuer; each reviews the year before and plans its own."""
    corpus = tmp_path_factory.mktemp("yearly")
    write_yearly_reports(
        corpus,
        (
            (year, f"国内生产总值增长{done}，城镇新增就业{1200 + year - 2022}万人。", target)
            for year, done, target in ((2022, "8.1%", "5.5%左右"), (2023, "3%", "5%左右"), (2024, "5.2%", "5%左右"))
        ),
    )
    # The hand-set rules decide here: these tests are about which report and year are read; the
    # learned decision (tests/test_decision.py) is about whether to answer at all.
    settings = load_settings(
        overrides={
            "corpus": str(corpus),
            "semantic": "off",
            "answer_decision": "rules",
            "cache_dir": str(tmp_path_factory.mktemp("cache")),
        }
    )
    return Engine.open(settings)


def test_a_named_report_answers_from_that_report(years_engine):
    answer = years_engine.answer("2023年政府工作报告里国内生产总值增长的预期目标是多少？")
    assert answer.answered and answer.sentences[0].citation.path == "2023.txt"


def test_a_report_no_file_is_of_is_refused_with_its_reason(years_engine):
    answer = years_engine.answer("2030年政府工作报告里国内生产总值增长多少？")
    assert not answer.answered and answer.refusal.reason == "report_not_in_corpus"
    assert "2030" in answer.message


def test_a_years_result_comes_from_the_next_years_review(years_engine):
    answer = years_engine.answer("2023年国内生产总值实际增长了多少？")
    assert answer.answered
    first = answer.sentences[0]
    assert first.citation.path == "2024.txt" and "5.2%" in first.text and first.citation.period == 2023


def test_last_year_is_read_against_the_newest_report_and_said(years_engine):
    answer = years_engine.answer("去年国内生产总值增长了多少？")
    assert answer.answered and "5.2%" in answer.sentences[0].text
    assert answer.note == "“去年”按2023年理解"


def test_several_years_answer_newest_first_with_the_other_years(years_engine):
    answer = years_engine.answer("国内生产总值增长的预期目标是多少？")
    assert answer.answered and answer.sentences[0].citation.year == 2024
    years = [s.citation.year for s in answer.other_years]
    assert years and years == sorted(years, reverse=True) and 2024 not in years


def test_a_trend_gives_one_sentence_per_year_in_year_order(years_engine):
    answer = years_engine.answer("这几年国内生产总值增长的预期目标有什么变化？")
    assert answer.answered and answer.trend
    years = [s.citation.year for s in answer.sentences]
    assert len(years) >= 2 and years == sorted(set(years))


def test_a_year_its_section_heading_writes_is_the_sentences_year(tmp_path):
    """A heading that names a span and a year (一、“十四五”时期发展成就和2025年主要工作): its
    sentences are about the year asked, though they do not write it."""
    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "report.txt").write_text(
        "2026年某市政府工作报告\n一、“十四五”时期发展成就和2025年主要工作\n"
        "落实学前一年免费教育，发放育儿补贴11亿元，新增托位5000个。\n"
        "全市地区生产总值增长5.5%，城镇新增就业15万人。\n"
        "二、2026年工作安排\n完善育儿补贴发放，做好育儿补贴资金保障。\n"
        "推进老旧小区改造200个，新建公园30个。\n",
        encoding="utf-8",
    )
    (corpus / "other.txt").write_text(
        "2025年某县教育工作总结\n一、2025年工作回顾\n全县新建幼儿园5所，招聘教师120人。\n", encoding="utf-8"
    )
    settings = load_settings(overrides={"corpus": str(corpus), "semantic": "off", "cache_dir": str(tmp_path / "c")})
    engine = Engine.open(settings)
    ranked = engine.composer.rank("2025年发放了多少育儿补贴？")
    assert ranked.cands is not None and ranked.order is not None
    first = int(ranked.order[0])
    assert "11亿元" in ranked.cands.items[first].said.norm
    assert not ranked.cands.confidences[first].year_missing
