"""The approximate nearest-sentence index (retrieval/ann.py) against exact search, and its
updates file by file."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.ann import AnnIndex
from retrieval.index.vectors import exact_top

pytestmark = pytest.mark.timeout(120)


def _vectors(n: int, dim: int = 32, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, dim))
    m = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, dim))
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float16)


def _docs(sizes: list[int], names: list[str] | None = None):
    out, lo = [], 0
    for i, n in enumerate(sizes):
        name = names[i] if names else f"f{i}.txt"
        out.append((name, f"sha-{name}", lo, lo + n))
        lo += n
    return out


def _recall(ann: AnnIndex, matrix: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    hits = 0
    for q in queries:
        truth, _ = exact_top(matrix, q, k)
        hits += len(set(ann.search(q, k).tolist()) & set(truth.tolist()))
    return hits / (k * len(queries))


def test_recall_at_10_against_exact_search(tmp_path):
    matrix = _vectors(6000)
    ann = AnnIndex.open(tmp_path, "k", _docs([2000, 3000, 1000]), matrix)
    queries = np.asarray(matrix[::300], dtype=np.float32) + 0.05
    assert _recall(ann, matrix, queries) >= 0.9
    assert ann.size == 6000


def test_adding_and_removing_a_file_touches_only_its_keys(tmp_path):
    matrix = _vectors(5000)
    first = AnnIndex.open(tmp_path, "k", _docs([2000, 3000], ["b.txt", "c.txt"]), matrix)
    assert first.size == 5000
    # a.txt is added before the others: every global sentence id moves by its 700 sentences
    grown = np.concatenate([_vectors(700, seed=9), matrix])
    ann = AnnIndex.open(tmp_path, "k", _docs([700, 2000, 3000], ["a.txt", "b.txt", "c.txt"]), grown)
    assert ann.size == 5700
    q = np.asarray(grown[4321], dtype=np.float32)
    assert 4321 in ann.search(q, 5).tolist()  # the moved id is found under its new number
    q = np.asarray(grown[123], dtype=np.float32)
    assert 123 in ann.search(q, 5).tolist()  # a sentence of the new file
    # b.txt removed: its sentences are never returned, c.txt's ids move back
    shrunk = np.concatenate([grown[:700], grown[2700:]])
    ann = AnnIndex.open(tmp_path, "k", _docs([700, 3000], ["a.txt", "c.txt"]), shrunk)
    q = np.asarray(shrunk[1500], dtype=np.float32)
    found = ann.search(q, 10)
    assert 1500 in found.tolist() and found.max() < 3700


def test_a_damaged_state_builds_the_graph_again(tmp_path):
    matrix = _vectors(1000)
    AnnIndex.open(tmp_path, "k", _docs([1000]), matrix)
    (tmp_path / "ann-k.json").write_text("{not json", encoding="utf-8")
    ann = AnnIndex.open(tmp_path, "k", _docs([1000]), matrix)
    assert ann.size == 1000
    q = np.asarray(matrix[10], dtype=np.float32)
    assert 10 in ann.search(q, 3).tolist()


def test_sentences_without_a_vector_are_left_out(tmp_path):
    matrix = _vectors(500)
    matrix[:100] = 0
    ann = AnnIndex.open(tmp_path, "k", _docs([500]), matrix)
    found = ann.search(np.asarray(matrix[200], dtype=np.float32), 50)
    assert found.min() >= 100
