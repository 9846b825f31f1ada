"""The approximate nearest-sentence index (retrieval/index/ann.py) against exact search, its
updates as the corpus changes, and identical vectors stored once."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.ann import AnnIndex, row_keys
from retrieval.index.vectors import exact_top

pytestmark = pytest.mark.timeout(120)


def _vectors(n: int, dim: int = 32, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, dim))
    m = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, dim))
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float16)


def _recall(ann: AnnIndex, matrix: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    """Share of the true k nearest reached: a sentence found counts when its cosine is at least
    the k-th true one (equal vectors are equally right)."""
    hits = 0
    wide = np.asarray(matrix, dtype=np.float32)
    for q in queries:
        _truth, cos = exact_top(matrix, q, k)
        found = ann.search(q, k)
        got = np.sort(wide[found] @ q)[::-1][:k]
        hits += int((got >= cos.min() - 1e-5).sum())
    return hits / (k * len(queries))


def test_recall_at_10_against_exact_search(tmp_path):
    matrix = _vectors(6000)
    ann = AnnIndex.open(tmp_path, "k", matrix)
    queries = np.asarray(matrix[::300], dtype=np.float32) + 0.05
    assert _recall(ann, matrix, queries) >= 0.9
    assert ann.size == 6000


def test_repeated_vectors_are_stored_once_and_all_found(tmp_path):
    distinct = _vectors(3000)
    rng = np.random.default_rng(5)
    matrix = distinct[rng.integers(0, 3000, 30000)]  # each vector about ten times
    ann = AnnIndex.open(tmp_path, "k", matrix)
    assert ann.size == len({row.tobytes() for row in matrix})
    queries = np.asarray(matrix[::1500], dtype=np.float32) + 0.05
    assert _recall(ann, matrix, queries) >= 0.9
    i = 777
    found = ann.search(np.asarray(matrix[i], dtype=np.float32), 10)
    same = np.flatnonzero((matrix == matrix[i]).all(axis=1))
    assert set(same[:10].tolist()) <= set(found.tolist())  # its copies, lowest ids first


def test_adding_and_removing_a_file_touches_only_its_vectors(tmp_path):
    matrix = _vectors(5000)
    first = AnnIndex.open(tmp_path, "k", matrix)
    assert first.size == 5000
    # a file of 700 sentences is added before the others: every global sentence id moves
    grown = np.concatenate([_vectors(700, seed=9), matrix])
    ann = AnnIndex.open(tmp_path, "k", grown)
    assert ann.size == 5700
    q = np.asarray(grown[4321], dtype=np.float32)
    assert 4321 in ann.search(q, 5).tolist()  # the moved id is found under its new number
    q = np.asarray(grown[123], dtype=np.float32)
    assert 123 in ann.search(q, 5).tolist()  # a sentence of the new file
    # 2,000 sentences removed: never returned, the later ids move back
    shrunk = np.concatenate([grown[:700], grown[2700:]])
    ann = AnnIndex.open(tmp_path, "k", shrunk)
    q = np.asarray(shrunk[1500], dtype=np.float32)
    found = ann.search(q, 10)
    assert 1500 in found.tolist() and found.max() < 3700
    removed = np.asarray(grown[1000], dtype=np.float32)
    found = ann.search(removed, 10)
    assert (np.asarray(shrunk[found], dtype=np.float32) @ removed).max() < 0.99  # its own vector is gone


def test_a_damaged_state_builds_the_graph_again(tmp_path):
    # One build thread: a graph built by several threads differs from run to run, and now and
    # then misses a vector's own entry among its three nearest.
    matrix = _vectors(1000)
    AnnIndex.open(tmp_path, "k", matrix, threads=1)
    (tmp_path / "ann-k.json").write_text("{not json", encoding="utf-8")
    ann = AnnIndex.open(tmp_path, "k", matrix, threads=1)
    assert ann.size == 1000
    q = np.asarray(matrix[10], dtype=np.float32)
    assert 10 in ann.search(q, 3).tolist()


def test_sentences_without_a_vector_are_left_out(tmp_path):
    matrix = _vectors(500)
    matrix[:100] = 0
    ann = AnnIndex.open(tmp_path, "k", matrix)
    found = ann.search(np.asarray(matrix[200], dtype=np.float32), 50)
    assert found.min() >= 100


def test_row_keys_tell_rows_apart_and_match_copies():
    matrix = _vectors(4000)
    keys = row_keys(matrix)
    assert len(set(keys.tolist())) == 4000
    assert (row_keys(matrix[::-1]) == keys[::-1]).all()
    matrix[7] = 0
    assert row_keys(matrix)[7] == 0


def test_the_sentence_keys_are_cached_beside_the_matrix(tmp_path):
    matrix = _vectors(2000)
    cache = tmp_path / "m.hash.npy"
    a = AnnIndex.open(tmp_path, "k", matrix, keys_cache=cache)
    assert cache.exists()
    b = AnnIndex.open(tmp_path, "k", matrix, keys_cache=cache)
    q = np.asarray(matrix[50], dtype=np.float32)
    assert a.search(q, 10).tolist() == b.search(q, 10).tolist()


def test_rows_read_from_the_file_equal_the_mapped_rows(tmp_path):
    from retrieval.index.vectors import RowReader

    matrix = _vectors(3000)
    path = tmp_path / "m.npy"
    np.save(path, matrix)
    reader = RowReader(path, matrix.dtype, matrix.shape)
    ids = np.array([5, 6, 7, 2999, 0, 6, 1500, 1501], dtype=np.int64)  # runs, repeats, both ends
    assert np.array_equal(reader.rows(ids), matrix[ids])
    assert reader.rows(np.zeros(0, dtype=np.int64)).shape == (0, 32)
    with pytest.raises(IndexError):
        reader.rows(np.array([3000]))


def test_nearest_and_cosines_read_from_the_file_equal_the_mapped_ones(tmp_path):
    from types import SimpleNamespace

    from retrieval.index.vectors import SentenceVectors

    matrix = _vectors(6000)
    path = tmp_path / "m.npy"
    np.save(path, matrix)
    mapped = np.load(path, mmap_mode="r")
    ann = AnnIndex.open(tmp_path, "k", mapped)
    embedder = SimpleNamespace(dim=32, calibration=(1.0, 0.0))
    by_map = SentenceVectors(mapped, embedder, ann=ann)
    by_file = SentenceVectors(mapped, embedder, ann=ann, rows_file=path)
    for q in np.asarray(matrix[::500], dtype=np.float32) + 0.03:
        assert by_file.nearest(q, 10) == by_map.nearest(q, 10)
        ids = [3, 4, 5999, 100]
        assert np.array_equal(by_file.cosines(q, ids), by_map.cosines(q, ids))
