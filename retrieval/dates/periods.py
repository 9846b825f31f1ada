"""Which year each section and sentence of a report is about, and whether it reviews or plans
(see :mod:`retrieval.dates` for the conventions)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lang.numerals import ascii_digits as _ascii_digits
from .kinds import PLAN, REVIEW, SUMMARY, WORK_REPORT
from .when import IN_CONTEXT, RELATIVE_YEARS, relative_years
from .years import (
    CN as _CN,
    PLAN_HEAD as _PLAN_HEAD,
    RANGE_RE as _RANGE_RE,
    REVIEW_HEAD as _REVIEW_HEAD,
    years_in,
)

# --- sections ---------------------------------------------------------------------------------------
_RANGE_WORDS = re.compile(
    r"过去五年|五年来|本届政府|本届|过去几年|近几年|近年来|几年来|这些年|"
    r"[二三四五六七八九十两]年来"
)


# A five-year plan period in a heading (“六五”计划执行情况的回顾, “十三五”时期主要目标任务): a span.
_SPAN_HEAD = re.compile(
    r"“[一二三四五六七八九十]+五”|[一二三四五六七八九十]+五(?:时期|期间|计划|规划)|五年(?:计划|规划)"
)


def _last_word_kind(label: str) -> str | None:
    """REVIEW or PLAN by the review or plan word written last (“六五”计划执行情况的回顾 → review)."""
    review = max((m.start() for m in _REVIEW_HEAD.finditer(label)), default=-1)
    plan = max((m.start() for m in _PLAN_HEAD.finditer(label)), default=-1)
    if review < 0 and plan < 0:
        return None
    return REVIEW if review > plan else PLAN


def _heading_period(label: str, report_year: int, style: str) -> tuple[int | None, str | None]:
    reviewed = report_year - 1 if style == WORK_REPORT else report_year
    planned = report_year if style == WORK_REPORT else report_year + 1
    years = years_in(label)
    what = _last_word_kind(label)
    if years:
        year = years[0][2]
        if _RANGE_RE.search(label) or _SPAN_HEAD.search(label):
            return None, what
        if _REVIEW_HEAD.search(label) and _PLAN_HEAD.search(label):
            return year, (REVIEW if year <= reviewed else PLAN)
        return year, what or (REVIEW if year <= reviewed else PLAN)
    if _RANGE_WORDS.search(label):
        return None, REVIEW
    if _SPAN_HEAD.search(label):
        return None, what
    if re.search(r"明年|下一年|来年", label) or (style == SUMMARY and re.search(r"下一步|下步|新的一年", label)):
        return report_year + 1, PLAN
    if re.search(r"今年|新的一年|下一步|下步", label):
        return report_year, (PLAN if style == WORK_REPORT else what or REVIEW)
    if re.search(r"去年|上年|过去一年|一年来", label):
        return reviewed, REVIEW
    if what == REVIEW:
        return reviewed, REVIEW
    if what == PLAN:
        return planned, PLAN
    return None, None


def speaks_of_span(text: str) -> bool:
    """Whether ``text`` speaks of several years at once (过去五年, 2016—2020年, “十三五”时期)."""
    return bool(_RANGE_WORDS.search(text) or _RANGE_RE.search(text) or _SPAN_HEAD.search(text))


def passage_reviews(reviewed: int, periods: Sequence[int | None], parts: Sequence[str | None], text: str) -> bool:
    """Whether a passage ``text`` of a report that reviews the year ``reviewed`` (2001 of the 2002
    work report) is that year's review: none of its sentences (their ``periods`` and ``parts``)
    plans or is about another year, and it speaks of no span (农民人均纯收入实际增长4.2% in the 2002
    report's unheaded opening)."""
    return not speaks_of_span(text) and all(
        part != PLAN and (period is None or period == reviewed) for period, part in zip(periods, parts)
    )


def section_period(
    heading_path: Sequence[str], report_year: int | None, kind: str = WORK_REPORT
) -> tuple[int | None, str | None]:
    """``(year, 'review' | 'plan' | None)`` of a section, from its headings (innermost that says
    something wins, unless it only has a review or plan word and an outer heading names a year):
    一、2023年工作回顾 → (2023, review); 二、2024年工作安排 → (2024, plan);
    过去一年的工作 → the reviewed year; 今年的工作任务 → the report's year (work report);
    下一步工作打算 → the report's year + 1 (summary). ``kind`` is the report style
    (:data:`WORK_REPORT` or :data:`SUMMARY`). A multi-year span gives ``(None, 'review')``.
    """
    worded: tuple[int | None, str | None] | None = None  # an inner heading's plan or review word alone
    for label in reversed(tuple(heading_path)):
        if not label:
            continue
        if report_year is None:
            years = years_in(label)
            if years and not _RANGE_RE.search(label):
                plan = _PLAN_HEAD.search(label) and not _REVIEW_HEAD.search(label)
                return years[0][2], (PLAN if plan else REVIEW if _REVIEW_HEAD.search(label) else None)
            continue
        year, what = _heading_period(label, report_year, kind)
        if year is None and what is None:
            continue
        names_year = bool(years_in(label))
        if worded is None and not names_year and not _RELATIVE.search(label):
            # 立德树人根本任务落地落实 under 一、2019年工作总结: the word 任务 does not make it a plan
            # when an outer heading names the year.
            worded = (year, what)
            continue
        return (year, what) if worded is None or names_year else worded
    return worded or (None, None)


def section_periods(
    heading_paths: Sequence[Sequence[str]], report_year: int | None, kind: str = WORK_REPORT
) -> list[tuple[int | None, str | None]]:
    """:func:`section_period` of each section of one report, in document order. In a work
    report, a top-level section that says nothing of time and comes after a review section
    (二、坚持实行扩大内需的方针 after 一、1999年国内工作回顾) sets out the year of the last plan
    section before it (三、采取有力措施 after 二、1981年国民经济计划的任务 in the report of August
    1980), else the report's own year: ``(year, 'plan')``; unless it names a span
    (三、“七五”时期的经济体制改革)."""
    known: dict[tuple[str, ...], tuple[int | None, str | None]] = {}

    def period_of(path: tuple[str, ...]) -> tuple[int | None, str | None]:
        if path not in known:
            known[path] = section_period(path, report_year, kind)
        return known[path]

    out = []
    reviewed = False
    planned = report_year  # the year of the last plan section seen, else the report's
    for path in map(tuple, heading_paths):
        period = period_of(path)
        if (
            period == (None, None)
            and reviewed
            and path
            and planned is not None
            and not any(_SPAN_HEAD.search(label) or _RANGE_WORDS.search(label) for label in path)
        ):
            period = (planned, PLAN)
        top = period_of(path[:1]) if path else (None, None)
        if kind == WORK_REPORT and top[1] == REVIEW:
            reviewed = True
        if top[1] == PLAN and top[0] is not None:
            planned = top[0]
        out.append(period)
    return out


def part_of(section_kind: str | None, period: int | None, report_year: int | None) -> str | None:
    """Whether a sentence reviews or plans: its section's kind, else by the year it is about
    (２００１年国内生产总值… in the preamble of the 2002 report reviews); None when unknown."""
    if section_kind or period is None or report_year is None or period == report_year:
        return section_kind
    return REVIEW if period < report_year else PLAN


# --- sentences ----------------------------------------------------------------------------------------
# A comparison base (比上年增长, 等于一九四九年的二点五倍, 由1978年的36.5%降为33.6%) says nothing
# about which year the sentence is about; the reports are dated before they are normalised, so
# the Traditional forms (較, 與, 於, 當, 過, 對) are written too.
_PAST_YEARS = "|".join(w for w, offset in relative_years() if offset < 0)
_A_YEAR = rf"(?:{_PAST_YEARS}|(?:\d{{4}}|[{_CN}]{{4}})\s*年(?:预计|預計)?)"
_COMPARISON = re.compile(
    r"(?:比|[较較]|同|[与與]|和|[对對]比|相比|[低高好快慢多少][于於]|超[过過]|相[当當][于於]|等[于於])\s*"
    rf"{_A_YEAR}(?:同期|底|末)?|上年同期|去年同期|由\s*{_A_YEAR}(?:底|末)?的|"
    rf"(?:\d{{4}}|[{_CN}]{{4}})\s*年(?:不[变變]|可比)?[价價]格?"  # a price base: 2300元（2010年不变价）
)
# After a year: the years since it (1985年以来); a span unless it is the year reviewed (2024年以来
# in a 2024 summary is that year).
_SINCE = re.compile(r"\s*年(?:底|末|初)?以来")
# The reviewed year (过去一年, 一年来) and the year ahead (新的一年) besides the relative years.
_REVIEWED, _AHEAD = ("过去一年", "一年来"), "新的一年"
_RELATIVE = re.compile("|".join(sorted([*RELATIVE_YEARS, *_REVIEWED, _AHEAD], key=len, reverse=True)))


def _own_period(
    sentence: str, report_year: int | None, section_period: int | None, kind: str
) -> tuple[bool, int | None]:
    """(whether the sentence itself says when, and the year it says; None for a span)."""
    text = _COMPARISON.sub(lambda m: " " * len(m.group(0)), _ascii_digits(sentence))
    spans = [(m.start(), m.end()) for m in _RANGE_RE.finditer(text)]
    reviewed = None if report_year is None else report_year - 1 if kind == WORK_REPORT else report_year
    candidates: list[tuple[int, int]] = []  # (position, year)
    for start, end, year in years_in(text):
        if reviewed is not None and year < reviewed and _SINCE.match(text, end):
            spans.append((start, end))  # 1985年以来 in a 2012 report: the years since, no one year
        elif not any(s <= start < e for s, e in spans):
            candidates.append((start, year))
    if report_year is not None and reviewed is not None:
        for m in _RELATIVE.finditer(text):
            word = m.group(0)
            if word in IN_CONTEXT:
                continue  # relative to a year named nearby, not to the report
            if word in RELATIVE_YEARS:
                year = report_year + RELATIVE_YEARS[word]
            elif word == _AHEAD:
                year = report_year if kind == WORK_REPORT else report_year + 1
            else:  # 过去一年, 一年来
                year = reviewed
            candidates.append((m.start(), year))
    if candidates:
        years = [y for _, y in sorted(candidates)]
        return True, section_period if section_period in years else years[0]
    if spans or _RANGE_WORDS.search(text):
        return True, None
    return False, None


def sentence_period(
    sentence: str, report_year: int | None, section_period: int | None = None, kind: str = WORK_REPORT
) -> int | None:
    """The year a sentence is about, or None.

    Years written in the sentence and relative words (今年 去年 上年 前年 明年 过去一年, taken
    relative to ``report_year`` and the report style ``kind``) are candidates; the section's
    period wins if it is among them, else the first one written. Comparison bases (比上年增长,
    上年同期) are not candidates. A sentence about a span (过去五年, 本届, 近年来, 2016—2020年)
    with no single year is None. With no candidate, the section's period (``section_period``,
    which may be None).
    """
    said, year = _own_period(sentence, report_year, section_period, kind)
    return year if said else section_period


# A sentence that opens with its time: 2017年，… / 刚刚过去的2017年，… / 过去一年，… / 今年以来，…
_FRONTED = re.compile(
    rf"^\s*[^，,。；]{{0,6}}?(?:(?:\d{{4}}|[{_CN}]{{4}})\s*年度?|过去的?一年|去年|今年|"
    r"新的一年|一年来|明年|前年)(?:以来|来)?\s*[，,]"
)


def _list_year(sentence: str, report_year: int | None, section_period: int | None, kind: str) -> int | None:
    """The year the words before a sentence's last colon say, which the list after it is about
    (…一九五四年预计产量…，可以看到以下的数字：电力…；钢…；), else None."""
    colon = max(sentence.rfind("："), sentence.rfind(":"))
    if colon < 0:
        return None
    said, year = _own_period(sentence[:colon], report_year, section_period, kind)
    return year if said else None


def paragraph_periods(
    sentences: Sequence[str],
    report_year: int | None,
    section_period: int | None = None,
    kind: str = WORK_REPORT,
    lead_in: str = "",
) -> list[int | None]:
    """:func:`sentence_period` of each sentence of one paragraph. When the paragraph opens with
    its time (2017年，… / 过去一年，…) or follows a lead-in that names a year, a sentence that says nothing of time takes the last
    year said before it in the paragraph (刚刚过去的2017年，…。国内生产总值增长6.9%… → 2017), as
    do the items of a list after a colon whose words name a year (一九五四年预计产量…：电力…；钢…；);
    after a span (过去五年，…) none; otherwise the section's period."""
    own = [_own_period(sent, report_year, section_period, kind) for sent in sentences]
    # A paragraph that opens with its time is told in time: each year it names holds for the
    # sentences after it (过去一年，…取得显著成效。新的一年，要…。加强后勤保障… → the new year).
    # A year named in the middle of any other paragraph holds for its own sentence only.
    carry = None
    openers = [_own_period(lead_in, report_year, section_period, kind)] if lead_in else []
    if sentences and _FRONTED.match(_ascii_digits(sentences[0])):
        openers += own[:1]
    for said, year in openers:
        if said and year is not None:
            carry = year
    out = []
    span = False  # a span was said (过去五年，…): the sentences after it are about it, no one year
    for sentence, (said, year) in zip(sentences, own):
        if said:
            out.append(year)
            span = year is None
            if carry is not None:
                carry = year
            elif year is not None:
                carry = _list_year(sentence, report_year, section_period, kind)
        else:
            out.append(None if span else carry if carry is not None else section_period)
    return out
