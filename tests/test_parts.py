"""Documents within a document: a gazette split at the titles its table of contents lists, a
file of several years split where its outline starts again under a head of its own year; a
report with contents of its own sections, or an outline restarting in one year, stays whole."""

from __future__ import annotations

from pathlib import Path

from retrieval.ingest.parts import contents_entries, split_documents
from tests.conftest import shown

GAZETTE = """某市人民政府公报
某市人民政府办公厅编 第 3 期 2026 年 4 月 13 日
目 录
〔市人大会议文件〕
某市第七届人民代表大会第七次会议关于某市人民政府
工作报告的决议…………………………………………………… （1）
政府工作报告……………………………………………… 某市市长 张三 （2）关于某市 2025 年预算执行情况和 2026 年预算草案的
报告………………………………………………… 某市财政局局长 李四 （19）
编辑室 地址：某市市民中心 C 区 4 楼
电话：88121016
某市第七届人民代表大会第七次会议
关于某市人民政府工作报告的决议
（2026 年 2 月 11 日通过）
会议同意政府工作报告。会议号召，全市人民要更加紧密地团结起来。
政府工作报告
——2026 年 2 月 9 日在某市第七届人民代表大会第七次会议上
某市市长 张三
各位代表：
一、2025 年主要工作
全市地区生产总值增长5.5%，会议审议通过了关于某市 2025 年预算执行情况和 2026 年预算草案的
报告。
二、2026 年工作安排
今年预期目标是增长5%左右。
关于某市 2025 年预算执行情况和 2026 年
预算草案的报告
一、2025 年预算执行情况
全市一般公共预算收入1000亿元。
"""

SERIES = """某市2024年国民经济和社会发展统计公报
某市统计局
2025年3月

2024年是实现“十四五”规划目标任务的关键一年，全市经济稳中有进。
一、综合
全年地区生产总值1000亿元。
二、农业
粮食产量100万吨。



某市统计局
2024年3月

2023年是全面贯彻党的二十大精神的开局之年，全市经济回升向好。
一、综合
全年地区生产总值950亿元。
二、农业
粮食产量98万吨。
"""

REPORT_WITH_CONTENTS = """某区司法局2026年部门预算
目 录
一、部门主要职能………………………… 1
二、部门机构设置………………………… 2
三、预算情况说明………………………… 3
一、部门主要职能
负责全区法治建设。
二、部门机构设置
内设科室8个。
三、预算情况说明
2026年预算总额1000万元。
其他相关情况说明
一、2026年“三公”经费预算情况说明
2026年“三公”经费预算数为10.81万元，比上年减少1万元。
"""


def test_contents_entries_are_read_across_wrapped_and_joined_lines():
    lines = GAZETTE.splitlines()
    entries, used = contents_entries(lines[2:])
    assert entries == ["某市第七届人民代表大会第七次会议关于某市人民政府工作报告的决议", "政府工作报告",
                       "关于某市2025年预算执行情况和2026年预算草案的报告"]
    assert lines[2 + used - 1].endswith("（19）")


def test_gazette_is_split_at_the_titles_of_its_contents():
    parts = split_documents(GAZETTE, "某市人民政府公报")
    assert [p.title for p in parts] == ["某市人民政府公报",
                                        "某市第七届人民代表大会第七次会议关于某市人民政府工作报告的决议",
                                        "政府工作报告", "关于某市2025年预算执行情况和2026年预算草案的报告"]
    starts = [GAZETTE[p.start:].splitlines()[0] for p in parts]
    assert starts == ["某市人民政府公报", "某市第七届人民代表大会第七次会议", "政府工作报告",
                      "关于某市 2025 年预算执行情况和 2026 年"]  # not the mention inside the report


def test_file_of_several_years_is_split_by_year_and_titled_like_its_first_part():
    parts = split_documents(SERIES, "汇总")
    assert len(parts) == 2 and parts[0].start == 0 and parts[0].title == ""
    assert SERIES[parts[1].start:].startswith("某市统计局\n2024年3月")
    assert parts[1].title == "某市2023年国民经济和社会发展统计公报"


def test_one_report_stays_whole():
    assert split_documents(REPORT_WITH_CONTENTS, "某区司法局2026年部门预算") == []
    same_year = SERIES.replace("2023年是全面贯彻", "2024年是全面贯彻")
    assert split_documents(same_year, "汇总") == []
    assert split_documents("一、综合\n正文。\n二、农业\n正文。\n", "报告") == []


