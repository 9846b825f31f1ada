"""From a question to an answer, one stage after another (modules of ``retrieval/answer/``).

    question analysis  → question.py   (a Question record, records.py; its time: retrieval/dates/when.py)
    retrieval          → search.py     (ranked chunks, BM25 through the Retriever protocol)
                         similar.py    (and, with sentence vectors, the sentences nearest by meaning)
    report facts       → reports.py    (places, years and plan sections of each report)
    candidates         → candidates.py (one Candidate per sentence of those chunks, with its context)
    features           → features.py   (named columns worked out from it, one small function per group)
    score              → scoring.py    (weights from config/weights.toml; the dot product is taken here)
    answer policy      → policy.py     (answer, refuse with a reason, or show the closest)
    selection          → select.py     (best first, spread across reports; across years:
                                        the newest first and 其他年份, or a trend in year order)

:class:`Composer` runs the stages in order. Besides the policy's decision, it refuses by itself
when the question has nothing to search for, names a report of a year no report is of, or
matches no chunk; see ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..dates.when import ask_time
from ..index.corpus import CorpusIndex
from ..index.vectors import SentenceVectors
from ..lang.classes import WordClasses, default_classes
from ..lang.shapes import has_quantity
from ..lang.synonyms import Thesaurus, default_thesaurus
from ..lang.text import Tokenizer, normalize
from ..types import Answer, Refusal, Sentence
from . import refusals
from .candidates import gather, query_terms
from .decision import DecisionModel, Evidence, decision_row, default_decision
from .features import FEATURES, F, feature_matrix
from .matching import asked
from .messages import NOT_FOUND, coverage_note, time_note
from .policy import Confidence, Decision
from .question import analyse
from .records import Candidate, QueryTerms, Question
from .reports import ReportFacts
from .scoring import ScoringModel, default_model
from .search import retrieve, with_chunks
from .select import by_year, diversify, spread
from .similar import nearest

__all__ = ["FEATURES", "Candidates", "Composer"]


@dataclass
class Ranked:
    """A question's candidates in score order, or the answer given before any was weighed."""

    question: Question
    cands: Candidates | None = None
    scores: np.ndarray | None = None
    order: np.ndarray | None = None
    vectors: bool = False  # sentence vectors took part
    early: Answer | None = None
    # Report year → its best candidate when the answer is laid out by year (Composer._years),
    # worked out once for the decision and the selection.
    years: dict[int, int] = field(default_factory=dict)


@dataclass
class Candidates:
    """The candidate sentences of one question with their feature rows and confidences."""

    question: Question
    terms: QueryTerms
    items: list[Candidate]
    features: np.ndarray  # (n, len(FEATURES))
    confidences: list[Confidence]

    @property
    def confidence(self) -> np.ndarray:
        """Each candidate's confidence value (see :meth:`AnswerPolicy.confidence`)."""
        return np.array([c.value for c in self.confidences])

    @property
    def chunk(self) -> list[int]:
        return [c.chunk for c in self.items]

    @property
    def sent(self) -> list[int]:
        return [c.sent for c in self.items]

    @property
    def doc(self) -> list[int]:
        return [c.doc for c in self.items]


