"""Approximate nearest-sentence search for large corpora: an HNSW graph (usearch), float16,
memory-mapped, kept up to date as the corpus changes.

Below :data:`EXACT_MAX` sentences the exact search of :class:`retrieval.index.vectors.SentenceVectors`
(a matrix product over the memory-mapped vectors) is fast enough and this module is not used.

Layout, beside the vectors in the corpus cache folder::

    vectors/ann-<key>.usearch    the graph and float16 vectors
    vectors/ann-<key>.keys.npy   the graph's keys, ascending (uint64)
    vectors/ann-<key>.json       format, keys stored and removed since the graph was built
    vectors/<matrix>.hash.npy    per corpus matrix: each sentence's key, and the sentences by key

A *key* is a 62-bit hash of a vector's bytes, so identical vectors (a sentence repeated in many
reports, boilerplate) are stored once: a graph whose neighbour lists fill up with tens of
identical vectors finds little else (recall@10 0.24 on a corpus repeating each sentence about 30
times, benchmarks/README.md). A search maps each key found back to every sentence with that
vector. Adding or removing a report adds the keys no sentence had before and removes the keys no
sentence has any longer; when more than a third of the stored keys have been removed the graph
is built again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..atomic import replacing, write_atomic
from .vectors import EXACT_MAX  # exact search up to it, this index above

__all__ = ["EXACT_MAX", "AnnIndex", "available", "row_keys"]

STATE_FORMAT = 2
# HNSW parameters (benchmarks/ann.py measured recall@10 against exact search with them).
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 96
ADD_BATCH = 50_000
_HASH_BLOCK = 262_144
_KEY_MASK = np.uint64((1 << 62) - 1)


def available() -> bool:
    try:
        import usearch.index  # noqa: F401
    except ImportError:
        return False
    return True


def row_keys(matrix: np.ndarray) -> np.ndarray:
    """A 62-bit key per row from the row's bytes (uint64); 0 for a row of zeros (no vector).
    Equal rows get equal keys; two different rows share one with probability about 2**-62."""
    n, width = matrix.shape[0], matrix.shape[1] * matrix.dtype.itemsize
    words = (width + 7) // 8
    mult = np.random.default_rng(0x5EED).integers(1, 2**63, size=words, dtype=np.uint64) | np.uint64(1)
    out = np.zeros(n, dtype=np.uint64)
    for a in range(0, n, _HASH_BLOCK):
        block = np.ascontiguousarray(matrix[a : a + _HASH_BLOCK]).view(np.uint8).reshape(-1, width)
        if width % 8:
            padded = np.zeros((block.shape[0], words * 8), dtype=np.uint8)
            padded[:, :width] = block
            block = padded
        w = block.view(np.uint64)
        h = w @ mult  # integer products and sums wrap modulo 2**64: exact, in any order
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
        h &= _KEY_MASK
        nonzero = w.any(axis=1)
        h[~nonzero] = 0
        h[(h == 0) & nonzero] = 1
        out[a : a + block.shape[0]] = h
    return out


def sentence_keys(matrix: np.ndarray, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(keys ascending, the sentence ids in that order) of ``matrix``'s rows; read from
    ``cache`` when it holds them, else computed (and written there)."""
    n = int(matrix.shape[0])
    if cache is not None and cache.exists():
        with contextlib.suppress(OSError, ValueError, EOFError):
            both = np.load(cache, mmap_mode="r", allow_pickle=False).view(np.ndarray)
            if both.shape == (2, n) and both.dtype == np.uint64:
                return both[0], both[1]
    keys = row_keys(matrix)
    order = np.argsort(keys, kind="stable")
    both = np.stack([keys[order], order.astype(np.uint64)])
    if cache is not None:
        with contextlib.suppress(OSError), replacing(cache, durable=False) as tmp, open(tmp, "wb") as fh:
            np.save(fh, both, allow_pickle=False)  # a cut file fails its shape check when read back
    return both[0], both[1]


