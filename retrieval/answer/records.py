"""The records the answer stages pass between them: what a question asks (:class:`Question`),
the chunks retrieved for it (:class:`Retrieved`), its terms weighed against the index
(:class:`QueryTerms`) and one candidate sentence with its context (:class:`Candidate`: the
sentence, its chunk and paragraph, its report, its table row, its semantic match, its standing
in the pool)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..dates.ask import TimeAsk
from ..lang.places import Place


@dataclass(frozen=True)
class Question:
    """What a question asks for and what it names; built once by :func:`~retrieval.answer.question.analyse`."""

    text: str
    norm: str
    tokens: tuple[str, ...]
    types: tuple[str, ...]
    bigrams: frozenset[str]
    every_place: bool
    subject: str = ""  # what a definition question asks about ("" otherwise)
    places: tuple[str, ...] = ()  # place names the question mentions, as written (四川, 古丈县, XX县)
    focus: str = ""  # the word naming what is asked for ("" if none is found)
    unit: re.Pattern[str] | None = None  # what the asked value looks like (a number in its unit, a year)
    category: str = ""  # the noun after the question word (大学 in 哪个大学), "" if none
    anchors: tuple[tuple[str, bool], ...] = ()  # words next to the question word; True: it follows them
    asks_plan: bool = False  # the question asks about plans (计划, 明年, 目标) rather than results
    # The report it names, the years it is about (relative words resolved against the corpus's
    # newest report), result or target, a trend (retrieval/dates/when.py); set by the composer.
    time: TimeAsk = TimeAsk()
    # The reports' place names the question mentions, worked out once by the composer (None: not yet).
    report_places: frozenset[str] | None = None
    # The places it is about, read against the reports' places (retrieval/lang/places.py); set by
    # the composer (None: not yet).
    where: tuple[Place, ...] | None = None


@dataclass(frozen=True)
class Retrieved:
    """The chunks retrieved for a question, best first, with every chunk's adjusted score."""

    chunks: list[int]
    scores: np.ndarray
    expansions: dict[str, tuple[str, ...]]  # question term → synonyms the reports use
    chosen: np.ndarray | None  # per document: a report of the place the question names
    # Question terms that name some reports (in a title, file name or issuer) → those reports' mask.
    naming: dict[str, np.ndarray] = field(default_factory=dict)
    # Question term → those of its synonyms the reports use that are interchangeable with it.
    exact: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class QueryTerms:
    """The question's terms weighed against the index: what a sentence must cover."""

    weights: dict[int, float] = field(default_factory=dict)  # term id (negative: unknown term) → idf
    # Terms of two or more characters, also found as text: a sentence that jieba cuts
    # differently (日 + 马萨利加 joined as 日马萨利加 after a date) still holds the term.
    spelled: list[tuple[str, int]] = field(default_factory=list)
    # Terms the reports word differently: (what a synonym adds, the term's key, the synonyms' ids).
    alternatives: list[tuple[float, int, frozenset[int]]] = field(default_factory=list)
    # Terms the reports word by an interchangeable synonym: (the term's key, the synonyms' ids,
    # the term's character bigrams); a sentence holding one holds the term.
    same: list[tuple[int, frozenset[int], frozenset[str]]] = field(default_factory=list)
    bigrams: frozenset[str] = frozenset()  # the question's character bigrams, less report selectors
    years: tuple[str, ...] = ()  # years the question names, as text
    # A year the question names → its term's key: a sentence about that year (dated by the
    # index: 去年 in the next report's review, a paragraph under the year's heading) holds it.
    dated: dict[int, int] = field(default_factory=dict)
    focus: str = ""  # the focus word, unless it is the rarest term anyway
    key_term: str = ""  # the rarest question term the reports use
    near_terms: list[tuple[str, float]] = field(default_factory=list)  # terms by idf relative to the rarest
    asked_chars: frozenset[str] = frozenset()  # characters of the question
    # Terms that name some reports, as (id, mask of the reports): every sentence of such a report
    # holds them (its name is its context), however seldom its text repeats them.
    named_by: list[tuple[int, np.ndarray]] = field(default_factory=list)
    not_new: set[int] = field(default_factory=set)  # ids a sentence does not add to the question
    total: float = 0.0  # sum of the weights (worked out from them when left at 0)

    def covered(self, toks: set[int]) -> float:
        """idf-weighted share of the question terms in ``toks`` (a synonym counts for less)."""
        found = 0.0
        for t, w in self.weights.items():  # a loop, not sum(): this runs for every sentence several times
            if t in toks:
                found += w
        for w, key, alts in self.alternatives:
            if key not in toks and not alts.isdisjoint(toks):
                found += w
        return found / (self.total or sum(self.weights.values()) or 1.0)

    @property
    def reports_use_any(self) -> bool:
        """Whether any of the question's weighed terms is a word of the reports, or worded by an
        interchangeable synonym they use (GDP for 生产总值): when none is (比特币今天的价格; a looser
        synonym of one word is too little), nothing found is about the question."""
        return any(t >= 0 for t in self.weights) or bool(self.same)

    @property
    def foreign_share(self) -> float:
        """The share of the question's weight on terms the reports do not use (nor an
        interchangeable synonym of them): 比特 and 币 of 比特币现在多少钱一个？."""
        worded = {key for key, _, _ in self.same}
        total = sum(abs(w) for w in self.weights.values())
        foreign = sum(abs(w) for t, w in self.weights.items() if t < 0 and t not in worded)
        return foreign / total if total else 0.0


