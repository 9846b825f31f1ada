"""The one reader of written years (retrieval/lang/numerals.py)."""

from __future__ import annotations

import pytest

from retrieval.lang.numerals import ascii_digits, written_years, year_tokens, years_as_digits


@pytest.mark.parametrize(
    "text, years",
    [
        ("一九八五年招收研究生二万人", ["1985"]),
        ("一九八○年国民收入", ["1980"]),  # ○, which jieba drops
        ("二〇〇二年和一九九九年", ["2002", "1999"]),
        ("二零二四 年", ["2024"]),
        ("一九八五", []),  # not a year without 年
        ("十一九八五年", []),  # part of a longer number
        ("三千一九九年", []),
        ("1 9 9 7 年粮食产量", ["1997"]),  # spaced digits, which jieba cuts apart
        ("1997年粮食产量", []),  # four digits in a row are a token already
        ("２０２４年", ["2024"]),
        ("一八四〇年", ["1840"]),  # any value: the range is the caller's
    ],
)
def test_year_tokens(text, years):
    assert year_tokens(text) == years


def test_written_years_offsets_and_forms():
    text = "1 9 9 7 年和２００１年、二〇〇二年"
    found = written_years(text)
    assert [y for *_, y in found] == [1997, 2001, 2002]
    assert [text[s:e] for s, e, _ in found] == ["1 9 9 7", "２００１", "二〇〇二"]


@pytest.mark.parametrize(
    "text, years",
    [
        ("2016—2020年", [2016, 2020]),  # the first of a span, before a separator
        ("1980、1981年", [1980, 1981]),
        ("增长2024.5亿元", []),  # a decimal, not a year
        ("占2024%", []),
        ("12345年", []),
    ],
)
def test_written_years_spans_and_non_years(text, years):
    assert [y for *_, y in written_years(text)] == years


def test_ascii_digits_keeps_length():
    assert ascii_digits("２０２４年") == "2024年"
    assert ascii_digits("无数字") == "无数字"


def test_years_as_digits():
    assert years_as_digits("一九五七年棉花产量和1 9 9 7 年、２００１年") == "1957年棉花产量和1997 年、2001年"
    assert years_as_digits("1957年产量二百万吨") == "1957年产量二百万吨"
