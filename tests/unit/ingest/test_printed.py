"""Text as reports print it (retrieval/ingest/formats/printed.py): years printed with spaced digits,
parentheses split across lines, a .docx paragraph that is a line cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.formats.docx_tables import read_docx_body
from retrieval.ingest.formats.printed import join_broken_parentheses, join_spaced_years, runs_on
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


@pytest.mark.parametrize(
    "line, following, expected",
    [
        ("深化建设。全面开展排污口排查整治，累计排查河湖岸线长度", "2.29万公里，清查各类排口11.28万余个。", True),
        ("全年城镇新增就业 1244 万人，城镇失业人员再就业 514", "万人，就业困难人员就业 172 万人。", True),
        ("全面开展排污口排查整治，累计排查河湖岸线长度。", "2.29万公里，清查各类排口。", False),  # a sentence ended
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "—7—", False),  # a page number
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "二、水环境质量", False),  # a heading
        ("图1  2024年杭州市各区域环境空气质量示意图", "2024年杭州市区主要污染物为臭氧。", False),  # a caption
        ("一、2024年工作回顾，主要成绩", "全年地区生产总值增长5%。", False),  # a heading line
    ],
)
def test_a_line_cut_short_runs_on(line, following, expected):
    assert runs_on(line, following) is expected


def _body(*paragraphs: str) -> bytes:
    runs = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{runs}</w:body></w:document>"
    ).encode()


def test_docx_paragraphs_cut_short_are_one_line():
    text = read_docx_body(
        _body(
            "二、水环境",
            "全面开展排污口排查整治，累计排查河湖岸线长度",
            "2.29万公里，清查各类排口11.28万余个。",
            "三、大气",
        )
    ).text
    assert text.splitlines() == [
        "二、水环境",
        "全面开展排污口排查整治，累计排查河湖岸线长度2.29万公里，清查各类排口11.28万余个。",
        "三、大气",
    ]
