"""Table rows in the BM25 documents (retrieval/index/build.py): each term once per row."""

from __future__ import annotations

import numpy as np

from retrieval.index.build import distinct_in_rows, table_rows
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
