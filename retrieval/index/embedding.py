"""Sentence vectors at index time: built per file, cached, memory-mapped (read at answer time
through :class:`~retrieval.index.vectors.SentenceVectors`).

Layout, inside the corpus cache folder (see :mod:`retrieval.index.store`)::

    vectors/<sha256>-<key>.npy   float32 (sentences of that file, dim), one per file content
    vectors/corpus-<ckey>.npy    every file's rows in the index's sentence order

``key`` covers the vector format, the token cache key (which sentences a file has and how they
are cleaned) and the embedder's name, so a change of any of them builds new vectors and an
unchanged file is never embedded twice. ``ckey`` adds the corpus's files in order. Files are
written to a temporary name and renamed, loaded with ``np.load(mmap_mode="r",
allow_pickle=False)``; a damaged one is embedded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..atomic import replacing
from ..lang.text import clean_for_index
from .corpus import CorpusIndex
from .vector_files import _doc_sentences, _doc_texts, _load, _save_atomic, todo_in_order
from .vectors import EXACT_MAX, SemanticStatus, SentenceVectors

if TYPE_CHECKING:
    from .embedder import Embedder

__all__ = ["VectorCache", "VectorProgress", "embed_all"]

VECTOR_FORMAT = 1
# Sentences per call to the embedder: enough for every thread to get work, small enough for a
# lively progress display and a prompt stop when a build is cancelled.
BATCH = 64
# Batches between writes of the part entries while the model's share is embedded across files.
SAVE_EVERY = 16

VectorProgress = Callable[[int, int], None]  # (sentences embedded, sentences to embed)


class VectorCache:
    """Per-file sentence vectors of one corpus cache folder, for one embedder.

    An embedder with ``corpus_rows(corpus, lo, hi)`` (the static vectors) makes a file's rows
    from the words the index holds instead of its text; its ``dtype`` (float16 for static
    vectors) is the stored type. Above EXACT_MAX sentences the search goes through an
    approximate index (:mod:`retrieval.index.ann`) kept beside the vectors.
    """

    def __init__(self, cache_folder: Path, token_key: str, embedder: Embedder):
        self.folder = cache_folder / "vectors"
        self.embedder = embedder
        self.dtype = np.dtype(getattr(embedder, "dtype", np.float32)).type
        fields = {"format": VECTOR_FORMAT, "tokens": token_key, "model": embedder.name, "dim": embedder.dim}
        if self.dtype != np.float32:  # float32 keys stay as they were: cached full vectors stay valid
            fields["dtype"] = np.dtype(self.dtype).name
        self.key = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]

    def _entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}-{self.key}.npy"

    def _part(self, sha256: str) -> Path:
        """A file's vectors while only some of its sentences have them (zero rows: not yet)."""
        return self.folder / f"{sha256}-{self.key}.part.npy"

    def _corpus_path(self, corpus: CorpusIndex) -> Path:
        digest = hashlib.sha256(self.key.encode())
        for m in corpus.docs:
            digest.update(m.sha256.encode() + b"\n")
        digest.update(str(corpus.tables["sent_start"].shape[0]).encode())
        return self.folder / f"corpus-{self.key}-{digest.hexdigest()[:16]}.npy"

    def load(self, corpus: CorpusIndex, status: SemanticStatus | None = None) -> SentenceVectors | None:
        """The corpus's vectors if a complete matrix is cached, else None. Cheap: one mmap
        (and, on a large corpus, the approximate index brought up to date). ``status`` is not
        read (the interface of :class:`retrieval.index.hybrid_plan.HybridCache`)."""
        n = int(corpus.tables["sent_start"].shape[0])
        matrix = _load(self._corpus_path(corpus), n, self.embedder.dim, self.dtype)
        return None if matrix is None else self._vectors(corpus, matrix)

    def _vectors(
        self, corpus: CorpusIndex, matrix: np.ndarray, progress: VectorProgress | None = None
    ) -> SentenceVectors:
        """The search over ``matrix``: exact up to EXACT_MAX sentences, else through the
        approximate index, updated for the files added and removed since it was saved."""
        ann = None
        if matrix.shape[0] > EXACT_MAX:
            from . import ann as ann_module

            if ann_module.available():
                keys = self._corpus_path(corpus).with_suffix(".hash.npy")
                ann = ann_module.AnnIndex.open(self.folder, self.key, matrix, progress=progress, keys_cache=keys)
                return SentenceVectors(matrix, self.embedder, ann=ann, rows_file=self._corpus_path(corpus))
        return SentenceVectors(matrix, self.embedder, ann=ann)

    def pending(self, corpus: CorpusIndex) -> int:
        """Sentences that have no cached vectors yet (a part entry's rows count as cached)."""
        count, seen = 0, set()
        for d, _, lo, hi in _doc_sentences(corpus):
            sha = corpus.docs[d].sha256
            if sha in seen or self._entry(sha).exists():
                continue
            seen.add(sha)
            part = _load(self._part(sha), hi - lo, self.embedder.dim, self.dtype)
            count += hi - lo if part is None else int((~part.any(axis=1)).sum())
        return count

    def prune(self, corpus: CorpusIndex) -> None:
        """Drop the entries (whole and part) of content no longer in the corpus, and corpus
        matrices of other states (:meth:`_prune`)."""
        path = self._corpus_path(corpus)
        self._prune(
            {self._entry(m.sha256).name for m in corpus.docs}
            | {self._part(m.sha256).name for m in corpus.docs}
            | {path.name, path.with_suffix(".hash.npy").name}
            | {f"ann-{self.key}.{end}" for end in ("usearch", "keys.npy", "json")}
        )

    def build(
        self,
        corpus: CorpusIndex,
        status: SemanticStatus | None = None,
        progress: VectorProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> SentenceVectors | None:
        """Embed every file without cached vectors, then write and load the corpus matrix.

        Returns None if ``cancel`` was set before the end. Raises OSError if the cache cannot be
        written, :class:`retrieval.index.embedder.EmbedderUnavailable` if the model cannot be loaded.
        """
        start = time.perf_counter()
        self.folder.mkdir(parents=True, exist_ok=True)
        ranges = _doc_sentences(corpus)
        parts, todo = self._cached_parts(corpus, ranges, status)
        if not self._embed(corpus, todo, parts, status, progress, cancel):
            return None
        if cancel is not None and cancel.is_set():
            return None
        path = self._write_matrix(corpus, ranges, parts)
        del parts
        self.prune(corpus)
        loaded = _load(path, int(corpus.tables["sent_start"].shape[0]), self.embedder.dim, self.dtype)
        if loaded is None:
            raise OSError(f"cannot read back {path}")
        vectors = self._vectors(corpus, loaded, progress)
        if status:
            status.seconds = time.perf_counter() - start
        return vectors

    def _cached_parts(
        self, corpus: CorpusIndex, ranges: list[tuple[int, range, int, int]], status: SemanticStatus | None
    ) -> tuple[dict[str, np.ndarray], dict[str, tuple[range, int]]]:
        """The cached vectors of each file content, and the contents still to embed (their chunks
        and sentence count)."""
        dim = self.embedder.dim
        parts: dict[str, np.ndarray] = {}
        todo: dict[str, tuple[range, int]] = {}  # one entry per content, even under two names
        for d, chunks, lo, hi in ranges:
            sha = corpus.docs[d].sha256
            if sha in parts or sha in todo:
                continue
            cached = _load(self._entry(sha), hi - lo, dim, self.dtype)
            if cached is not None:
                parts[sha] = cached
                if status:
                    status.reused_files += 1
            else:
                todo[sha] = (chunks, hi - lo)
        return parts, todo

    def _embed(
        self,
        corpus: CorpusIndex,
        todo: dict[str, tuple[range, int]],
        parts: dict[str, np.ndarray],
        status: SemanticStatus | None,
        progress: VectorProgress | None,
        cancel: threading.Event | None,
    ) -> bool:
        """Embed the files of ``todo``, each stored and added to ``parts``; False if cancelled."""
        dim = self.embedder.dim
        total = sum(n for _, n in todo.values())
        done = 0
        if progress:
            progress(0, total)
        from_words = getattr(self.embedder, "corpus_rows", None)  # static vectors: the index's words
        starts = {corpus.docs[d].sha256: lo for d, _, lo, _ in _doc_sentences(corpus)}
        for sha, (chunks, n) in todo.items():
            if cancel is not None and cancel.is_set():
                return False
            if from_words is not None:
                lo = starts[sha]
                rows = from_words(corpus, lo, lo + n).astype(self.dtype)
                done += n
            else:
                texts = _doc_texts(corpus, chunks)
                if len(texts) != n:
                    raise ValueError("sentence table and document disagree")
                part = _load(self._part(sha), n, dim, self.dtype)
                rows = np.zeros((n, dim), dtype=self.dtype) if part is None else np.array(part)
                need = np.flatnonzero(~rows.any(axis=1))
                done += n - need.shape[0]
                for a in range(0, need.shape[0], BATCH):
                    if cancel is not None and cancel.is_set():
                        return False
                    batch = need[a : a + BATCH]
                    rows[batch] = self.embedder.passages([texts[i] for i in batch])
                    done += len(batch)
                    if progress:
                        progress(done, total)
            if status:
                status.embedded = done
            if progress and from_words is not None:
                progress(done, total)
            _save_atomic(self._entry(sha), rows)
            with contextlib.suppress(OSError):
                self._part(sha).unlink()
            mapped = _load(self._entry(sha), n, dim, self.dtype)  # from disk: the rows are not held twice
            parts[sha] = rows if mapped is None else mapped
            del rows
        return True

    def coverage(self, corpus: CorpusIndex) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
        """(per sentence: its vector is cached, each file content's cached rows or None): whole
        files' entries and part entries (:meth:`embed_some`)."""
        covered = np.zeros(int(corpus.tables["sent_start"].shape[0]), dtype=bool)
        rows: dict[str, np.ndarray | None] = {}
        for d, _, lo, hi in _doc_sentences(corpus):
            sha = corpus.docs[d].sha256
            if sha not in rows:
                whole = _load(self._entry(sha), hi - lo, self.embedder.dim, self.dtype)
                rows[sha] = (
                    whole if whole is not None else _load(self._part(sha), hi - lo, self.embedder.dim, self.dtype)
                )
            got = rows[sha]
            if got is not None:
                covered[lo:hi] = got.any(axis=1)
        return covered, rows

    def embed_some(
        self,
        corpus: CorpusIndex,
        wanted: np.ndarray,
        status: SemanticStatus | None = None,
        progress: VectorProgress | None = None,
        cancel: threading.Event | None = None,
        order: np.ndarray | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Embed the ``wanted`` sentences (a bool mask) not cached yet and return (ids, rows) of
        every sentence with a cached vector; None if ``cancel`` was set.

        The highest ``order`` keys go first across files (index order without it). A file's rows
        so far are kept in a part entry (its whole entry once complete), written every
        SAVE_EVERY batches and when the loop ends, so a stopped build resumes where it was.
        ``stop`` is asked before each batch: once it says so, the rest is left for a later build
        and what is cached is returned, as at the end."""
        self.folder.mkdir(parents=True, exist_ok=True)
        covered, rows = self.coverage(corpus)
        ids, owner = todo_in_order(corpus, wanted & ~covered, order)
        total, done = int(ids.shape[0]), 0
        if progress:
            progress(0, total)
        chunk_of = np.searchsorted(corpus.tables["sent_ptr"], ids, side="right") - 1
        mine: dict[str, np.ndarray] = {}  # writable rows of the files touched, by content
        dirty: set[str] = set()
        for a in range(0, total, BATCH):
            if cancel is not None and cancel.is_set():
                self._save_rows(mine, dirty, rows)
                return None
            if stop is not None and stop():
                break
            batch = range(a, min(a + BATCH, total))
            texts = [clean_for_index(corpus.sentence_text(int(chunk_of[i]), int(ids[i]))) for i in batch]
            vecs = self.embedder.passages(texts)
            for i, vec in zip(batch, vecs):
                sha, lo, n = owner[i]
                if sha not in mine:
                    got = rows.get(sha)
                    mine[sha] = np.zeros((n, self.embedder.dim), self.dtype) if got is None else np.array(got)
                mine[sha][int(ids[i]) - lo] = vec
                dirty.add(sha)
            done += len(batch)
            if status:
                status.embedded = done
            if progress:
                progress(done, total)
            if (a // BATCH + 1) % SAVE_EVERY == 0:
                self._save_rows(mine, dirty, rows)
        self._save_rows(mine, dirty, rows)
        return self._gather(corpus, rows)

    def _save_rows(self, mine: dict[str, np.ndarray], dirty: set[str], rows: dict[str, np.ndarray | None]) -> None:
        """Write the files of ``dirty``: a whole entry once every row is there, else a part entry."""
        for sha in sorted(dirty):
            whole = bool(mine[sha].any(axis=1).all())
            _save_atomic(self._entry(sha) if whole else self._part(sha), mine[sha])
            if whole:
                with contextlib.suppress(OSError):
                    self._part(sha).unlink()
            rows[sha] = mine[sha]
        dirty.clear()

    def _gather(self, corpus: CorpusIndex, rows: dict[str, np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
        ids, parts = [], []
        for d, _, lo, _hi in _doc_sentences(corpus):
            got = rows.get(corpus.docs[d].sha256)
            if got is not None:
                have = np.flatnonzero(np.asarray(got).any(axis=1))
                ids.append(have + lo)
                parts.append(np.asarray(got[have], dtype=np.float32))
        if not ids:
            return np.zeros(0, np.int64), np.zeros((0, self.embedder.dim), np.float32)
        return np.concatenate(ids).astype(np.int64), np.concatenate(parts)

    def _write_matrix(
        self, corpus: CorpusIndex, ranges: list[tuple[int, range, int, int]], parts: dict[str, np.ndarray]
    ) -> Path:
        """Write every file's rows in the index's sentence order as the corpus matrix."""
        path = self._corpus_path(corpus)
        n_all = int(corpus.tables["sent_start"].shape[0])
        with replacing(path) as tmp:  # written in place on disk: never held in memory twice
            matrix = np.lib.format.open_memmap(tmp, mode="w+", dtype=self.dtype, shape=(n_all, self.embedder.dim))
            for d, _, lo, hi in ranges:
                matrix[lo:hi] = parts[corpus.docs[d].sha256]
            matrix.flush()
            del matrix
        return path

    def _prune(self, keep: set[str]) -> None:
        """Drop this representation's vectors of content no longer in the corpus and its corpus
        matrices of other states. Another representation's files are kept: ``auto`` may move
        between full and static vectors as a corpus grows, and hours of full vectors are not
        thrown away for that."""
        mine = f"-{self.key}"
        for path in self.folder.iterdir():
            if mine in path.name and path.name not in keep and not path.name.startswith("."):
                with contextlib.suppress(OSError):
                    path.unlink()
        for stale in self.folder.glob(".*.tmp"):  # left by a killed build, if old enough
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.unlink()


def embed_all(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors of ``texts`` in batches (for tools and benchmarks)."""
    parts = [embedder.passages(texts[a : a + BATCH]) for a in range(0, len(texts), BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
