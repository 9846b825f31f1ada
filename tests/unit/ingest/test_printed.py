"""Text as reports print it (retrieval/ingest/formats/printed.py): years printed with spaced digits."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.formats.printed import join_spaced_years
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


def test_a_text_report_reads_its_spaced_years_as_years(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text("1 9 9 7 年，国内生产总值增长8.8%。", encoding="utf-8")
    files, _ = discover(tmp_path)
    text, _digest = read_text(files[0], 2**20, 2**20)
    assert text.startswith("1997年，")
