"""Which year a report is, which year each of its sections and sentences is about.

Pure functions of text; no index, no I/O except reading ``config/dating.toml`` once.
The conventions (see docs/time.md):

* A **work report** (政府工作报告 and plan-style documents) of year Y is delivered early in Y:
  it reviews Y-1 (去年, 过去一年) and sets the targets of Y (今年).
* A **summary** (工作总结, 总结及下一年计划) of year Y is written at the end of Y: it reviews Y
  (今年, 过去一年) and plans Y+1 (明年, 下一步).
* A period spanning several years (过去五年, 本届政府, 近年来, 2016—2020年) is no single year:
  the period is ``None``.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from config import CONFIG_DIR

from .lang.headings import heading_label, heading_level

DATING_FILE = CONFIG_DIR / "dating.toml"

# Document kinds (Document.kind) and report styles (how the report's year relates to its parts).
REPORT, COMPANION = "report", "companion"
WORK_REPORT, SUMMARY = "work_report", "summary"
# Section period kinds.
REVIEW, PLAN = "review", "plan"

_DEFAULTS = {"years": {"min": 1900, "max": 2100, "head_chars": 3000, "summary_date_months": 3},
             "lead_in": {"min_chars": 5, "max_chars": 80}}


@lru_cache(maxsize=1)
def settings() -> dict[str, dict[str, int]]:
    """``config/dating.toml`` over the built-in defaults."""
    merged = {k: dict(v) for k, v in _DEFAULTS.items()}
    try:
        data = tomllib.loads(DATING_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return merged
    for section, values in data.items():
        if section in merged and isinstance(values, dict):
            merged[section].update({k: int(v) for k, v in values.items()
                                    if isinstance(v, (int, float)) and not isinstance(v, bool)})
    return merged


# --- years in text -------------------------------------------------------------------------------
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT = re.compile("[０-９]")


def _ascii_digits(text: str) -> str:
    """Full-width digits as ASCII (same length, so offsets stay valid); fast when there are none."""
    return text.translate(_FULLWIDTH) if _FULLWIDTH_DIGIT.search(text) else text
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○零Ｏ一二三四五六七八九"
# A year: four digits (possibly spaced, as in "1 9 9 8 年") or four Chinese numerals, then 年,
# or followed by a range/list separator and another year (2016—2020年, 1980、1981年).
_DIGITS = r"(?<![\d.])([12])[ \u3000]?(\d)[ \u3000]?(\d)[ \u3000]?(\d)(?![\d.%])"
_CN_YEAR = rf"(?<![{_CN}十百千万])([{_CN}]{{4}})"
_YEAR_END = r"(?=[ \u3000]?(?:年|[、至到—－\-~～]+[ \u3000]?(?:\d{{4}}|[{cn}]{{4}})[ \u3000]?年))".format(cn=_CN)
_YEAR_RE = re.compile(rf"(?:{_DIGITS}|{_CN_YEAR}){_YEAR_END}")
# Two years joined into a span (2016—2020年, 2016年至2020年): the years between are covered.
_RANGE_RE = re.compile(rf"(?:\d{{4}}|[{_CN}]{{4}})年?(?:[—－\-~～至到]+)(?:\d{{4}}|[{_CN}]{{4}})年")
_FILE_YEAR = re.compile(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)")


def _in_range(year: int) -> bool:
    s = settings()["years"]
    return s["min"] <= year <= s["max"]


def years_in(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, year)`` of every year written in ``text`` (2024年, ２０２４年, 二〇二四年,
    1 9 9 8 年), offsets into ``text``."""
    text = _ascii_digits(text)
    out = []
    for m in _YEAR_RE.finditer(text):
        if m.group(5):
            year = int("".join(str(_CN_DIGIT[c]) for c in m.group(5)))
        else:
            year = int("".join(m.group(i) for i in range(1, 5)))
        if _in_range(year):
            out.append((m.start(), m.end(), year))
    return out


def _first_year(text: str) -> int | None:
    found = years_in(text)
    return found[0][2] if found else None


# --- the report's style, kind and year -------------------------------------------------------------
_SUMMARY_WORDS = re.compile(r"总结|工作情况|开展情况|工作回顾|述职")
_WORK_REPORT_WORDS = re.compile(r"政府工作报告|工作报告|工作要点|工作计划|工作安排|工作思路")
_COMPANION = re.compile(r"决议|解读|答记者问|问答|答问|起草(?:过程|情况|说明)|(?:报告|《[^》]*》).{0,12}说明|^关于.{0,40}的说明$")
# A date line: (2022年1月10日), 二〇二四年三月五日, ——2024年3月5日在第十四届全国人民代表大会…上
_DATE_LINE = re.compile(rf"^[（(—－\-\s]*(?:\d{{4}}|[{_CN}]{{4}})\s*年\s*([\d一二三四五六七八九十]{{1,3}})\s*月"
                        rf"(?:\s*[\d一二三四五六七八九十]{{1,3}}\s*日)?\s*(?:在.{{0,40}}上)?\s*[）)]?$")
