"""When a report comes out against the year it is dated by: a 统计公报 or 年度报告 of Y in Y+1,
and a report on Y's 执行情况 and Y+1's plan dated by Y+1 (see docs/time.md). Pure functions of
a title, importing nothing of the project, so that answering reads them cheaply."""

from __future__ import annotations

import re

# A report published the year after the year it is dated by, which it covers (a 统计公报, a
# 年度报告, a 决算 or an 执行情况 report of Y comes out in Y+1).
_PUBLISHED_AFTER = re.compile(r"统计公报|状况公报|年度报告|年报|决算|执行情况")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


def execution_and_plan_year(title: str) -> int | None:
    """The later year of a title on one year's execution and the next year's plan or budget
    (北京市2025年预算执行情况和2026年预算的报告 → 2026): delivered early in that year, the report
    reviews the year before and plans its own, as a work report does; else None."""
    if "执行情况" not in title:
        return None
    years = [int(y) for y in _YEAR.findall(title)]
    return years[1] if len(years) == 2 and years[1] == years[0] + 1 else None


def published_after(title: str) -> bool:
    """Whether a report titled ``title`` comes out the year after the year it is dated by (a
    2024年统计公报 in 2025), so that its readers' 去年 is its own year; not one dated by the
    year it plans (:func:`execution_and_plan_year`)."""
    return bool(_PUBLISHED_AFTER.search(title)) and execution_and_plan_year(title) is None
