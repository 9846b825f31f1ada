"""Tables read one sentence a row: the grid rules, .docx and web pages (PDF: test_pdf_tables.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from retrieval.ingest.formats.docx import read_docx_extracted
from retrieval.ingest.formats.html import read_html
from retrieval.ingest.formats.table_grid import read_tables
from retrieval.ingest.formats.table_places import TablePlace, table_at
from retrieval.ingest.formats.tables import Cell, grid_from_spans, place_tables, table_lines
from tests.conftest import shown


def _row(*texts) -> list[tuple[Cell, int, int]]:
    return [(t if isinstance(t, Cell) else Cell(t), 1, 1) for t in texts]


def _sentences(grid, caption="", **kw) -> list[str]:
    return [s for t in read_tables(grid, caption, **kw) for s in table_lines(t)]


def test_two_row_header_merges_into_one_label_per_column_with_the_unit():
    grid = grid_from_spans(
        [
            [(Cell("地区"), 2, 1), (Cell("债务限额"), 1, 3), (Cell("备注"), 2, 1)],
            _row("合计", "一般", "专项"),
            _row("全市", "100.5", "40", "60.5", "—"),
            _row("市本级", "50", "20", "30", "新增"),
        ]
    )
    assert _sentences(grid, "表3 2025年全市债务限额情况（单位：亿元）") == [
        "全市：债务限额 合计100.5亿元，债务限额 一般40亿元，债务限额 专项60.5亿元。",
        "市本级：债务限额 合计50亿元，债务限额 一般20亿元，债务限额 专项30亿元，备注为新增。",
    ]


def test_units_from_headers_and_a_unit_column_rates_keep_their_percent():
    grid = grid_from_spans(
        [
            _row("指 标", "单 位", "绝对数", "比上年增长%"),
            _row("旅客运输量", "万人次", "8145.7", "3.9"),
            _row("其中：公路", "万人次", "1878.0", "14.7"),
            _row(Cell("铁路", 1), "万人次", "5553.4", "1.2"),
            _row("货物运输量", "万吨", "63592.4", "1.9"),
            _row("其中：公路", "万吨", "49869.0", "2.2"),
            _row(Cell("铁路", 1), "万吨", "414.3", "9.1"),
            _row("", "", "", ""),
        ]
    )
    lines = _sentences(grid, "2025年各种运输方式旅客和货物运输量")
    assert len(lines) == 6  # the empty row is left out
    # A child whose label occurs twice keeps its parent's.
    assert "货物运输量 铁路：绝对数414.3万吨，比上年增长9.1%。" in lines
    assert "旅客运输量 铁路：绝对数5553.4万人次，比上年增长1.2%。" in lines


def test_merged_cell_is_read_once_per_row_and_bands_start_sub_tables():
    band = Cell("第二十条 第（一）项")
    grid = grid_from_spans(
        [
            [(band, 1, 3)],
            _row("信息内容", "本年制发件数", "现行有效件数"),
            _row("规章", "1", "11"),
            [(Cell("第二十条 第（五）项"), 1, 3)],
            _row("信息内容", "本年处理决定数量", ""),
            [(Cell("行政许可"), 1, 1), (Cell("447228"), 1, 2)],
        ]
    )
    tables = read_tables(grid)
    assert [t.caption for t in tables] == ["第二十条第（一）项", "第二十条第（五）项"]
    assert table_lines(tables[1]) == ["行政许可：本年处理决定数量447228。"]


def test_side_by_side_halves_and_code_columns_as_labels():
    grid = grid_from_spans(
        [
            _row("项目", "预算数", "项目", "预算数"),
            _row("一、财政拨款收入", "189,767,551", "一、一般公共服务支出", "3,296,600"),
            _row("1. 一般公共预算资金", "189,767,551", "二、公共安全支出", "2,878,025"),
        ]
    )
    assert _sentences(grid, "收支总表") == [
        "一、财政拨款收入：预算数189,767,551。",
        "1.一般公共预算资金：预算数189,767,551。",
        "一、一般公共服务支出：预算数3,296,600。",
        "二、公共安全支出：预算数2,878,025。",
    ]
    codes = grid_from_spans(
        [
            [(Cell("科目编码"), 1, 3), (Cell("科目名称"), 2, 1), (Cell("合计"), 2, 1)],
            _row("类", "款", "项"),
            _row("212", "01", "04", "城管执法", "6,522,681"),
        ]
    )
    assert _sentences(codes) == ["212 01 04 城管执法：合计6,522,681。"]


def test_a_layout_grid_is_no_data_table_when_figures_are_required():
    grid = grid_from_spans([_row("网站首页", "新闻中心"), _row("县教育局召开安全工作会议", "关于开展检查的通知")])
    assert read_tables(grid, require_numbers=True) == []
    assert read_tables(grid_from_spans([_row("只有一列"), _row("2148")])) == []


def test_places_find_rows_and_round_trip():
    grid = grid_from_spans([_row("学校", "学生数"), _row("一中", "2148"), _row("二中", "1500")])
    tables = read_tables(grid, "表1 学校情况（人）")
    text = "前言。\n表1 学校情况（人）\n" + "\n".join(table_lines(tables[0])) + "\n后记。\n"
    places = place_tables(text, tables)
    assert len(places) == 1 and places[0].caption_at is not None
    second = text.index("二中")
    assert table_at(places, second) == ("表1 学校情况（人）", 2)
    assert table_at(places, 0) is None
    assert TablePlace.from_json(places[0].to_json()) == places[0]
    with pytest.raises(ValueError):
        TablePlace.from_json(["表", "x", 1, [], None])


def _docx_with_tables() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一、基本情况")
    d.add_paragraph("全县共有学校88所。")
    d.add_paragraph("表1 2024年学校情况")
    t = d.add_table(rows=5, cols=4)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "学校"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "学生数（人）"
    t.cell(1, 1).text, t.cell(1, 2).text = "男", "女"
    t.cell(0, 3).merge(t.cell(1, 3)).text = "专任教师数（人）"
    for r, row in enumerate([("古丈县第一中学", "1100", "1048", "150"), ("古丈县民族中学", "700", "650", "90")], 2):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    t.cell(4, 0).text = "合计"
    t.cell(4, 1).merge(t.cell(4, 2)).text = "3498"  # merged across two columns: read once
    t.cell(4, 3).text = "240"
    inner = t.cell(2, 3).add_table(rows=2, cols=2)  # a nested table is read after its table
    inner.cell(0, 0).text, inner.cell(0, 1).text = "学科", "教师数"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "数学", "30"
    d.add_paragraph("二、下一步工作。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_table_in_document_order_with_merged_cells_and_a_caption():
    extracted = read_docx_extracted(_docx_with_tables(), 64 * 2**20)
    lines = extracted.text.splitlines()
    assert lines[:3] == ["一、基本情况", "全县共有学校88所。", "表1 2024年学校情况"]
    assert lines[3] == "古丈县第一中学：学生数 男1100人，学生数 女1048人，专任教师数150人。"
    assert lines[5] == "合计：学生数 男3498人，专任教师数240人。"
    assert "数学：教师数30。" in lines and lines[-1] == "二、下一步工作。"
    first = extracted.tables[0]
    assert first.caption == "表1 2024年学校情况" and len(first.rows) == 3
    assert extracted.text[first.caption_at[0] : first.caption_at[1]] == "表1 2024年学校情况"
    assert table_at(extracted.tables, extracted.text.index("合计")) == ("表1 2024年学校情况", 3)


def test_html_data_table_with_rowspan_and_colspan_layout_table_left_alone():
    page = """<html><head><meta charset="utf-8"><title>报告</title></head><body>
