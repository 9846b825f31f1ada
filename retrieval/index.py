"""BM25 over chunks, stored as term postings so a question touches only its own terms.

Scores follow ``rank_bm25.BM25Okapi`` exactly: the same idf (with ``epsilon`` times the
average idf for terms in more than half the chunks), the same length normalisation, and a
query term counted as often as it occurs in the question.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

ARRAYS = ("indptr", "postings", "weights", "idf", "doc_len")


@dataclass
class BM25Index:
    """Term-major postings: for term ``t``, chunks ``postings[indptr[t]:indptr[t+1]]`` and their
    precomputed ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl))``."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    postings: np.ndarray  # int32 chunk ids
    weights: np.ndarray  # float64
    idf: np.ndarray  # float64 per term
    doc_len: np.ndarray  # int32 tokens per chunk
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25

    @property
    def n_chunks(self) -> int:
        return int(self.doc_len.shape[0])

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75,
              epsilon: float = 0.25, vocab: dict[str, int] | None = None) -> "BM25Index":
        """Index tokenised chunks (each a list of tokens)."""
        vocab = {} if vocab is None else vocab
        rows: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        doc_len = np.zeros(len(corpus), dtype=np.int32)
        for i, tokens in enumerate(corpus):
            doc_len[i] = len(tokens)
            ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), dtype=np.int64,
                              count=len(tokens))
            uniq, counts = np.unique(ids, return_counts=True)
            rows.append(uniq)
            tfs.append(counts)
        return cls.from_counts(vocab, rows, tfs, doc_len, k1, b, epsilon)

    @classmethod
    def from_counts(cls, vocab: dict[str, int], rows: list[np.ndarray], tfs: list[np.ndarray],
                    doc_len: np.ndarray, k1: float, b: float, epsilon: float) -> "BM25Index":
        """Index from per-chunk (unique term ids, their counts)."""
        n_terms = len(vocab)
        n = len(rows)
        if rows:
            term_ids = np.concatenate(rows) if n else np.zeros(0, np.int64)
            tf = np.concatenate(tfs).astype(np.float64)
            chunk_ids = np.repeat(np.arange(n, dtype=np.int32), [len(r) for r in rows])
        else:
            term_ids = np.zeros(0, np.int64)
            tf = np.zeros(0, np.float64)
            chunk_ids = np.zeros(0, np.int32)
        df = np.bincount(term_ids, minlength=n_terms).astype(np.float64)
        idf = np.log(n - df + 0.5) - np.log(df + 0.5) if n_terms else np.zeros(0)
        if n_terms:
            average_idf = float(idf.sum()) / n_terms
            idf = np.where(idf < 0, epsilon * average_idf, idf)
        avgdl = float(doc_len.sum()) / n if n else 0.0
        norm = k1 * (1 - b + b * doc_len.astype(np.float64) / avgdl) if avgdl else np.ones(n) * k1
        weights = idf[term_ids] * (tf * (k1 + 1)) / (tf + norm[chunk_ids])
        order = np.argsort(term_ids, kind="stable")
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df.astype(np.int64), out=indptr[1:])
        return cls(vocab, indptr, chunk_ids[order], weights[order], idf, doc_len, k1, b, epsilon)

    def term_ids(self, tokens: Iterable[str]) -> list[int]:
        vocab = self.vocab
        return [vocab[t] for t in tokens if t in vocab]

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for the query tokens (``BM25Okapi.get_scores`` semantics)."""
        out = np.zeros(self.n_chunks, dtype=np.float64)
        counts: dict[int, int] = {}
        for t in self.term_ids(tokens):
            counts[t] = counts.get(t, 0) + 1
        for t, c in counts.items():
            lo, hi = self.indptr[t], self.indptr[t + 1]
            # Postings of one term hold each chunk once, so fancy-index += is exact.
            out[self.postings[lo:hi]] += c * self.weights[lo:hi]
        return out

    def top(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (chunk id, score) pairs with a positive score, best first."""
        scores = self.scores(tokens)
        if not len(scores):
            return []
        k = min(k, len(scores))
        cand = np.argpartition(-scores, k - 1)[:k]
        cand = cand[np.lexsort((cand, -scores[cand]))]
        return [(int(i), float(scores[i])) for i in cand if scores[i] > 0]

    def idf_of(self, token: str) -> float:
        """idf of a token; a token never seen gets the largest idf a term can have here."""
        t = self.vocab.get(token)
        if t is None:
            return math.log(self.n_chunks + 0.5) - math.log(0.5) if self.n_chunks else 1.0
        return float(self.idf[t])

    # --- persistence: plain .npy arrays (memory-mapped on load), never pickle ---------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            with open(folder / f"{name}.npy", "wb") as fh:
                np.save(fh, getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, vocab: dict[str, int], k1: float, b: float, epsilon: float,
             mmap: bool = True) -> "BM25Index":
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None,
                                allow_pickle=False) for name in ARRAYS}
        index = cls(vocab, k1=k1, b=b, epsilon=epsilon, **arrays)
        index.check()
        return index

    def check(self) -> None:
        """Raise ValueError if the arrays do not fit together (a damaged or foreign index)."""
        n_terms = len(self.vocab)
        if self.indptr.shape != (n_terms + 1,) or self.idf.shape != (n_terms,):
            raise ValueError("term arrays do not match the vocabulary")
        if self.postings.shape != self.weights.shape or int(self.indptr[-1]) != self.postings.shape[0]:
            raise ValueError("postings arrays are truncated")
        if self.postings.shape[0] and int(self.postings.max(initial=0)) >= self.n_chunks:
            raise ValueError("postings point past the last chunk")
