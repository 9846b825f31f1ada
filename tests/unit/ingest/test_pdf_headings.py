"""A PDF's paragraphs (retrieval/ingest/formats/pdf_paragraphs.py): a top-level heading on a
short line of its own starts a paragraph even after a line that ends without punctuation."""

from __future__ import annotations

from retrieval.ingest.formats.pdf_layout import Line
from retrieval.ingest.formats.pdf_paragraphs import assemble

SIZE, LEFT, RIGHT = 10.0, 50.0, 450.0


def _line(text: str, y: float, right: float = RIGHT) -> Line:
    return Line(text, x=LEFT, y=y, size=SIZE, right=right, left_edge=LEFT, right_edge=RIGHT, leading=15.0)


def _paragraphs(lines: list[Line]) -> list[str]:
    return [p for p in assemble([lines]).text.splitlines() if p]


FULL = "下属1家机关和1家参公事业单位财政拨款的机关运行经费预算为四百六十四点六四万元整"


def test_a_heading_after_an_unfinished_full_line_starts_a_paragraph():
    lines = [
        _line(FULL, 700.0),
        _line("三、政府采购预算情况", 685.0, right=LEFT + 10 * SIZE),
        _line("2025年本部门政府采购预算4821.20万元。", 670.0, right=LEFT + 26 * SIZE),
    ]
    assert _paragraphs(lines) == [FULL, "三、政府采购预算情况", "2025年本部门政府采购预算4821.20万元。"]


def test_a_full_line_opening_with_a_numeral_goes_on_its_paragraph():
    long_line = "三、四年级学生人数比上年增加较多主要是由于新建学校投入使用以及随迁子女入学人数增"
    lines = [_line(FULL, 700.0), _line(long_line, 685.0), _line("加。", 670.0, right=LEFT + 2 * SIZE)]
    assert _paragraphs(lines) == [FULL + long_line + "加。"]
