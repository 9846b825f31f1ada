"""BM25 over chunks, stored as term postings so a question touches only its own terms.

Scores follow ``rank_bm25.BM25Okapi`` exactly: the same idf (with ``epsilon`` times the
average idf for terms in more than half the chunks), the same length normalisation, and a
query term counted as often as it occurs in the question.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

ARRAYS = ("indptr", "postings", "weights", "idf", "doc_len")
# Kept beside the postings for building only (retrieval/index/delta.py re-weights the postings of
# an index a file was added to); never read when answering.
TF = "tf"


@runtime_checkable
class Retriever(Protocol):
    """What the composer needs from a retrieval backend: a score for every chunk.

    :class:`BM25Index` is the in-process implementation. A backend over a search server
    (Elasticsearch or OpenSearch with BM25 over the same jieba tokens) implements the same
    methods and returns scores indexed by chunk id.
    """

    @property
    def vocab(self) -> Mapping[str, int]: ...

    @property
    def n_chunks(self) -> int: ...

    def scores(self, tokens: Sequence[str]) -> np.ndarray: ...

    def top(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]: ...

    def idf_of(self, token: str) -> float: ...

    def idf_sum(self, term_ids: Sequence[int]) -> float: ...


def saturated_tf(
    tf: np.ndarray, length: np.ndarray, avg_len: float, k1: float, b: float, rows: np.ndarray | None = None
) -> np.ndarray:
    """BM25's term frequency, saturated and length-normalised: ``tf * (k1 + 1) / (tf + k1 * (1 - b
    + b * length / avg_len))``, for every BM25 weight of the project: the index's postings
    (:meth:`BM25Index._finish`) and a candidate sentence against the others
    (retrieval/answer/candidates.py). ``length`` holds the documents' lengths; ``tf`` has one row
    per document, or with ``rows`` (each entry's document) is flat, as postings are."""
    if avg_len:
        norm = k1 * (1 - b + b * length.astype(np.float64) / avg_len)
    else:  # no document has a token: no entry has a count either
        norm = np.full(length.shape, k1, dtype=np.float64)
    if rows is None:
        denom = tf + norm[:, None]
    else:
        denom = norm[rows]  # one value per posting, added to in place: no second temporary
        denom += tf
    out = tf * (k1 + 1)
    out /= denom
    return out


@dataclass
class BM25Index:
    """Term-major postings: for term ``t``, chunks ``postings[indptr[t]:indptr[t+1]]`` and their
    precomputed ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl))``."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    postings: np.ndarray  # int32 chunk ids, ascending within a term
    weights: np.ndarray  # float64
    idf: np.ndarray  # float64 per term
    doc_len: np.ndarray  # int32 tokens per chunk
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    tf: np.ndarray | None = None  # int32 count of each posting's term in its chunk (building only)

    @property
    def n_chunks(self) -> int:
        return int(self.doc_len.shape[0])

    @classmethod
    def build(
        cls,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        vocab: dict[str, int] | None = None,
    ) -> BM25Index:
        """Index tokenised chunks (each a list of tokens); without ``vocab``, terms are numbered
        in text order, as the corpus build numbers them."""
        if vocab is None:
            vocab = {t: i for i, t in enumerate(sorted({t for tokens in corpus for t in tokens}))}
        doc_len = np.fromiter((len(tokens) for tokens in corpus), dtype=np.int64, count=len(corpus))
        total = int(doc_len.sum())
        tok = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for tokens in corpus for t in tokens), dtype=np.int64, count=total
        )
        return cls.from_tokens(vocab, tok, doc_len, k1, b, epsilon)

    @classmethod
    def from_tokens(
        cls,
        vocab: dict[str, int],
        tok: np.ndarray,
        doc_len: np.ndarray,
        k1: float,
        b: float,
        epsilon: float,
        chunk_of: np.ndarray | None = None,
    ) -> BM25Index:
        """Index from one array of term ids, chunk after chunk, and the length of every chunk.

        With ``chunk_of`` (the chunk of each token), ``tok`` may hold the tokens in any order."""
        n = int(doc_len.shape[0])
        n_terms = len(vocab)
        width = max(n, 1)
        # One sort of (term, chunk) keys yields the postings term-major, chunks ascending.
        # Built in place: the key array is the one large temporary.
        keys = tok.astype(np.int64)
        keys *= width
        keys += np.repeat(np.arange(n, dtype=np.int64), doc_len) if chunk_of is None else chunk_of
        keys.sort()
        first = np.empty(keys.shape[0], dtype=bool)
        if keys.shape[0]:
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        tf = np.empty(starts.shape[0], dtype=np.float64)
        if starts.shape[0]:
            np.subtract(starts[1:], starts[:-1], out=tf[:-1], casting="unsafe")
            tf[-1] = keys.shape[0] - starts[-1]
        pairs = keys[starts]
        del keys, starts
        term_ids, chunk_ids = np.divmod(pairs, width)
        del pairs
        chunk_ids = chunk_ids.astype(np.int32)
        df = np.bincount(term_ids, minlength=n_terms)
        del term_ids
        return cls._finish(vocab, df, chunk_ids, tf, np.asarray(doc_len, dtype=np.int32), k1, b, epsilon)

    @classmethod
    def from_counts(
        cls,
        vocab: dict[str, int],
        rows: list[np.ndarray],
        tfs: list[np.ndarray],
        doc_len: np.ndarray,
        k1: float,
        b: float,
        epsilon: float,
    ) -> BM25Index:
        """Index from per-chunk (unique term ids, their counts)."""
        n = len(rows)
        if rows:
            term_ids = np.concatenate(rows).astype(np.int64)
            tf = np.concatenate(tfs).astype(np.float64)
            chunk_ids = np.repeat(np.arange(n, dtype=np.int32), [len(r) for r in rows])
        else:
            term_ids = np.zeros(0, np.int64)
            tf = np.zeros(0, np.float64)
            chunk_ids = np.zeros(0, np.int32)
        order = np.lexsort((chunk_ids, term_ids))
        df = np.bincount(term_ids, minlength=len(vocab))
        return cls._finish(vocab, df, chunk_ids[order], tf[order], np.asarray(doc_len, dtype=np.int32), k1, b, epsilon)

    @classmethod
    def _finish(
        cls,
        vocab: dict[str, int],
        df: np.ndarray,
        chunk_ids: np.ndarray,
        tf: np.ndarray,
        doc_len: np.ndarray,
        k1: float,
        b: float,
        epsilon: float,
    ) -> BM25Index:
        """Weights of term-major postings, with ``BM25Okapi``'s idf and length normalisation."""
        n = int(doc_len.shape[0])
        n_terms = len(vocab)
        dff = df.astype(np.float64)
        idf = np.log(n - dff + 0.5) - np.log(dff + 0.5) if n_terms else np.zeros(0)
        if n_terms:
            average_idf = math.fsum(idf.tolist()) / n_terms  # exact: the same in any term order
            idf = np.where(idf < 0, epsilon * average_idf, idf)
        avgdl = float(doc_len.sum(dtype=np.int64)) / n if n else 0.0
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        weights = saturated_tf(tf, doc_len, avgdl, k1, b, rows=chunk_ids)
        weights *= np.repeat(idf, df)
        return cls(vocab, indptr, chunk_ids, weights, idf, doc_len, k1, b, epsilon, tf.astype(np.int32, copy=False))

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
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            # Postings of one term hold each chunk once, so fancy-index += is exact.
            if c == 1:
                out[self.postings[lo:hi]] += self.weights[lo:hi]
            else:
                out[self.postings[lo:hi]] += c * self.weights[lo:hi]
        return out

    def top(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (chunk id, score) pairs with a positive score, best first; equal
        scores in chunk order (also at the cut-off, so the result is one well-defined list)."""
        return self.top_of(self.scores(tokens), k)

    @staticmethod
    def top_of(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` best positive entries of ``scores`` as (index, score), ties by index."""
        cand = np.flatnonzero(scores > 0)
        if k <= 0 or not cand.shape[0]:
            return []
        if cand.shape[0] > k:
            values = scores[cand]
            kth = values[np.argpartition(-values, k - 1)[k - 1]]  # the k-th largest score
            cand = cand[values >= kth]  # every chunk tied with it too, so ties break by id
        cand = cand[np.lexsort((cand, -scores[cand]))][:k]
        return [(int(i), float(scores[i])) for i in cand]

    def idf_of(self, token: str) -> float:
        """idf of a token; a token never seen gets the largest idf a term can have here."""
        t = self.vocab.get(token)
        if t is None:
            return math.log(self.n_chunks + 0.5) - math.log(0.5) if self.n_chunks else 1.0
        return float(self.idf[t])

    def idf_sum(self, term_ids: Sequence[int]) -> float:
        """Sum of the idf of vocabulary ids ``term_ids`` (0 for none)."""
        return float(self.idf[list(term_ids)].sum()) if len(term_ids) else 0.0

    # --- persistence: plain .npy arrays (memory-mapped on load), never pickle ---------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            with open(folder / f"{name}.npy", "wb") as fh:
                np.save(fh, getattr(self, name), allow_pickle=False)
        if self.tf is not None:
            with open(folder / f"{TF}.npy", "wb") as fh:
                np.save(fh, self.tf, allow_pickle=False)

    @classmethod
    def load(
        cls, folder: Path, vocab: dict[str, int], k1: float, b: float, epsilon: float, mmap: bool = True
    ) -> BM25Index:
        arrays = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False).view(np.ndarray)
            for name in ARRAYS
        }
        tf_path = folder / f"{TF}.npy"
        tf = np.load(tf_path, mmap_mode="r", allow_pickle=False).view(np.ndarray) if tf_path.exists() else None
        index = cls(vocab, k1=k1, b=b, epsilon=epsilon, tf=tf, **arrays)
        index.check()
        return index

    def check(self) -> None:
        """Raise ValueError if the arrays do not fit together (a damaged or foreign index)."""
        n_terms = len(self.vocab)
        if self.indptr.shape != (n_terms + 1,) or self.idf.shape != (n_terms,):
            raise ValueError("term arrays do not match the vocabulary")
        if self.postings.shape != self.weights.shape or int(self.indptr[-1]) != self.postings.shape[0]:
            raise ValueError("postings arrays are truncated")
        if self.tf is not None and self.tf.shape != self.postings.shape:
            raise ValueError("term frequencies do not match the postings")
        if self.postings.shape[0] and int(self.postings.max(initial=0)) >= self.n_chunks:
            raise ValueError("postings point past the last chunk")
