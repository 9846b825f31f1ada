"""Which table a row belongs to: a report whose name holds both 全市 and 市级 has a 全市 table and a
市级 table with the same rows; a question naming one of them reaches that table's row."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine

ROWS = [("一般公共服务支出", "50.11", "9.07"), ("教育支出", "92.45", "16.72"), ("农林水支出", "101.79", "6.72")]


def _docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("关于某某市2025年预算执行情况与2026年全市及市级预算草案的报告")
    d.add_paragraph("各位代表：现将某某市2025年预算执行情况报告如下，请予审议。")
    for scope, col in (("市级", 2), ("全市", 1)):
        d.add_paragraph(f"2025年{scope}一般公共预算支出表（单位：亿元）")
        table = d.add_table(rows=len(ROWS) + 1, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "项目", "2025年预计数"
        for i, row in enumerate(ROWS, 1):
            table.cell(i, 0).text, table.cell(i, 1).text = row[0], row[col]
        d.add_paragraph("以上数据为快报数，最终以决算为准。")
    d.save(str(path))


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    folder = tmp_path_factory.mktemp("reports")
    _docx(folder / "某某市2025年预算执行情况与2026年预算草案的报告.docx")
    cache = tmp_path_factory.mktemp("cache")
    return Engine.open(load_settings(overrides={"corpus": str(folder), "cache_dir": str(cache), "semantic": "off"}))


def _first(engine: Engine, question: str) -> str:
    answer = engine.answer(question)
    return (answer.sentences or answer.closest)[0].text


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("某某市全市2025年农林水支出预计多少亿元？", "101.79"),
        ("某某市市级2025年农林水支出预计多少亿元？", "6.72"),
        ("某某市全市教育支出2025年预计多少？", "92.45"),
        ("某某市市级教育支出2025年预计多少？", "16.72"),
    ],
)
def test_the_table_the_question_names_gives_the_row(engine: Engine, question: str, value: str):
    assert value in _first(engine, question)


def test_a_parallel_caption_is_the_same_with_one_word_in_place_of_another():
    from retrieval.answer.candidates import _in_place_of

    assert _in_place_of("全市", "2025年全市一般公共预算收支总表", "2025年市级一般公共预算收支总表")
    assert _in_place_of("全区", "2024年全区社会保险基金支出决算表", "2024年自治区本级社会保险基金支出决算表")
    # A table of another kind, or of another year as well, is no parallel of it.
    assert not _in_place_of("全市", "2025年全市一般公共预算收支总表", "2025年政府性基金预算收支总表")
    assert not _in_place_of("全市", "2026年全市一般公共预算收支草案", "2025年市级一般公共预算收支总表")
