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
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "第 7 页 共 20 页", False),  # a page number in words
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "二、水环境质量", False),  # a heading
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "第二章 发展目标", False),  # a chapter
        (
            "全面开展排污口排查整治，累计排查河湖岸线长度",
            "表1 2024年全市一般公共预算收支情况",
            False,
        ),  # a table's caption
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "图1 2024年各区域环境空气质量示意图", False),  # a figure's
        ("全面开展排污口排查整治，累计排查河湖岸线长度", "单位：亿元", False),  # a table's unit
        ("图1  2024年杭州市各区域环境空气质量示意图", "2024年杭州市区主要污染物为臭氧。", False),  # a caption cut
        ("一、2024年工作回顾，主要成绩", "全年地区生产总值增长5%。", False),  # a heading line
    ],
)
def test_a_line_cut_short_runs_on(line, following, expected):
    assert runs_on(line, following) is expected


def _para(text: str, props: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}<w:r><w:t>{text}</w:t></w:r></w:p>"


def _body(*paragraphs: str) -> bytes:
    parts = "".join(p if p.startswith("<") else _para(p) for p in paragraphs)
    return (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{parts}</w:body></w:document>"
    ).encode()


CUT = "全面开展排污口排查整治，累计排查河湖岸线长度"
REST = "2.29万公里，清查各类排口11.28万余个。"


def test_a_numbered_paragraph_of_prose_runs_on():
    # A .docx made from a PDF numbers a bulleted paragraph; a sentence ending inside it makes it prose.
    numbered = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="12"/></w:numPr>'
    text = read_docx_body(_body(_para("深化建设。" + CUT, numbered), REST)).text
    assert text.splitlines() == ["深化建设。" + CUT + REST]
    text = read_docx_body(_body(_para(CUT, "<w:numPr/>"), REST)).text  # an empty mark numbers nothing
    assert text.splitlines() == [CUT + REST]


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


@pytest.mark.parametrize(
    "parts",
    [
        (CUT, "", REST),  # an empty paragraph between the halves
        (_para(CUT, '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr>'), REST),  # a numbered item
        (CUT, _para(REST, '<w:pStyle w:val="Heading2"/>')),  # a heading by its style
        (_para(CUT, '<w:jc w:val="center"/>'), REST),  # a centred title
        # a layout table's cells are separate containers, and so is the body after them
        (f"<w:tbl><w:tr><w:tc>{_para(CUT)}</w:tc><w:tc>{_para(REST)}</w:tc></w:tr></w:tbl>", "下一段正文。"),
    ],
)
def test_docx_paragraphs_set_apart_never_run_on(parts):
    lines = [line for line in read_docx_body(_body(*parts)).text.splitlines() if line.strip()]
    assert CUT in lines and not any(CUT in line and line != CUT for line in lines), lines
