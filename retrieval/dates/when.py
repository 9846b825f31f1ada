"""Time words and time in a question: the one table of relative years (also read by the dating
of report sentences and by follow-ups), which report a question names, which years it is about,
and whether it asks for a result, a target, a plan or a trend.

A named report (2019年政府工作报告, 2024年的工作总结) restricts the answer to that report. A year
alone means sentences about that year: its target is in that year's report, its result in the
next year's review. Relative words (今年, 去年, 上年, 前年, 明年, 最近一次) are taken against the
newest report of the corpus, and the answer says which year it took.
"""

from __future__ import annotations

import re

from ..lang.numerals import CN_DIGIT, FULLWIDTH_DIGITS, years_as_digits
from .ask import TimeAsk

# A year written with four digits in a question or a message (2024, 2024年).
YEAR_DIGITS = r"(?<!\d)((?:19|20)\d\d)(?!\d)"
# Relative years and their offset from the year they count from: the newest report's (or the
# named report's) for a question, the conversation's for a follow-up, the report's for one of
# its sentences. 当年 and 本年 are "that same year", the year in context: in a question the one it
# counts from, in a follow-up the conversation's, in a report's sentence the year of its section
# or one named nearby (本年收入 in the 1955 accounts of the 1956 report), so a sentence's 当年 and
# 本年 are not read against its report (``IN_CONTEXT``).
RELATIVE_YEARS: dict[str, int] = {
    "前年": -2,
    "去年": -1,
    "上年": -1,
    "上一年": -1,
    "今年": 0,
    "本年": 0,
    "本年度": 0,
    "当年": 0,
    "明年": 1,
    "来年": 1,
    "下一年": 1,
    "下年": 1,
    "后年": 2,
}
IN_CONTEXT = frozenset({"当年", "本年"})


def relative_years() -> tuple[tuple[str, int], ...]:
    """(word, offset) of :data:`RELATIVE_YEARS`, longest word first (上一年 before 上年)."""
    return tuple(sorted(RELATIVE_YEARS.items(), key=lambda kv: -len(kv[0])))


_YEAR = YEAR_DIGITS + r"\s*年"
# A report named by its year: 2018年政府工作报告, 2024年的工作总结, 1998年的报告.
_NAMED_REPORT = re.compile(
    _YEAR + r"(?:的|度)?(?:[\u4e00-\u9fff]{0,8}?)(?:政府工作报告|工作报告|工作总结|工作计划|报告|总结)"
)
# A year after 比 / 较 is what another year is compared with (比1952年增加), not what is asked.
_YEARS = re.compile(r"(?<![比较])" + _YEAR)
_COMPARED = "比较同"
# 2013到2017年, 2013—2017年: a span of years.
_SPAN = re.compile(YEAR_DIGITS + r"\s*年?\s*(?:到|至|—|-|－|~|～)\s*" + YEAR_DIGITS)


def cn_number(text: str) -> int | None:
    """A whole number below 100 written in digits or Chinese numerals (三, 十, 十二, 二十四), else None."""
    text = text.translate(FULLWIDTH_DIGITS)
    if text.isdigit():
        return int(text)
    tens, ten, units = text.rpartition("十")
    if len(tens) > 1 or len(units) > 1 or (not ten and not units):
        return None
    digits = [CN_DIGIT.get(c) for c in tens + units]
    if None in digits or 0 in digits:
        return None
    n = CN_DIGIT[units] if units else 0
    return n + 10 * (CN_DIGIT[tens] if tens else 1) if ten else n


# A five-year plan named by its number (第六个五年计划, 六五计划, “十四五”, 十二五末): the years it
# covers. The first ran 1953–1957, the second 1958–1962; the third began in 1966 after three years
# of readjustment, and each since has followed the one before.
_FIVE_YEAR_PLAN = re.compile(
    r"第([一二三四五六七八九十]{1,3})个五年(?:计划|规划)|"
    r"[“\"‘']([一二三四五六七八九十]{1,3})五[”\"’']|"
    r"(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3})五(?=计划|规划|时期|期间|末|初|以来)"
)
_PLAN_STARTS = {1: 1953, 2: 1958, 3: 1966}


