"""A table row's sentence read back into its parts (retrieval/answer/rows.py)."""

from __future__ import annotations

from retrieval.answer.rows import asked_cell, bare_figure, row_focus, row_parts
from retrieval.lang.text import normalize


def test_row_parts_split_label_and_cells_keeping_figures_and_lists_whole():
    row = normalize(
        "212 01 04 城管执法：收入预算 合计6,522,681元，收入预算 财政拨款收入6,522,681元，收入预算 事业收入0元。"
    )
    assert row_parts(row) == (
        "212 01 04 城管执法",
        ["收入预算 合计6,522,681元", "收入预算 财政拨款收入6,522,681元", "收入预算 事业收入0元"],
    )
    majors = normalize("10.音乐教师：研究生专业为1302音乐与舞蹈学，130301戏剧戏曲学，本科专业为040105艺术教育。")
    label, cells = row_parts(majors)
    assert label == "10.音乐教师"
    assert cells == ["研究生专业为1302音乐与舞蹈学,130301戏剧戏曲学", "本科专业为040105艺术教育"]
    assert row_parts("自然人34,商业企业0。") == ("", ["自然人34", "商业企业0"])


def test_the_asked_cell_holds_the_question_terms_else_the_first_cell():
    cells = ["研究生专业为07理学", "本科专业为040102科学教育", "专科专业为670119k科学教育"]
    assert asked_cell(cells, [("专科", 3.0), ("专业", 1.0)]) == "专科专业为670119k科学教育"
    assert asked_cell(cells, [("天气", 3.0)]) == "研究生专业为07理学"
    assert asked_cell([], [("专科", 3.0)]) == ""


def test_row_focus_weighs_the_label_and_the_asked_cell_only():
    row = normalize(
        "(五)不予处理 2.重复申请：申请人情况 自然人25，申请人情况 法人或其他组织 商业企业0，申请人情况 总计25。"
    )
    length, cell, crossed = row_focus(row, [("重复", 7.0), ("总计", 2.0)])
    assert cell == "申请人情况 总计25" and crossed  # 重复 names the row, 总计 the column
    assert length == len("(五)不予处理 2.重复申请") + len(cell) < len(row)


def test_a_row_is_crossed_only_when_the_question_names_its_row_and_a_column():
    row = normalize("13.科学教师：研究生专业为07理学，本科专业为040102科学教育，专科专业为670119K科学教育。")
    terms = [("科学", 3.0), ("教师", 1.0), ("专科", 3.0), ("专业", 1.0)]
    assert row_focus(row, terms)[2]
    assert not row_focus(row, [("专科", 3.0), ("专业", 1.0)])[2]  # a column only: every row has it
    assert not row_focus(row, [("科学", 3.0), ("教师", 1.0)])[2]  # the row's own words in its cells


def test_bare_figure_is_a_figure_printed_without_its_unit():
    assert bare_figure("申请人情况 总计454") and bare_figure("合计1,143,816") and bare_figure("决算数262.33")
    assert not bare_figure("合计6,522,681元") and not bare_figure("专科专业为670119k科学教育")
    assert not bare_figure("比上年增长9.1%")  # a share is a unit of its own


def test_a_word_inside_a_longer_row_name_does_not_name_the_row():
    from retrieval.answer.rows import label_share

    assert label_share("208 05 99 其他行政事业单位养老支出", {"其他"}) < 0.3
    assert label_share("八、其他收入", {"其他", "收入"}) == 1.0
    # The row's own name is the label's last part; a parent's label and a remark do not count.
    assert label_share("三、本年度办理结果 （二）部分公开（区分处理的，只计这一情形）", {"部分公开"}) == 1.0
    row = "208 05 99 其他行政事业单位养老支出:本年收入合计0.94万元,财政拨款收入0.94万元。"
    terms = [("其他", 2.0), ("收入", 2.0)]
    assert row_focus(row, terms)[2]  # no share asked: 其他 in the label, 收入 in the cell
    assert not row_focus(row, terms, 0.3)[2]
    assert row_focus("八、其他收入:收入 决算数6.20万元。", [("其他", 2.0), ("收入", 2.0), ("决算数", 1.0)], 0.3)[2]


def test_a_column_holding_an_asked_word_in_another_compound_is_not_the_asked_column():
    from retrieval.answer.rows import qualified_away

    terms = [("南山", 7.0), ("山区", 6.0), ("南山区", 7.0), ("常住", 5.0), ("人口", 4.0), ("常住人口", 5.0)]
    # 常住人口 asked: the district's row whose cells are 户籍人口 is not crossed ...
    assert not row_focus(normalize("南山区：户籍人口122.12万人，男性62.50万人。"), terms)[2]
    # ... the 常住人口 row is, at the column 南山 (南山区 written short).
    _, cell, crossed = row_focus(normalize("常住人口：福田156.23万人，南山181.41万人。"), terms)
    assert crossed and cell == "南山181.41万人"
    words = {t for t, _ in terms}
    assert qualified_away("人口", "户籍人口122.12万人", words)
    assert not qualified_away("人口", "常住人口1761.48万人", words)
    assert not qualified_away("南山", "南山181.41万人", words)  # 区 is no word of the question


def test_a_unit_after_a_figure_does_not_name_a_column():
    from retrieval.answer.rows import names_column

    assert not names_column("万人", "户籍人口122.12万人")
    assert names_column("万人", "万人次12") and names_column("人口", "户籍人口122.12万人")
    terms = [("户籍", 5.0), ("万人", 3.0), ("南山区", 7.0)]
    assert not row_focus(normalize("南山区：常住人口181.41万人。"), terms)[2]  # 多少万人 asks the unit
    assert row_focus(normalize("南山区：户籍人口122.12万人。"), terms)[2]


def test_words_naming_the_report_count_for_the_rows_label_but_not_its_column():
    row = normalize("一、本年新收政府信息公开申请数量：申请人情况 自然人3001，申请人情况 总计3119。")
    terms = [("自然人", 6.0), ("申请", 5.0)]  # 政府, 信息, 公开 name the report: held by every sentence
    assert not row_focus(row, terms, 0.3)[2]  # 申请 alone covers too little of the row's name
    assert row_focus(row, terms, 0.3, naming=("政府", "信息", "公开"))[2]
    # A word naming the report is never the column: 公开 in a cell does not cross the row.
    assert not row_focus(normalize("申请：予以公开12。"), [("申请", 5.0)], 0.3, naming=("公开",))[2]
