"""From a question to ranked chunks: its terms widened with the reports' synonyms, BM25 through the
:class:`~retrieval.index.Retriever` protocol, and a preference for the reports it names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import BM25Index, Retriever
from .question import Question
from .reports import ReportFacts
from .synonyms import Thesaurus


@dataclass(frozen=True)
class Retrieved:
    """The chunks retrieved for a question, best first, with every chunk's adjusted score."""

    chunks: list[int]
    scores: np.ndarray
    expansions: dict[str, tuple[str, ...]]  # question term → synonyms the reports use
    chosen: np.ndarray | None  # per document: a report of the place the question names


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


def retrieve(q: Question, retriever: Retriever, facts: ReportFacts, chunk_docs: np.ndarray,
             thesaurus: Thesaurus, k: int, *, synonym_weight: float, place_boost: float,
             named_year: float, other_year: float) -> Retrieved:
    """The ``k`` best chunks for ``q``. A synonym counts ``synonym_weight`` of a term; when the
    question names the place of some reports, only their chunks are kept (if any matches); other
    named places and years scale a chunk's score by ``1 + place_boost * preference``."""
    expansions = expand(list(dict.fromkeys(q.tokens)), retriever, thesaurus)
    pref, chosen = facts.preference(q, named_year, other_year)
    scores = retriever.scores(q.tokens)
    if expansions:
        scores += synonym_weight * retriever.scores([s for syns in expansions.values() for s in syns])
    if chosen is not None and np.any(chosen[chunk_docs] & (scores > 0)):
        scores = np.where(chosen[chunk_docs], scores, 0.0)
    if np.any(pref):
        scores = np.where(scores > 0, scores * (1.0 + place_boost * pref[chunk_docs]), scores)
    chunks = [c for c, _ in BM25Index.top_of(scores, k)]
    return Retrieved(chunks, scores, expansions, chosen)
