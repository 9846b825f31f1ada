"""Sentence vectors at answer time: the corpus-wide matrix, nearest-sentence search by cosine
(exact, or through an approximate index on large corpora), and which representation is used:
the full model's sentence vectors, static word vectors distilled from it, or none.

:class:`SentenceVectors` is the corpus-wide matrix aligned with the index's global sentence
ids (``CorpusIndex.sentence_range``, tables ``sent_start``/``sent_end``): row ``i`` is the
vector of sentence ``i``. It is computed and cached by :mod:`retrieval.index.embedding`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..lang.text import normalize
from .corpus import CorpusIndex

if TYPE_CHECKING:
    from .embedder import Embedder

__all__ = [
    "EXACT_MAX",
    "FULL",
    "HYBRID",
    "OFF",
    "STATIC",
    "SemanticStatus",
    "SentenceVectors",
    "decide",
    "exact_top",
    "sentence_chunks",
]


@dataclass
class SemanticStatus:
    """Whether semantic matching is used for this index, why, and how far its vectors are."""

    setting: str  # the `semantic` setting: auto | on | static | off
    embedder: str  # the `embedder` setting
    enabled: bool
    reason: str  # for users, in Chinese
    sentences: int
    representation: str = "off"  # full | hybrid | static | off (see decide, retrieval/index/hybrid.py)
    state: str = "off"  # off | pending | building | ready | failed
    embedded: int = 0  # sentences embedded by this build (the rest came from the cache)
    reused_files: int = 0
    seconds: float = 0.0
    error: str = ""
    model_sentences: int = 0  # hybrid: sentences with the model's vectors (the rest static)


# CPU seconds the full model takes per sentence of these reports, a whole build included
# (benchmarks/README.md: 66-77 ms measured on the 2-core machine); the estimate for `auto`.
FULL_CPU_PER_SENTENCE = 0.075
FULL, HYBRID, STATIC, OFF = "full", "hybrid", "static", "off"


def decide(
    setting: str,
    embedder: str,
    sentences: int,
    pending: int | None = None,
    budget_seconds: float = 600.0,
    cores: int = 1,
) -> tuple[str, str]:
    """(representation, why in Chinese) for an index of ``sentences`` sentences, ``pending`` of
    which have no full-model vectors cached yet: ``full`` (the model's sentence vectors),
    ``static`` (word vectors distilled from it) or ``off``. ``auto`` is never ``off``: it takes
    the full vectors when their estimated build fits ``budget_seconds``, else the static ones."""
    if setting == "off":
        return OFF, "设置 semantic = off，语义匹配已关闭，只用 BM25 检索"
    if embedder == "none":
        return OFF, "设置 embedder = none，语义匹配已关闭，只用 BM25 检索"
    if setting == "on":
        return FULL, f"设置 semantic = on，为全部 {sentences} 个句子计算完整模型的句子向量"
    if setting == "static":
        return STATIC, f"设置 semantic = static，{sentences} 个句子用静态词向量（由语义模型蒸馏）"
    pending = sentences if pending is None else pending
    estimate = pending * FULL_CPU_PER_SENTENCE / max(1, cores)
    head = (
        f"设置 semantic = auto：语料有 {sentences} 个句子，{pending} 个需要新计算句子向量，"
        f"按每句约 {FULL_CPU_PER_SENTENCE * 1000:.0f} 毫秒 CPU、{max(1, cores)} 核估计约 {duration(estimate)}"
    )
    if estimate <= budget_seconds:
        return FULL, f"{head}，不超过 semantic_budget_seconds（{duration(budget_seconds)}），用完整模型的句子向量"
    return STATIC, (
        f"{head}，超过 semantic_budget_seconds（{duration(budget_seconds)}），"
        "改用静态词向量（由同一模型蒸馏，不运行模型）；需要完整向量时可设 semantic = on "
        "或调高 semantic_budget_seconds"
    )


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} 秒"
    if seconds < 5400:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


# Exact search reads this many rows at a time (float16 rows are widened block by block).
_BLOCK = 65_536
# Up to this many sentences, exact search (float32 in memory); above, an approximate index
# (retrieval/ann.py) when it is installed (benchmarks/README.md, "Nearest-sentence search").
EXACT_MAX = 200_000


class SentenceVectors:
    """Vectors of every sentence of an index (unit length, float32 or float16, usually
    memory-mapped), and nearest-sentence search over them: exact, or through an approximate
    index (``ann``, :mod:`retrieval.ann`) on large corpora. ``calibration`` (slope, intercept)
    maps a cosine to the full model's scale (static vectors; the answer policy's centre is set
    on full vectors)."""

    def __init__(
        self,
        matrix: np.ndarray,
        embedder: Embedder,
        calibration: tuple[float, float] | None = None,
        ann=None,
        rows_file: Path | None = None,
    ):
        if matrix.ndim != 2 or matrix.shape[1] != embedder.dim or matrix.dtype not in (np.float32, np.float16):
            raise ValueError("sentence vectors have the wrong shape or type")
        self.matrix = matrix
        self.embedder = embedder
        self.calibration: tuple[float, float] = (
            calibration if calibration is not None else getattr(embedder, "calibration", (1.0, 0.0))
        )
        self.ann = ann
        # Exact search widens float16 rows to float32 once, here (numpy has no fast float16
        # product): at most EXACT_MAX rows, above which an approximate index searches instead.
        self._wide = (
            np.asarray(matrix, dtype=np.float32)
            if ann is None and matrix.dtype != np.float32 and matrix.shape[0] <= EXACT_MAX
            else None
        )
        # With ``rows_file`` (the .npy file of ``matrix``), rows are read from the file rather
        # than through the memory map: a few hundred scattered rows a question would otherwise
        # map the pages around them too, and a long-running process would come to hold most of
        # a large matrix (1.9 of 2.1 GB after 200 questions at 1,000,000 chunks).
        self._reader = RowReader(rows_file, matrix.dtype, matrix.shape) if rows_file is not None else None

    @property
    def n(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def query(self, text: str) -> np.ndarray:
        """The vector of a question, normalised the way the sentences were (cached per text)."""
        return self.embedder.query(normalize(text))

    def _vec(self, query_vec: np.ndarray) -> np.ndarray:
        q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query vector has {q.shape[0]} dimensions, expected {self.dim}")
        return q

    def _scale(self, cos: np.ndarray) -> np.ndarray:
        slope, intercept = self.calibration
        if slope == 1.0 and intercept == 0.0:
            return cos
        return np.where(cos != 0, cos * np.float32(slope) + np.float32(intercept), 0).astype(np.float32)

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        if self._reader is not None:
            return self._reader.rows(np.asarray(ids, dtype=np.int64)).astype(np.float32)
        return np.asarray(self.matrix[ids], dtype=np.float32)

    def nearest(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` sentences nearest ``query_vec``: (sentence id, cosine), best first
        (ties by lower id)."""
        q = self._vec(query_vec)
        k = min(int(k), self.n)
        if k <= 0:
            return []
        if self.ann is not None:
            top = self.ann.search(q, k)
            scores = self._rows(top) @ q  # exact cosines of the candidates the index found
        else:
            top, scores = exact_top(self.matrix if self._wide is None else self._wide, q, k)
        order = np.lexsort((top, -scores))[:k]  # the index may find more sentences (equal vectors)
        top, scores = top[order], self._scale(scores[order])
        return [(int(i), float(s)) for i, s in zip(top, scores)]

    def cosines(self, query_vec: np.ndarray, sentence_ids: Iterable[int]) -> np.ndarray:
        """Cosine of ``query_vec`` with each of ``sentence_ids`` (float32, in that order)."""
        q = self._vec(query_vec)
        ids = np.fromiter((int(i) for i in sentence_ids), dtype=np.int64)
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= self.n):
            raise IndexError("sentence id out of range")
        return self._scale(self._rows(ids) @ q)


