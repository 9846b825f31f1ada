"""Candidate sentences: every sentence of the retrieved chunks with its context.

:func:`query_terms` weighs the question's terms against the index once per question;
:func:`gather` reads the retrieved chunks and returns one :class:`Candidate` per distinct
sentence, holding what the features read (records.py): the sentence itself (:class:`Said`), its
chunk and paragraph (:class:`Context`: their terms, its neighbours, the heading it sits under,
whether a named year or another place is there), its report (:class:`ReportOf`), its table row,
and the pool-level facts that depend on all candidates at once (:class:`Pool`: its chunk's rank
and score, the bigrams' rarity among the candidates, its BM25 against them). The features
(``retrieval/answer/features.py``) work out every column from these records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dates.kinds import REVIEW
from ..dates.periods import part_of, passage_reviews, speaks_of_span
from ..index.bm25 import Retriever, saturated_tf
from ..index.corpus import CorpusIndex
from ..lang.text import char_bigrams, normalize
from ..params import ComposeParams
from .records import (
    BigramRarity,
    Candidate,
    Context,
    Pool,
    QueryTerms,
    Question,
    ReportOf,
    Retrieved,
    Said,
    TableRow,
)
from .rows import row_focus

if TYPE_CHECKING:
    from .reports import ReportFacts


def query_terms(
    q: Question, retriever: Retriever, facts: ReportFacts, found: Retrieved, p: ComposeParams
) -> QueryTerms:
    """Weigh ``q``'s terms by idf (unknown terms weigh the most); a synonym counts
    ``p.synonym_weight`` of its term, and an interchangeable one is the term itself (GDP in a
    question, 生产总值 in a sentence). Once a named place has chosen the report, its name tells
    the report's sentences nothing apart; nor does a year in a title."""
    selectors = facts.named_places(q) if found.chosen is not None else set()
    selectors |= {str(y) for y in q.time.years if any(str(y) in title for title in facts.titles)}
    terms = [t for t in dict.fromkeys(q.tokens) if not any(t in p for p in selectors)] or list(q.tokens)
    out = QueryTerms(years=tuple(str(y) for y in q.time.years), asked_chars=frozenset(q.norm))
    # Over reports of several years the time features weigh the asked year: its digits' bigrams go.
    year_grams = {g for y in q.time.years for g in char_bigrams(f"{y}年")} if facts.multi_year else set()
    out.bigrams = (
        frozenset(b for b in q.bigrams if not any(b in p for p in selectors) and b not in year_grams) or q.bigrams
    )
    vocab = retriever.vocab
    for k, t in enumerate(terms):
        w = max(retriever.idf_of(t), 0.05)
        tid = vocab.get(t)
        key = tid if tid is not None else -1 - k
        out.weights[key] = w
        if t in out.years:
            out.dated[int(t)] = key
        if len(t) >= 2:
            out.spelled.append((t, key))
        if t in found.naming:
            out.named_by.append((key, found.naming[t]))
        if t in found.expansions:
            exact = set(found.exact.get(t, ()))
            loose = frozenset(vocab[s] for s in found.expansions[t] if s not in exact)
            if loose:
                out.alternatives.append((p.synonym_weight * w, key, loose))
            if exact:
                out.same.append((key, frozenset(vocab[s] for s in exact), frozenset(char_bigrams(t))))
    out.total = sum(out.weights.values())
    known = {t: retriever.idf_of(t) for t in terms if t in vocab}  # terms the reports use
    out.key_term = max(known, key=known.__getitem__) if known else ""
    out.focus = q.focus if q.focus and q.focus != out.key_term else ""
    top_idf = known.get(out.key_term) or 1.0
    out.near_terms = sorted(((t, idf / top_idf) for t, idf in known.items() if len(t) >= 2), key=lambda tw: -tw[1])
    # Words a sentence does not add to the question: its terms, their synonyms, and the place
    # and year words that chose the report.
    out.not_new = set(out.weights) | {t for _, _, alts in out.alternatives for t in alts}
    out.not_new |= {t for _, alts, _ in out.same for t in alts}
    out.not_new |= {vocab[w] for w in selectors if w in vocab}
    return out


