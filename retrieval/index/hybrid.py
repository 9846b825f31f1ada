"""Mixed sentence vectors: the full model's vectors for the sentences a time budget allows, static
word vectors for the rest, searched as one.

Which sentences get the model, and when, is :mod:`retrieval.index.hybrid_plan`. The two kinds of vector are searched
apart, each with its own question vector (the model's and the static one), and merged: a static
cosine is put on the model's scale per question by quantile matching on the sentences that have
both vectors (the static cosine at the model sentences' p-th quantile becomes the model cosine at
their p-th quantile), so the nearest sentences of both kinds, and the cosines the composer reads,
are on one scale.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..lru import LRU
from .vectors import EXACT_MAX, SentenceVectors

__all__ = ["HybridVectors"]


class HybridVectors:
    """:class:`SentenceVectors`'s interface over two kinds of vectors: ``full`` rows (the model's)
    for the sentences ``covered`` (sorted global ids), ``static`` (a SentenceVectors of every
    sentence) for the rest. A question vector is the model's and the static one, concatenated.
    """

    def __init__(
        self,
        full: np.ndarray,
        covered: np.ndarray,
        full_embedder,
        static: SentenceVectors,
        calibrate="quantile",
        offset: float = 0.0,
        map_ids: np.ndarray | None = None,
    ):
        covered = np.asarray(covered, dtype=np.int64)
        if full.ndim != 2 or full.shape[0] != covered.shape[0] or full.shape[1] != full_embedder.dim:
            raise ValueError("model vectors and their sentence ids disagree")
        self.full = np.asarray(full, dtype=np.float32)
        self.covered = covered
        self.static = static
        self.embedder = full_embedder
        self.calibrate = calibrate
        self.offset = float(offset)
        self.full_dim, self.static_dim = int(full_embedder.dim), static.dim
        self._row = np.full(static.n, -1, dtype=np.int64)  # sentence id → row of ``full``
        self._row[covered] = np.arange(covered.shape[0])
        # the quantile map is read on ``map_ids`` (sentences with both vectors; all of them if None)
        mapped = covered if map_ids is None else np.asarray(map_ids, dtype=np.int64)
        if mapped.size and (self._row[mapped] < 0).any():
            raise ValueError("a sentence of the quantile map has no model vector")
        self._map_rows = self._row[mapped]
        self._static_cov = np.asarray(static._rows(mapped), dtype=np.float32)
        # exact search of the rest over the static rows (widened once by SentenceVectors), the
        # model's sentences masked out; above EXACT_MAX the approximate index, filtered
        self._wide: np.ndarray | None = None
        if static.n <= EXACT_MAX:
            self._wide = static._wide if static._wide is not None else np.asarray(static.matrix, dtype=np.float32)
        self._scores: LRU[bytes, tuple] = LRU(8)  # per question vector: its cosines and quantile map

    @property
    def n(self) -> int:
        return self.static.n

    @property
    def dim(self) -> int:
        return self.full_dim + self.static_dim

    @property
    def share(self) -> float:
        return self.covered.shape[0] / max(1, self.n)

    def query(self, text: str) -> np.ndarray:
        from ..lang.text import normalize

        q = np.concatenate([self.embedder.query(normalize(text)), self.static.query(text)])
        return q.astype(np.float32)

    def _split(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = np.asarray(q, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query vector has {q.shape[0]} dimensions, expected {self.dim}")
        return q[: self.full_dim], q[self.full_dim :]

    def _of(self, q: np.ndarray) -> tuple:
        """Per question vector, computed once (a question asks :meth:`nearest` and then
        :meth:`cosines`): the model cosines of the model's sentences, the static cosines of every
        sentence (None above EXACT_MAX), and the quantile map (both kinds' cosines of the
        model's sentences, each sorted)."""
        key = q.tobytes()
        got = self._scores.get(key)
        if got is None:
            qf, qs = self._split(q)
            model = self.full @ qf
            every = None if self._wide is None else self._wide @ qs
            both = every[self.covered[self._map_rows]] if every is not None else self._static_cov @ qs
            got = self._scores.put(key, (model, every, np.sort(both), np.sort(model[self._map_rows])))
        return got

    def _mapped(self, q: np.ndarray, static_cos: np.ndarray) -> np.ndarray:
        """Static cosines on the model's scale for this question (``raw``: as they are)."""
        s = np.asarray(static_cos, dtype=np.float32)
        if self.calibrate == "raw" or self._map_rows.shape[0] < 2:
            return s
        _, _, xs, ys = self._of(q)
        return np.where(s != 0, np.interp(s, xs, ys) - self.offset, 0.0).astype(np.float32)

    def nearest(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        _, qs = self._split(query_vec)
        k = min(int(k), self.n)
        if k <= 0:
            return []
        model, every, _, _ = self._of(query_vec)
        hits: list[tuple[int, float]] = []
        if self.covered.shape[0]:
            kk = min(k, self.covered.shape[0])
            top = np.argpartition(-model, kk - 1)[:kk] if kk < model.shape[0] else np.arange(kk)
            hits += [(int(self.covered[i]), float(model[i])) for i in top]
        ids, cos = self._rest_top(qs, k, every)
        hits += zip(ids.tolist(), self._mapped(query_vec, cos).tolist())
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def _rest_top(self, qs: np.ndarray, k: int, every: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` sentences without model vectors nearest by static cosine (ids, cosines)."""
        if every is not None:
            rest_n = self.n - self.covered.shape[0]
            if rest_n <= 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            scores = every.copy()
            scores[self.covered] = -np.inf
            top = np.argpartition(-scores, min(k, rest_n) - 1)[: min(k, rest_n)]
            keep = np.isfinite(scores[top]) & (scores[top] != 0)
            return top[keep].astype(np.int64), scores[top][keep].astype(np.float32)
        want = k
        while True:  # an approximate index of every sentence: look further until k remain
            found = [(i, c) for i, c in self.static.nearest(qs, want + self.covered.shape[0] // 50) if self._row[i] < 0]
            if len(found) >= k or want >= self.n:
                ids = np.array([i for i, _ in found[:k]], np.int64)
                return ids, (self.static._rows(ids) @ qs).astype(np.float32)  # raw cosines, as the map
            want *= 4

    def cosines(self, query_vec: np.ndarray, sentence_ids: Iterable[int]) -> np.ndarray:
        qf, qs = self._split(query_vec)
        ids = np.fromiter((int(i) for i in sentence_ids), dtype=np.int64)
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= self.n):
            raise IndexError("sentence id out of range")
        rows = self._row[ids]
        out = np.zeros(ids.shape[0], dtype=np.float32)
        mine = rows >= 0
        if mine.any():
            out[mine] = self.full[rows[mine]] @ qf
        if (~mine).any():
            rest = np.flatnonzero(~mine)
            out[rest] = self._mapped(query_vec, self.static._rows(ids[rest]) @ qs)  # raw, as the map
        return out
