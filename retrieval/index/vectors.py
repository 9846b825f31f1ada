"""Sentence vectors at answer time: the corpus-wide matrix, nearest-sentence search by cosine,
and whether semantic matching is used at all.

:class:`SentenceVectors` is the corpus-wide matrix aligned with the index's global sentence
ids (``CorpusIndex.sentence_range``, tables ``sent_start``/``sent_end``): row ``i`` is the
vector of sentence ``i``. It is computed and cached by :mod:`retrieval.index.embedding`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from ..lang.text import normalize
from .corpus import CorpusIndex

if TYPE_CHECKING:
    from .embedder import Embedder

__all__ = ["SentenceVectors", "SemanticStatus", "decide", "sentence_chunks"]


@dataclass
class SemanticStatus:
    """Whether semantic matching is used for this index, why, and how far its vectors are."""

    setting: str  # the `semantic` setting: auto | on | off
    embedder: str  # the `embedder` setting
    enabled: bool
    reason: str  # for users, in Chinese
    sentences: int
    state: str = "off"  # off | pending | building | ready | failed
    embedded: int = 0  # sentences embedded by this build (the rest came from the cache)
    reused_files: int = 0
    seconds: float = 0.0
    error: str = ""


def decide(setting: str, embedder: str, sentences: int, auto_limit: int) -> tuple[bool, str]:
    """(use semantic matching?, why, in Chinese) for an index of ``sentences`` sentences."""
    if embedder == "none":
        return False, "设置 embedder = none，语义匹配已关闭，只用 BM25 检索"
    if setting == "off":
        return False, "设置 semantic = off，语义匹配已关闭，只用 BM25 检索"
    if setting == "on":
        return True, f"设置 semantic = on，为全部 {sentences} 个句子计算向量"
    if sentences <= auto_limit:
        return True, (f"设置 semantic = auto：语料有 {sentences} 个句子，不超过 {auto_limit}，"
                      "开启语义匹配")
    return False, (f"设置 semantic = auto：语料有 {sentences} 个句子，超过 {auto_limit}"
                   "（首次计算句子向量在 2 核上会超过约 10 分钟），只用 BM25 检索；"
                   "需要时可设 semantic = on")


class SentenceVectors:
    """Unit vectors of every sentence of an index, and nearest-sentence search over them."""

    def __init__(self, matrix: np.ndarray, embedder: Embedder):
        if matrix.ndim != 2 or matrix.shape[1] != embedder.dim or matrix.dtype != np.float32:
            raise ValueError("sentence vectors have the wrong shape or type")
        self.matrix = matrix
        self.embedder = embedder

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

    def nearest(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` sentences nearest ``query_vec``: (sentence id, cosine), best first
        (ties by lower id)."""
        q = self._vec(query_vec)
        k = min(int(k), self.n)
        if k <= 0:
            return []
        scores = self.matrix @ q
        top = np.argpartition(-scores, k - 1)[:k] if k < self.n else np.arange(self.n)
        top = top[np.lexsort((top, -scores[top]))]
        return [(int(i), float(scores[i])) for i in top]

    def cosines(self, query_vec: np.ndarray, sentence_ids: Iterable[int]) -> np.ndarray:
        """Cosine of ``query_vec`` with each of ``sentence_ids`` (float32, in that order)."""
        q = self._vec(query_vec)
        ids = np.fromiter((int(i) for i in sentence_ids), dtype=np.int64)
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= self.n):
            raise IndexError("sentence id out of range")
        return self.matrix[ids] @ q


def sentence_chunks(corpus: CorpusIndex, sentence_ids: Sequence[int]) -> np.ndarray:
    """The chunk of each global sentence id (int64), for citing a nearest sentence."""
    ids = np.asarray(sentence_ids, dtype=np.int64)
    return np.searchsorted(corpus.tables["sent_ptr"], ids, side="right").astype(np.int64) - 1
