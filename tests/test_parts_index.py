"""Documents within a document, in the index: each part of a gazette or of a file of several
years is a document of its own, cited by its own title (the splitting itself is unit-tested in
tests/unit/ingest/test_parts.py)."""

from __future__ import annotations

from tests.conftest import shown
from tests.unit.ingest.test_parts import GAZETTE, SERIES


def test_each_part_is_a_document_of_its_own_in_the_index(tmp_path):
    from config import load_settings
    from retrieval import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "某市2023~2024年统计公报汇总.txt").write_text(SERIES, encoding="utf-8")
    (corpus / "某市人民政府公报.txt").write_text(GAZETTE, encoding="utf-8")
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "workers": 1})
    engine = Engine.open(settings)
    docs = {(d.path, d.title): d for d in engine.corpus.docs}
    series = [d for (path, _), d in docs.items() if path.startswith("某市2023")]
    assert [(d.title, d.year) for d in series] == [
        ("某市2024年国民经济和社会发展统计公报", 2024),
        ("某市2023年国民经济和社会发展统计公报", 2023),
    ]
    assert len({d.doc_id for d in engine.corpus.docs}) == len(engine.corpus.docs) == 6
    answer = engine.answer("某市2023年地区生产总值是多少？")
    first = shown(answer)[0]  # whether it comes as an answer is the decision's test
    assert "950亿元" in first.text
    citation = first.citation
    assert (
        citation.title == "某市2023年国民经济和社会发展统计公报" and citation.path == "某市2023~2024年统计公报汇总.txt"
    )
    text = engine.corpus.document(engine.corpus.doc_index(citation.doc_id)).text
    assert text[citation.start : citation.end] == first.text
    assert engine.report.files[0].titles and {len(f.titles) for f in engine.report.files} == {2, 4}


def test_sentence_vectors_of_a_file_of_several_documents_are_aligned(tmp_path):
    import numpy as np

    from config import load_settings
    from retrieval import Engine
    from retrieval.lang.text import clean_for_index
    from tests.fake_embedder import FakeEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "汇总.txt").write_text(SERIES, encoding="utf-8")
    settings = load_settings(
        overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "semantic": "on", "workers": 1}, env={}
    )
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
    engine = Engine.open(
        load_settings(
            overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "semantic": "off", "workers": 1}
        )
    )
    assert [d.year for d in engine.corpus.docs] == [2024, 2023]
    # Which sentence is read and how it is cited (whether it comes as an answer is the decision's test).
    first = shown(engine.answer("某市2023年普通初中招生数是多少人？"))[0]
    assert "105332人" in first.text
    citation = first.citation
    assert citation.title == "某市2023年国民经济和社会发展统计公报"
    assert (citation.table, citation.row) == ("表1 2023年各级学校招生情况", 2)
    assert citation.label().endswith("表1 2023年各级学校招生情况，第2行")
    text = engine.corpus.document(engine.corpus.doc_index(citation.doc_id)).text
    assert text[citation.start : citation.end] == first.text
    [read] = engine.report.files
    assert (read.notes.tables, read.notes.table_rows, len(read.titles)) == (1, 2, 2)
