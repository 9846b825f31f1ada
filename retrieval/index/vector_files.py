"""A corpus's sentences file by file, and the per-file vector entries on disk
(:mod:`retrieval.index.embedding`)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from ..atomic import replacing
from ..lang.text import clean_for_index
from .corpus import CorpusIndex

__all__ = ["todo_in_order"]


def _doc_sentences(corpus: CorpusIndex) -> list[tuple[int, range, int, int]]:
    """(doc, its chunks, first sentence id, end sentence id) per document, in index order
    (a document's chunks, and so its sentences, are consecutive)."""
    t = corpus.tables
    bounds = np.searchsorted(t["chunk_doc"], np.arange(len(corpus.docs) + 1), side="left").tolist()
    sent_ptr = t["sent_ptr"]
    return [
        (d, range(bounds[d], bounds[d + 1]), int(sent_ptr[bounds[d]]), int(sent_ptr[bounds[d + 1]]))
        for d in range(len(corpus.docs))
    ]


def _doc_texts(corpus: CorpusIndex, chunks: range) -> list[str]:
    """The cleaned text of each sentence of ``chunks``, in sentence id order."""
    return [clean_for_index(corpus.sentence_text(c, s)) for c in chunks for s in corpus.sentence_range(c)]


def _save_atomic(path: Path, array: np.ndarray) -> None:
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array, allow_pickle=False)


def _load(path: Path, rows: int, dim: int, dtype: type = np.float32) -> np.ndarray | None:
    """A stored matrix, memory-mapped, if it is there and has the expected shape; else None
    (a damaged entry is removed so that it is rebuilt)."""
    if not path.exists():
        return None
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
        if array.shape != (rows, dim) or array.dtype != dtype:
            raise ValueError("wrong shape")
        return array.view(np.ndarray)
    except (OSError, ValueError, EOFError):
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def todo_in_order(
    corpus: CorpusIndex, todo: np.ndarray, order: np.ndarray | None
) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """The sentence ids of ``todo`` to embed (highest ``order`` first), each with its file
    content, that file's first sentence id and its sentence count. A second document of the
    same content is left out: its first one is embedded."""
    first: dict[str, tuple[int, int]] = {}
    keep = np.zeros_like(todo)
    starts = []
    for d, _, lo, hi in _doc_sentences(corpus):
        sha = corpus.docs[d].sha256
        starts.append((lo, hi, sha))
        if first.setdefault(sha, (lo, hi)) == (lo, hi):
            keep[lo:hi] = todo[lo:hi]
    ids = np.flatnonzero(keep)
    if order is not None:
        ids = ids[np.argsort(-np.asarray(order)[ids], kind="stable")]
    los = np.array([lo for lo, _, _ in starts], dtype=np.int64)
    doc = np.searchsorted(los, ids, side="right") - 1  # an empty document shares its start: the last wins
    owner = [(starts[d][2], starts[d][0], starts[d][1] - starts[d][0]) for d in doc.tolist()]
    return ids, owner