class Composer:
    """Scores sentences of retrieved chunks against a question and decides what to answer."""

    def __init__(
        self,
        corpus: CorpusIndex,
        tokenizer: Tokenizer,
        *,
        retrieve_k: int = 10,
        min_confidence: float | None = None,
        model: ScoringModel | None = None,
        thesaurus: Thesaurus | None = None,
        decision: DecisionModel | None = None,
        learned: bool = True,
    ):
        """``min_confidence`` overrides the answer threshold when given; ``decision``: the learned
        answer decision (None: the shipped one); ``learned=False``: the hand-set policy decides."""
        self.corpus = corpus
        self.thesaurus = default_thesaurus() if thesaurus is None else thesaurus
        self.tokenizer = tokenizer
        self.retrieve_k = retrieve_k
        self.model = model or default_model()
        self.decision: DecisionModel | None = (decision or default_decision()) if learned else None
        policy = self.model.policy
        if min_confidence is not None and self.decision is not None:
            self.decision = replace(
                self.decision,
                answer_at=float(min_confidence),
                unsure_at=min(self.decision.unsure_at, float(min_confidence)),
            )
        elif min_confidence is not None:
            policy = replace(policy, min_confidence=float(min_confidence))
        self.policy = policy
        self.facts = ReportFacts(corpus)
        self.classes: WordClasses = default_classes()
        self._not_found = NOT_FOUND.format(coverage=coverage_note(corpus.docs))

    @property
    def min_confidence(self) -> float:
        return self.policy.min_confidence

    def question(self, text: str) -> Question:
        """The :class:`Question` record of ``text``, with its time resolved against the reports:
        relative words (今年, 去年) count from the year the newest report of the place it names (or
        of all) is read in."""
        q = analyse(text, self.tokenizer)
        q = replace(q, where=self.facts.where(q))
        q = replace(q, report_places=self.facts.named_places(q))
        chosen = self.facts.chosen(q)
        return replace(q, time=ask_time(q.norm, self.facts.newest_of(chosen), self.facts.now_of(chosen)))

    def candidates(
        self,
        question: str | Question,
        report_docs: np.ndarray | None = None,
        vectors: SentenceVectors | None = None,
        searched: np.ndarray | None = None,
    ) -> Candidates | None:
        """Every distinct sentence of the retrieved chunks with its features, or None if the
        question has nothing to search for or no chunk matches. ``report_docs`` restricts the
        search to some reports (a report the question names by its year); ``searched``: the
        reports searched at all (a mask; None: all); with sentence ``vectors``, the sentences
        nearest the question add their chunks and cosines."""
        q = question if isinstance(question, Question) else self.question(question)
        if not q.tokens and not q.bigrams:
            return None
        p = self.model.compose
        k = self.retrieve_k * (p.retrieve_factor(q.time.trend, bool(q.time.years)) if self.facts.multi_year else 1)
        found = retrieve(
            q, self.corpus.bm25, self.facts, self.corpus.chunk_docs, self.thesaurus, k, p, report_docs, searched
        )
        near = None
        if vectors is not None:
            near = nearest(q, vectors, self.corpus, int(p.semantic_k), report_docs, found.chosen)
            found = with_chunks(found, near.chunks)
        if not found.chunks:
            return None
        terms = query_terms(q, self.corpus.bm25, self.facts, found, p)
        items = gather(q, terms, found, self.corpus, self.facts, p)
        if near is not None and vectors is not None:  # near comes only with vectors
            near.mark(items, vectors)
        x = feature_matrix(q, terms, items)
        cover = x[:, [F["tok_cov"], F["big_cov"]]].tolist()
        confidences = [self.policy.confidence(q, c, tok, big) for c, (tok, big) in zip(items, cover)]
        return Candidates(q, terms, items, x, confidences)

    def rank(
        self, question: str, vectors: SentenceVectors | None = None, only_docs: np.ndarray | None = None
    ) -> Ranked:
        """The question's candidate sentences in score order, or the refusal that comes before any
        sentence is weighed (nothing to search for, a named report that is not there, no match).
        ``only_docs``: a mask of the reports searched at all (tools leave one out)."""
        q = self.question(question)
        if not q.tokens and not q.bigrams:
            return Ranked(q, early=refusals.nothing_to_search(question))
        missing = self.facts.not_covered(q)
        if missing is not None:
            covers = coverage_note(self.corpus.docs)
            return Ranked(q, early=refusals.place_not_in_corpus(question, self.facts.label(missing), covers))
        report_docs = None
        if q.time.report_year is not None and self.facts.newest is not None:
            year = q.time.report_year
            # The report of that year, or one whose title names it (…2024年工作总结及2025年工作计划).
            named = {
                d
                for d, y in enumerate(self.facts.report_years)
                if y is not None and (y == year or f"{year}年" in self.facts.titles[d])
            }
            if not named:
                return Ranked(q, early=refusals.report_not_in_corpus(question, year, coverage_note(self.corpus.docs)))
            report_docs = self.facts.year_mask(named)
        elif q.time.years and self.facts.multi_year:
            # Reports that can speak of the year, among those of the place the question names (a
            # place's communiqué, dated by no report title, is not left out for its year).
            near = self.facts.near_years(q.time.years)
            chosen = self.facts.chosen(q)
            if chosen is not None:
                near = {d for d in near if chosen[d]}
            report_docs = self.facts.year_mask(near) if near else None
        if only_docs is not None:
            report_docs = only_docs if report_docs is None else report_docs & only_docs
        cands = self.candidates(q, report_docs, vectors, only_docs)
        if cands is None or not cands.items:
            return Ranked(q, early=refusals.no_match(question, self._not_found))
        scores = cands.features @ self.model.weights
        ranked = Ranked(q, cands, scores, np.argsort(-scores, kind="stable"), vectors is not None)
        ranked.years = self._years(ranked)
        return ranked

    def decision_row(self, r: Ranked) -> np.ndarray:
        """The answer decision's input row for the sentence ``r``'s answer shows first (:meth:`first_shown`)."""
        assert r.cands is not None and r.order is not None and r.scores is not None
        first = self.first_shown(r)
        window = [first] + [int(i) for i in r.order[: self.policy.window] if int(i) != first]
        top = r.cands.items[first]
        conf = r.cands.confidences[first]
        cite = self.corpus.citation(top.chunk, top.sent)
        cols = r.cands.features[first]
        e = Evidence(
            conf.value,
            max(r.cands.confidences[i].value for i in window),
            conf.before_vetoes,
            tuple(float(r.scores[i]) for i in window),
            float(cols[F["tok_cov"]]),
            float(cols[F["big_cov"]]),
            float(cols[F["ctx_cov"]]),
            float(cols[F["win_cov"]]),
            conf.unit_missing,
            has_quantity(top.said.norm),
            conf.period_other,
            conf.year_missing,
            conf.part_other,
            top.ctx.foreign_place,
            top.match.cos,
            r.vectors,
            len(r.question.tokens),
            cite.row is not None,
        )
        a = asked(r.question, self.classes, self.thesaurus, r.cands.terms.key_term)
        context = normalize(" ".join((self.corpus.chunk_text(top.chunk), cite.section, top.report.title)))
        words = self.tokenizer.tokens(top.said.norm, normalized=True)
        return decision_row(a, e, top.said.norm, context, r.question.tokens, words)

    def first_shown(self, r: Ranked) -> int:
        """The candidate the answer (or the unsure answer's 可能相关) shows first: the best by
        score, or across the years of a multi-year corpus the newest year's best (the oldest
        shown, for a trend)."""
        assert r.order is not None
        years = r.years
        if len(years) > 1 and r.question.time.trend:
            return sorted(years.items())[-int(self.model.compose.max_years) :][0][1]
        if len(years) > 1:
            return years[max(years)]
        return int(r.order[0])

    def _years(self, r: Ranked) -> dict[int, int]:
        """Report year → its best candidate when the answer is laid out by year (a multi-year
        corpus, a question that names no year nor report), else empty."""
        q = r.question
        if not (self.facts.multi_year and not q.time.years and q.time.report_year is None):
            return {}
        assert r.cands is not None and r.scores is not None and r.order is not None
        return by_year(r.order, r.scores, r.cands, self.policy.min_confidence, self.model.compose.year_margin)

    def decide(self, r: Ranked) -> tuple[Decision, float | None]:
        """Answer, unsure (closest shown) or none, and the probability that the first sentence
        answers (None without a decision model, when the hand-set policy decides)."""
        assert r.cands is not None and r.order is not None
        old = self.policy.decide([r.cands.confidences[int(i)] for i in r.order])
        if self.decision is None:
            return old, None
        p = self.decision.probability(self.decision_row(r))
        terms = r.cands.terms
        outcome = self.decision.outcome(p, on_topic=terms.reports_use_any, foreign=terms.foreign_share)
        if outcome == "answer":
            return Decision(True), p
        q = r.question
        reason = refusals.learned_reason(
            old.refusal.reason if old.refusal else None,
            self.facts.covers_years(q.time.years) or any(k >= 0 for k in terms.dated.values()),
            self.facts.not_covered(q, every_report=False) is None,
        )
        refusal = Refusal(reason, round(p, 4), self.decision.answer_at)
        return Decision(False, refusal, self.policy.closest if outcome == "unsure" else 0), p

    def compose(self, question: str, limit: int = 3, more: int = 10, vectors: SentenceVectors | None = None) -> Answer:
        """The best ``limit`` sentences (and ``more`` further ones), or a refusal with its reason;
        with sentence ``vectors`` (semantic matching), also by meaning."""
        r = self.rank(question, vectors)
        if r.early is not None:
            return r.early
        missing = self.facts.not_covered(r.question, every_report=False)
        if missing is not None:  # a place no report covers (a national report may still name it)
            assert r.cands is not None and r.order is not None
            refused = refusals.place_not_named(
                question,
                self.facts.label(missing),
                not r.cands.items[int(r.order[0])].ctx.foreign_place,
                coverage_note(self.corpus.docs),
            )
            if refused is not None:
                return refused
        decision, confidence = self.decide(r)
        refusal = decision.refusal  # why not, for a decision not to answer
        if not decision.answered and not decision.closest:
            assert refusal is not None
            return refusals.not_answered(question, refusal, self._not_found, confidence=confidence)
        answer = self._select(r, question, limit, more, confidence)
        if decision.answered:
            return answer
        # Unsure: the sentences the answer would have led with, shown to be checked (all of them
        # for a question about every place, which the answer spreads across reports).
        shown = limit if r.question.every_place else decision.closest
        assert refusal is not None
        return refusals.not_answered(
            question, refusal, self._not_found, answer.sentences[:shown], answer.note, confidence
        )

    def _select(self, r: Ranked, question: str, limit: int, more: int, confidence: float | None) -> Answer:
        """The answer's sentences: best first, across years newest first (or a trend in year
        order), spread across reports for a question about every place."""
        q, cands, scores, order = r.question, r.cands, r.scores, r.order
        assert cands is not None and scores is not None and order is not None
        note = time_note(q.time)
        p = self.model.compose
        years = r.years
        if years:
            if q.time.trend and len(years) > 1:
                picked = [self._sentence(cands, i, scores) for _, i in sorted(years.items())[-int(p.max_years) :]]
                return Answer(question, True, tuple(picked), "", note=note, trend=True, confidence=confidence)
            if len(years) > 1:
                newest = max(years)
                first = years[newest]
                order = np.array([first] + [int(i) for i in order if int(i) != first])
                others = [
                    self._sentence(cands, years[y], scores)
                    for y in sorted(years, reverse=True)[1 : int(p.max_years) + 1]
                ]
                return self._ranked(q, question, order, scores, cands, limit, more, note, tuple(others), confidence)
        return self._ranked(q, question, order, scores, cands, limit, more, note, confidence=confidence)

    def _ranked(
        self,
        q: Question,
        question: str,
        order: np.ndarray,
        scores: np.ndarray,
        cands: Candidates,
        limit: int,
        more: int,
        note: str,
        other_years: tuple[Sentence, ...] = (),
        confidence: float | None = None,
    ) -> Answer:
        """The answer: sentences best first, spread across reports when it is about every place."""
        p = self.model.compose
        toll = spread(
            q,
            self.facts.named_places(q),
            len(self.corpus.docs),
            bool(self.facts.all_places),
            p.diversity,
            p.every_place_spread,
        )
        ranked = diversify(order, scores, cands.doc, toll, limit + more)
        picked = [self._sentence(cands, i, scores) for i in ranked]
        return Answer(
            question,
            True,
            tuple(picked[:limit]),
            "",
            tuple(picked[limit:]),
            note=note,
            other_years=other_years,
            confidence=confidence,
        )

    def _sentence(self, cands: Candidates, i: int, scores: np.ndarray) -> Sentence:
        c = cands.items[i]
        return Sentence(
            self.corpus.sentence_text(c.chunk, c.sent),
            round(float(scores[i]), 6),
            self.corpus.citation(c.chunk, c.sent),
        )