def test_each_part_is_a_document_of_its_own_in_the_index(tmp_path):
    from config import load_settings
    from retrieval import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "某市2023~2024年统计公报汇总.txt").write_text(SERIES, encoding="utf-8")
    (corpus / "某市人民政府公报.txt").write_text(GAZETTE, encoding="utf-8")
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"),
                                        "workers": 1})
    engine = Engine.open(settings)
    docs = {(d.path, d.title): d for d in engine.corpus.docs}
    series = [d for (path, _), d in docs.items() if path.startswith("某市2023")]
    assert [(d.title, d.year) for d in series] == [("某市2024年国民经济和社会发展统计公报", 2024),
                                                   ("某市2023年国民经济和社会发展统计公报", 2023)]
    assert len({d.doc_id for d in engine.corpus.docs}) == len(engine.corpus.docs) == 6
    answer = engine.answer("某市2023年地区生产总值是多少？")
    assert answer.answered and "950亿元" in answer.sentences[0].text
    citation = answer.sentences[0].citation
    assert citation.title == "某市2023年国民经济和社会发展统计公报" and citation.path == "某市2023~2024年统计公报汇总.txt"
    text = engine.corpus.document(engine.corpus.doc_index(citation.doc_id)).text
    assert text[citation.start:citation.end] == answer.sentences[0].text
    assert engine.report.files[0].titles and {len(f.titles) for f in engine.report.files} == {2, 4}


def test_sentence_vectors_of_a_file_of_several_documents_are_aligned(tmp_path):
    import sys

    import numpy as np

    from config import load_settings
    from retrieval import Engine
    from retrieval.lang.text import clean_for_index

    sys.path.insert(0, str(Path(__file__).parent))
    from fake_embedder import FakeEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "汇总.txt").write_text(SERIES, encoding="utf-8")
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"),
                                        "semantic": "on", "workers": 1}, env={})
    for _ in range(2):  # built, then read back from the per-document cache
        engine = Engine.open(settings, embedder=FakeEmbedder())
        assert engine.semantic is not None and engine.semantic_status.state == "ready"
        c = engine.corpus
        texts = [clean_for_index(c.sentence_text(ch, s)) for ch in range(c.n_chunks) for s in c.sentence_range(ch)]
        assert len(c.docs) == 2 and engine.semantic.n == len(texts)
        last = engine.semantic.query(texts[-1])
        assert texts[engine.semantic.nearest(last, 1)[0][0]] == texts[-1]
        assert len({d.sha256 for d in c.docs}) == 2
        assert np.isfinite(engine.semantic.nearest(last, 3)[0][1])


def test_a_table_row_in_a_later_document_of_a_file_is_cited_by_its_table_and_row(tmp_path):
    """A file of several years read from .docx: the rows of a table in its second document
    are cited by that document's title, the table's caption and the row, at offsets into that
    document's own text."""
    import docx

    from config import load_settings
    from retrieval import Engine

    d = docx.Document()
    for line in SERIES.splitlines():
        d.add_paragraph(line)
        if line == "粮食产量98万吨。":
            d.add_paragraph("表1 2023年各级学校招生情况")
            t = d.add_table(rows=3, cols=2)
            for r, row in enumerate([("学校", "招生数（人）"), ("普通高中", "66953"), ("普通初中", "105332")]):
                for c, value in enumerate(row):
                    t.cell(r, c).text = value
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    d.save(corpus / "某市2023~2024年统计公报汇总.docx")
    engine = Engine.open(load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"),
                                                  "semantic": "off", "workers": 1}))
    assert [d.year for d in engine.corpus.docs] == [2024, 2023]
    # Which sentence is read and how it is cited (whether it comes as an answer is the decision's test).
    first = shown(engine.answer("某市2023年普通初中招生数是多少人？"))[0]
    assert "105332人" in first.text
    citation = first.citation
    assert citation.title == "某市2023年国民经济和社会发展统计公报"
    assert (citation.table, citation.row) == ("表1 2023年各级学校招生情况", 2)
    assert citation.label().endswith("表1 2023年各级学校招生情况，第2行")
    text = engine.corpus.document(engine.corpus.doc_index(citation.doc_id)).text
    assert text[citation.start:citation.end] == first.text
    [read] = engine.report.files
    assert (read.notes.tables, read.notes.table_rows, len(read.titles)) == (1, 2, 2)
