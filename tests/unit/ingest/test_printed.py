"""Text as reports print it (retrieval/ingest/formats/printed.py): years printed with spaced digits,
parentheses split across lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.formats.printed import join_broken_parentheses, join_spaced_years
from retrieval.ingest.loader import discover, read_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 9 9 7 年国内生产总值", "1997年国内生产总值"),
        ("1 9 9 7年", "1997年"),
        ("比1 9 8 0 年翻两番", "比1980年翻两番"),
        ("2\u30000\u30000\u30002 年", "2002年"),
        ("达到7 4 7 7 2 亿元", "达到7 4 7 7 2 亿元"),  # not a year: kept
        ("3 9 9 7 年", "3 9 9 7 年"),  # no year begins with 3
        ("1 9 9 7 万吨", "1 9 9 7 万吨"),  # no 年
        ("1997年", "1997年"),
    ],
)
def test_spaced_years_are_joined(text, expected):
    assert join_spaced_years(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("细颗粒物（PM\n2.5\n）平均浓度下降9.1%。\n下一段", "细颗粒物（PM2.5）平均浓度下降9.1%。\n下一段"),
        ("细颗粒物（PM\r\n2.5\r\n）平均浓度", "细颗粒物（PM2.5）平均浓度"),  # CRLF
        ("增长（预计\n数）。\n新段落", "增长（预计\n数）。\n新段落"),  # Chinese after the break: kept
        ("一、总体要求（\n三、措施）", "一、总体要求（\n三、措施）"),
        ("（一）\n总体要求", "（一）\n总体要求"),  # closed on its line: kept
        ("一、总体要求（\n二、主要目标\n三、措施）", "一、总体要求（\n二、主要目标\n三、措施）"),  # headings between
        ("见附件（\n" + "很长的一行正文内容不会被并入括号\n）", "见附件（\n" + "很长的一行正文内容不会被并入括号\n）"),
    ],
)
def test_parentheses_split_across_lines_are_joined(text, expected):
    assert join_broken_parentheses(text) == expected


@pytest.mark.parametrize(
    "written, read",
    [
        ("1 9 9 7 年，国内生产总值增长8.8%。", "1997年，"),  # spaced years
        (
            "城市细颗粒物（PM\n2.5\n）平均浓度下降9.1%。\n",
            "城市细颗粒物（PM2.5）平均浓度下降9.1%。",
        ),  # a subscript line
    ],
)
def test_a_text_report_is_read_as_printed(tmp_path: Path, written, read):
    path = tmp_path / "report.txt"
    path.write_text(written, encoding="utf-8")
    files, _ = discover(tmp_path)
    text, _digest = read_text(files[0], 2**20, 2**20)
    assert text.startswith(read)
