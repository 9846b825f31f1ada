"""Tokens of Chinese text (retrieval/lang/text.py)."""

from __future__ import annotations

import pytest

from retrieval.lang.text import cn_year_tokens, default_tokenizer


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
    ],
)
def test_years_in_chinese_numerals(text, years):
    assert cn_year_tokens(text) == years


def test_a_question_year_reaches_a_year_in_chinese_numerals():
    tokens = default_tokenizer().tokens("一九八○年积累率降为百分之三十")
    assert "1980" in tokens
    assert "1980" in default_tokenizer().tokens("1980年积累率是多少？")


def test_steel_output_reaches_steel():
    assert "钢" in default_tokenizer().tokens("1985年钢产量达到多少？")
