"""Digits as reports write them, and the years written in text: the one reader of a written year
(2024年, ２０２４年, 二〇二四年, 一九八○年, 1 9 9 8 年), read by the tokeniser (a year written
otherwise than in four ASCII digits is also a token of its digits, retrieval/lang/text.py) and by
the dating of reports and sentences (retrieval/dates/years.py). A leaf: it imports nothing of
the project."""

from __future__ import annotations

import re

# Chinese numerals' values (〇 ○ 零 and the full-width letter Ｏ that typesetters use for zero).
CN_DIGIT = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN = "".join(CN_DIGIT)
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT = re.compile("[０-９]")


def ascii_digits(text: str) -> str:
    """Full-width digits as ASCII (same length, so offsets stay valid); fast when there are none."""
    return text.translate(FULLWIDTH_DIGITS) if _FULLWIDTH_DIGIT.search(text) else text


# A year: four digits (possibly spaced, as in "1 9 9 8 年") or four Chinese numerals, then 年,
# or followed by a range/list separator and another year (2016—2020年, 1980、1981年).
_DIGITS = r"(?<![\d.])([12])[ \u3000]?(\d)[ \u3000]?(\d)[ \u3000]?(\d)(?![\d.%])"
_CN_YEAR = rf"(?<![{CN}十百千万])([{CN}]{{4}})"
_YEAR_END = rf"(?=[ \u3000]?(?:年|[、至到—－\-~～]+[ \u3000]?(?:\d{{4}}|[{CN}]{{4}})[ \u3000]?年))"
_YEAR_RE = re.compile(rf"(?:{_DIGITS}|{_CN_YEAR}){_YEAR_END}")


def written_years(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, year)`` of every year written in ``text`` (offsets into ``text``), whatever
    its value: the caller keeps the years in its range."""
    text = ascii_digits(text)
    out = []
    for m in _YEAR_RE.finditer(text):
        if m.group(5):
            year = int("".join(str(CN_DIGIT[c]) for c in m.group(5)))
        else:
            year = int("".join(m.group(i) for i in range(1, 5)))
        out.append((m.start(), m.end(), year))
    return out


def _not_plain(text: str) -> list[tuple[int, int, int]]:
    """:func:`written_years` of ``text`` not written as four ASCII digits in a row."""
    return [(s, e, y) for s, e, y in written_years(text) if not text[s:e].isascii() or e - s > 4]


def year_tokens(text: str) -> list[str]:
    """The four digits of each year ``text`` writes otherwise than as four ASCII digits in a row
    (一九八○年, 1 9 9 7 年 → 1980, 1997): a tokeniser cuts those apart, so they are added as
    tokens for a question's 1980年 to reach them."""
    return [str(year) for _s, _e, year in _not_plain(text)]


def years_as_digits(text: str) -> str:
    """``text`` with each year written otherwise than as four ASCII digits in a row (二〇二四年,
    1 9 9 7 年, ２０２４年) written as its four digits (2024年), for readers that look for digits."""
    for start, end, year in reversed(_not_plain(text)):
        text = text[:start] + str(year) + text[end:]
    return text