<table><tr><td><div class="content"><h1>2025年预算执行情况的报告</h1>
<p>全市一般公共预算收入完成192亿元，增长0.3%，预算执行情况良好，收支平衡。</p>
<p>2025年全市一般公共预算收支总表</p><p>单位：亿元</p>
<table border="1">
<tr><th rowspan="2">项目</th><th colspan="2">2025年</th></tr>
<tr><th>预算数</th><th>执行数</th></tr>
<tr><td rowspan="2">税收收入</td><td>96.7</td><td>93</td></tr>
<tr><td colspan="2">95</td></tr>
<tr><td>非税收入</td><td>95.3</td><td>99.7</td></tr>
</table>
<p>下一步，我们将继续加强预算管理，提高资金使用效益，确保完成全年目标任务。</p>
</div></td></tr></table></body></html>"""
    extracted = read_html(page.encode("utf-8"))
    lines = extracted.text.splitlines()
    assert "税收收入：2025年 预算数96.7亿元，2025年 执行数93亿元。" in lines
    assert "税收收入：2025年 预算数95亿元。" in lines  # a colspan value is read once
    assert "非税收入：2025年 预算数95.3亿元，2025年 执行数99.7亿元。" in lines
    assert lines.count("2025年全市一般公共预算收支总表") == 1  # the caption is not repeated
    assert [t.caption for t in extracted.tables] == ["2025年全市一般公共预算收支总表（单位：亿元）"]
    assert "下一步，我们将继续加强预算管理，提高资金使用效益，确保完成全年目标任务。" in lines


def test_docx_table_with_a_hostile_span_is_read_as_paragraphs():
    import re
    import zipfile

    data = _docx_with_tables()
    src = zipfile.ZipFile(io.BytesIO(data))
    xml = src.read("word/document.xml").decode("utf-8")
    xml = re.sub(r'<w:gridSpan w:val="2"/>', '<w:gridSpan w:val="999999999"/>', xml, count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, xml if item.filename == "word/document.xml" else src.read(item))
    extracted = read_docx_extracted(out.getvalue(), 64 * 2**20)
    assert extracted.tables == [] or all(t.caption != "表1 2024年学校情况" for t in extracted.tables)
    assert "古丈县第一中学" in extracted.text.splitlines()  # the cells' paragraphs, as before


def test_a_communique_table_row_answers_a_question_naming_its_year(tmp_path: Path):
    """A 统计公报 counts as its year's report: a question naming the year is answered from its
    table even beside other years' reports, cited by the table and the row."""
    import docx

    from config import load_settings
    from retrieval import Engine

    folder = tmp_path / "reports"
    folder.mkdir()
    d = docx.Document()
    d.add_paragraph("某某市2025年国民经济和社会发展统计公报")
    d.add_paragraph("全年地区生产总值比上年增长5.2%，经济运行总体平稳。")
    d.add_paragraph("表2 2025年全市各类教育发展情况")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("学校", "招生数（人）", "在校生数（人）"), ("普通高中", "66953", "188668"), ("普通初中", "105332", "304665")]
    ):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    d.save(folder / "某某市2025年国民经济和社会发展统计公报.docx")
    (folder / "2024_某某市教育局_工作总结.txt").write_text(
        "某某市教育局2024年工作总结\n一、基本情况\n2024年全市普通高中招生6万余人，办学条件持续改善。\n",
        encoding="utf-8",
    )
    (folder / "2023_某某市教育局_工作总结.txt").write_text(
        "某某市教育局2023年工作总结\n一、基本情况\n2023年全市新建学校3所，教师队伍不断壮大。\n", encoding="utf-8"
    )
    engine = Engine.open(
        load_settings(overrides={"corpus": str(folder), "cache_dir": str(tmp_path / "c"), "semantic": "off"})
    )
    # Which sentence is read and how it is cited (whether it comes as an answer is the decision's test).
    first = shown(engine.answer("2025年普通高中招生数是多少人？"))[0]
    assert "66953" in first.text
    citation = first.citation
    assert (citation.table, citation.row, citation.page) == ("表2 2025年全市各类教育发展情况", 1, None)
    assert citation.label().endswith("表2 2025年全市各类教育发展情况，第1行")


