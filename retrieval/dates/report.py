"""Which year a report is, its style (a work report or a summary) and its kind (a report, or a
companion document about one); see :mod:`retrieval.dates` for the conventions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..lang.headings import heading_label, heading_level
from ..lang.numerals import ascii_digits as _ascii_digits
from .kinds import COMPANION, REPORT, SUMMARY, WORK_REPORT
from .published import execution_and_plan_year
from .when import cn_number
from .years import (
    CN as _CN,
    PLAN_HEAD as _PLAN_HEAD,
    REVIEW_HEAD as _REVIEW_HEAD,
    first_year as _first_year,
    in_range as _in_range,
    settings,
)

_FILE_YEAR = re.compile(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)")
_SUMMARY_WORDS = re.compile(r"总结|工作情况|开展情况|工作回顾|述职|决算")
_WORK_REPORT_WORDS = re.compile(r"政府工作报告|工作报告|工作要点|工作计划|工作安排|工作思路")
_COMPANION = re.compile(
    r"决议|解读|答记者问|问答|答问|起草(?:过程|情况|说明)|(?:报告|《[^》]*》).{0,12}说明|^关于.{0,40}的说明$"
)
# A date line: (2022年1月10日), 二〇二四年三月五日, ——2024年3月5日在第十四届全国人民代表大会…上
_DATE_LINE = re.compile(
    rf"^[（(—－\-\s]*(?:\d{{4}}|[{_CN}]{{4}})\s*年\s*([\d一二三四五六七八九十]{{1,3}})\s*月"
    rf"(?:\s*[\d一二三四五六七八九十]{{1,3}}\s*日)?\s*(?:在.{{0,40}}上)?\s*[）)]?$"
)
_OPENING_YEAR = re.compile(rf"^\s*((?:\d{{4}}|[{_CN}]{{4}})年(?:度)?)(?:[，,以是]|来)")


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
        month = cn_number(m.group(1)) or 12
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
    古丈县教体局2024年工作总结及2025年工作计划 → 2024, the year reviewed), or the planned one of
    a year's 执行情况 and the next year's plan (:func:`execution_and_plan_year`); a year in the file
    name (2024.txt, 2019_怀化市…); the date line (二〇二四年三月五日 → 2024; a summary dated in
    January–March of Y+1 → Y); the first heading with a year (一、2021年度工作开展情况); an
    opening paragraph starting with a year (2024年，在县委…).
    """
    year = execution_and_plan_year(title) or _first_year(title)
    if year is not None:
        return year
    year = _file_year(path) if path else None
    if year is not None:
        return year
    head = text_head[: settings()["years"]["head_chars"]]
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
