"""The second candidate source: the corpus's sentences nearest the question by meaning (cosine of
sentence vectors, retrieval/index/vectors.py), and each candidate's cosine for the features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index.corpus import CorpusIndex
from ..index.vectors import SentenceVectors, sentence_chunks
from .records import Candidate, Match, Question


@dataclass
class Nearest:
    """The question's vector and the sentences nearest it (best first) with their chunks."""

    query: np.ndarray
    ranks: dict[int, int]  # sentence id → rank among the nearest
    chunks: list[int]

    def mark(self, items: list[Candidate], vectors: SentenceVectors) -> None:
        """Give every candidate its cosine, its gap to the best and its rank among the nearest."""
        if not items:
            return
        cos = vectors.cosines(self.query, [c.sent for c in items]).tolist()
        best = max(cos)
        for c, value in zip(items, cos):
            c.match = Match(float(value), float(best - value), self.ranks.get(c.sent, -1))


def nearest(q: Question, vectors: SentenceVectors, corpus: CorpusIndex, k: int, *masks: np.ndarray | None) -> Nearest:
    """The ``k`` sentences nearest ``q`` among the reports every given mask allows (a report the
    question names by place or year)."""
    query = vectors.query(q.text)
    allowed = [m for m in masks if m is not None]
    # Look further when reports are excluded, so that k remain after the filter.
    hits = vectors.nearest(query, k * (4 if allowed else 1))
    chunks = sentence_chunks(corpus, [sid for sid, _ in hits]).tolist()
    docs = corpus.chunk_docs
    kept = [(sid, c) for (sid, _), c in zip(hits, chunks) if all(m[docs[c]] for m in allowed)][:k]
    return Nearest(query, {sid: r for r, (sid, _) in enumerate(kept)}, [c for _, c in kept])
