"""What the composer knows of the reports as a whole (retrieval/answer/reports.py), over a
stand-in for the index's per-document records: report years, companions, plan parts, places."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from retrieval.answer.reports import ReportFacts, bare_words
from retrieval.dates.when import TimeAsk
from retrieval.types import SECTION_SEP


class Corpus:
    """The parts of a CorpusIndex that ReportFacts reads."""

    def __init__(
        self, docs: list[tuple[str, str, tuple[str, ...], tuple[int, ...], int | None, bool]], sections: list[str]
    ):
        self.docs = [
            SimpleNamespace(title=t, path=p, places=pl, years=y, issuer="", style="work_report")
            for t, p, pl, y, _, _ in docs
        ]
        self._years = [year for *_, year, _ in docs]
        self._companion = np.array([c for *_, c in docs], dtype=bool)
        self.sections = sections

    def doc_year(self, d: int) -> int | None:
        return self._years[d]

    def companion_mask(self) -> np.ndarray:
        return self._companion


CORPUS = Corpus(
    [
        ("古丈县教体局2024年工作总结", "a.txt", ("古丈县",), (2024, 2025), 2024, False),
        ("长葛市2023年工作总结", "b.txt", ("长葛市",), (), 2023, False),
        ("关于2024年工作总结的说明", "c.txt", ("古丈县",), (), 2024, True),
        ("全县学校名单", "d.txt", ("古丈县",), (2022,), 2022, False),  # an article, not a report
    ],
    [
        "",
        "二、2025年工作计划" + SECTION_SEP + "（一）抓好教师队伍建设",
        "一、2024年工作总结" + SECTION_SEP + "1.概况",
        "一、过去五年（2019—2023年）工作回顾",
    ],
)


def question(*, years: tuple[int, ...] = (), where: tuple = ()) -> SimpleNamespace:
    return SimpleNamespace(time=TimeAsk(years=years), where=where, report_places=None, norm="", places=())


def test_only_a_document_titled_as_a_report_has_a_report_year():
    facts = ReportFacts(CORPUS)
    assert facts.report_years == [2024, 2023, 2024, None]
    assert facts.companion.tolist() == [False, False, True, False]
    assert facts.newest == 2024 and facts.multi_year
    assert facts.doc_years[1] == {2023}  # a report is about its own year


def test_newest_and_near_years_leave_out_companions():
    facts = ReportFacts(CORPUS)
    assert facts.newest_of(np.array([False, True, True, True])) == 2023
    assert facts.near_years((2025,)) == {0}
    assert facts.near_years((2022,)) == {1}
    assert facts.year_mask({1, 3}).tolist() == [False, True, False, True]


def test_plan_parts_and_section_labels():
    facts = ReportFacts(CORPUS)
    assert facts.plan_heading == ["", "二、2025年工作计划", "", ""]
    assert facts.section_label(1) == "一抓好教师队伍建设"
    assert facts.section_label(0) == ""


def test_the_years_a_sections_headings_write():
    facts = ReportFacts(CORPUS)
    assert facts.heading_years(1) == {2025}
    assert facts.heading_years(2) == {2024}
    assert facts.heading_years(0) == frozenset()
    assert facts.heading_years(3) == frozenset()  # the ends of a span are no year of the section


def test_a_named_year_prefers_the_reports_of_it():
    facts = ReportFacts(CORPUS)
    pref, chosen = facts.preference(question(years=(2023,)), 0.5, -0.25)
    assert chosen is None and pref.tolist() == [-0.25, 0.5, -0.25, -0.25]


def test_bare_words_keep_only_word_characters():
    assert bare_words("（一）抓好 教师、队伍建设：2024年！") == "一抓好教师队伍建设2024年"


NATIONAL = Corpus(
    [
        ("2023年度人力资源和社会保障事业发展统计公报", "a.docx", (), (), 2023, False),
        ("南京市2024年国民经济和社会发展统计公报", "b.docx", ("南京市",), (), 2024, False),
        ("2025年安徽省政府工作报告", "c.docx", ("安徽省",), (), 2025, False),
    ],
    [""],
)


def test_a_question_about_the_nation_chooses_the_national_reports():
    facts = ReportFacts(NATIONAL)
    nation = SimpleNamespace(
        time=TimeAsk(), where=(), report_places=None, norm="2023年全国城镇新增就业多少人", places=()
    )
    assert facts.chosen(nation).tolist() == [True, False, False]
    other = SimpleNamespace(time=TimeAsk(), where=(), report_places=None, norm="2023年城镇新增就业多少人", places=())
    assert facts.chosen(other) is None


def test_a_communique_is_read_the_year_after_its_own():
    facts = ReportFacts(NATIONAL)
    assert facts.newest_of(np.array([True, True, False])) == 2024
    assert facts.now_of(np.array([True, True, False])) == 2025  # 南京 2024 公报, out in 2025
    assert facts.now_of(np.array([False, False, True])) == 2025  # a work report, read in its year


def test_the_year_a_report_reviews():
    """A work report reviews the year before its own (2025年安徽省政府工作报告: 2024); a communiqué,
    published the year after the year it is dated by, reviews its own (2024 公报: 2024)."""
    assert ReportFacts(NATIONAL).reviewed_years == [2023, 2024, 2024]
