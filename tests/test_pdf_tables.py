"""PDF tables (pdfplumber): ruled and three-line tables, a table across two pages, citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine
from retrieval.index.corpus import page_at
from retrieval.ingest.formats.pdf import read_pdf
from retrieval.ingest.formats.table_places import table_at
from tests.pdfbuild import table_pdf

BEFORE = ["一、财政收支情况", "全年一般公共预算收入完成情况良好，各项收入分项目列示如下表。"]
CAPTION = "表3 2025年全市一般公共预算收入情况"
HEADER = ["项目", "预算数", "决算数", "增长%"]
ROWS = [
    ["税收收入", "3793917", "3589402", "1.6"],
    ["增值税", "1544321", "1530544", "7.0"],
    ["企业所得税", "521804", "362387", "-25.0"],
    ["个人所得税", "163551", "156352", "0.3"],
    ["资源税", "330000", "311152", "0.1"],
    ["房产税", "175545", "193504", "17.1"],
]
AFTER = ["二、下一步工作", "我们将继续加强收入征管，确保全年收入目标顺利完成，为经济发展提供财力保障。"]


def _read(pdf: bytes):
    return read_pdf(pdf, max_pages=100, max_seconds=60)


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "three-line"])
def test_table_across_two_pages_is_one_table_with_rows_on_their_pages(ruled: bool):
    pdf = table_pdf(BEFORE, CAPTION, HEADER, [ROWS[:4], ROWS[4:]], ruled=ruled, repeat_header=ruled, after=AFTER)
    extracted = _read(pdf)
    lines = extracted.text.splitlines()
    assert "税收收入：预算数3793917，决算数3589402，增长1.6%。" in lines
    assert "房产税：预算数175545，决算数193504，增长17.1%。" in lines
    assert len(extracted.tables) == 1  # joined across the page
    place = extracted.tables[0]
    assert place.caption == CAPTION and len(place.rows) == len(ROWS)
    assert page_at(extracted.pages, extracted.text.index("房产税：")) == 2
    assert table_at(extracted.tables, extracted.text.index("资源税：")) == (CAPTION, 5)
    # The table's words are not also kept as prose, and the prose around it reads as before.
    assert not any(line.startswith("税收收入 ") or line == "项目 预算数 决算数 增长%" for line in lines)
    assert "全年一般公共预算收入完成情况良好，各项收入分项目列示如下表。" in lines
    assert AFTER[1] in lines


def test_pdf_without_tables_reads_as_before():
    pdf = table_pdf(BEFORE, "", [], [[]], after=AFTER)
    extracted = _read(pdf)
    assert extracted.tables == []


def test_row_answers_a_question_cited_by_table_row_and_page(tmp_path: Path):
    folder = tmp_path / "reports"
    folder.mkdir()
    pdf = table_pdf(
        ["某某市2025年财政预算执行情况的报告", *BEFORE],
        CAPTION,
        HEADER,
        [ROWS[:4], ROWS[4:]],
        repeat_header=True,
        after=AFTER,
    )
    (folder / "某某市2025年财政预算执行情况的报告.pdf").write_bytes(pdf)
    engine = Engine.open(
        load_settings(overrides={"corpus": str(folder), "cache_dir": str(tmp_path / "c"), "semantic": "off"})
    )
    assert [f.notes.tables for f in engine.report.files] == [1]
    answer = engine.answer("2025年房产税决算数是多少？")
    assert answer.answered
    first = answer.sentences[0]
    assert "193504" in first.text
    citation = first.citation
    assert citation.table == CAPTION and citation.row == 6 and citation.page == 2
    assert citation.section.endswith(CAPTION) and citation.label().endswith("第2页，第6行")
    assert engine.corpus.text(0)[citation.start : citation.end] == first.text
    source = answer.to_json()["sentences"][0]["source"]
    assert source["table"] == CAPTION and source["row"] == 6


def test_a_page_with_one_row_of_three_figures_is_laid_out_for_tables():
    from retrieval.ingest.formats.pdf_tables import looks_tabular

    assert looks_tabular(["表1 2021年分区常住人口", "福田 罗湖 盐田 南山", "156.23 114.82 21.54 181.41", "（万人）"])
    assert not looks_tabular(["全年生产总值14210亿元，增长6.1%。", "2021 2022"])


def test_a_numbered_line_under_a_wrapped_title_captions_the_table_with_the_title():
    title = ["2025年全市一般公共预算收入分地区", "决算表"]
    pdf = table_pdf([*BEFORE, *title], "表三 单位：万元", HEADER, [ROWS], after=AFTER)
    extracted = _read(pdf)
    (place,) = extracted.tables
    assert place.caption == "表三 2025年全市一般公共预算收入分地区决算表（单位：万元）"
    assert place.caption_at is not None
    assert extracted.text[place.caption_at[0] : place.caption_at[1]].split() == title


def test_a_merged_label_running_off_the_page_labels_the_rows_it_still_covers():
    from retrieval.ingest.formats.pdf_tables import carry_merged
    from retrieval.ingest.formats.tables import EMPTY, Cell

    parent, total = Cell("三、本年度办理结果"), Cell("合计")
    above = [[Cell("一、本年新收申请"), Cell("3001")], [parent, Cell("1288")], [parent, Cell("447")]]
    below = [
        [EMPTY, Cell("11")],
        [EMPTY, Cell("25")],
        [Cell("四、结转下年度继续办理"), Cell("103")],
        [EMPTY, Cell("7")],
    ]
    carried = carry_merged(above, below)
    assert [row[0] for row in carried] == [parent, parent, below[2][0], EMPTY]
    assert below[0][0] is EMPTY  # the continuation's own grid is left as it was
    # A label on the last row only (no merged cell running off the page) is not carried.
    ended = [[Cell("一、本年新收申请"), Cell("3001")], [total, Cell("3050")]]
    assert [row[0] for row in carry_merged(ended, below)] == [row[0] for row in below]


def test_a_table_going_on_in_rows_of_long_text_is_read_on_its_next_page():
    # The second page's rows hold sentences and few figures: that page alone does not look like
    # a table, yet its table goes on from the one that ran to the foot of the first page.
    header = ["项目名称", "评价资金", "实现情况", "分数", "定级", "主管部门"]
    first = [["总计", "515,023", "", "", "", ""], ["水管单位补助项目", "63,987", "完成计划", "93.37", "优", "水利厅"]]
    second = [
        ["企业科技创新后补助政策", "46,027", "补助1970家，满意度高。", "78.99", "中", "科技厅"],
        ["艺术发展推广项目", "4,040", "演出1600场，反响较好。", "84.62", "良", "文旅厅"],
    ]
    widths = [130.0, 50.0, 150.0, 40.0, 30.0, 50.0]
    pdf = table_pdf(BEFORE, "表三十三 重点绩效评价结果统计表", header, [first, second], widths=widths, after=AFTER)
    extracted = _read(pdf)
    lines = extracted.text.splitlines()
    assert (
        "企业科技创新后补助政策：评价资金46,027，实现情况为补助1970家，满意度高，分数78.99，定级为中，主管部门为科技厅。"
        in lines
    )
    assert len(extracted.tables) == 1 and len(extracted.tables[0].rows) == 4
    assert table_at(extracted.tables, extracted.text.index("艺术发展推广项目：")) == (
        "表三十三重点绩效评价结果统计表",
        4,
    )