def test_repeated_labels_without_indentation_take_the_row_above_that_occurs_once():
    grid = grid_from_spans(
        [
            _row("指标", "绝对数", "比上年增长%"),
            _row("货物运输总量", "29991.95", "-1.8"),
            _row("公路", "29291.00", "-2.0"),
            _row("#铁路", "667.47", "7.2"),
            _row("旅客运输总量", "17906.41", "1.3"),
            _row("公路", "5101.68", "-0.9"),
            _row("其中：铁路", "7951.17", "1.5"),
            _row("管道", "12.5", "3.0"),
            _row("管道", "12.5", "3.0"),  # the same row printed twice is one row: no parent
        ]
    )
    assert _sentences(grid) == [
        "货物运输总量：绝对数29991.95，比上年增长-1.8%。",
        "货物运输总量 公路：绝对数29291.00，比上年增长-2.0%。",
        "货物运输总量 铁路：绝对数667.47，比上年增长7.2%。",
        "旅客运输总量：绝对数17906.41，比上年增长1.3%。",
        "旅客运输总量 公路：绝对数5101.68，比上年增长-0.9%。",
        "旅客运输总量 铁路：绝对数7951.17，比上年增长1.5%。",
        "管道：绝对数12.5，比上年增长3.0%。",
        "管道：绝对数12.5，比上年增长3.0%。",
    ]


