"""Tokens of Chinese text (retrieval/lang/text.py)."""

from __future__ import annotations

from retrieval.lang.text import default_tokenizer


def test_a_question_year_reaches_a_year_in_chinese_numerals():
    tokens = default_tokenizer().tokens("一九八○年积累率降为百分之三十")
    assert "1980" in tokens
    assert "1980" in default_tokenizer().tokens("1980年积累率是多少？")


def test_steel_output_reaches_steel():
    assert "钢" in default_tokenizer().tokens("1985年钢产量达到多少？")


def test_a_question_year_reaches_a_year_printed_with_spaced_digits():
    assert "1997" in default_tokenizer().tokens("1 9 9 7 年国内生产总值增长8.8%")
