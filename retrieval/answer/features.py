"""Sentence features: small pure functions from a question and a candidate to named columns.

Each :class:`FeatureGroup` in :data:`GROUPS` reads a :class:`~retrieval.answer.records.Question`,
the question's :class:`~retrieval.answer.records.QueryTerms` and one
:class:`~retrieval.answer.records.Candidate`, and works out its columns by name from what the
candidate holds: the sentence (``said``), its chunk and paragraph (``ctx``: their terms, its
neighbours, its heading), its report, its table row, its semantic match and the pool-level facts
(``pool``: its chunk's rank and score, the bigrams' rarity, its BM25 among the candidates).
:data:`FEATURES` is the order of the columns in the feature matrix and in ``config/weights.toml``.

To add a feature: write a function here, register it in :data:`GROUPS` with a one-line
description per column, append the column to :data:`FEATURES`, give it a weight in
``config/weights.toml`` (or refit with ``tools/fit_weights.py``) and test it alone in
``tests/test_features.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..lang.shapes import ANSWER_SHAPES, DEFINES, TYPE_NAMES, slot_filled, value_near_term
from ..lang.text import bare_words
from .records import Candidate, QueryTerms, Question
from .rows import bare_figure

LONG_SENTENCE = 160  # characters; a longer sentence gets the "long" feature
RESTATE_NOVELTY = 0.35  # below this share of new bigrams a sentence mostly restates the question

Columns = dict[str, float]


def coverage(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    said, sentences, pos = c.said, c.ctx.sentences, c.pos
    prev = sentences[pos - 1] if pos else None
    nxt = sentences[pos + 1] if pos + 1 < len(sentences) else None
    # The better two-sentence window around it, with its previous or its next sentence.
    win_prev = t.covered(prev.toks | said.toks) if prev else said.cov
    win_next = t.covered(said.toks | nxt.toks) if nxt else said.cov
    top = max([s.cov for s in sentences])
    key = t.key_term
    return {
        "tok_cov": said.cov,
        "prev_cov": prev.cov if prev else 0.0,
        "next_cov": nxt.cov if nxt else 0.0,
        "win_cov": max(win_prev, win_next),
        "rel_cov": beyond_opening(t, c),
        "best_in_chunk": float(said.cov >= top and top > 0),
        "key_near": float(bool(key) and any([key in s.norm for s in sentences[: pos + 1]])),
    }


def beyond_opening(t: QueryTerms, c: Candidate) -> float:
    """The share of the question terms its paragraph's opening sentence lacks that the sentence
    holds (what is asked about the paragraph's subject); 0 when the opening holds them all."""
    opening, toks = c.ctx.opening, c.said.toks
    total = held = 0.0
    for k, w in t.weights.items():
        if k not in opening:
            total += w
            if k in toks:
                held += w
    return held / total if total else 0.0


def bigrams(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    return {"big_cov": c.pool.bigrams.share(c.said.grams)}


def chunk(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    """Read from the candidate's context alone: the same for every sentence of a chunk."""
    return {"ctx_cov": t.covered(c.ctx.toks), "ctx_big": c.pool.bigrams.share(c.ctx.grams)}


def standing(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    return {
        "rank_recip": 1.0 / (1.0 + c.pool.rank),
        "bm25_rel": c.pool.rel,
        "sent_bm25": c.pool.sent_bm25,
        "first_sent": float(c.said.opens_para),
    }


def wording(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    norm, g = c.said.norm, c.said.grams
    novel = len(g - q.bigrams) / len(g) if g else 0.0
    n = c.row.length if c.row else len(norm)  # a table row: its label and the asked cell
    label = c.ctx.label
    return {
        "novel": novel,
        "restate": max(0.0, RESTATE_NOVELTY - novel) / RESTATE_NOVELTY,
        "log_len": math.log1p(n) / 5.0,
        "long": min(2.0, max(0.0, (n - LONG_SENTENCE) / LONG_SENTENCE)),
        "info": math.log1p(c.said.added) / 5.0,
        "label": float(bool(label) and bare_words(norm) == label),
    }


def years(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    if not t.years:
        return {}
    # A year in the report's title names the report; it says nothing about the sentence.
    own = any(y in c.report.title for y in t.years)
    return {
        "year_match": 1.0 if own or any(y in c.said.norm for y in t.years) else 0.0,
        "year_miss": 0.0 if c.ctx.para_year else 1.0,
    }


def answer_type(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    out: Columns = {}
    norm = c.said.norm
    bare = c.row is not None and bare_figure(c.row.cell)  # a table's figure, its unit stated once or not at all
    if q.types:
        shapes = [ty for ty in q.types if ANSWER_SHAPES[ty].search(norm) or (bare and ty == "number")]
        for ty in shapes:
            out[f"type_{ty}"] = 1.0
        primary = q.types[0]
        out["type_miss"] = 0.0 if primary in shapes else 1.0
        if primary in shapes:
            prev, nxt = c.prev, c.next
            out["type_nb"] = max(prev.cov if prev else 0.0, nxt.cov if nxt else 0.0, c.said.cov)
    if q.unit is not None and (q.unit.search(norm) or bare):
        out["unit_match"] = 1.0
        out["value_near"] = value_near_term(norm, q.unit, t.near_terms)
    if q.category and q.category[-1] in norm.replace(q.category, ""):
        out["category_head"] = 1.0
    return out


def focus(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    norm = c.said.norm
    out = {
        "focus_sent": 1.0 if t.focus and t.focus in norm else 0.0,
        "slot": slot_filled(norm, q.anchors, t.asked_chars),
    }
    s = q.subject
    if s and norm.startswith(s[:2]) and s in norm[: len(s) + 30]:
        rest = norm[norm.find(s) + len(s) :]
        out["defines"] = 1.0 if DEFINES.match(rest) else 0.5
    return out


def time(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    ask, period, part, year = q.time, c.said.period, c.said.part, c.report.year
    out: Columns = {"companion": float(c.report.companion)}
    if ask.other_period(period, c.said.span, year):
        out["period_other"] = 1.0
    elif ask.span and year is not None:
        # A span (2013到2017年) is reviewed as a whole after its last year (过去五年 in 2018's
        # report); one year inside it is only part of the answer.
        if period is None and part == "review" and year == ask.span[1] + 1:
            out["period_match"] = 1.0
    elif ask.years and period is not None and year is not None:
        out["period_match"] = 1.0  # about an asked year
    elif c.ctx.reviews_asked:
        out["period_match"] = 1.0  # undated, in the review of the asked year
    if ask.wants and part and year is not None:
        out["wants_match"] = 1.0 if (ask.wants == "result") == (part == "review") else -1.0
    return out


def semantic(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    m = c.match
    if not m.cos:
        return {}
    return {"sem_cos": m.cos, "sem_gap": m.gap, "sem_near": 1.0 / (1.0 + m.near_rank) if m.near_rank >= 0 else 0.0}


def table(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    return {"row_cross": 1.0} if c.row is not None and c.row.cross else {}


def plan(q: Question, t: QueryTerms, c: Candidate) -> Columns:
    """+1 under a plan heading for a question about plans or naming a year the heading names
    (2025年工作计划), -1 under one for any other question; 0 outside plan parts."""
    heading = c.ctx.plan_heading
    if not heading:
        return {"plan": 0.0}
    return {"plan": 1.0 if q.asks_plan or any(y in heading for y in t.years) else -1.0}


@dataclass(frozen=True)
class FeatureGroup:
    name: str
    fn: Callable[[Question, QueryTerms, Candidate], Columns]
    columns: Mapping[str, str]  # column → one-line description
    # Its columns depend on the candidate's context (its chunk) alone: feature_matrix works them
    # out once per chunk.
    per_chunk: bool = False


GROUPS: tuple[FeatureGroup, ...] = (
    FeatureGroup(
        "coverage",
        coverage,
        {
            "tok_cov": "idf-weighted share of question terms found in the sentence",
            "prev_cov": "tok_cov of the previous sentence of the chunk (answers follow their topic)",
            "next_cov": "tok_cov of the next sentence",
            "win_cov": "tok_cov of the sentence with its previous or next sentence (the better)",
            "rel_cov": "tok_cov of the terms the paragraph's opening sentence lacks (what is asked "
            "about the paragraph's subject, such as 闻名 in X以什么闻名)",
            "best_in_chunk": "the sentence covers the question best within its chunk",
            "key_near": "the question's rarest term is in the sentence or earlier in its chunk",
        },
    ),
    FeatureGroup(
        "bigrams",
        bigrams,
        {
            "big_cov": "rarity-weighted share of question character bigrams in the sentence",
        },
    ),
    FeatureGroup(
        "chunk",
        chunk,
        {
            "ctx_cov": "idf-weighted share of question terms found anywhere in the chunk",
            "ctx_big": "big_cov of the whole chunk (chunk-level evidence that survives segmentation)",
        },
        per_chunk=True,
    ),
    FeatureGroup(
        "standing",
        standing,
        {
            "rank_recip": "1 / (1 + BM25 rank of the chunk)",
            "bm25_rel": "chunk BM25 score relative to the best chunk",
            "sent_bm25": "BM25 of the sentence itself (relative to the best candidate)",
            "first_sent": "the sentence opens its paragraph",
        },
    ),
    FeatureGroup(
        "wording",
        wording,
        {
            "novel": "share of the sentence's bigrams that are not the question's",
            "restate": "the sentence says little beyond the question's own words",
            "log_len": "log of the sentence length",
            "long": "how far beyond LONG_SENTENCE characters (log_len and long: of a table row, its label "
            "and asked cell)",
            "info": "rarity (idf) of the sentence's words the question lacks: what it adds (log scale)",
            "label": "the sentence is nothing but its paragraph's heading label (一是做好控辍保学工作。)",
        },
    ),
    FeatureGroup(
        "years",
        years,
        {
            "year_match": "a year the question names appears in the sentence or its report's title",
            "year_miss": "a year the question names appears nowhere in the paragraph or report",
        },
    ),
    FeatureGroup(
        "answer_type",
        answer_type,
        {
            **{f"type_{ty}": f"the sentence carries the asked-for type {ty}" for ty in TYPE_NAMES},
            "type_miss": "the question asks for an answer type the sentence does not carry",
            "type_nb": "the sentence carries the asked-for type and its neighbours match the question",
            "unit_match": "the sentence has a value of the asked kind (多少钱 → 元, 哪一年 → 1912年), or is a "
            "table row whose asked cell ends in a bare figure",
            "value_near": "a value of the asked kind right next to a question term (师范生30人), by the term's idf",
            "category_head": "the last character of the asked kind (大学, 宗教) ends another word here "
            "(香港大学, 伊斯兰教)",
        },
    ),
    FeatureGroup(
        "focus",
        focus,
        {
            "focus_sent": "the question's focus word (焦点 in 焦点是什么, 大学 in 哪个大学) is in the sentence",
            "slot": "the words around the question word recur here with new words in the gap",
            "defines": "a definition question, and the sentence opens by defining its subject",
        },
    ),
    FeatureGroup(
        "time",
        time,
        {
            "period_match": "the sentence is about a year the question asks about (去年 in the next report), "
            "or reviews the whole span it asks about (过去五年 for 2013到2017年)",
            "period_other": "the sentence is about another year than the one asked",
            "wants_match": "+1 a review-part sentence for a result question (实际, 完成), or a plan-part one "
            "for a target question (目标, 预期); -1 the other way round",
            "companion": "the sentence is in a companion document (决议, 说明 about a report)",
        },
    ),
    FeatureGroup(
        "semantic",
        semantic,
        {
            "sem_cos": "cosine of the sentence's and the question's vectors (0 without sentence vectors)",
            "sem_gap": "how far the sentence's cosine is below the best candidate's",
            "sem_near": "1 / (1 + rank) among the corpus's sentences nearest the question, 0 if not among them",
        },
    ),
    FeatureGroup(
        "table",
        table,
        {
            "row_cross": "a table row whose label holds a question term and whose asked cell another: "
            "the question names both its row and its column"
        },
    ),
    FeatureGroup(
        "plan", plan, {"plan": "+1 a plan-part sentence for a question about plans, -1 for one about results"}
    ),
)

# Column order of the feature matrix (kept stable: weights are read by name, but the order of a
# dot product's terms decides ties to the last bit).
FEATURES: tuple[str, ...] = (
    "tok_cov",
    "best_in_chunk",
    "first_sent",
    "rank_recip",
    "big_cov",
    "ctx_cov",
    "prev_cov",
    "next_cov",
    "bm25_rel",
    "restate",
    "novel",
    "log_len",
    "long",
    "year_match",
    "year_miss",
    "type_miss",
    "type_nb",
    "defines",
    "sent_bm25",
    "key_near",
    "focus_sent",
    "unit_match",
    "win_cov",
    "category_head",
    "value_near",
    "plan",
    "slot",
    "ctx_big",
    "info",
    "rel_cov",
    "label",
    *(f"type_{ty}" for ty in TYPE_NAMES),
    "period_match",
    "period_other",
    "wants_match",
    "companion",
    "sem_cos",
    "sem_gap",
    "sem_near",
    "row_cross",
)
F = {name: i for i, name in enumerate(FEATURES)}
DESCRIPTIONS: dict[str, str] = {col: d for g in GROUPS for col, d in g.columns.items()}
_PER_CHUNK = tuple(g for g in GROUPS if g.per_chunk)
_PER_SENTENCE = tuple(g for g in GROUPS if not g.per_chunk)
if set(DESCRIPTIONS) != set(FEATURES):  # pragma: no cover - a registration mistake
    raise RuntimeError(f"feature groups and FEATURES differ: {set(DESCRIPTIONS) ^ set(FEATURES)}")


def feature_matrix(q: Question, t: QueryTerms, cands: Sequence[Candidate]) -> np.ndarray:
    """The (candidates × :data:`FEATURES`) matrix; a column a group leaves out is 0. The columns
    of a ``per_chunk`` group are worked out once for the candidates of one chunk."""
    rows = []
    width = len(FEATURES)
    by_chunk: dict[int, list[tuple[int, float]]] = {}  # id of a Context → its columns
    for c in cands:
        row = [0.0] * width
        shared = by_chunk.get(id(c.ctx))
        if shared is None:
            shared = by_chunk[id(c.ctx)] = [(F[k], v) for g in _PER_CHUNK for k, v in g.fn(q, t, c).items()]
        for i, value in shared:
            row[i] = value
        for g in _PER_SENTENCE:
            for name, value in g.fn(q, t, c).items():
                row[F[name]] = value
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(cands), width)
