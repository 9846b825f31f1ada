"""Candidate sentences: every sentence of the retrieved chunks as one complete record.

:func:`query_terms` weighs the question's terms against the index once per question;
:func:`gather` reads the retrieved chunks and returns one :class:`Candidate` per distinct
sentence, with everything the features look at (its coverage of the question, its neighbours'
and its paragraph's, its chunk's standing). Features (``retrieval/answer/features.py``) only read these
records.
"""

from __future__ import annotations

import math

import numpy as np

from ..dates.periods import part_of
from ..index.bm25 import Retriever, saturated_tf
from ..index.corpus import CorpusIndex
from ..lang.text import char_bigrams, normalize
from ..params import ComposeParams
from .records import Candidate, QueryTerms, Question, Retrieved
from .reports import ReportFacts, bare_words
from .rows import row_focus


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
    out.bigrams = frozenset(b for b in q.bigrams if not any(b in p for p in selectors)) or q.bigrams
    vocab = retriever.vocab
    for k, t in enumerate(terms):
        w = max(retriever.idf_of(t), 0.05)
        tid = vocab.get(t)
        key = tid if tid is not None else -1 - k
        out.weights[key] = w
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
    twice is kept once), in chunk rank and text order."""
    top_score = float(found.scores[found.chunks[0]]) or 1.0
    rows: list[Candidate] = []
    chunk_grams: dict[int, set[str]] = {}
    spans: list[tuple[int, int]] = []  # rows of each chunk
    for rank, c in enumerate(found.chunks):
        chunk_rows = _read_chunk(q, terms, corpus, facts, c)
        for r in chunk_rows:
            r.rank, r.rel = rank, float(found.scores[c]) / top_score
        _read_context(q, terms, corpus, facts, c, chunk_rows)
        chunk_grams[c] = set().union(*(r.grams for r in chunk_rows))
        spans.append((len(rows), len(rows) + len(chunk_rows)))
        rows += chunk_rows
    _read_neighbours(terms, rows, spans)
    _read_pool(terms, rows, chunk_grams, params)
    seen: set[tuple[int, int]] = set()
    out = []
    for r in rows:
        key = (r.doc, hash(r.norm))
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


def _read_chunk(q: Question, terms: QueryTerms, corpus: CorpusIndex, facts: ReportFacts, c: int) -> list[Candidate]:
    doc = int(corpus.chunk_docs[c])
    section = corpus.chunk_section(c)
    heading = facts.plan_heading[section]
    label = facts.section_label(section)
    plan = 0.0
    if heading:
        plan = 1.0 if q.asks_plan or any(y in heading for y in terms.years) else -1.0
    chunk_text = corpus.chunk_text(c)  # only the chunk is decoded
    base = corpus.chunk_offset(c)
    para_start = corpus.paragraph_start(c)
    term_list = list(terms.weights)
    kind = corpus.section_kind(c)
    named = {key for key, mask in terms.named_by if mask[doc]}
    spelled = [(t, terms.weights[key]) for t, key in terms.spelled if key not in named]
    rows = []
    for s, start, end, tok_list in corpus.chunk_sentences(c):
        toks = set(tok_list) | named
        norm = normalize(chunk_text[start - base : end - base])
        toks.update(key for t, key in terms.spelled if key not in toks and t in norm)
        grams = with_interchangeable(toks, char_bigrams(norm), terms.same)
        new = [t for t in toks if t >= 0 and t not in terms.not_new]
        added = corpus.bm25.idf_sum(new)
        rows.append(
            Candidate(
                chunk=c,
                sent=s,
                doc=doc,
                norm=norm,
                grams=grams,
                toks=toks,
                n_toks=len(tok_list),
                tfs=[(tok_list.count(t) or 1) if t in toks else 0 for t in term_list],
                tok_cov=terms.covered(toks),
                plan=plan,
                title=facts.titles[doc],
                opens_para=start == para_start,
                info=math.log1p(added) / 5.0,
                label=bool(label) and bare_words(norm) == label,
                period=(period := corpus.sentence_period(s)),
                section_kind=part_of(kind, period, facts.report_years[doc]),
                report_year=facts.report_years[doc],
                companion=bool(facts.companion[doc]),
            )
        )
        if corpus.row_caption(c, s) is not None:
            r = rows[-1]
            r.row = True
            r.row_len, r.row_cell, r.row_cross = row_focus(norm, spelled)
    return rows


def _read_context(
    q: Question, terms: QueryTerms, corpus: CorpusIndex, facts: ReportFacts, c: int, rows: list[Candidate]
) -> None:
    """What each sentence of chunk ``c`` gets from the chunk and its paragraph."""
    doc = rows[0].doc
    para_text = "".join(r.norm for r in rows)
    chunk_terms: set[int] = set().union(*(r.toks for r in rows))
    cov = terms.covered(chunk_terms)
    # A named year is there when the paragraph writes it, the report is of it, or a sentence is
    # about it (去年 in the review part of the next year's report).
    has_year = bool(terms.years) and (
        any(y in para_text for y in terms.years)
        or bool(set(q.time.years) & facts.doc_years[doc])
        or any(r.period in q.time.years for r in rows)
        or _reviews_span(q, facts.report_years[doc])
    )
    foreign = facts.foreign_place(q, doc, para_text)
    top_cov = max((r.tok_cov for r in rows), default=0.0)
    # Question terms beyond those of the paragraph's opening sentence, which names its subject.
    # A table row's subject is its table's caption.
    if rows[0].row:
        opening = _caption_terms(corpus, terms, c, rows[0])
    else:
        opening = rows[0].toks if rows[0].opens_para else _opening_terms(corpus, terms, c)
    beyond = {t: w for t, w in terms.weights.items() if t not in opening}
    beyond_total = sum(beyond.values())
    seen_key = False
    for r in rows:
        seen_key = seen_key or bool(terms.key_term and terms.key_term in r.norm)
        r.key_near = seen_key
        r.ctx_cov = cov
        r.para_year = has_year
        r.foreign_place = foreign
        r.best_in_chunk = r.tok_cov >= top_cov and top_cov > 0
        if beyond_total:
            r.rel_cov = sum(w for t, w in beyond.items() if t in r.toks) / beyond_total


def _reviews_span(q: Question, report_year: int | None) -> bool:
    """The question asks about a span of years (2013到2017年) and this is the report that reviews
    them (2018), or one of theirs: its 过去五年 paragraphs name no year."""
    span = q.time.years
    return len(span) > 2 and report_year is not None and min(span) < report_year <= max(span) + 1


def _caption_terms(corpus: CorpusIndex, terms: QueryTerms, c: int, row: Candidate) -> set[int]:
    """Term ids of the caption of the table row ``row`` (chunk ``c``): its lead-in's tokens, the
    question terms it holds as text, and those of the report's name."""
    caption = normalize(corpus.row_caption(c, row.sent) or "")
    toks = set(corpus.lead_tokens(c).tolist())
    toks.update(key for t, key in terms.spelled if t in caption)
    toks.update(key for key, mask in terms.named_by if mask[row.doc])
    return toks


