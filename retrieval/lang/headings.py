"""Outline headings of the reports: which level a line opens (一、 （一） 1. （1） 一是) and its label."""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十百零〇"
# Outline levels used by these reports, outermost first.
HEADING_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^[{CN_NUM}]{{1,3}}\s*[、．.]"),  # 一、
    re.compile(rf"^[（(]\s*[{CN_NUM}]{{1,3}}\s*[）)]"),  # （一）
    re.compile(r"^\d{1,2}\s*[、．.](?!\d)"),  # 1. / 1、
    re.compile(r"^[（(]\s*\d{1,2}\s*[）)]"),  # （1）
    re.compile(rf"^[{CN_NUM}]{{1,3}}是"),  # 一是…
)
_LABEL_END = re.compile(r"[。！？；：:!?;，,]")
TRIM = " \t\r\n\u3000\xa0\ufeff"

MAX_LABEL = 30
ENUM_LEVEL = len(HEADING_PATTERNS) - 1


def heading_level(line: str) -> int | None:
    for level, pattern in enumerate(HEADING_PATTERNS):
        if pattern.match(line):
            return level
    return None


def without_mark(line: str) -> str:
    """``line`` without the outline mark it opens with (一、 （一） 1. （1）); 一是 is words, kept."""
    for pattern in HEADING_PATTERNS[:ENUM_LEVEL]:
        m = pattern.match(line)
        if m:
            return line[m.end() :]
    return line


def heading_label(line: str) -> str:
    """The heading text: up to its first sentence end, at most MAX_LABEL characters."""
    m = _LABEL_END.search(line)
    label = line[: m.start()] if m else line
    label = label.strip(TRIM)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
