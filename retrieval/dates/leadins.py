"""Lead-ins: a paragraph ending in ： (今年经济社会发展的主要预期目标是：) belongs to the paragraph
after it, for matching and dating; citations still quote each sentence as written (docs/time.md)."""

from __future__ import annotations

import re

from ..lang.text import HAN as _CJK
from .years import settings

_CLAUSE_END = re.compile(r"[。！？；!?;]")


def lead_in_span(text: str, para_start: int, para_end: int) -> tuple[int, int] | None:
    """The lead-in at the end of the paragraph ``text[para_start:para_end]``: its last clause
    when the paragraph ends in ： or : (今年经济社会发展的主要预期目标是：), else None."""
    end = para_end
    while end > para_start and text[end - 1] in " \t\r\n\u3000\xa0":
        end -= 1
    if end <= para_start or text[end - 1] not in "：:":
        return None
    start = para_start
    for m in _CLAUSE_END.finditer(text, para_start, end):
        start = m.end()
    lim = settings()["lead_in"]
    start = max(start, end - lim["max_chars"])
    while start < end and text[start] in " \t\r\n\u3000\xa0":
        start += 1
    if len(_CJK.findall(text[start:end])) < lim["min_chars"]:
        return None
    return start, end