def gather(
    q: Question, terms: QueryTerms, found: Retrieved, corpus: CorpusIndex, facts: ReportFacts, params: ComposeParams
) -> list[Candidate]:
    """One :class:`Candidate` per distinct sentence of the retrieved chunks (a sentence retrieved
    twice is kept once; a table row is told apart by its chunk, as the same row in two tables,
    全区 and 本级, says two things), in chunk rank and text order."""
    top_score = float(found.scores[found.chunks[0]]) or 1.0
    rows: list[Candidate] = []
    for rank, c in enumerate(found.chunks):
        rows += _read_chunk(q, terms, corpus, facts, c, (rank, float(found.scores[c]) / top_score), params)
    _read_pool(terms, rows, params)
    seen: set[tuple[int, int, int]] = set()
    out = []
    for r in rows:
        key = (r.doc, hash(r.said.norm), -1 if r.row is None else r.chunk)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def with_interchangeable(
    toks: set[int], grams: set[str], same: list[tuple[int, frozenset[int], frozenset[str]]]
) -> set[str]:
    """A sentence's terms and bigrams read with each question term that it words by an
    interchangeable synonym (``same``: the term's key, the synonyms' ids, the term's bigrams) as
    holding the term itself: ``toks`` gains the key (in place); the bigrams are returned."""
    for key, alts, term_grams in same:
        if key not in toks and not alts.isdisjoint(toks):
            toks.add(key)
            grams = grams | term_grams
    return grams


def date_terms(toks: set[int], period: int | None, dated: dict[int, int], about: set[int]) -> set[int]:
    """A sentence's terms ``toks`` with its asked-year terms by its own date (a new set): a
    sentence about an asked year (``dated``: year → its term) holds its term, an undated one
    those its passage is about (``about``), and one about another year none, though it writes
    one (比1979年增长: a base)."""
    if period in dated:
        return toks | {dated[period]}
    if period is None:
        return toks | about
    if dated:
        return toks - set(dated.values())
    return set(toks)


def _read_chunk(
    q: Question,
    terms: QueryTerms,
    corpus: CorpusIndex,
    facts: ReportFacts,
    c: int,
    standing: tuple[int, float],
    params: ComposeParams,
) -> list[Candidate]:
    """The candidates of chunk ``c``: its sentences, sharing one :class:`Context` and report;
    ``standing``: the chunk's rank and score relative to the best chunk."""
    doc = int(corpus.chunk_docs[c])
    chunk_text = corpus.chunk_text(c)  # only the chunk is decoded
    base = corpus.chunk_offset(c)
    para_start = corpus.paragraph_start(c)
    term_list = list(terms.weights)
    named = {key for key, mask in terms.named_by if mask[doc]}
    spelled = [(t, terms.weights[key]) for t, key in terms.spelled if key not in named]
    naming = [t for t, key in terms.spelled if key in named]
    report = ReportOf(facts.titles[doc], facts.report_years[doc], bool(facts.companion[doc]))
    rows: list[Candidate] = []
    sentences = list(corpus.chunk_sentences(c))
    periods, parts, about, reviews, span_section = _passage_time(q, terms, corpus, facts, c, sentences, chunk_text)
    ctx = Context([], reviews_asked=reviews)
    not_its: dict[str, set[int]] = {}  # caption → the naming words it is told apart from
    span = False  # a span was said in the passage: undated sentences after it are about it
    for (s, start, end, tok_list), period, part in zip(sentences, periods, parts):
        caption = corpus.row_caption(c, s)
        # A table row's subject is its caption: a word naming the report that other captions of
        # the report spell and its own does not (全市 of 全市及市级预算 under a 市级 caption) is not its.
        if caption is None or not named:
            toks = set(tok_list) | named
        else:
            if caption not in not_its:
                not_its[caption] = _told_apart(terms, named, caption, _other_captions(facts, doc, caption))
            toks = set(tok_list) | (named - not_its[caption])
        norm = normalize(chunk_text[start - base : end - base])
        toks.update(key for t, key in terms.spelled if key not in toks and t in norm)
        grams = with_interchangeable(toks, char_bigrams(norm), terms.same)
        new = [t for t in toks if t >= 0 and t not in terms.not_new]
        toks = date_terms(toks, period, terms.dated, about)
        span = period is None and (span or speaks_of_span(norm))
        said = Said(
            norm,
            grams,
            toks,
            len(tok_list),
            [(tok_list.count(t) or 1) if t in toks else 0 for t in term_list],  # tfs
            terms.covered(toks),  # cov
            start == para_start,  # opens_para
            period,
            part,
            corpus.bm25.idf_sum(new),  # added
            span or (period is None and span_section),  # span
        )
        row = TableRow(*row_focus(norm, spelled, params.row_label_share, naming)) if caption is not None else None
        ctx.sentences.append(said)
        rows.append(Candidate(c, s, doc, said, ctx, len(rows), report, row, pool=Pool(*standing)))
    _read_context(q, terms, corpus, facts, c, rows)
    return rows