def _opening_terms(corpus: CorpusIndex, terms: QueryTerms, c: int) -> set[int]:
    """Term ids of the opening sentence of chunk ``c``'s paragraph (an earlier chunk's first
    sentence when a long paragraph was split), with the question terms it holds as text."""
    first = corpus.paragraph_first_chunk(c)
    s = corpus.sentence_range(first).start
    toks = set(corpus.sentence_tokens(s).tolist())
    norm = normalize(corpus.sentence_text(first, s))
    toks.update(key for t, key in terms.spelled if t in norm)
    return toks


def _read_neighbours(terms: QueryTerms, rows: list[Candidate], spans: list[tuple[int, int]]) -> None:
    """Coverage of each sentence's previous and next sentence in its chunk, and of the better
    two-sentence window around it."""
    for lo, hi in spans:
        for i in range(lo, hi):
            r = rows[i]
            prev = rows[i - 1] if i > lo else None
            nxt = rows[i + 1] if i < hi - 1 else None
            r.prev_cov = prev.tok_cov if prev else 0.0
            r.next_cov = nxt.tok_cov if nxt else 0.0
            wp = terms.covered(prev.toks | r.toks) if prev else r.tok_cov
            wn = terms.covered(r.toks | nxt.toks) if nxt else r.tok_cov
            r.win_cov = max(wp, wn)


def _read_pool(
    terms: QueryTerms, rows: list[Candidate], chunk_grams: dict[int, set[str]], params: ComposeParams
) -> None:
    """What depends on all candidates: bigram coverage weighted by each question bigram's rarity
    among them, for sentences and whole chunks, and each sentence's BM25 as its own document
    (idf from the index, length relative to the candidates)."""
    n = len(rows)
    qb = list(terms.bigrams)
    bw = np.log1p(n / (1.0 + np.array([sum(1 for r in rows if b in r.grams) for b in qb], dtype=np.float64)))
    bw_total = float(bw.sum()) or 1.0

    def share(grams: set[str]) -> float:
        hits = [j for j, b in enumerate(qb) if b in grams]
        return float(bw[hits].sum()) / bw_total if hits else 0.0

    ctx_big = {c: share(grams) for c, grams in chunk_grams.items()}
    for r in rows:
        r.big_cov = share(r.grams)
        r.ctx_big = ctx_big.get(r.chunk, 0.0)
    if not terms.weights or not n:
        return
    tf = np.array([r.tfs for r in rows], dtype=np.float64)
    idf = np.array(list(terms.weights.values()))
    length = np.array([r.n_toks for r in rows], dtype=np.float64)
    k1, b = params.sentence_k1, params.sentence_b
    sent_bm25 = (saturated_tf(tf, length, max(1.0, float(length.mean())), k1, b) * idf).sum(axis=1)
    top = float(sent_bm25.max())
    if top > 0:
        sent_bm25 /= top
    for r, v in zip(rows, sent_bm25.tolist()):
        r.sent_bm25 = v