# --- one candidate sentence: what it holds, grouped by where it comes from ------------------------
# Filled by retrieval/answer/candidates.py; each feature of retrieval/answer/features.py works out
# its columns from them.


@dataclass(slots=True)
class Said:
    """One sentence of a retrieved chunk: its text and its terms."""

    norm: str  # normalised text
    grams: set[str]  # its character bigrams (and a question term's, worded by an interchangeable synonym)
    toks: set[int]  # its term ids, with question terms found as text
    n_toks: int = 0  # how many tokens it has
    tfs: list[int] = field(default_factory=list)  # counts of the question terms (at least 1 if found as text)
    cov: float = 0.0  # QueryTerms.covered(toks): the share of the question it covers
    opens_para: bool = False  # it opens its paragraph
    period: int | None = None  # the year it is about (retrieval/dates/periods.py), None if unknown
    # It reviews ('review') or plans ('plan'): by its section, else by its period (dates.periods.part_of).
    part: str | None = None
    added: float = 0.0  # summed idf of the words it adds to the question
    span: bool = False  # undated, it speaks of several years at once (五年来…, or after 过去五年 in its passage)


@dataclass(slots=True)
class Context:
    """A sentence's chunk and paragraph, shared by the candidates of one chunk."""

    sentences: list[Said]  # the chunk's sentences in text order
    toks: set[int] = field(default_factory=set)  # the terms of the whole chunk
    grams: set[str] = field(default_factory=set)  # the bigrams of the whole chunk
    # Terms of the paragraph's opening sentence, which names its subject (a table row's: its
    # table's caption).
    opening: set[int] = field(default_factory=set)
    label: str = ""  # its section's innermost heading label, as bare words
    plan_heading: str = ""  # the plan heading of its section, "" outside a plan part
    # A year the question names is in the paragraph, the report is of it, or a sentence is about it.
    para_year: bool = False
    # The report reviews a year the question names, and the passage is that review: it neither
    # plans nor says it is about another year (candidates._passage_time).
    reviews_asked: bool = False
    foreign_place: bool = False  # the question is about a place neither the report nor the passage is


@dataclass(frozen=True, slots=True)
class ReportOf:
    """What a sentence's report is: its title, year and whether it is a companion (决议, 说明)."""

    title: str = ""  # normalised
    year: int | None = None
    companion: bool = False


@dataclass(frozen=True, slots=True)
class TableRow:
    """A table row (retrieval/answer/rows.py): the characters of its label and the cell the question
    asks about, that cell, and whether the question names both its row and column."""

    length: int = 0
    cell: str = ""
    cross: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """Its semantic match (retrieval/index/vectors.py), when sentence vectors are in use."""

    cos: float = 0.0  # cosine of the sentence's vector and the question's
    gap: float = 0.0  # pool-level: how far below the best candidate's cosine (0 for the best)
    near_rank: int = -1  # rank among the corpus's sentences nearest the question (-1: not near)


@dataclass(frozen=True, slots=True)
class BigramRarity:
    """Pool-level: the question's bigrams, each weighed by its rarity among the candidates."""

    grams: tuple[str, ...] = ()
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    total: float = 1.0

    def share(self, grams: set[str]) -> float:
        """The rarity-weighted share of the question's bigrams in ``grams``."""
        hits = [j for j, b in enumerate(self.grams) if b in grams]
        return float(self.weights[hits].sum()) / self.total if hits else 0.0


@dataclass(slots=True)
class Pool:
    """Pool-level facts: where a candidate stands among all the question's candidates."""

    rank: int = 0  # its chunk's BM25 rank
    rel: float = 0.0  # its chunk's score relative to the best chunk
    sent_bm25: float = 0.0  # its BM25 as its own document, relative to the best candidate's
    bigrams: BigramRarity = BigramRarity()


@dataclass(slots=True)
class Candidate:
    """One candidate sentence: the sentence, its chunk's context, its report, its table row, its
    semantic match and its standing in the pool."""

    chunk: int
    sent: int
    doc: int
    said: Said
    ctx: Context
    pos: int = 0  # its place in ctx.sentences
    report: ReportOf = ReportOf()
    row: TableRow | None = None
    match: Match = Match()  # replaced by similar.py's Nearest.mark when sentence vectors are in use
    pool: Pool = field(default_factory=Pool)

    @property
    def prev(self) -> Said | None:
        """The sentence before it in its chunk (None for the first)."""
        return self.ctx.sentences[self.pos - 1] if self.pos > 0 else None

    @property
    def next(self) -> Said | None:
        """The sentence after it in its chunk (None for the last)."""
        return self.ctx.sentences[self.pos + 1] if self.pos + 1 < len(self.ctx.sentences) else None