def _passage_time(
    q: Question,
    terms: QueryTerms,
    corpus: CorpusIndex,
    facts: ReportFacts,
    c: int,
    sentences: list[tuple[int, int, int, list[int]]],
    text: str,
) -> tuple[list[int | None], list[str | None], set[int], bool, bool]:
    """Of chunk ``c`` (its ``sentences`` and ``text``): the year each sentence is about and
    whether it reviews or plans; the asked years' terms its undated sentences hold (the asked year
    the passage is about); whether it is the review of an asked year its report reviews (the 2002
    work report's unheaded opening for 2001); whether its section is about a span (一、过去五年工作回顾:
    a review of no one year)."""
    doc = int(corpus.chunk_docs[c])
    kind = corpus.section_kind(c)
    periods = [corpus.sentence_period(s) for s, *_ in sentences]
    parts = [part_of(kind, period, facts.report_years[doc]) for period in periods]
    about = {terms.dated[p] for p in periods if p in terms.dated}
    # A section about a span: a review of no one year, or a heading that names a span (二、“十二五”时期),
    # unless a heading writes an asked year (一、“十四五”时期发展成就和2025年主要工作).
    section = corpus.chunk_section(c)
    span_section = (
        corpus.section_period(c) is None
        and (kind == REVIEW or facts.heading_speaks_of_span(section))
        and not set(q.time.years) & facts.heading_years(section)
    )
    reviewed = facts.reviewed_years[doc]
    reviews = False
    if (
        reviewed in terms.dated
        and kind is None
        and not span_section
        and passage_reviews(reviewed, periods, parts, text)
    ):
        about.add(terms.dated[reviewed])
        reviews = True
    return periods, parts, about, reviews, span_section


def _read_context(
    q: Question, terms: QueryTerms, corpus: CorpusIndex, facts: ReportFacts, c: int, rows: list[Candidate]
) -> None:
    """What the sentences of chunk ``c`` share (``rows[0].ctx``): the chunk's terms and bigrams,
    its paragraph's opening terms, its section's heading, a named year or a foreign place."""
    ctx, first, doc = rows[0].ctx, rows[0], rows[0].doc
    section = corpus.chunk_section(c)
    ctx.label = facts.section_label(section) or ""
    ctx.plan_heading = facts.plan_heading[section]
    ctx.toks = set().union(*(s.toks for s in ctx.sentences))
    ctx.grams = set().union(*(s.grams for s in ctx.sentences))
    para_text = "".join(s.norm for s in ctx.sentences)
    # A named year is there when the paragraph or its section's headings write it, the report is
    # of it, or a sentence is about it (去年 in the review part of the next year's report).
    ctx.para_year = bool(terms.years) and (
        any(y in para_text for y in terms.years)
        or bool(set(q.time.years) & facts.doc_years[doc])
        or bool(set(q.time.years) & facts.heading_years(section))
        or any(s.period in q.time.years for s in ctx.sentences)
        or _reviews_span(q, facts.report_years[doc])
        or ctx.reviews_asked
    )
    ctx.foreign_place = facts.foreign_place(q, doc, para_text)
    # The paragraph's opening sentence names its subject; a table row's subject is its table's caption.
    if first.row is not None:
        ctx.opening = _caption_terms(corpus, facts, terms, c, first)
    else:
        ctx.opening = first.said.toks if first.said.opens_para else _opening_terms(corpus, terms, c)