def _small_docx(paragraphs: list[str], rows: list[tuple[str, str]]):
    """A .docx of ``paragraphs`` then a two-column table of ``rows``, as read."""
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    table = d.add_table(rows=len(rows), cols=2)
    for i, (label, value) in enumerate(rows):
        table.cell(i, 0).text, table.cell(i, 1).text = label, value
    buf = io.BytesIO()
    d.save(buf)
    return read_docx_extracted(buf.getvalue(), 64 * 2**20)


def test_docx_caption_above_empty_paragraphs():
    extracted = _small_docx(
        ["全年共有养老机构4万个。", "表 2 2021 年养老机构情况", "", "", "", ""],
        [("指标", "机构（个）"), ("养老机构", "39961")],
    )
    assert [t.caption for t in extracted.tables] == ["表 2 2021 年养老机构情况"]
    assert "养老机构：机构39961个。" in extracted.text.splitlines()


def test_a_continued_table_keeps_its_header_when_its_page_leaves_columns_empty():
    header = [["科目编码"], ["科目名称"], ["本年收入合计"], ["财政拨款收入"], ["事业收入"]]
    grid = grid_from_spans(
        [_row("212", "城乡社区支出", "3832.36", "3832.36", ""), _row("221", "住房保障支出", "461.08", "461.08", "")]
    )
    assert _sentences(grid, "收入决算表（单位：万元）", header=header) == [
        "212 城乡社区支出：本年收入合计3832.36万元，财政拨款收入3832.36万元。",
        "221 住房保障支出：本年收入合计461.08万元，财政拨款收入461.08万元。",
    ]


def test_rows_without_figures_atop_a_continued_table_are_rows_not_a_header():
    header = [["支出", "项目"], ["支出", "合计"], ["支出", "一般公共预算财政拨款"]]
    grid = grid_from_spans(
        [
            _row("十六、金融支出", "", ""),
            _row("十七、援助其他地区支出", "", ""),
            _row("十八、自然资源海洋气象等支出", "4461.67", "4461.67"),
            _row("总计", "9746.50", "9746.50"),
        ]
    )
    assert _sentences(grid, "财政拨款收入支出决算总表（单位：万元）", header=header) == [
        "十八、自然资源海洋气象等支出：支出 合计4461.67万元，支出 一般公共预算财政拨款4461.67万元。",
        "总计：支出 合计9746.50万元，支出 一般公共预算财政拨款9746.50万元。",
    ]
    repeated = grid_from_spans([_row("项目", "合计", "一般公共预算财政拨款"), _row("总计", "9746.50", "9746.50")])
    assert _sentences(repeated, "财政拨款收入支出决算总表", header=header) == [
        "总计：合计9746.50，一般公共预算财政拨款9746.50。"
    ]