class AnnIndex:
    """Search of the approximate nearest sentences of a corpus (global sentence ids out)."""

    def __init__(self, index, sorted_keys: np.ndarray, order: np.ndarray, size: int):
        self._index = index
        self._keys = sorted_keys  # every sentence's key, ascending
        self._order = order  # the sentence ids in that order (ascending among equal keys)
        self.size = size  # distinct vectors in the graph

    def search(self, q: np.ndarray, k: int) -> np.ndarray:
        """Ids of sentences among the ``k`` nearest distinct vectors: every sentence of a vector
        found, up to ``k`` of each (the lowest ids)."""
        found = self._index.search(np.asarray(q, dtype=np.float32), int(k), threads=1)
        keys = np.asarray(found.keys, dtype=np.uint64).reshape(-1)[: len(found)]
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.minimum(np.searchsorted(self._keys, keys, side="right"), lo + int(k))
        if not keys.shape[0]:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self._order[a:b] for a, b in zip(lo.tolist(), hi.tolist())]).astype(np.int64)

    @classmethod
    def open(
        cls,
        folder: Path,
        key: str,
        matrix: np.ndarray,
        threads: int = 0,
        progress: Callable[[int, int], None] | None = None,
        keys_cache: Path | None = None,
    ) -> AnnIndex:
        """The graph of ``matrix`` (rows = the index's sentences): loaded, brought up to date with
        the vectors added and removed since it was saved, or built."""
        from usearch.index import Index

        path, keys_path, state_path = (
            folder / f"ann-{key}.usearch",
            folder / f"ann-{key}.keys.npy",
            folder / f"ann-{key}.json",
        )
        sorted_keys, order = sentence_keys(matrix, keys_cache)
        first = np.ones(sorted_keys.shape[0], dtype=bool)
        first[1:] = sorted_keys[1:] != sorted_keys[:-1]
        first &= sorted_keys != 0  # a sentence with no vector is never nearest
        wanted, reps = sorted_keys[first], order[first].astype(np.int64)
        state = _read_state(state_path, keys_path) if path.exists() else None
        index = None
        if state is not None:
            have = np.load(keys_path, allow_pickle=False)
            gone = np.setdiff1d(have, wanted, assume_unique=True)
            new = ~np.isin(wanted, have, assume_unique=True)
            if (state["removed"] + gone.shape[0]) * 3 > max(1, state["stored"]):
                state = None
            elif gone.shape[0] or new.any():
                index = Index.restore(str(path))
                if index is None:
                    raise OSError(f"cannot read back {path}")
                if gone.shape[0]:
                    index.remove(gone)
                _add(index, wanted[new], reps[new], matrix, threads, progress)
                state["removed"] += int(gone.shape[0])
                state["stored"] += int(new.sum())
                _save(index, path, wanted, keys_path, state, state_path)
        if state is None:
            index = Index(
                ndim=matrix.shape[1],
                metric="cos",
                dtype="f16",
                connectivity=CONNECTIVITY,
                expansion_add=EXPANSION_ADD,
                expansion_search=EXPANSION_SEARCH,
            )
            _add(index, wanted, reps, matrix, threads, progress)
            state = {"format": STATE_FORMAT, "removed": 0, "stored": int(wanted.shape[0])}
            _save(index, path, wanted, keys_path, state, state_path)
        del index
        view = Index.restore(str(path), view=True)  # memory-mapped: pages are shared, read on demand
        if view is None:
            raise OSError(f"cannot read back {path}")
        view.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # usearch's hints omit the setter
        return cls(view, sorted_keys, order, int(wanted.shape[0]))


def _add(
    index,
    keys: np.ndarray,
    rows: np.ndarray,
    matrix: np.ndarray,
    threads: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Add the vectors of sentences ``rows`` under ``keys``, a batch at a time."""
    total = int(keys.shape[0])
    for a in range(0, total, ADD_BATCH):
        b = min(total, a + ADD_BATCH)
        vectors = np.asarray(matrix[np.sort(rows[a:b])], dtype=np.float32)
        batch = keys[a:b][np.argsort(rows[a:b])]
        index.add(batch, vectors, threads=threads)
        if progress:
            progress(b, total)


def _read_state(path: Path, keys_path: Path) -> dict | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT or not keys_path.exists():
        return None
    return state


def _save(index, path: Path, keys: np.ndarray, keys_path: Path, state: dict, state_path: Path) -> None:
    """The graph and its keys, then its state, each written under a temporary name and renamed.
    A crash before the state is written leaves no state: the next open builds again."""
    with contextlib.suppress(OSError):
        state_path.unlink()  # the old state no longer describes the graph being written
    with replacing(path) as tmp:
        index.save(str(tmp))
    with replacing(keys_path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, keys, allow_pickle=False)
    write_atomic(state_path, json.dumps(state))
