"""The engine's one entry point: :meth:`Engine.answer` turns a question into a cited answer."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from config import Settings, load_settings

from .answer import refusals
from .answer.compose import Composer
from .answer.messages import coverage_note
from .dates.years import settings as dating_settings
from .dialogue.followup import ATTRIBUTE, DRILL, PLACE, Conversation, Source, follow, resolve
from .dialogue.lexicon import Lexicon
from .index.corpus import CorpusIndex
from .index.embedding import VectorCache, VectorProgress
from .index.store import IndexStore, Progress
from .index.vectors import HYBRID, OFF, STATIC, SemanticStatus, SentenceVectors, decide, sentence_chunks
from .lang.text import default_tokenizer, normalize
from .lru import LRU
from .types import Answer, BuildReport, Citation, CorpusError, Document, Passage, Skipped

if TYPE_CHECKING:
    from .index.embedder import Embedder
    from .index.hybrid import HybridVectors
    from .index.hybrid_plan import HybridCache

__all__ = ["Conversation", "CorpusError", "Engine", "Passage"]

# How Engine.open gets the sentence vectors when they are not cached yet: build them before
# returning, build them in a background thread and switch them in when ready, or not at all.
SEMANTIC_MODES = ("build", "background", "cached")
# One vector build at a time per process (a reload's build waits for the old one to stop).
_VECTOR_BUILDS = threading.Lock()
# Niceness added to a background vector build's thread, so that answering keeps its cores.
_BACKGROUND_NICE = 10


class Engine:
    """A loaded corpus and everything needed to answer questions about it. Thread-safe to query."""

    def __init__(self, settings: Settings, corpus: CorpusIndex, report: BuildReport):
        self.settings = settings
        self.corpus = corpus
        self.report = report
        self.tokenizer = default_tokenizer()
        self.composer = Composer(
            corpus,
            self.tokenizer,
            retrieve_k=settings.retrieve_k,
            min_confidence=settings.min_confidence,
            learned=settings.answer_decision == "learned",
        )
        self.lexicon = Lexicon.from_documents(corpus.docs)  # places, for follow-up questions
        self._doc_by_path: dict[tuple[str, str], int] | None = None
        self._normalised: LRU[int, str] = LRU(8)  # normalised report texts, for follow-ups
        # Nearest-sentence search over sentence vectors: None until they are ready (then the
        # attribute is replaced in one step, so a reader sees either None or all of them).
        self.semantic: SentenceVectors | None = None
        self.semantic_status = SemanticStatus(settings.semantic, settings.embedder, False, "", 0)
        self.semantic_mode = "cached"
        self._cancel = threading.Event()
        self._vector_thread: threading.Thread | None = None
        self._clock, self._started = time.monotonic, time.monotonic()  # Engine.open: when the build began

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        semantic: str = "build",
        vector_progress: VectorProgress | None = None,
        embedder: Embedder | None = None,
        static_embedder: Embedder | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Engine:
        """Load (or build) the index of ``settings.corpus_path``. Raises :class:`CorpusError`.

        ``semantic`` says what happens when sentence vectors are wanted (the ``semantic``
        setting) but not cached: ``build`` them now (``vector_progress`` shows how far),
        build them in the ``background`` (answers are BM25-only until :attr:`semantic` is
        set), or leave them (``cached``: use them only if already there). ``embedder``
        replaces the one named by the ``embedder`` setting, ``static_embedder`` the static word
        vectors shipped with ReportQA, ``clock`` the hybrid's deadline's clock (tests, tools).
        """
        if semantic not in SEMANTIC_MODES:
            raise ValueError(f"semantic must be one of {SEMANTIC_MODES}")
        settings = settings or load_settings()
        dating_settings()  # a bad config/dating.toml stops here, not in a worker process
        workers = settings.workers or os.cpu_count() or 1
        started = clock()  # the hybrid's model share stops a share of the budget after this
        store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), workers)
        corpus, report = store.open(force=rebuild, progress=progress)
        engine = cls(settings, corpus, report)
        engine.semantic_mode = semantic
        engine._clock, engine._started = clock, started
        engine._open_vectors(store, workers, embedder, vector_progress, static_embedder)
        return engine

    # --- sentence vectors ----------------------------------------------------------------------
    def _open_vectors(
        self,
        store: IndexStore,
        workers: int,
        embedder: Embedder | None,
        progress: VectorProgress | None,
        static_embedder: Embedder | None = None,
    ) -> None:
        """Decide which sentence vectors are used (full, static or none); load, build or start
        building them. When semantic matching is off nothing is imported or read."""
        status = self.semantic_status
        chosen = self._choose(store, workers, embedder)
        if chosen is None:
            return
        representation, embedder, mixed = chosen
        full = embedder
        if representation in (STATIC, HYBRID):
            from .index.static import bundled

            try:
                embedder = static_embedder or bundled()
            except (OSError, ValueError, KeyError) as exc:
                self._vectors_failed(f"静态词向量表无法读取（{type(exc).__name__}: {exc}）")
                return
        if embedder is None:  # pragma: no cover - decide() turns "none" off first
            return
        cache: VectorCache | HybridCache = VectorCache(store.folder, store.token_key, embedder)
        if mixed is not None and full is not None:
            cache = mixed.cache(VectorCache(store.folder, store.token_key, full), cache)
        ready = cache.load(self.corpus, status)
        if ready is not None:
            status.state = "ready"
            self._use(ready)
            return
        status.state = "pending"
        if self.semantic_mode == "build":
            self._build_vectors(cache, progress)
        elif self.semantic_mode == "background":
            if not isinstance(cache, VectorCache):  # hybrid: static vectors answer while the model's are built
                self.semantic = cache.static_now(self.corpus)
            self._vector_thread = threading.Thread(
                target=self._build_vectors, args=(cache, None, True), name="sentence-vectors", daemon=True
            )
            self._vector_thread.start()

    def _choose(self, store: IndexStore, workers: int, embedder: Embedder | None):
        """(representation, the full model's embedder, the hybrid plan or None); None when
        nothing is to be done (off, or the model that ``semantic = on`` asks for is missing)."""
        settings, status = self.settings, self.semantic_status
        status.sentences = int(self.corpus.tables["sent_start"].shape[0])
        embedder, pending, full_error = self._full_embedder(store, workers, embedder)
        representation, status.reason = decide(
            settings.semantic, settings.embedder, status.sentences, pending, settings.semantic_budget_seconds, workers
        )
        mixed = None  # auto above the budget: the model's vectors for the sentences that fit, static for the rest
        if representation == STATIC and settings.semantic == "auto" and embedder is not None:
            from .index.hybrid_plan import plan

            mixed = plan(self.corpus, settings, workers, self._started, self._clock)
            if mixed is not None:
                representation, status.reason = HYBRID, mixed.reason
        if full_error and representation != OFF:
            if settings.semantic == "on":
                status.representation, status.enabled = representation, True
                self._vectors_failed(full_error)
                return None
            representation, status.reason = STATIC, f"{full_error}；改用静态词向量（由语义模型蒸馏）"
        status.representation, status.enabled = representation, representation != OFF
        return (representation, embedder, mixed) if status.enabled else None

    def _full_embedder(
        self, store: IndexStore, workers: int, embedder: Embedder | None
    ) -> tuple[Embedder | None, int | None, str]:
        """(the full model's embedder, its sentences not cached yet (for ``auto``), why it cannot
        be had) when the setting may want it. No model is loaded here."""
        settings = self.settings
        if settings.semantic not in ("auto", "on") or settings.embedder == "none":
            return None, None, ""
        from .index.embedder import EmbedderUnavailable, make_embedder

        try:
            embedder = embedder or make_embedder(settings.embedder, threads=workers)
        except EmbedderUnavailable as exc:
            return None, None, str(exc)
        if embedder is None or settings.semantic != "auto":
            return embedder, None, ""
        return embedder, VectorCache(store.folder, store.token_key, embedder).pending(self.corpus), ""

    def _build_vectors(
        self, cache: VectorCache | HybridCache, progress: VectorProgress | None, background: bool = False
    ) -> None:
        from .index.embedder import EmbedderUnavailable

        status = self.semantic_status
        with _VECTOR_BUILDS:
            if self._cancel.is_set():
                return
            if background:
                with contextlib.suppress(OSError, AttributeError):
                    me = threading.get_native_id()
                    os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + _BACKGROUND_NICE)
            status.state = "building"
            try:
                vectors = cache.build(self.corpus, status, progress, self._cancel)
            except (EmbedderUnavailable, OSError, ValueError) as exc:
                unavailable = isinstance(exc, EmbedderUnavailable)
                self._vectors_failed(
                    str(exc) if unavailable else f"句子向量无法计算或保存（{type(exc).__name__}: {exc}）"
                )
                return
            if vectors is None:  # cancelled: this engine was replaced
                status.state = "pending"
                return
            self._use(vectors)
            status.state = "ready"
            if background and not isinstance(cache, VectorCache):  # hybrid: the rest, in the background
                with contextlib.suppress(EmbedderUnavailable, OSError, ValueError):
                    upgraded = cache.upgrade(self.corpus, status, self._cancel)
                    if upgraded is not None:
                        self._use(upgraded)

    def _use(self, vectors: SentenceVectors | HybridVectors) -> None:
        """Switch ``vectors`` in, in one assignment (mixed ones have SentenceVectors' search interface)."""
        self.semantic = cast("SentenceVectors", vectors)

    def _vectors_failed(self, message: str) -> None:
        self.semantic_status.state = "failed"
        self.semantic_status.error = message
        self.report.warnings.append(f"{message}；只用 BM25 检索")

    def wait_for_vectors(self, timeout: float | None = None) -> bool:
        """Wait for a background vector build; True if the vectors are in use."""
        thread = self._vector_thread
        if thread is not None:
            thread.join(timeout)
        return self.semantic is not None

    def close(self) -> None:
        """Stop a background vector build (the engine keeps answering, BM25-only if unfinished)."""
        self._cancel.set()

    # --- questions ---------------------------------------------------------------------------
    def answer(self, question: str, *, limit: int | None = None) -> Answer:
        """The best sentences answering ``question``, each cited, or a refusal with a message."""
        if not isinstance(question, str):
            question = str(question)
        # Lone surrogates cannot be encoded or shown; replace them instead of failing later.
        question = question.encode("utf-8", "replace").decode("utf-8")
        refused = refusals.check_question(question, self.settings.max_question_chars)
        if refused is not None:
            return refused
        text = question.strip()
        # Sentence vectors are read once: a background build may switch them in meanwhile.
        answer = self.composer.compose(text, limit=limit or self.settings.top_k, vectors=self.semantic)
        return dataclasses.replace(answer, question=question, resolved=question)  # echo the question as asked

    def ask_in(
        self, conversation: Conversation | None, message: str, *, limit: int | None = None
    ) -> tuple[Answer, Conversation]:
        """Answer ``message`` as the next turn of ``conversation`` (None starts one): a follow-up
        (那长葛呢？, 其中高中有几所？) is rewritten into a standalone question first. Returns the
        answer, whose ``resolved`` is the question actually answered, and the conversation after it."""
        if not isinstance(message, str):
            message = str(message)
        message = message.encode("utf-8", "replace").decode("utf-8")
        resolution = resolve(
            message, conversation, self.lexicon, cut=self.tokenizer.words, max_chars=self.settings.max_question_chars
        )
        refused = refusals.check_follow_up(
            message,
            resolution.question,
            coverage=coverage_note(self.corpus.docs),
            place=resolution.place if resolution.kind == PLACE else "",
            place_known=not self.lexicon.complete or self.lexicon.known(resolution.place),
            word=self._absent_word(resolution, conversation),
            report_title=conversation.source.title if conversation and conversation.source else "",
        )
        answer = refused or self.answer(resolution.question, limit=limit)
        answer = dataclasses.replace(answer, question=message, resolved=resolution.question)
        text = message.strip()
        if not text or len(text) > self.settings.max_question_chars:
            return answer, conversation or Conversation()  # not a question: the conversation stays
        # An unsure answer still shows its sentences: the conversation goes on from them.
        shown = answer.outcome != "none"
        source = self.source_of(answer) if shown else None
        return answer, follow(conversation, resolution, shown, source, self.lexicon)

    def _absent_word(self, resolution, conversation: Conversation | None) -> str:
        """For a follow-up asking the last answer's report about something else (老师呢？,
        其中有几个考上了清华？): a word of its own that report never uses, nor any synonym of it."""
        if resolution.kind not in (ATTRIBUTE, DRILL) or conversation is None or conversation.source is None:
            return ""
        if self._doc_by_path is None:
            # A file may hold several documents (a gazette): the source's title tells which.
            self._doc_by_path = {(m.path, m.title): i for i, m in enumerate(self.corpus.docs)}
        doc = self._doc_by_path.get((conversation.source.path, conversation.source.title))
        if doc is None:
            return ""
        return refusals.absent_word(
            self.tokenizer.tokens(resolution.own),
            self.corpus.text(doc),
            self.composer.thesaurus.synonyms,
            lambda: self._normalised.touch(doc, lambda: normalize(self.corpus.text(doc))),
        )

    def source_of(self, answer: Answer) -> Source | None:
        """The report (and section) of the first sentence shown (the answer's, or an unsure one's)."""
        first = (answer.sentences or answer.closest)[:1]
        if not first:
            return None
        citation = first[0].citation
        doc = self.corpus.doc_index(citation.doc_id)
        meta = self.corpus.docs[doc] if doc is not None else None
        return Source(
            citation.title,
            citation.path,
            tuple(meta.places) if meta else (),
            tuple(meta.years) if meta else (),
            citation.section,
        )

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The ``k`` best-matching paragraphs for a keyword query (one per paragraph)."""
        tokens = self.tokenizer.tokens(query.encode("utf-8", "replace").decode("utf-8"))
        out: list[Passage] = []
        seen: set[tuple[int, int]] = set()
        for chunk, score in self.corpus.bm25.top(tokens, k * 4):
            c = self.corpus.chunk(chunk)
            key = (int(self.corpus.chunk_docs[chunk]), c.paragraph)
            if key in seen:
                continue
            seen.add(key)
            first = self.corpus.sentence_range(chunk)[0]
            citation = self.corpus.citation(chunk, first)
            out.append(Passage(self.paragraph(citation), citation, score))
            if len(out) == k:
                break
        return out

    def nearest_sentences(self, question: str, k: int = 10) -> list[tuple[int, int, float]]:
        """The ``k`` sentences of the whole corpus nearest ``question`` by cosine, as
        (chunk, sentence id, cosine), best first; [] while there are no sentence vectors.
        The composer uses the same search as its second candidate source (retrieval/answer/similar.py)."""
        vectors = self.semantic  # read once: a background build may switch it meanwhile
        if vectors is None:
            return []
        hits = vectors.nearest(vectors.query(question), k)
        chunks = sentence_chunks(self.corpus, [sid for sid, _ in hits]).tolist()
        return [(chunk, sid, cos) for chunk, (sid, cos) in zip(chunks, hits)]

    def paragraph(self, citation: Citation) -> str:
        """The whole paragraph a citation sits in, verbatim."""
        doc = self.corpus.doc_index(citation.doc_id)
        if doc is None:
            return ""
        return self.corpus.text(doc)[citation.para_start : citation.para_end]

    # --- what is loaded ------------------------------------------------------------------------------
    @property
    def documents(self) -> list[Document]:
        return [self.corpus.document(i) for i in range(len(self.corpus.docs))]

    @property
    def skipped(self) -> list[Skipped]:
        return self.corpus.skipped


class EngineHolder:
    """Holds the current engine and swaps it atomically on reload (for long-running front ends)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    def reload(self, **kwargs) -> Engine:
        """Build a fresh engine from the same settings; the old one serves until it is ready.

        Sentence vectors are got the way the old engine got them (in the background for the
        bot); the old engine's unfinished vector build is stopped.
        """
        with self._lock:
            old = self._engine
            kwargs.setdefault("semantic", old.semantic_mode)
            fresh = Engine.open(old.settings, **kwargs)
            self._engine = fresh
            old.close()
            return fresh
