"""Years of reports, periods of sections and sentences, companion documents and lead-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from retrieval.dates import years as dating_years
from retrieval.dates.ask import TimeAsk
from retrieval.dates.kinds import COMPANION, PLAN, REPORT, REVIEW, SUMMARY, WORK_REPORT
from retrieval.dates.leadins import lead_in_span
from retrieval.dates.periods import (
    paragraph_periods,
    part_of,
    passage_reviews,
    section_period,
    section_periods,
    sentence_period,
    speaks_of_span,
)
from retrieval.dates.published import execution_and_plan_year, published_after
from retrieval.dates.report import document_kind, report_style, report_year
from retrieval.dates.years import years_in
from retrieval.ingest.documents import first_meaningful_line
from tests.conftest import SEEDS

PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 32, "max_docx_xml_mb": 64}


# --- years written in text --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, years",
    [
        ("2024年国内生产总值", [2024]),
        ("关于１９５５年国家决算", [1955]),
        ("二〇二四年三月五日", [2024]),
        ("一九五六年到一九六七年全国农业发展纲要", [1956, 1967]),
        ("本届政府从1 9 9 3 年3 月就职", [1993]),
        ("1980、1981年国民经济计划", [1980, 1981]),
        ("增长2024人，投资3000亿元", []),  # numbers that are not followed by 年
        ("增长5.2%。2035年远景目标", [2035]),
        ("3012年", []),  # outside the configured range
    ],
)
def test_years_in(text, years):
    assert [y for _, _, y in years_in(text)] == years


def test_year_offsets_point_at_the_year():
    text = "预计２０２５年完成"
    ((start, end, year),) = years_in(text)
    assert text[start:end] == "２０２５" and year == 2025


# --- the report's year -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title, head, path, year",
    [
        ("2024年中华人民共和国国务院政府工作报告", "", "gwr.txt", 2024),
        ("古丈县教体局2024年工作总结及2025年工作计划", "", "a.txt", 2024),  # the year reviewed
        ("2023年重点工作总结及2024年重点工作谋划", "", "a.txt", 2023),
        (
            "政府工作报告",
            "政府工作报告\n\n各位代表：\n\n——二〇二四年三月五日在第十四届全国人民代表大会上\n",
            "r.txt",
            2024,
        ),
        ("政府工作报告", "政府工作报告\n各位代表：\n", "2019.txt", 2019),  # the file name
        ("工作报告", "", "2019_怀化市教育局.txt", 2019),
        ("工作报告", "", "report-20240305.txt", None),  # eight digits are no year
        # A summary dated early in the next year reviews the year before.
        ("教育工作总结", "教育工作总结\n（2022年1月10日）\n", "a.txt", 2021),
        ("教育工作总结", "教育工作总结\n（2021年12月20日）\n", "a.txt", 2021),
        # The first heading: a work report opens by reviewing the year before its own.
        ("政府工作报告", "政府工作报告\n各位代表：\n一、2023年工作回顾\n", "a.txt", 2024),
        ("教体局工作总结", "教体局工作总结\n一、2021年度工作开展情况\n", "a.txt", 2021),
        (
            "教体局工作总结",
            "教体局工作总结\n2024年，在县委、县政府的坚强领导下，全县教育工作稳步推进。\n",
            "a.txt",
            2024,
        ),
        ("教体局工作总结", "教体局工作总结\n二〇二一年以来，全县教育工作稳步推进。\n", "a.txt", 2021),
        ("教体局工作总结", "教体局工作总结\n二ＯＯ九年，全县教育工作稳步推进。\n", "a.txt", 2009),  # full-width Ｏ
        ("某某材料", "某某材料\n今年以来，各项工作稳步推进。\n", "notes.txt", None),
    ],
)
def test_report_year(title, head, path, year):
    assert report_year(title, head, path) == year


def test_report_style_and_kind():
    assert report_style("2024年中华人民共和国国务院政府工作报告") == WORK_REPORT
    assert report_style("古丈县教体局2024年工作总结及2025年工作计划") == SUMMARY
    assert report_style("教育局2025年工作要点") == WORK_REPORT
    # Final accounts review their year: 2024年度部门决算 is about 2024, not a plan for it.
    assert report_style("上海市普陀区财政局2024年度部门决算") == SUMMARY
    assert report_style("上海市普陀区万里街道办事处2025年部门预算") == WORK_REPORT
    assert report_style("", "各位代表：\n现在，我代表国务院向大会作政府工作报告") == WORK_REPORT
    assert document_kind("2024年中华人民共和国国务院政府工作报告") == REPORT
    assert document_kind("古丈县教体局2024年工作总结及2025年工作计划") == REPORT
    assert document_kind("第十四届全国人民代表大会第二次会议关于政府工作报告的决议") == COMPANION
    assert document_kind("关于《政府工作报告》修改情况的说明") == COMPANION
    assert document_kind("一图读懂2024年政府工作报告的解读") == COMPANION
    assert document_kind("", "关于2021年政府工作报告的决议\n正文") == COMPANION
    assert document_kind("某县教育局2024年度工作情况说明") == REPORT


# --- sections ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, year, kind, expected",
    [
        (("一、2023年工作回顾",), 2024, WORK_REPORT, (2023, REVIEW)),
        (("二、2024年工作安排",), 2024, WORK_REPORT, (2024, PLAN)),
        (("三、2024年政府工作任务", "（一）大力推进现代化产业体系建设"), 2024, WORK_REPORT, (2024, PLAN)),
        (("一、过去一年的工作",), 2024, WORK_REPORT, (2023, REVIEW)),
        (("二、今年的工作任务",), 2024, WORK_REPORT, (2024, PLAN)),
        (("四、下一步工作打算",), 2024, SUMMARY, (2025, PLAN)),
        (("二、2024年工作情况",), 2024, SUMMARY, (2024, REVIEW)),
        (("四、2025年工作计划",), 2024, SUMMARY, (2025, PLAN)),
        (("一、过去五年工作回顾",), 2018, WORK_REPORT, (None, REVIEW)),  # a span: no single year
        (("三、对2018年政府工作的建议",), 2018, WORK_REPORT, (2018, PLAN)),
        (("一、基本情况",), 2024, SUMMARY, (None, None)),
        (("一、“六五”计划执行情况的回顾",), 1986, WORK_REPORT, (None, REVIEW)),  # a five-year span
        (("二、“十三五”时期主要目标任务和重大举措",), 2016, WORK_REPORT, (None, PLAN)),
        (("二、2021年度工作开展情况",), 2021, SUMMARY, (2021, REVIEW)),
        # An inner heading's plan word (任务) does not outweigh the year its outer heading names.
        (("一、2019年工作总结", "(二)立德树人根本任务落地落实"), 2019, SUMMARY, (2019, REVIEW)),
        (("二、下一步工作打算", "(二)立德树人根本任务"), 2019, SUMMARY, (2020, PLAN)),
        ((), 2024, WORK_REPORT, (None, None)),
        (("一、2023年工作回顾",), None, WORK_REPORT, (2023, REVIEW)),  # no report year: years written
    ],
)
def test_section_period(path, year, kind, expected):
    assert section_period(path, year, kind) == expected


@pytest.mark.parametrize(
    "kind, period, year, expected",
    [
        (None, 2001, 2002, REVIEW),  # a year before the report's, outside any dated section
        (None, 2020, 2016, PLAN),  # 到2020年… in the 2016 report
        (None, 2024, 2024, None),  # the report's own year: a review in a summary, a plan in a work report
        (PLAN, 2023, 2024, PLAN),  # the section's kind wins
        (None, None, 2024, None),
    ],
)
def test_part_of(kind, period, year, expected):
    assert part_of(kind, period, year) == expected


def test_sections_after_a_work_reports_review_set_out_its_year():
    paths = [
        (),
        ("一、1999年国内工作回顾",),
        ("一、1999年国内工作回顾", "（一）农业"),
        ("二、坚持实行扩大内需的方针",),
        ("三、“十五”时期的经济体制改革",),
        ("四、关于外交工作",),
    ]
    assert section_periods(paths, 2000, WORK_REPORT) == [
        (None, None),
        (1999, REVIEW),
        (1999, REVIEW),
        (2000, PLAN),
        (None, None),
        (2000, PLAN),
    ]
    # After a plan section for another year, its year (the report of August 1980 plans 1981).
    paths = [
        ("一、1979年国民经济的调整",),
        ("一、1979年国民经济的调整", "（一）农业"),
        ("二、1981年国民经济计划的任务",),
        ("三、采取有力措施",),
    ]
    assert section_periods(paths, 1980, WORK_REPORT) == [(1979, REVIEW), (1979, REVIEW), (1981, PLAN), (1981, PLAN)]
    # Not in a summary, and not before any review.
    assert section_periods([("一、基本情况",), ("二、2024年工作情况",), ("三、其他",)], 2024, SUMMARY) == [
        (None, None),
        (2024, REVIEW),
        (None, None),
    ]
    assert section_periods([("一、扩大内需",), ("二、2001年工作回顾",)], 2002, WORK_REPORT) == [
        (None, None),
        (2001, REVIEW),
    ]


# --- sentences -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence, section, expected",
    [
        ("去年国内生产总值增长5.2%。", 2023, 2023),
        ("今年发展主要预期目标是：国内生产总值增长5%左右；", 2024, 2024),
        ("过去一年，国防和军队建设取得新的成绩和进步。", 2024, 2023),  # a review line in the plan part
        ("粮食产量1.39万亿斤，再创历史新高。", 2023, 2023),  # nothing said: the section's period
        ("拟安排地方政府专项债券3.9万亿元、比上年增加1000亿元。", 2024, 2024),  # a comparison base
        ("过去五年，港澳台工作取得新进展。", None, None),  # a span
        ("本届政府依法履职以来，各项改革持续推进。", 2023, None),
        ("2016—2020年累计完成投资10万亿元。", 2023, None),
        ("明年要继续扩大有效投资。", 2024, 2025),
        ("棉花产量255万吨，比2023年预计增加25万吨。", 2024, 2024),  # a year as comparison base
        ("2023年国民收入比上年增长7%。", None, 2023),
        ("这两个指标虽然都低于去年实际执行结果，但仍然是适度宽松的政策目标。", 2024, 2024),
        ("前年启动的改革试点全面推开。", 2024, 2022),
        ("做好2024年奥运会、残奥会备战参赛工作。", 2024, 2024),
        ("2022年完成投资，今年继续推进。", 2024, 2024),  # the section's period among the candidates
        ("２０２２年完成投资，今年继续推进。", None, 2022),  # else the first one written
        ("钢二百十七万吨，等于一九四九年的十三点七倍；", 2024, 2024),  # a multiple of a base year
        ("鋼二百十七萬噸，等於一九四九年的十三點七倍；", 2024, 2024),  # the same, in Traditional
        ("积累率由2022年的36.5％，降为33.6％。", 2023, 2023),  # from a base year's figure
        ("积累率由上年的36.5％降为33.6％。", 2023, 2023),
        ("由2022年开始实施的试点全面推开。", None, 2022),  # 由 a year, not its figure: the year
        ("粮食产量較一九四九年增長一倍。", 2024, 2024),
        ("农村居民人均纯收入实际增速为2015年以来最高。", 2023, None),  # the years since: a span
        ("2023年以来，全国新增就业人数稳步增长。", 2023, 2023),  # since the reviewed year: that year
        ("将农民人均纯收入2300元（2010年不变价）作为新的扶贫标准。", 2023, 2023),  # a price base
        ("按1990年价格计算，工农业总产值增长8%。", 2023, 2023),
    ],
)
def test_sentence_period(sentence, section, expected):
    assert sentence_period(sentence, 2024, section, WORK_REPORT) == expected


def test_sentence_period_in_a_summary():
    # A summary of 2024, written at the end of 2024.
    assert sentence_period("今年来，全县教育工作稳步推进。", 2024, 2024, SUMMARY) == 2024
    assert sentence_period("过去一年，全县新增学位3000个。", 2024, None, SUMMARY) == 2024
    assert sentence_period("明年将新建学校2所。", 2024, 2025, SUMMARY) == 2025
    assert sentence_period("新建学校2所。", None, None, SUMMARY) is None


def test_paragraph_opening_dates_the_rest():
    sentences = [
        "刚刚过去的2017年，经济社会发展主要目标任务全面完成。",
        "国内生产总值增长6.9%，增速比上年有所加快；",
        "过去五年，改革全面推进。",
    ]
    assert paragraph_periods(sentences, 2018, None, WORK_REPORT) == [2017, 2017, None]
    sentences = ["过去一年，国防和军队建设取得显著成效。", "新的一年，要深入推进政治建军。", "加强后勤保障和装备发展。"]
    assert paragraph_periods(sentences, 2016, 2016, WORK_REPORT) == [2015, 2016, 2016]
    # A year in the middle of a paragraph that does not open with one holds for its sentence only.
    sentences = ["国资国企改革扎实推进。", "国有企业效益明显好转，去年利润增长23.5%。", "深化能源、铁路等领域改革。"]
    assert paragraph_periods(sentences, 2018, None, WORK_REPORT) == [None, 2017, None]
    # Nor does a year that only qualifies something in the opening sentence (去年出台的政策).
    sentences = ["继续贯彻落实去年出台的调整收入分配的各项政策措施。", "各级财政要调整支出结构。"]
    assert paragraph_periods(sentences, 2000, 2000, WORK_REPORT) == [1999, 2000]
    assert paragraph_periods(
        ["国内生产总值增长8%左右；"], 2010, None, WORK_REPORT, lead_in="今年经济社会发展的主要预期目标是："
    ) == [2010]
    assert paragraph_periods(["国内生产总值增长8%左右；"], 2010, 2010, WORK_REPORT) == [2010]


def test_a_list_after_a_colon_takes_the_year_its_words_name():
    sentences = [
        "拿几项工业产品的一九五四年预计产量来同一九四九年产量比较，可以看到以下的数字：电力一百零八亿度；",
        "钢二百十七万吨，等于一九四九年的十三点七倍；",
        "煤炭产量增长一倍。",
    ]
    assert paragraph_periods(sentences, 1954, None, WORK_REPORT) == [1954, 1954, 1954]
    # A colon whose words name no year, or no colon: the items keep the section's period.
    sentences = ["主要指标如下：电力一百零八亿度；", "钢二百十七万吨。"]
    assert paragraph_periods(sentences, 1954, None, WORK_REPORT) == [None, None]
    sentences = ["一九五三年电力一百亿度。", "钢二百万吨。"]
    assert paragraph_periods(sentences, 1954, None, WORK_REPORT) == [1953, None]


# --- lead-ins ------------------------------------------------------------------------------------
def test_lead_in_span():
    text = "过去一年成绩显著。今年经济社会发展的主要预期目标是：\n国内生产总值增长5%左右。"
    end = text.index("\n")
    start, stop = lead_in_span(text, 0, end)
    assert text[start:stop] == "今年经济社会发展的主要预期目标是："
    assert lead_in_span("各位代表：", 0, 5) is None  # too short to say anything
    assert lead_in_span("国内生产总值增长5%左右。", 0, 13) is None
    text = "今年要重点抓好以下几个方面的工作:  "
    assert lead_in_span(text, 0, len(text)) == (0, 17)


# --- the real reports --------------------------------------------------------------------------------
def test_every_seed_report_gets_its_year():
    """The seeds' file names start with their year; the year must come from the report itself
    (title, date line, headings) as well as with the file name."""
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        title = first_meaningful_line(text)
        expected = int(path.name[:4])
        assert report_year(title, text[:3000], path.name) == expected, path.name
        assert report_year(title, text[:3000], "report.txt") == expected, path.name
        assert report_style(title, text[:3000]) == SUMMARY and document_kind(title) == REPORT


def test_dating_settings_come_from_config():
    values = dating_years.settings()
    assert values["years"]["min"] < 1949 < 2100 <= values["years"]["max"]
    assert values["lead_in"]["min_chars"] >= 1
    assert Path(dating_years.DATING_FILE).is_file()


@given(
    st.text(
        alphabet=st.sampled_from(
            list("2019年〇一二九十月日今去上明前过五本届：:。，比较（）——\n 　０１２３４５６７８９")
        ),
        max_size=60,
    )
)
@hsettings(max_examples=300, deadline=None)
def test_dating_never_fails_on_odd_text(text):
    year = report_year(text[:20], text, text[:10] + ".txt")
    assert year is None or 1900 <= year <= 2100
    lines = tuple(text.splitlines())
    period, what = section_period(lines, year, report_style(text[:20], text))
    assert what in (None, REVIEW, PLAN)
    assert sentence_period(text, year, period) is None or isinstance(sentence_period(text, year, period), int)
    span = lead_in_span(text, 0, len(text))
    assert span is None or (0 <= span[0] < span[1] <= len(text) and text[span[1] - 1] in "：:")
    assert document_kind(text) in (REPORT, COMPANION)


@pytest.mark.parametrize(
    "title, after",
    [
        ("淮安市人民政府2024年政府信息公开工作年度报告", True),
        ("合肥市2025年国民经济和社会发展统计公报", True),
        ("上海市普陀区财政局2024年度部门决算", True),
        ("2025年预算执行情况的报告", True),
        ("关于北京市2025年预算执行情况和2026年预算的报告", False),  # dated by 2026, the year it plans
        ("2025年安徽省政府工作报告", False),
        ("古丈县教体局2024年工作总结", False),
        ("深圳市人民政府公报", False),  # a gazette, not a communiqué
    ],
)
def test_reports_published_the_year_after_their_own(title, after):
    assert published_after(title) is after


@pytest.mark.parametrize(
    "title, year",
    [
        ("关于北京市2025年预算执行情况和2026年预算的报告", 2026),
        ("关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划草案的报告", 2026),
        ("2025年预算执行情况的报告", None),  # no plan year: dated by the year it covers
        ("古丈县教体局2024年工作总结及2025年工作计划", None),
        ("2023年预算执行情况和2025年预算", None),  # not the next year
    ],
)
def test_a_years_execution_and_the_next_years_plan_is_dated_by_the_plan(title, year):
    assert execution_and_plan_year(title) == year
    assert report_year(title, "") == (year or report_year(title.replace("执行情况", ""), ""))


def test_a_span_is_several_years_at_once():
    assert speaks_of_span("五年来城镇新增就业3555万人")
    assert speaks_of_span("2016—2020年累计减税降费7.6万亿元")
    assert speaks_of_span("“十三五”时期主要目标任务胜利完成")
    assert not speaks_of_span("2001年国内生产总值达到95933亿元，比上年增长7.3%")
    assert not speaks_of_span("农民人均纯收入实际增长4.2%")


def test_an_undated_passage_reviews_the_year_its_report_reviews():
    """The 2002 work report's unheaded opening is 2001's review, unless a sentence plans, is
    about another year or speaks of a span."""
    assert passage_reviews(2001, [None, 2001], [None, "review"], "农民人均纯收入实际增长4.2%。")
    assert not passage_reviews(2001, [None, 2001], [None, "plan"], "要增加农民收入。")
    assert not passage_reviews(2001, [None, 2000], [None, None], "2000年增长8%。")
    assert not passage_reviews(2001, [None], [None], "五年来城镇新增就业3555万人。")


@pytest.mark.parametrize(
    "ask, period, span, report_year, other",
    [
        (TimeAsk(years=(2019,)), 2018, False, 2020, True),  # dated to another year
        (TimeAsk(years=(2019,)), 2019, False, 2020, False),
        (TimeAsk(years=(1997,)), None, True, 1998, True),  # 五年来… for one asked year
        (TimeAsk(years=(2013, 2014, 2015, 2016, 2017), span=(2013, 2017)), None, True, 2018, False),  # a span asked
        (TimeAsk(years=(2019,)), 2018, False, None, False),  # an undated report
        (TimeAsk(), 2018, False, 2020, False),  # no year asked
    ],
)
def test_a_sentence_about_another_period_than_asked(ask, period, span, report_year, other):
    assert ask.other_period(period, span, report_year) is other
