"""The time a question is about, as a record (:class:`TimeAsk`, read from a question by
:func:`retrieval.dates.when.ask_time`); no imports of the project, so the records of the
composer hold it without importing the reading of time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimeAsk:
    """The time a question is about."""

    report_year: int | None = None  # the year of the report it names
    years: tuple[int, ...] = ()  # the years it is about (relative words resolved)
    relative: str = ""  # the relative word it used (今年, 去年, 最近一次), "" if none
    wants: str = ""  # "result", "target" or "" (not said)
    trend: bool = False  # it asks how something changed over the years
    latest: bool = False  # it asks about the newest report
    span: tuple[int, int] | None = None  # the first and last year of a span it names (2013到2017年)

    @property
    def any(self) -> bool:
        return bool(self.report_year or self.years or self.latest or self.trend)

    def other_period(self, period: int | None, span: bool, report_year: int | None) -> bool:
        """Whether a sentence of a dated report (``report_year``) is about another period than
        the years asked: dated to another year (``period``), or undated and speaking of several
        years (``span``) when one year, not a span, is asked (五年来城镇新增就业… for 1997年). The
        ranking's ``period_other`` and the hand-set policy's veto both read it."""
        if not self.years or report_year is None:
            return False
        if period is not None:
            return period not in self.years
        return span and not self.span