_OPENING_YEAR = re.compile(r"^\s*((?:\d{4}|[〇○零一二三四五六七八九]{4})年(?:度)?)(?:[，,以是]|来)")


def _lines(text: str) -> list[str]:
    return [ln.strip(" \t\r\n\u3000\xa0\ufeff") for ln in text.splitlines()]


def report_style(title: str, text_head: str = "") -> str:
    """:data:`SUMMARY` for a 工作总结 (its year is the year it reviews), else :data:`WORK_REPORT`
    (its year is the year it plans: a 政府工作报告 delivered in March Y is the Y report)."""
    if "政府工作报告" in title:
        return WORK_REPORT
    if _SUMMARY_WORDS.search(title):
        return SUMMARY
    if _WORK_REPORT_WORDS.search(title):
        return WORK_REPORT
    head = text_head[:500]
    if re.search(r"政府工作报告|各位代表|向大会", head):
        return WORK_REPORT
    return SUMMARY if _SUMMARY_WORDS.search(head) else WORK_REPORT


def document_kind(title: str, text_head: str = "") -> str:
    """:data:`COMPANION` for a document about a report (an NPC 决议 on it, a 说明 of it, a
    解读 or Q&A), else :data:`REPORT`. Decided from the title (the first line if it has none)."""
    name = title.strip() or next((ln for ln in _lines(text_head) if ln), "")
    return COMPANION if _COMPANION.search(name) else REPORT


def _cn_month(text: str) -> int | None:
    text = _ascii_digits(text)
    if text.isdigit():
        return int(text)
    table = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + table.get(text[1:], 0)
    return table.get(text)


def _date_line_year(lines: Iterable[str], style: str) -> int | None:
    for line in lines:
        if len(line) > 60:
            continue
        m = _DATE_LINE.match(_ascii_digits(line))
        if not m:
            continue
        year = _first_year(line)
        if year is None:
            continue
        month = _cn_month(m.group(1)) or 12
        if style == SUMMARY and month <= settings()["years"]["summary_date_months"]:
            year -= 1  # a summary dated early in Y+1 reviews Y
        return year
    return None


