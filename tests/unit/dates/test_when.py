"""Time in a question (retrieval/dates/when.py) and how the composer uses it, on made-up reports."""

from __future__ import annotations

import pytest

from retrieval.dates.when import ask_time, reports_for
from retrieval.lang.text import normalize


def ask(text: str, newest: int | None = 2024):
    return ask_time(normalize(text), newest)


@pytest.mark.parametrize(
    "question, report_year, years, relative, wants",
    [
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
    ],
)
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


def test_relative_words_count_from_the_year_the_reports_are_read_in():
    t = ask_time(normalize("淮安去年收到多少政府信息公开申请？"), 2024, 2025)
    assert t.years == (2024,) and t.relative == "去年"
    assert ask_time(normalize("最近一次报告里赤字率是多少？"), 2024, 2025).report_year == 2024


def test_trend_words():
    assert ask("这几年赤字率是怎么变的？").trend
    assert not ask("“六五”期间国民生产总值平均每年增长多少？").trend


def test_reports_for_a_target_a_result_or_either():
    years = [2022, 2023, 2024]
    assert reports_for(ask("2023年的经济增长目标是多少？"), years) == {1}
    assert reports_for(ask("2023年国内生产总值实际增长了多少？"), years) == {2}
    assert reports_for(ask("2023年粮食产量是多少？"), years) == {1, 2}
    assert reports_for(ask("2022年政府工作报告里赤字率是多少？"), years) == {0}


@pytest.mark.parametrize(
    "question, years",
    [
        ("六五期间全国基本建设投资总额计划安排多少？", (1981, 1985)),
        ("第二个五年计划的钢产量目标是多少？", (1958, 1962)),
        ("“十五”计划提出了什么？", (2001, 2005)),
        ("十二五末全国铁路营业里程有多少公里？", (2011, 2015)),
        ("“十四五”时期的目标是什么？", (2021, 2025)),
    ],
)
def test_a_five_year_plan_names_its_years(question, years):
    t = ask(question)
    assert t.span == years
    assert sorted(t.years) == list(range(years[0], years[1] + 1))


def test_a_plan_and_a_year_named_together_keep_both():
    t = ask("按六五计划，1985年要招多少研究生？")
    assert set(t.years) == {1981, 1982, 1983, 1984, 1985}


@pytest.mark.parametrize("question", ["三五年后怎么样？", "一五一十地说", "十五年来粮食产量变化"])
def test_numbers_that_are_not_a_plan(question):
    assert ask(question).span is None


def test_a_year_in_chinese_numerals_is_asked_like_its_digits():
    assert ask_time("一九五七年全国棉花产量有多少？", 2024).years == (1957,)
    assert ask_time("二〇一八年政府工作报告里的赤字率是多少？", 2024).report_year == 2018