def plan_years(norm: str) -> tuple[int, int] | None:
    """The first and last year of the first five-year plan a question names, None if it names none."""
    m = _FIVE_YEAR_PLAN.search(norm)
    if not m:
        return None
    n = cn_number(next(g for g in m.groups() if g))
    if n is None:
        return None
    start = _PLAN_STARTS.get(n, 1966 + 5 * (n - 3))
    return start, start + 4


_LATEST = re.compile(r"最近一次|最新一次|最近的报告|最新的报告|最近一份|最新一份|最新报告|最近报告")
# What the question asks of the year: a result (实际, 完成, 增长了) or a target (目标, 预期, 计划).
_RESULT = re.compile(r"实际|完成|实现|达到了|增长了|下降了|提高了|减少了|增加了|上涨了|是多少人|结果|取得")
_TARGET = re.compile(r"目标|预期|计划|拟|打算|安排|定为|定的|定了|要控制|控制在|力争|预计|部署|提出的|要求")
# A question that names a plan (计划, 打算, 目标, 将); a follow-up moved to a later year gets 计划
# unless it does (retrieval/dialogue.py).
NAMES_PLAN = re.compile(r"计划|打算|谋划|准备|目标|下一步|(?<!即)将(?!近)")
# A question about plans rather than results: one naming a plan, or the year ahead and the
# words of plan parts (明年, 今后, 思路, 安排, 要点, 预计).
ASKS_PLAN = re.compile(NAMES_PLAN.pattern + r"|明年|今后|思路|安排|要点|预计")
# A question that asks how something changed over the years.
_TREND = re.compile(r"历年|这几年|近几年|这些年|近年来|多年来|逐年|变化|趋势|怎么变|如何变|演变|走势")


def ask_time(norm: str, newest: int | None, now: int | None = None) -> TimeAsk:
    """The :class:`TimeAsk` of a normalised question; ``newest`` is the year of the newest report
    in the corpus, ``now`` the year its readers speak from (``newest`` unless said: a 2024年统计
    公报 is read in 2025); relative words count from ``now`` and are left unresolved without it."""
    norm = years_as_digits(norm)  # 一九五七年 asked as 1957年
    report_year = None
    rest = norm
    m = _NAMED_REPORT.search(norm)
    if m:
        report_year = int(m.group(1))
        rest = norm[: m.start()] + norm[m.end() :]
    years = [int(y) for y in _YEARS.findall(rest)]
    span = None
    for a, b in _SPAN.findall(rest):
        lo, hi = sorted((int(a), int(b)))
        if hi - lo <= 30:
            years += range(lo, hi + 1)
            span = span or (lo, hi)
    plan = plan_years(rest)
    if plan is not None:
        years += range(plan[0], plan[1] + 1)
        span = span or plan
    relative = ""
    # Relative to the named report, else to the year the newest report is read in.
    base = report_year if report_year is not None else (now if now is not None else newest)
    if base is not None and not years:
        for word, offset in relative_years():
            pos = rest.find(word)
            if pos >= 0 and (pos == 0 or rest[pos - 1] not in _COMPARED):
                years.append(base + offset)
                relative = word
                break
    latest = bool(_LATEST.search(norm))
    if latest and newest is not None and report_year is None:
        report_year = newest
        relative = relative or "最近一次"
    wants = ""
    if _TARGET.search(rest):
        wants = "target"
    elif _RESULT.search(rest):
        wants = "result"
    return TimeAsk(report_year, tuple(dict.fromkeys(years)), relative, wants, bool(_TREND.search(norm)), latest, span)


def reports_for(ask: TimeAsk, report_years: list[int | None]) -> set[int]:
    """Indexes of the reports that can hold the answer for the years asked: a year's target in
    its own report, its result in the next year's (either, when the question does not say)."""
    if ask.report_year is not None:
        return {d for d, y in enumerate(report_years) if y == ask.report_year}
    wanted: set[int] = set()
    for year in ask.years:
        if ask.wants != "result":
            wanted.add(year)
        if ask.wants != "target":
            wanted.add(year + 1)
    return {d for d, y in enumerate(report_years) if y in wanted}
