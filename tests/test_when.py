"""Time in a question (retrieval/dates/when.py) and how the composer uses it, on made-up reports."""

from __future__ import annotations

import pytest

from config import load_settings
from retrieval import Engine
from retrieval.lang.text import normalize
from retrieval.dates.when import ask_time, reports_for


def ask(text: str, newest: int | None = 2024):
    return ask_time(normalize(text), newest)


@pytest.mark.parametrize("question, report_year, years, relative, wants", [
    ("2018年政府工作报告提出的赤字率是多少？", 2018, (), "", "target"),
    ("1998年政府工作报告里1997年粮食产量是多少？", 1998, (1997,), "", ""),
    ("2016年国内生产总值预期增长多少？", None, (2016,), "", "target"),
    ("2023年国内生产总值实际增长了多少？", None, (2023,), "", "result"),
    ("去年城镇新增就业多少人？", None, (2023,), "去年", ""),
    ("今年的赤字率定为多少？", None, (2024,), "今年", "target"),
    ("最近一次报告里单位国内生产总值能耗降低目标是多少？", 2024, (), "最近一次", "target"),
    ("2000年政府工作报告中招生规模比上年扩大了多少？", 2000, (), "", ""),  # 比上年: a comparison
    ("1954年政府工作报告说1953年工业总产值比1952年增加了多少？", 1954, (1953,), "", ""),
    ("2013到2017年棚户区改造了多少套房子？", None, (2013, 2014, 2015, 2016, 2017), "", ""),
    ("古丈县现有各级各类学校多少所？", None, (), "", ""),
])
def test_ask_time(question, report_year, years, relative, wants):
    t = ask(question)
    assert t.report_year == report_year
    assert sorted(t.years) == sorted(years)
    assert t.relative == relative
    if wants:
        assert t.wants == wants


def test_a_span_of_years_is_kept():
    assert ask("2013到2017年棚户区改造了多少套房子？").span == (2013, 2017)
    assert ask("2016年国内生产总值预期增长多少？").span is None


def test_relative_words_need_a_newest_report():
    assert ask("去年城镇新增就业多少人？", newest=None).years == ()


def test_trend_words():
    assert ask("这几年赤字率是怎么变的？").trend
    assert not ask("“六五”期间国民生产总值平均每年增长多少？").trend


def test_reports_for_a_target_a_result_or_either():
    years = [2022, 2023, 2024]
    assert reports_for(ask("2023年的经济增长目标是多少？"), years) == {1}
    assert reports_for(ask("2023年国内生产总值实际增长了多少？"), years) == {2}
    assert reports_for(ask("2023年粮食产量是多少？"), years) == {1, 2}
    assert reports_for(ask("2022年政府工作报告里赤字率是多少？"), years) == {0}


@pytest.fixture(scope="module")
def years_engine(tmp_path_factory):
    """Three yearly reports of one issuer; each reviews the year before and plans its own."""
    corpus = tmp_path_factory.mktemp("yearly")
    # Paragraphs on other matters, so that the words asked about are rare enough to rank.
    other = ["粮食生产保持稳定，农田水利建设加快推进。", "义务教育巩固提高，新建和改扩建一批学校。",
             "医疗卫生服务体系不断完善，基层医疗机构能力提升。", "生态环境持续改善，空气质量优良天数增加。",
             "交通基础设施建设取得进展，新建高速公路一批。", "文化事业繁荣发展，公共文化服务更加便利。"]
    for year, done, target in ((2022, "8.1%", "5.5%左右"), (2023, "3%", "5%左右"), (2024, "5.2%", "5%左右")):
        (corpus / f"{year}.txt").write_text(
            f"{year}年政府工作报告\n一、{year - 1}年工作回顾\n"
            f"过去一年，国内生产总值增长{done}，城镇新增就业{1200 + year - 2022}万人。\n"
            + "\n".join(other) + f"\n二、{year}年工作安排\n今年发展主要预期目标是：国内生产总值增长{target}。\n"
            + "\n".join(other) + "\n", encoding="utf-8")
    # The hand-set rules decide here: these tests are about which report and year are read; the
    # learned decision (tests/test_decision.py) is about whether to answer at all.
    settings = load_settings(overrides={"corpus": str(corpus), "semantic": "off", "answer_decision": "rules",
                                        "cache_dir": str(tmp_path_factory.mktemp("cache"))})
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
