"""Table rows in the BM25 documents (retrieval/index/build.py): each term once per row, the
caption once per table."""

from __future__ import annotations

import numpy as np

from retrieval.index.build import caption_once, distinct_in_rows, table_rows
from retrieval.index.corpus import DocMeta


def _doc(tables: list[list]) -> DocMeta:
    return DocMeta("d", "d.pdf", "t", (), (), "", "0", tables=tables)


def test_table_rows_are_the_chunks_starting_where_a_row_does():
    docs = [_doc([["表1", 100, 200, [100, 150], None]]), _doc([]), _doc([["表2", 0, 50, [0], None]])]
    chunk_doc = np.array([0, 0, 0, 1, 2, 2])
    chunk_start = np.array([0, 100, 150, 100, 0, 60])
    assert table_rows(docs, chunk_doc, chunk_start).tolist() == [False, True, True, False, True, False]


def test_a_row_holds_each_term_once_and_a_paragraph_keeps_its_counts():
    tok = np.array([5, 7, 5, 5, 7, 9, 9], dtype=np.int32)
    chunk_of = np.array([0, 0, 0, 1, 1, 1, 1], dtype=np.int32)  # chunk 1 is a row: 5, 7, 9, 9
    out_tok, out_chunk = distinct_in_rows(tok, chunk_of, np.array([False, True]))
    pairs = sorted(zip(out_chunk.tolist(), out_tok.tolist()))
    assert pairs == [(0, 5), (0, 5), (0, 7), (1, 5), (1, 7), (1, 9)]
    same_tok, same_chunk = distinct_in_rows(tok, chunk_of, np.array([False, False]))
    assert same_tok is tok and same_chunk is chunk_of


def test_a_caption_counts_in_its_tables_first_row_only():
    # Chunks: a paragraph with a lead-in, two tables of three and two rows in document 0 (the
    # second after a paragraph), and a table in document 1 whose caption starts at the same offset.
    rows = np.array([False, True, True, True, False, True, True, True, False])
    chunk_doc = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1])
    lead_start = np.array([5, 40, 40, 40, -1, 300, 300, 40, -1])
    keep = caption_once(rows, chunk_doc, lead_start)
    assert keep.tolist() == [True, True, False, False, True, True, False, True, True]
    assert caption_once(np.zeros(2, dtype=bool), np.zeros(2, dtype=int), np.array([3, -1])).all()


def test_a_caption_counts_once_in_the_bm25_documents():
    """The caption's words are as rare as one paragraph, not as common as the table has rows."""
    from retrieval.index.build import _bm25

    vocab = {"表": 0, "房产税": 1, "印花税": 2, "资源税": 3}
    tables = {
        "tok": np.array([1, 2, 3], dtype=np.int32),  # one term a row
        "lead_tok": np.array([0, 0, 0], dtype=np.int32),  # every row's lead-in: the caption
        "sent_ptr": np.array([0, 1, 2, 3]),
        "tok_ptr": np.array([0, 1, 2, 3]),
        "lead_ptr": np.array([0, 1, 2, 3]),
        "chunk_doc": np.zeros(3, dtype=np.int32),
        "lead_start": np.array([7, 7, 7]),
    }
    bm25 = _bm25(vocab, tables, {"k1": 1.5, "b": 0.75, "epsilon": 0.25}, np.ones(3, dtype=bool))
    assert bm25.scores(["表"]).tolist()[1:] == [0.0, 0.0] and bm25.scores(["表"])[0] > 0
    assert bm25.doc_len.tolist() == [2, 1, 1]
