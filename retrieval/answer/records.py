"""The records the answer stages pass between them: what a question asks (:class:`Question`),
the chunks retrieved for it (:class:`Retrieved`), its terms weighed against the index
(:class:`QueryTerms`) and one candidate sentence with what the features read of it
(:class:`Candidate`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..dates.when import TimeAsk
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
        found = sum(w for t, w in self.weights.items() if t in toks)
        for w, key, alts in self.alternatives:
            if key not in toks and not alts.isdisjoint(toks):
                found += w
        return found / (self.total or sum(self.weights.values()) or 1.0)


@dataclass(slots=True)
class Candidate:
    """One candidate sentence and what the features read of it and its surroundings."""

    chunk: int
    sent: int
    doc: int
    norm: str  # normalised text
    grams: set[str]  # its character bigrams
    toks: set[int]  # its term ids, with question terms found as text
    n_toks: int
    tfs: list[int]  # counts of the question terms (at least 1 for a term found only as text)
    tok_cov: float  # QueryTerms.covered(toks)
    rank: int = 0  # the chunk's BM25 rank
    rel: float = 0.0  # the chunk's score relative to the best chunk
    plan: float = 0.0  # +1 plan-part sentence for a plan question or a named plan year, -1 otherwise
    title: str = ""  # normalised title of its report
    opens_para: bool = False
    info: float = 0.0  # idf of the words it adds to the question (log scale)
    label: bool = False  # it is nothing but its section's heading label
    period: int | None = None  # the year it is about (retrieval/dates/periods.py), None if unknown
    # It reviews ('review') or plans ('plan'): by its section, else by its period (dates.periods.part_of); or None.
    section_kind: str | None = None
    report_year: int | None = None  # the year of its report
    companion: bool = False  # its document is about a report (决议, 说明), not the report
    # A table row (retrieval/answer/rows.py): the characters of its label and the cell the
    # question asks about, that cell, and whether the question names both its row and column.
    row: bool = False
    row_len: int = 0
    row_cell: str = ""
    row_cross: bool = False
    # Semantic matching (retrieval/index/vectors.py), when sentence vectors are in use:
    cos: float = 0.0  # cosine of the sentence's vector and the question's
    cos_gap: float = 0.0  # how far below the best candidate's cosine (0 for the best)
    near_rank: int = -1  # rank among the sentences of the corpus nearest the question (-1: not near)
    # Read from its chunk:
    ctx_cov: float = 0.0
    ctx_big: float = 0.0
    key_near: bool = False  # the rarest term is here or earlier in the chunk
    para_year: bool = False  # a named year is in the paragraph or the report's years
    foreign_place: bool = False
    best_in_chunk: bool = False
    rel_cov: float = 0.0  # coverage of the terms the paragraph's opening sentence lacks
    # Read from its neighbours and the whole pool:
    prev_cov: float = 0.0
    next_cov: float = 0.0
    win_cov: float = 0.0
    big_cov: float = 0.0
    sent_bm25: float = 0.0
