"""From a question to ranked chunks: its terms widened with the reports' synonyms, BM25 through the
:class:`~retrieval.index.bm25.Retriever` protocol, and a preference for the reports it names."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..dates.when import reports_for
from ..index.bm25 import BM25Index, Retriever
from ..lang.synonyms import Thesaurus
from ..params import ComposeParams
from .records import Question, Retrieved

if TYPE_CHECKING:
    from .reports import ReportFacts


def expand(terms: list[str], retriever: Retriever, thesaurus: Thesaurus) -> dict[str, tuple[str, ...]]:
    """Synonyms the reports use for each question term (terms without any are left out)."""
    vocab = retriever.vocab
    asked = set(terms)
    out = {}
    for t in terms:
        syns = tuple(s for s in thesaurus.synonyms(t) if s in vocab and s not in asked)
        if syns:
            out[t] = syns
    return out


def interchangeable(expansions: dict[str, tuple[str, ...]], thesaurus: Thesaurus) -> dict[str, tuple[str, ...]]:
    """Of each term's synonyms the reports use, those interchangeable with it (terms with none
    are left out)."""
    out = {}
    for t, syns in expansions.items():
        exact = set(thesaurus.exact_synonyms(t))
        kept = tuple(s for s in syns if s in exact)
        if kept:
            out[t] = kept
    return out


def term_scores(
    tokens: tuple[str, ...],
    retriever: Retriever,
    naming: dict[str, np.ndarray],
    chunk_docs: np.ndarray,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """BM25 of every chunk for ``tokens``, a report's name read as part of each of its chunks:
    a term that names a report (``naming``: term → mask of the reports) counts its idf once in
    every chunk of that report that matches another term, however often the chunk repeats it
    (a table row repeating 上海市普陀区财政局 is not more about the question for it). ``extra``
    (the scores of the terms' synonyms) is added first, and counts as a match."""
    naming = {t: m for t, m in naming.items() if t in retriever.vocab}
    plain = [t for t in tokens if t not in naming]
    scores = retriever.scores(plain) if plain else np.zeros(retriever.n_chunks)
    if extra is not None:
        scores = scores + extra
    matched = scores > 0
    for t, mask in naming.items():
        own = retriever.scores([t]) * tokens.count(t)
        credit = tokens.count(t) * max(retriever.idf_of(t), 0.0)
        scores = scores + np.where(matched & mask[chunk_docs], credit, own)
    return scores


def unplaced_naming(q: Question, facts: ReportFacts, retriever: Retriever, chunk_docs: np.ndarray) -> np.ndarray:
    """Per chunk: of a report about no place, and naming a place the question is about (such a
    report can speak of any place, so keeping only the named place's reports must not drop it)."""
    names = [n for n in facts.named_places(q) if n in retriever.vocab]
    if not names:
        return np.zeros(len(chunk_docs), dtype=bool)
    unplaced = np.array([not keys for keys in facts.places.keys], dtype=bool)
    if not unplaced.any():
        return np.zeros(len(chunk_docs), dtype=bool)
    return unplaced[chunk_docs] & (retriever.scores(names) > 0)


def writing_asked_years(q: Question, retriever: Retriever, searched: np.ndarray | None) -> np.ndarray | None:
    """Per chunk of ``searched`` (a per-chunk mask of the reports beyond the near ones searched; None: all):
    it writes a year the question asks about (2005年 in the 2008 report's review of five years);
    None when the question names a report or asks no year. The reports near the asked year are
    then not the only ones that can hold it."""
    if q.time.report_year is not None or not q.time.years:
        return None
    words = [str(y) for y in q.time.years if str(y) in retriever.vocab]
    if not words:
        return None
    writes = retriever.scores(words) > 0
    return writes if searched is None else writes & searched


def reports_beyond(q: Question, report_years: list[int | None]) -> np.ndarray:
    """Per report: of a year after every year the question asks about (it can review them), or,
    for a question that asks for the target of years no report is of (计划, 目标, 要求: 1985 with
    reports of even years), of a year before them all (its 到1985年 sets the target, as a five-year
    plan does; the year just before is near them already, :meth:`ReportFacts.near_years`).
    Otherwise an earlier report's 到1992年 is a forecast, not the year's plan nor its result: the
    year's own report sets its plan."""
    if not q.time.years:
        return np.zeros(len(report_years), dtype=bool)
    first, last = min(q.time.years), max(q.time.years)
    target = q.time.wants == "target" and not set(q.time.years) & set(report_years)
    return np.array([y is not None and (y > last or (target and y < first - 1)) for y in report_years], dtype=bool)


def _only(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``scores`` of the chunks ``keep`` alone, unless none of them matches at all."""
    return np.where(keep, scores, 0.0) if np.any(keep & (scores > 0)) else scores


def retrieve(
    q: Question,
    retriever: Retriever,
    facts: ReportFacts,
    chunk_docs: np.ndarray,
    thesaurus: Thesaurus,
    k: int,
    p: ComposeParams,
    report_docs: np.ndarray | None = None,
    searched: np.ndarray | None = None,
) -> Retrieved:
    """The ``k`` best chunks for ``q``. A synonym counts ``p.synonym_weight`` of a term (an
    interchangeable one ``p.exact_synonym_weight``). Only the
    chunks of ``report_docs`` (a report the question names by its year, or the reports near
    the years it asks about, with the passages of the reports beyond them, :func:`reports_beyond`,
    ``searched`` that write such a year and have a sentence about it) are kept, and when the
    question names the place of some reports, only theirs and the passages of reports about no
    place that name it (if any chunk there matches). A
    report of a named place or year, or one that can hold the asked year (its own report for a
    target, the next for a result), scales a chunk's score by ``1 + p.place_boost * preference``;
    a companion document's (决议, 说明) by ``p.companion_factor``."""
    expansions = expand(list(dict.fromkeys(q.tokens)), retriever, thesaurus)
    pref, chosen = facts.preference(q, p.named_year, p.other_year)
    if q.time.years and q.time.report_year is None:
        for d in reports_for(q.time, facts.report_years):
            pref[d] += p.time_boost
    naming = facts.naming(q.tokens)
    exact = interchangeable(expansions, thesaurus)
    synonyms = None
    if expansions:
        loose = [s for t, syns in expansions.items() for s in syns if s not in exact.get(t, ())]
        tight = [s for syns in exact.values() for s in syns]
        synonyms = p.synonym_weight * retriever.scores(loose) if loose else np.zeros(retriever.n_chunks)
        if tight:
            synonyms = synonyms + p.exact_synonym_weight * retriever.scores(tight)
    scores = term_scores(q.tokens, retriever, naming, chunk_docs, synonyms)
    if report_docs is not None:
        keep = report_docs[chunk_docs]
        if q.time.years and q.time.report_year is None:
            beyond = reports_beyond(q, facts.report_years)
            writes = writing_asked_years(q, retriever, (beyond if searched is None else beyond & searched)[chunk_docs])
            if writes is not None:
                keep = keep.copy()
                keep[facts.corpus.chunks_about(np.flatnonzero(writes & ~keep), q.time.years)] = True
        scores = _only(scores, keep)
    if chosen is not None:
        scores = _only(scores, chosen[chunk_docs] | unplaced_naming(q, facts, retriever, chunk_docs))
    if np.any(pref):
        scores = np.where(scores > 0, scores * (1.0 + p.place_boost * pref[chunk_docs]), scores)
    if facts.companion.any():
        scores = np.where(facts.companion[chunk_docs], scores * p.companion_factor, scores)
    chunks = [c for c, _ in BM25Index.top_of(scores, k)]
    return Retrieved(chunks, scores, expansions, chosen, naming, exact)


def with_chunks(found: Retrieved, extra: list[int]) -> Retrieved:
    """``found`` with the chunks ``extra`` ranked after its own (those it has already kept)."""
    have = set(found.chunks)
    added = [c for c in dict.fromkeys(extra) if c not in have]
    return replace(found, chunks=found.chunks + added) if added else found
