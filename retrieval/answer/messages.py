"""What the engine tells a user when it does not answer (Simplified Chinese)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the reports' metadata, handed in by the caller
    from ..index.corpus import DocMeta

EMPTY_QUESTION = "问题是空的，请输入一个问题，例如：古丈县现有各级各类学校多少所？"
QUESTION_TOO_LONG = "问题太长（{length} 字），请控制在 {limit} 字以内。"
NO_TERMS = "问题里没有可以检索的词语，请换一种说法，例如：古丈县现有各级各类学校多少所？"
NOT_FOUND = "报告中没有找到能回答这个问题的内容。{coverage}可以换个说法、加上地名或年份，或用“来源”查看收录了哪些报告。"
# The decision is unsure: the closest sentences follow, to be checked against the report.
UNSURE = "没有把握回答这个问题，下面的内容可能相关，请核对原文。"
# Follow-ups the conversation shows the reports cannot answer (retrieval/dialogue/followup.py).
PLACE_NOT_COVERED = "现有报告不涉及{place}，无法回答“{question}”。{coverage}"
WORD_NOT_IN_REPORT = "《{title}》中没有提到“{word}”，无法回答“{question}”。"
REPORT_NOT_FOUND = "没有找到{year}年的报告。{coverage}"
MAX_PLACES_NAMED = 6


def coverage_note(docs: Sequence[DocMeta]) -> str:
    """What the reports are about, for a refusal: 现有5份报告，涉及古丈县、长葛市…（2019—2024年）。"""
    if not docs:
        return ""
    places = list(dict.fromkeys(p for d in docs for p in d.places))
    years = sorted({y for d in docs for y in d.years})
    note = f"现有{len(docs)}份报告"
    if places:
        shown = "、".join(places[:MAX_PLACES_NAMED])
        note += f"，涉及{shown}" + (f"等{len(places)}地" if len(places) > MAX_PLACES_NAMED else "")
    if years:
        note += f"（{years[0]}年）" if years[0] == years[-1] else f"（{years[0]}—{years[-1]}年）"
    return note + "。"


def time_note(ask) -> str:
    """Which year a relative word was taken as: “去年”按2023年理解; "" when nothing was resolved."""
    if ask.relative == "最近一次" and ask.report_year is not None:
        return f"“最近一次”按{ask.report_year}年的报告理解"
    if ask.relative and ask.years:
        return f"“{ask.relative}”按{ask.years[0]}年理解"
    return ""
