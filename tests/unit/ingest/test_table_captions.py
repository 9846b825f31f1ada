"""A table's caption from the lines above it: a numbered line under the title (表一 单位：万元),
a title wrapped over two lines; where the caption sits in the text; a row dated by its label
and caption, not by its columns' names."""

from __future__ import annotations

from retrieval.ingest.chunker import ChunkSpan
from retrieval.ingest.formats.tables import Row, Table, Value, caption_from, place_tables, row_sentence
from retrieval.ingest.process import date_chunks, row_label


def test_a_numbered_line_under_the_title_keeps_the_title():
    before = ["其他调入：决算数470万元。", "2024年全区一般公共预算收入决算表", "表一 单位：万元"]
    assert caption_from(before) == "表一 2024年全区一般公共预算收入决算表（单位：万元）"
    assert caption_from(["2024年各市县收入决算表", "表3"]) == "表3 2024年各市县收入决算表"
    # As before: a unit line under a title, a caption on one line, a lone number.
    assert caption_from(["部门收支总表", "单位：元"]) == "部门收支总表（单位：元）"
    assert caption_from(["彭阳县", "表1 2021年全国行政区划"]) == "表1 2021年全国行政区划"
    assert caption_from(["表一"]) == "表一"


def test_a_title_wrapped_over_two_lines_is_joined():
    wrapped = ["2024年自治区对市县税收返还和转移支付分地区", "决算表", "表八 单位：万元"]
    assert caption_from(wrapped) == "表八 2024年自治区对市县税收返还和转移支付分地区决算表（单位：万元）"
    assert caption_from(["2024年对市县转移支付情况", "表"]) == "2024年对市县转移支付情况表"
    # Two titles one above the other are not one title.
    assert caption_from(["2024年全区收入决算表", "决算表"]) == "决算表"


def _table(caption: str) -> Table:
    return Table(caption, ("决算数",), [Row("房产税", (Value("决算数", "193504", "万元"),))])


def test_the_caption_line_is_the_title_above_the_numbered_line():
    caption = "表八 2024年对市县转移支付分地区决算表（单位：万元）"
    text = f"上文。\n2024年对市县转移支付分地区\n决算表\n表八 单位：万元\n{row_sentence(_table(caption).rows[0])}\n"
    (place,) = place_tables(text, [_table(caption)])
    assert place.caption_at is not None
    assert text[place.caption_at[0] : place.caption_at[1]] == "2024年对市县转移支付分地区\n决算表"
    text = f"上文。\n部门收支总表\n单位：元\n{row_sentence(_table('部门收支总表（单位：元）').rows[0])}\n"
    (place,) = place_tables(text, [_table("部门收支总表（单位：元）")])
    assert place.caption_at is not None and text[place.caption_at[0] : place.caption_at[1]] == "部门收支总表"


def test_a_row_is_dated_by_its_label_not_by_its_columns():
    assert row_label("房产税：决算数为上年决算数的117.1%。") == "房产税"
    assert row_label("合计2373。") == ""
    text = "2024年度财政决算报表\n房产税：决算数193504万元，决算数为上年决算数的117.1%。\n2023年：决算数100万元。\n"
    spans = []
    for k, line in enumerate(text.splitlines()[1:], 1):
        start = text.index(line)
        spans.append(
            ChunkSpan(("表一",), k, start, start + len(line), start, start + len(line), ((start, start + len(line)),))
        )
    rows = {span.para_start for span in spans}
    dated = date_chunks(text, "2024年度财政决算报表", "决算.pdf", spans, rows=rows)
    assert dated.year == 2024
    assert [periods for _, _, _, periods in dated.chunks] == [[None], [2023]]
    # Read as prose, the column's 上年 would date the first row to the year before.
    prose = date_chunks(text, "2024年度财政决算报表", "决算.pdf", spans)
    assert prose.chunks[0][3] == [2023]
