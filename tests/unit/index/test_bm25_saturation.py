"""BM25's saturated term frequency (retrieval/index/bm25.py saturated_tf): the one function behind
the index's postings and a candidate sentence's BM25 against the others."""

from __future__ import annotations

import numpy as np

from retrieval.index.bm25 import BM25Index, saturated_tf


def test_saturation_rises_with_frequency_and_falls_with_length():
    tf = np.array([[1.0], [2.0], [1.0]])
    length = np.array([4.0, 4.0, 8.0])
    w = saturated_tf(tf, length, 4.0, 1.2, 0.75)[:, 0]
    assert w[1] > w[0] > w[2]
    assert np.all(w < 1.2 + 1)  # bounded by k1 + 1
    assert np.allclose(saturated_tf(tf, length, 4.0, 1.2, 0.0)[:, 0][[0, 2]], 1.0)  # b = 0: no length


def test_the_index_weights_are_the_same_formula():
    chunks = [["学校", "学校", "教师"], ["学校"], ["教师", "学生", "学生", "学生"]]
    index = BM25Index.build(chunks, k1=1.5, b=0.75)
    length = np.array([len(c) for c in chunks], dtype=np.float64)
    tf = np.array([[c.count("学校")] for c in chunks], dtype=np.float64)
    expected = saturated_tf(tf, length, float(length.mean()), 1.5, 0.75)[:, 0] * index.idf_of("学校")
    scores = index.scores(["学校"])
    assert np.allclose(scores[:2], expected[:2]) and scores[2] == 0.0


def test_flat_postings_weigh_as_the_rows_they_come_from():
    tf = np.array([[2.0, 0.0], [1.0, 3.0], [0.0, 1.0]])
    length = np.array([5, 9, 2])
    rows, cols = np.nonzero(tf)
    flat = saturated_tf(tf[rows, cols], length, 16 / 3, 1.5, 0.75, rows=rows)
    assert flat.tolist() == saturated_tf(tf, length, 16 / 3, 1.5, 0.75)[rows, cols].tolist()
    # No token anywhere: the length plays no part (no division by a zero mean length).
    assert saturated_tf(np.array([1.0]), np.array([0]), 0.0, 1.5, 0.75, rows=np.array([0])).tolist() == [1.0]