def _file_year(path: str) -> int | None:
    stem = Path(path.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    for m in _FILE_YEAR.finditer(_ascii_digits(stem)):
        if _in_range(int(m.group(1))):
            return int(m.group(1))
    return None


def report_year(title: str, text_head: str, path: str = "") -> int | None:
    """The year of a report, or None when nothing says it (see :func:`_report_year`)."""
    year = _report_year(title, text_head, path)
    return year if year is not None and _in_range(year) else None


def _report_year(title: str, text_head: str, path: str) -> int | None:
    """The year of a report, or None.

    In order: the first year in the title (2024年中华人民共和国国务院政府工作报告 → 2024;
    古丈县教体局2024年工作总结及2025年工作计划 → 2024, the year reviewed); a year in the file
    name (2024.txt, 2019_怀化市…); the date line (二〇二四年三月五日 → 2024; a summary dated in
    January–March of Y+1 → Y); the first heading with a year (一、2021年度工作开展情况); an
    opening paragraph starting with a year (2024年，在县委…).
    """
    year = _first_year(title)
    if year is not None:
        return year
    year = _file_year(path) if path else None
    if year is not None:
        return year
    head = text_head[:settings()["years"]["head_chars"]]
    lines = [ln for ln in _lines(head) if ln]
    style = report_style(title, head)
    year = _date_line_year(lines, style)
    if year is not None:
        return year
    for line in lines:
        if heading_level(line) in (0, 1):
            label = heading_label(line)
            year = _first_year(label)
            if year is not None:
                # A work report opens by reviewing the year before its own; a summary's plan
                # heading names the year after its own.
                review, plan = _REVIEW_HEAD.search(label), _PLAN_HEAD.search(label)
                if style == WORK_REPORT and not plan:
                    return year + 1
                if style == SUMMARY and plan and not review:
                    return year - 1
                return year
    for line in lines[:12]:
        m = _OPENING_YEAR.match(line)
        if m:
            year = _first_year(m.group(1))
            # 2023年，我国… opens a work report's review of the year before its own.
            return year + 1 if year is not None and style == WORK_REPORT else year
    return None


# --- sections ---------------------------------------------------------------------------------------
_RANGE_WORDS = re.compile(r"过去五年|五年来|本届政府|本届|过去几年|近几年|近年来|几年来|这些年|"
                          r"[二三四五六七八九十两]年来")
_REVIEW_HEAD = re.compile(r"回顾|总结|决算|工作情况|开展情况|完成情况|执行情况|主要成绩|主要成效|取得的|成效|"
                          r"进展|存在的(?:主要)?问题|问题和不足|不足|一年来|过去一年|去年|上年")
_PLAN_HEAD = re.compile(r"计划|安排|打算|谋划|思路|任务|目标|要点|举措|建议|总体要求|政策取向|"
                        r"今年|明年|下一步|下步|新的一年|来年|下一年")


# A five-year plan period in a heading (“六五”计划执行情况的回顾, “十三五”时期主要目标任务): a span.
_SPAN_HEAD = re.compile(r"“[一二三四五六七八九十]+五”|[一二三四五六七八九十]+五(?:时期|期间|计划|规划)|五年(?:计划|规划)")


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


def section_period(heading_path: Sequence[str], report_year: int | None,
                   kind: str = WORK_REPORT) -> tuple[int | None, str | None]:
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


def section_periods(heading_paths: Sequence[Sequence[str]], report_year: int | None,
                    kind: str = WORK_REPORT) -> list[tuple[int | None, str | None]]:
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
        if period == (None, None) and reviewed and path and planned is not None \
                and not any(_SPAN_HEAD.search(label) or _RANGE_WORDS.search(label) for label in path):
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
# A comparison base (比上年增长) says nothing about which year the sentence is about.
_COMPARISON = re.compile(rf"(?:比|较|同|与|和|对比|相比|低于|高于|超过|好于|快于|慢于|多于|少于|相当于)\s*(?:上年|去年|前年|上一年|(?:\d{{4}}|[{_CN}]{{4}})\s*年(?:预计)?)"
                         r"(?:同期|底|末)?|上年同期|去年同期")
_RELATIVE = re.compile(r"前年|去年|上年|上一年|今年|本年度|当年|明年|来年|下一年|过去一年|一年来|新的一年")


def _own_period(sentence: str, report_year: int | None, section_period: int | None,
                kind: str) -> tuple[bool, int | None]:
    """(whether the sentence itself says when, and the year it says; None for a span)."""
    text = _COMPARISON.sub(lambda m: " " * len(m.group(0)), _ascii_digits(sentence))
    spans = [(m.start(), m.end()) for m in _RANGE_RE.finditer(text)]
    candidates: list[tuple[int, int]] = []  # (position, year)
    for start, _end, year in years_in(text):
        if not any(s <= start < e for s, e in spans):
            candidates.append((start, year))
    if report_year is not None:
        reviewed = report_year - 1 if kind == WORK_REPORT else report_year
        for m in _RELATIVE.finditer(text):
            word = m.group(0)
            if word == "前年":
                year = report_year - 2
            elif word in ("去年", "上年", "上一年"):
                year = report_year - 1
            elif word in ("今年", "本年度"):
                year = report_year
            elif word in ("明年", "来年", "下一年"):
                year = report_year + 1
            elif word == "新的一年":
                year = report_year if kind == WORK_REPORT else report_year + 1
            elif word == "当年":
                continue  # relative to a year named nearby, not to the report
            else:  # 过去一年, 一年来
                year = reviewed
            candidates.append((m.start(), year))
    if candidates:
        years = [y for _, y in sorted(candidates)]
        return True, section_period if section_period in years else years[0]
    if spans or _RANGE_WORDS.search(text):
        return True, None
    return False, None


def sentence_period(sentence: str, report_year: int | None,
                    section_period: int | None = None, kind: str = WORK_REPORT) -> int | None:
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
_FRONTED = re.compile(rf"^\s*[^，,。；]{{0,6}}?(?:(?:\d{{4}}|[{_CN}]{{4}})\s*年度?|过去的?一年|去年|今年|"
                      r"新的一年|一年来|明年|前年)(?:以来|来)?\s*[，,]")


def paragraph_periods(sentences: Sequence[str], report_year: int | None,
                      section_period: int | None = None, kind: str = WORK_REPORT,
                      lead_in: str = "") -> list[int | None]:
    """:func:`sentence_period` of each sentence of one paragraph. When the paragraph opens with
    its time (2017年，… / 过去一年，…) or follows a lead-in that names a year, a sentence that says nothing of time takes the last
    year said before it in the paragraph (刚刚过去的2017年，…。国内生产总值增长6.9%… → 2017);
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
    for said, year in own:
        if said:
            out.append(year)
            span = year is None
            if carry is not None:
                carry = year
        else:
            out.append(None if span else carry if carry is not None else section_period)
    return out
