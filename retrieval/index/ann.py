"""Approximate nearest-sentence search for large corpora: an HNSW graph (usearch), float16,
memory-mapped, kept up to date file by file.

Below :data:`EXACT_MAX` sentences the exact search of :class:`retrieval.index.vectors.SentenceVectors`
(a matrix product over the memory-mapped vectors) is fast enough and this module is not used.

Layout, beside the vectors in the corpus cache folder::

    vectors/ann-<key>.usearch   the graph and float16 vectors
    vectors/ann-<key>.json      which file (path and content) holds which slot

Every document gets a *slot*; its sentence ``i`` is stored under the key ``slot << 24 | i``, so
adding or removing a report adds or removes only that report's keys (a corpus's global sentence
ids move when a file is added before others; keys do not). A search maps keys back to the
index's sentence ids. When more than a third of the stored keys have been removed the graph is
built again.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Callable

import numpy as np

from ..atomic import replacing, write_atomic
from .vectors import EXACT_MAX  # exact search up to it, this index above

__all__ = ["AnnIndex", "EXACT_MAX", "available"]

LOCAL_BITS = 24
STATE_FORMAT = 1
# HNSW parameters (benchmarks/ann.py measured recall@10 against exact search with them).
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 96
ADD_BATCH = 50_000


def available() -> bool:
    try:
        import usearch.index  # noqa: F401
    except ImportError:
        return False
    return True


class AnnIndex:
    """Search of the approximate nearest sentences of a corpus (global sentence ids out)."""

    def __init__(self, index, slot_first: np.ndarray, size: int):
        self._index = index
        self._slot_first = slot_first  # slot → the index's first sentence id of its document (-1: none)
        self.size = size

    def search(self, q: np.ndarray, k: int) -> np.ndarray:
        found = self._index.search(np.asarray(q, dtype=np.float32), int(k), threads=1)
        keys = np.asarray(found.keys, dtype=np.int64).reshape(-1)
        keys = keys[keys >= 0]
        slots, local = keys >> LOCAL_BITS, keys & ((1 << LOCAL_BITS) - 1)
        ok = slots < self._slot_first.shape[0]
        first = np.where(ok, self._slot_first[np.minimum(slots, self._slot_first.shape[0] - 1)], -1)
        return (first + local)[first >= 0]

    @classmethod
    def open(cls, folder: Path, key: str, docs: list[tuple[str, str, int, int]], matrix: np.ndarray,
             threads: int = 0, progress: Callable[[int, int], None] | None = None) -> "AnnIndex":
        """The graph of ``matrix`` (rows = the index's sentences) for ``docs`` = (path, sha256,
        first sentence id, end sentence id) in index order: loaded, brought up to date with the
        documents added and removed since it was saved, or built."""
        from usearch.index import Index

        path, state_path = folder / f"ann-{key}.usearch", folder / f"ann-{key}.json"
        state = _read_state(state_path) if path.exists() else None
        want = {f"{p}\t{sha}": (lo, hi) for p, sha, lo, hi in docs}
        index = None
        if state is not None:
            slots: dict[str, list[int]] = state["slots"]
            gone = [name for name in slots if name not in want]
            new = [name for name in want if name not in slots]
            stale = (state["removed"] + sum(slots[n][1] for n in gone)) * 3 > max(1, state["stored"])
            if stale:
                state = None
            elif gone or new:
                index = Index.restore(str(path))
                if index is None:
                    raise OSError(f"cannot read back {path}")
                for name in gone:
                    slot, n = slots.pop(name)
                    index.remove(_keys(slot, 0, n))
                    state["removed"] += n
                total = sum(want[n][1] - want[n][0] for n in new)
                done = 0
                for name in new:
                    lo, hi = want[name]
                    slot = state["next"]
                    state["next"] += 1
                    slots[name] = [slot, hi - lo]
                    done = _add(index, slot, matrix, lo, hi, threads, progress, done, total)
                    state["stored"] += hi - lo
                _save(index, path, state, state_path)
        if state is None:
            index = Index(ndim=matrix.shape[1], metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                          expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)
            state = {"format": STATE_FORMAT, "slots": {}, "next": 0, "removed": 0, "stored": 0}
            total, done = int(matrix.shape[0]), 0
            for name, (lo, hi) in want.items():
                slot = state["next"]
                state["next"] += 1
                state["slots"][name] = [slot, hi - lo]
                done = _add(index, slot, matrix, lo, hi, threads, progress, done, total)
                state["stored"] += hi - lo
            _save(index, path, state, state_path)
        del index
        view = Index.restore(str(path), view=True)  # memory-mapped: pages are shared, read on demand
        if view is None:
            raise OSError(f"cannot read back {path}")
        view.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # usearch's hints omit the setter
        slot_first = np.full(state["next"], -1, dtype=np.int64)
        for name, (slot, _) in state["slots"].items():
            slot_first[slot] = want[name][0]
        return cls(view, slot_first, int(state["stored"] - state["removed"]))


def _keys(slot: int, lo: int, hi: int) -> np.ndarray:
    return (np.int64(slot) << LOCAL_BITS) + np.arange(lo, hi, dtype=np.int64)


def _add(index, slot: int, matrix: np.ndarray, lo: int, hi: int, threads: int,
         progress: Callable[[int, int], None] | None, done: int, total: int) -> int:
    if hi - lo >= 1 << LOCAL_BITS:
        raise ValueError("a document with more than 16 million sentences")
    for a in range(lo, hi, ADD_BATCH):
        b = min(hi, a + ADD_BATCH)
        rows = np.asarray(matrix[a:b], dtype=np.float32)
        keep = np.linalg.norm(rows, axis=1) > 0  # a sentence with no vector is never nearest
        if keep.any():
            index.add(_keys(slot, a - lo, b - lo)[keep].astype(np.uint64), rows[keep], threads=threads)
        done += b - a
        if progress:
            progress(done, total)
    return done


def _read_state(path: Path) -> dict | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return None
    return state


def _save(index, path: Path, state: dict, state_path: Path) -> None:
    """The graph, then its state, each written under a temporary name and renamed. A crash
    between the two leaves a state that does not match: the next open builds again."""
    with contextlib.suppress(OSError):
        state_path.unlink()  # the old state no longer describes the graph being written
    with replacing(path) as tmp:
        index.save(str(tmp))
    write_atomic(state_path, json.dumps(state))
