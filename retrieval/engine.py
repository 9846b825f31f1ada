"""The engine's one entry point: :meth:`Engine.answer` turns a question into a cited answer."""

from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from config import Settings, load_settings

from . import messages, policy
from .compose import Composer
from .corpus import CorpusIndex
from .dialogue import ATTRIBUTE, DRILL, PLACE, Conversation, Lexicon, Source, follow, resolve
from .messages import coverage_note
from .store import BuildReport, CorpusError, IndexStore, Progress
from .text import default_tokenizer, normalize
from .types import Answer, Citation, Document, Refusal, Skipped

__all__ = ["Conversation", "Engine", "CorpusError", "Passage"]


@dataclass(frozen=True)
class Passage:
    """A whole paragraph, for showing the context of a citation or search results."""

    text: str
    citation: Citation
    score: float = 0.0


class Engine:
    """A loaded corpus and everything needed to answer questions about it. Thread-safe to query."""

    def __init__(self, settings: Settings, corpus: CorpusIndex, report: BuildReport):
        self.settings = settings
        self.corpus = corpus
        self.report = report
        self.tokenizer = default_tokenizer()
        self.composer = Composer(corpus, self.tokenizer, retrieve_k=settings.retrieve_k,
                                 min_confidence=settings.min_confidence)
        self.lexicon = Lexicon.from_documents(corpus.docs)  # places, for follow-up questions
        self._doc_by_path: dict[str, int] | None = None

    @classmethod
    def open(cls, settings: Settings | None = None, *, rebuild: bool = False,
             progress: Progress | None = None) -> "Engine":
        """Load (or build) the index of ``settings.corpus_path``. Raises :class:`CorpusError`."""
        settings = settings or load_settings()
        workers = settings.workers or os.cpu_count() or 1
        store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), workers)
        corpus, report = store.open(force=rebuild, progress=progress)
        return cls(settings, corpus, report)

    # --- questions ---------------------------------------------------------------------------
    def answer(self, question: str, *, limit: int | None = None) -> Answer:
        """The best sentences answering ``question``, each cited, or a refusal with a message."""
        if not isinstance(question, str):
            question = str(question)
        # Lone surrogates cannot be encoded or shown; replace them instead of failing later.
        question = question.encode("utf-8", "replace").decode("utf-8")
        text = question.strip()
        if not text:
            return Answer(question, False, message=messages.EMPTY_QUESTION,
                          refusal=Refusal(policy.EMPTY_QUESTION))
        limit_chars = self.settings.max_question_chars
        if len(text) > limit_chars:
            return Answer(question, False,
                          message=messages.QUESTION_TOO_LONG.format(length=len(text), limit=limit_chars),
                          refusal=Refusal(policy.QUESTION_TOO_LONG))
        answer = self.composer.compose(text, limit=limit or self.settings.top_k)
        return dataclasses.replace(answer, question=question, resolved=question)  # echo the question as asked

    def ask_in(self, conversation: Conversation | None, message: str, *,
               limit: int | None = None) -> tuple[Answer, Conversation]:
        """Answer ``message`` as the next turn of ``conversation`` (None starts one): a follow-up
        (那长葛呢？, 其中高中有几所？) is rewritten into a standalone question first. Returns the
        answer, whose ``resolved`` is the question actually answered, and the conversation after it."""
        if not isinstance(message, str):
            message = str(message)
        message = message.encode("utf-8", "replace").decode("utf-8")
        resolution = resolve(message, conversation, self.lexicon, cut=self.tokenizer.words,
                             max_chars=self.settings.max_question_chars)
        absent = self._absent_word(resolution, conversation)
        if resolution.kind == PLACE and self.lexicon.complete and not self.lexicon.known(resolution.place):
            # The same question about a place no report is about: the reports cannot answer it.
            answer = Answer(message, False, refusal=Refusal(policy.PLACE_NOT_IN_CORPUS),
                            message=messages.PLACE_NOT_COVERED.format(
                                place=resolution.place, question=resolution.question,
                                coverage=coverage_note(self.corpus.docs)))
        elif absent:
            # Another thing asked of the same report, which never mentions it.
            answer = Answer(message, False, refusal=Refusal(policy.WORD_NOT_IN_REPORT),
                            message=messages.WORD_NOT_IN_REPORT.format(
                                title=conversation.source.title, word=absent, question=resolution.question))
        else:
            answer = self.answer(resolution.question, limit=limit)
        answer = dataclasses.replace(answer, question=message, resolved=resolution.question)
        text = message.strip()
        if not text or len(text) > self.settings.max_question_chars:
            return answer, conversation or Conversation()  # not a question: the conversation stays
        source = self.source_of(answer) if answer.answered else None
        return answer, follow(conversation, resolution, answer.answered, source, self.lexicon)

    def _absent_word(self, resolution, conversation: Conversation | None) -> str:
        """For a follow-up asking the last answer's report about something else (老师呢？,
        其中有几个考上了清华？): a word of its own that report never uses, nor any synonym of it."""
        if resolution.kind not in (ATTRIBUTE, DRILL) or conversation is None or conversation.source is None:
            return ""
        if self._doc_by_path is None:
            self._doc_by_path = {m.path: i for i, m in enumerate(self.corpus.docs)}
        doc = self._doc_by_path.get(conversation.source.path)
        if doc is None:
            return ""
        # Terms are normalised (Simplified, lower case). The report is first searched as it is; it
        # is normalised (a Traditional or full-width report) only once a term seems absent.
        raw = self.corpus.text(doc)
        normalised: str | None = None

        def uses(word: str) -> bool:
            nonlocal normalised
            if word in raw:
                return True
            if normalised is None:
                normalised = normalize(raw)
            return word in normalised

        for term in dict.fromkeys(self.tokenizer.tokens(resolution.own)):
            if len(term) < 2 or term.isdigit() or uses(term):
                continue
            if not any(uses(s) for s in self.composer.thesaurus.synonyms(term)):
                return term
        return ""

    def source_of(self, answer: Answer) -> Source | None:
        """The report (and section) of the answer's first sentence."""
        if not answer.sentences:
            return None
        citation = answer.sentences[0].citation
        doc = self.corpus.doc_index(citation.doc_id)
        meta = self.corpus.docs[doc] if doc is not None else None
        return Source(citation.title, citation.path, tuple(meta.places) if meta else (),
                      tuple(meta.years) if meta else (), citation.section)

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

    def paragraph(self, citation: Citation) -> str:
        """The whole paragraph a citation sits in, verbatim."""
        doc = self.corpus.doc_index(citation.doc_id)
        if doc is None:
            return ""
        return self.corpus.text(doc)[citation.para_start:citation.para_end]

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
        """Build a fresh engine from the same settings; the old one serves until it is ready."""
        with self._lock:
            fresh = Engine.open(self._engine.settings, **kwargs)
            self._engine = fresh
            return fresh