class RowReader:
    """Rows of a stored .npy matrix read with ``pread``, runs of consecutive rows at once."""

    def __init__(self, path: Path, dtype: np.dtype, shape: tuple[int, int]):
        self._file = open(path, "rb")  # noqa: SIM115 (held open for the reader's life)
        self._dtype, self._dim = np.dtype(dtype), shape[1]
        self._row_bytes = self._dtype.itemsize * shape[1]
        # An .npy file is a header, then the data to its end.
        self._offset = os.fstat(self._file.fileno()).st_size - shape[0] * self._row_bytes
        if self._offset < 0:
            raise ValueError("sentence vectors file is truncated")

    def rows(self, ids: np.ndarray) -> np.ndarray:
        out = np.empty((ids.shape[0], self._dim), dtype=self._dtype)
        if not ids.shape[0]:
            return out
        order = np.argsort(ids, kind="stable")
        ordered = ids[order]
        cuts = (np.flatnonzero(np.diff(ordered) != 1) + 1).tolist()
        got = np.empty_like(out)
        fd = self._file.fileno()
        for a, b in zip([0, *cuts], [*cuts, ordered.shape[0]]):
            data = os.pread(fd, (b - a) * self._row_bytes, self._offset + int(ordered[a]) * self._row_bytes)
            if len(data) != (b - a) * self._row_bytes:
                raise IndexError("sentence id out of range")
            got[a:b] = np.frombuffer(data, dtype=self._dtype).reshape(b - a, self._dim)
        out[order] = got
        return out


def exact_top(matrix: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, dot products) of the ``k`` rows of ``matrix`` with the largest dot product with
    ``q``, unordered; float16 rows are widened a block at a time."""
    n = matrix.shape[0]
    if matrix.dtype == np.float32 and n <= 4 * _BLOCK:
        scores = matrix @ q
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        return top.astype(np.int64), scores[top]
    ids, vals = [], []
    for a in range(0, n, _BLOCK):
        s = np.asarray(matrix[a : a + _BLOCK], dtype=np.float32) @ q
        top = np.argpartition(-s, k - 1)[:k] if k < s.shape[0] else np.arange(s.shape[0])
        ids.append(top + a)
        vals.append(s[top])
    ids_a, vals_a = np.concatenate(ids).astype(np.int64), np.concatenate(vals)
    keep = np.argpartition(-vals_a, k - 1)[:k] if k < vals_a.shape[0] else np.arange(vals_a.shape[0])
    return ids_a[keep], vals_a[keep]


def sentence_chunks(corpus: CorpusIndex, sentence_ids: Sequence[int]) -> np.ndarray:
    """The chunk of each global sentence id (int64), for citing a nearest sentence."""
    ids = np.asarray(sentence_ids, dtype=np.int64)
    return np.searchsorted(corpus.tables["sent_ptr"], ids, side="right").astype(np.int64) - 1