def _reviews_span(q: Question, report_year: int | None) -> bool:
    """The question asks about a span of years (2013到2017年) and this is the report that reviews
    them (2018), or one of theirs: its 过去五年 paragraphs name no year."""
    span = q.time.years
    return len(span) > 2 and report_year is not None and min(span) < report_year <= max(span) + 1


def _caption_terms(corpus: CorpusIndex, facts: ReportFacts, terms: QueryTerms, c: int, row: Candidate) -> set[int]:
    """Term ids of the caption of the table row ``row`` (chunk ``c``): its lead-in's tokens, the
    question terms it holds as text, and those of the report's name, but for a word that other
    captions of the report spell and this one does not (it tells the report's tables apart)."""
    raw = corpus.row_caption(c, row.sent) or ""
    caption = normalize(raw)
    toks = set(corpus.lead_tokens(c).tolist())
    toks.update(key for t, key in terms.spelled if t in caption)
    toks.update(key for key, mask in terms.named_by if mask[row.doc])
    return toks - _told_apart(terms, toks, raw, _other_captions(facts, row.doc, raw))


def _other_captions(facts: ReportFacts, doc: int, caption: str) -> list[str]:
    """The captions of report ``doc``'s tables but ``caption``, normalised."""
    return [norm for raw, norm in facts.captions(doc).items() if raw != caption]


def _told_apart(terms: QueryTerms, keys: set[int], caption: str, other_captions: list[str]) -> set[int]:
    """Those of ``keys`` whose question term sets another table of the report (its caption one
    of ``other_captions``, normalised) apart from this one: the other's caption reads as ``caption`` with
    that word in place of one of its own (2025年全市一般公共预算收支总表 beside
    2025年市级一般公共预算收支总表)."""
    if not keys:
        return set()
    own = normalize(caption)
    words = [(t, key) for t, key in terms.spelled if key in keys and t not in own]
    if not words:
        return set()
    return {key for t, key in words if any(_in_place_of(t, other, own) for other in other_captions)}


def _in_place_of(word: str, other: str, own: str) -> bool:
    """``other`` is ``own`` with ``word`` in place of what ``own`` has there."""
    head = _shared(other, own)
    tail = _shared(other[head:][::-1], own[head:][::-1])
    return other[head : len(other) - tail] == word


def _shared(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` open with alike."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _opening_terms(corpus: CorpusIndex, terms: QueryTerms, c: int) -> set[int]:
    """Term ids of the opening sentence of chunk ``c``'s paragraph (an earlier chunk's first
    sentence when a long paragraph was split), with the question terms it holds as text."""
    first = corpus.paragraph_first_chunk(c)
    s = corpus.sentence_range(first).start
    toks = set(corpus.sentence_tokens(s).tolist())
    norm = normalize(corpus.sentence_text(first, s))
    toks.update(key for t, key in terms.spelled if t in norm)
    return toks


def _read_pool(terms: QueryTerms, rows: list[Candidate], params: ComposeParams) -> None:
    """The pool-level facts: each question bigram's rarity among the candidates, and each
    sentence's BM25 as its own document (idf from the index, length relative to the candidates),
    relative to the best."""
    n = len(rows)
    qb = tuple(terms.bigrams)
    bw = np.log1p(n / (1.0 + np.array([sum(1 for r in rows if b in r.said.grams) for b in qb], dtype=np.float64)))
    rarity = BigramRarity(qb, bw, float(bw.sum()) or 1.0)
    for r in rows:
        r.pool.bigrams = rarity
    if not terms.weights or not n:
        return
    tf = np.array([r.said.tfs for r in rows], dtype=np.float64)
    idf = np.array(list(terms.weights.values()))
    length = np.array([r.said.n_toks for r in rows], dtype=np.float64)
    k1, b = params.sentence_k1, params.sentence_b
    sent_bm25 = (saturated_tf(tf, length, max(1.0, float(length.mean())), k1, b) * idf).sum(axis=1)
    top = float(sent_bm25.max())
    if top > 0:
        sent_bm25 /= top
    for r, v in zip(rows, sent_bm25.tolist()):
        r.pool.sent_bm25 = v