def test_a_unit_ending_a_row_label_moves_to_its_figures():
    grid = grid_from_spans(
        [_row("", "福田", "南山"), _row("常住人口（万人）", "156.23", "181.41"), _row("个人所得税(款)", "1", "2")]
    )
    assert _sentences(grid, "表1 分区常住人口") == [
        "常住人口：福田156.23万人，南山181.41万人。",
        "个人所得税(款)：福田1，南山2。",
    ]
    assert _sentences(grid, "表1 分区常住人口（单位：万人）")[0] == "常住人口（万人）：福田156.23万人，南山181.41万人。"


def test_note_marks_are_dropped_in_docx_web_pages_and_table_cells():
    from retrieval.ingest.formats.printed import drop_note_marks

    assert drop_note_marks("全年实现地区生产总值[2]17421.40亿元") == "全年实现地区生产总值17421.40亿元"
    assert drop_note_marks("[2] 地区生产总值按现价计算。") == "[2] 地区生产总值按现价计算。"  # the note itself
    paragraph = "新开工“两重”“两新”［1］项目120个，生产总值[2]17421.40亿元。"
    lines = _small_docx([paragraph], [("指标", "涨跌幅度%"), ("居住[3]", "0.8")]).text.splitlines()
    assert "新开工“两重”“两新”项目120个，生产总值17421.40亿元。" in lines
    assert "居住：涨跌幅度0.8%。" in lines
    page = (
        "<html><body><p>全年地区生产总值[1]32074.7亿元，增长4.7%，增速居全国前列，经济运行稳中有进。</p></body></html>"
    )
    assert "全年地区生产总值32074.7亿元" in read_html(page.encode("utf-8")).text


def test_rows_stacked_as_paragraphs_in_one_row_of_cells_are_read_apart():
    from retrieval.ingest.formats.tables import unstack_rows

    merged = Cell("56.7\t16.3\t40.4\n2.9\t1.6\t1.3")
    grid = [
        [Cell("指标"), Cell("单位"), Cell("合计"), Cell("城市"), Cell("农村")],
        [Cell("社区综合服务机构和设施\n社区服务中心"), Cell("万个万个"), merged, merged, merged],
    ]
    assert _sentences(unstack_rows(grid), "表3 社区服务机构和设施情况") == [
        "社区综合服务机构和设施：合计56.7万个，城市16.3万个，农村40.4万个。",
        "社区服务中心：合计2.9万个，城市1.6万个，农村1.3万个。",
    ]
    uneven = [[Cell("指标"), Cell("数量")], [Cell("合计\n民政部登记\n省级登记市级登记"), Cell("1\n2\n3\n4\n5")]]
    assert unstack_rows(uneven) == uneven  # paragraphs that do not line up are left as they are


def test_side_by_side_halves_of_different_widths():
    grid = grid_from_spans(
        [
            [(Cell("收入"), 1, 2), (Cell("支出"), 1, 3)],
            _row("项目", "决算数", "项目", "合计", "一般公共预算财政拨款"),
            _row("一、一般公共预算财政拨款", "9746.50", "一、一般公共服务支出", "", ""),
            _row("", "", "八、社会保障和就业支出", "754.75", "754.75"),
            _row("本年收入合计", "9746.50", "本年支出合计", "9746.50", "9746.50"),
        ]
    )
    assert _sentences(grid, "财政拨款收入支出决算总表（单位：万元）") == [
        "一、一般公共预算财政拨款：收入 决算数9746.50万元。",
        "本年收入合计：收入 决算数9746.50万元。",
        "八、社会保障和就业支出：支出 合计754.75万元，支出 一般公共预算财政拨款754.75万元。",
        "本年支出合计：支出 合计9746.50万元，支出 一般公共预算财政拨款9746.50万元。",
    ]
