"""The write side of the index: per-file results put together into one corpus index.

Work per token is done with array operations; Python loops run per file, per chunk section and
per distinct term of a file only.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..ingest.result import FileResult
from ..types import Skipped
from .bm25 import BM25Index
from .columns import CHUNK_COLS, SENT_COLS
from .corpus import CorpusIndex, DocMeta


def _concat(parts: list[np.ndarray], empty_shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(empty_shape, dtype)


class TermMerger:
    """One vocabulary for many files, merged as their results arrive (in any order).

    Each file's own terms are looked up once; with ``release=True`` the file's term strings are
    dropped afterwards, so a build holds every distinct term once rather than once per file.
    :meth:`finish` then numbers the terms the files use in the order of their text (code
    points), so the index depends neither on the order in which files were tokenised nor on
    their order: a file added or removed moves no other term's relative place, and
    :mod:`retrieval.index.delta` can splice it in with the postings still sorted.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._maps: dict[int, np.ndarray] = {}  # id(result) -> arrival ids of its terms

    def add(self, result: FileResult, release: bool = False) -> None:
        ids = self.ids
        new = [w for w in result.terms if w not in ids]
        ids.update(zip(new, range(len(ids), len(ids) + len(new))))
        self._maps[id(result)] = np.fromiter(
            map(ids.__getitem__, result.terms), dtype=np.int32, count=len(result.terms)
        )
        if release:
            result.terms = []

    def term_map(self, result: FileResult) -> np.ndarray:
        return self._maps[id(result)]

    def finish(self, results: Sequence[FileResult]) -> tuple[dict[str, int], np.ndarray]:
        """(vocabulary, arrival id -> final id): the terms of ``results``, in text order."""
        used = np.zeros(len(self.ids), dtype=bool)
        for r in results:
            used[self._maps[id(r)]] = True
        by_arrival = list(self.ids)
        order = sorted(np.flatnonzero(used).tolist(), key=by_arrival.__getitem__)
        renumber = np.full(len(self.ids), -1, dtype=np.int32)
        renumber[order] = np.arange(len(order), dtype=np.int32)
        vocab = dict(zip((by_arrival[a] for a in order), itertools.count()))
        return vocab, renumber


def _byte_offsets(text_utf8: bytes, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 byte offsets of character offsets ``starts`` and ``ends`` in one document."""
    codes = np.frombuffer(text_utf8.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    cum = np.zeros(codes.shape[0] + 1, dtype=np.int64)
    np.cumsum(widths, out=cum[1:])
    return cum[starts], cum[ends]


def assemble(
    results: Sequence[FileResult],
    params: dict[str, Any],
    skipped: Sequence[Skipped] = (),
    terms: TermMerger | None = None,
) -> CorpusIndex:
    """Put per-file results together into one corpus index (in the given order).

    ``terms`` is the merger the results were added to as they arrived (see
    :class:`TermMerger`); without it they are merged here.
    """
    if terms is None:
        terms = TermMerger()
        for res in results:
            terms.add(res)
    vocab, renumber = terms.finish(results)
    # A file of several documents (a gazette) becomes one document each, sharing its vocabulary.
    views = [(doc, res) for res in results for doc in res.documents()]
    docs, sections, chunk_section, tok, lead_tok = _documents(views, terms, renumber)
    results = [doc for doc, _ in views]
    del renumber
    tables = _tables(results, chunk_section, tok, lead_tok)
    del tok, lead_tok
    bm25 = _bm25(vocab, tables, params, table_rows(docs, tables["chunk_doc"], tables["chunk_start"]))
    texts = b"".join(r.text_utf8 for r in results)
    return CorpusIndex(docs, sections, tables, bm25, texts, list(skipped))


def _documents(
    views: Sequence[tuple[FileResult, FileResult]], terms: TermMerger, renumber: np.ndarray
) -> tuple[list[DocMeta], list[str], list[int], np.ndarray, np.ndarray]:
    """Each document's record, the distinct section paths, each chunk's section, and the tokens
    and lead-in tokens of all documents as ids of the merged vocabulary. ``views`` pairs each
    document with the file record whose vocabulary it uses."""
    sections: dict[str, int] = {}
    docs: list[DocMeta] = []
    tok_parts: list[np.ndarray] = []
    lead_parts: list[np.ndarray] = []
    chunk_section: list[int] = []
    for res, file in views:
        docs.append(
            DocMeta(
                res.doc_id,
                res.rel,
                res.title,
                tuple(res.places),
                tuple(res.years),
                res.issuer,
                res.sha256,
                res.year,
                res.kind,
                res.style,
                res.format,
                list(res.pages),
                dict(res.meta),
                dict(res.notes),
                list(res.tables),
            )
        )
        tok_parts.append(renumber[terms.term_map(file)][res.token_ids])
        lead_parts.append(renumber[terms.term_map(file)][res.lead_ids])
        chunk_section.extend(sections.setdefault(sec, len(sections)) for sec in res.sections)
    return (
        docs,
        list(sections),
        chunk_section,
        _concat(tok_parts, (0,), np.int32),
        _concat(lead_parts, (0,), np.int32),
    )


def _tables(
    results: Sequence[FileResult], chunk_section: list[int], tok: np.ndarray, lead_tok: np.ndarray
) -> dict[str, np.ndarray]:
    """The corpus tables (:data:`~retrieval.index.columns.TABLES`) of the files' columns."""
    byte_bounds = [_byte_offsets(r.text_utf8, r.chunk_cols[:, 1], r.chunk_cols[:, 2]) for r in results]
    chunk_cols = _concat([r.chunk_cols for r in results], (0, len(CHUNK_COLS)), np.int64)
    sent_cols = _concat([r.sent_cols for r in results], (0, len(SENT_COLS)), np.int64)
    n_chunks = chunk_cols.shape[0]
    sent_ptr = np.zeros(n_chunks + 1, dtype=np.int64)
    np.cumsum(chunk_cols[:, 5], out=sent_ptr[1:])
    tok_ptr = np.zeros(sent_cols.shape[0] + 1, dtype=np.int64)
    np.cumsum(sent_cols[:, 2], out=tok_ptr[1:])
    lead_ptr = np.zeros(n_chunks + 1, dtype=np.int64)
    np.cumsum(chunk_cols[:, 10], out=lead_ptr[1:])
    doc_bytes = np.zeros(len(results) + 1, dtype=np.int64)
    np.cumsum([len(r.text_utf8) for r in results], out=doc_bytes[1:])
    return {
        "chunk_doc": np.repeat(np.arange(len(results), dtype=np.int32), [r.n_chunks for r in results]),
        "chunk_start": np.ascontiguousarray(chunk_cols[:, 1]),
        "chunk_end": np.ascontiguousarray(chunk_cols[:, 2]),
        "chunk_bstart": _concat([b for b, _ in byte_bounds], (0,), np.int64),
        "chunk_bend": _concat([e for _, e in byte_bounds], (0,), np.int64),
        "para_start": np.ascontiguousarray(chunk_cols[:, 3]),
        "para_end": np.ascontiguousarray(chunk_cols[:, 4]),
        "paragraph": chunk_cols[:, 0].astype(np.int32),
        "chunk_section": np.asarray(chunk_section, dtype=np.int32),
        "sent_ptr": sent_ptr,
        "sent_start": np.ascontiguousarray(sent_cols[:, 0]),
        "sent_end": np.ascontiguousarray(sent_cols[:, 1]),
        "tok_ptr": tok_ptr,
        "tok": tok,
        "doc_bytes": doc_bytes,
        "sent_period": sent_cols[:, 3].astype(np.int32),
        "chunk_period": chunk_cols[:, 6].astype(np.int32),
        "chunk_period_kind": chunk_cols[:, 7].astype(np.int8),
        "lead_start": np.ascontiguousarray(chunk_cols[:, 8]),
        "lead_end": np.ascontiguousarray(chunk_cols[:, 9]),
        "lead_ptr": lead_ptr,
        "lead_tok": lead_tok,
    }


def table_rows(docs: Sequence[DocMeta], chunk_doc: np.ndarray, chunk_start: np.ndarray) -> np.ndarray:
    """Per chunk: it is one row of a table (it starts where one of its document's table rows does)."""
    rows = np.zeros(chunk_doc.shape[0], dtype=bool)
    for d, meta in enumerate(docs):
        starts = [start for table in meta.tables for start in table[3]]
        if starts:
            at = np.flatnonzero(chunk_doc == d)
            rows[at] = np.isin(chunk_start[at], starts)
    return rows


def distinct_in_rows(tok: np.ndarray, chunk_of: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``tok`` and ``chunk_of`` with each term kept once per table-row chunk (``rows``): a row
    repeats its column headers in every cell (收入预算 合计…，收入预算 财政拨款收入…), which says
    nothing about what the row is about."""
    in_row = rows[chunk_of] if rows.any() else np.zeros(tok.shape[0], dtype=bool)
    if not in_row.any():
        return tok, chunk_of
    width = np.int64(max(rows.shape[0], 1))
    keys = np.unique(tok[in_row].astype(np.int64) * width + chunk_of[in_row])
    return (
        np.concatenate([tok[~in_row], (keys // width).astype(tok.dtype)]),
        np.concatenate([chunk_of[~in_row], (keys % width).astype(chunk_of.dtype)]),
    )


def caption_once(rows: np.ndarray, chunk_doc: np.ndarray, lead_start: np.ndarray) -> np.ndarray:
    """Per chunk: its lead-in counts in BM25. A table row's lead-in is its table's caption, and
    a caption counts once per table, in its first row's document: on every row, the caption's
    words (2024年全区一般公共预算收入决算表) would be as common as a table has rows, and lose their
    weight everywhere else. The composer still reads every row's caption."""
    keep = np.ones(rows.shape[0], dtype=bool)
    captioned = np.flatnonzero(rows & (lead_start >= 0))
    if captioned.shape[0]:
        keys = chunk_doc[captioned].astype(np.int64) * (int(lead_start.max()) + 1) + lead_start[captioned]
        _, first = np.unique(keys, return_index=True)
        keep[captioned] = False
        keep[captioned[first]] = True
    return keep


def _bm25(vocab: dict[str, int], tables: dict[str, np.ndarray], params: dict[str, Any], rows: np.ndarray) -> BM25Index:
    """BM25 postings over the chunks: a chunk's document is its sentences' tokens and its
    lead-in's tokens (a table's caption in its first row only, see :func:`caption_once`), each
    term once in a table row (see :func:`distinct_in_rows`)."""
    tok, lead_tok, sent_ptr = tables["tok"], tables["lead_tok"], tables["sent_ptr"]
    n_chunks = sent_ptr.shape[0] - 1
    chunks = np.arange(n_chunks, dtype=np.int32)
    doc_len = np.diff(tables["tok_ptr"][sent_ptr])
    lead_len = np.diff(tables["lead_ptr"])
    counted = np.repeat(caption_once(rows, tables["chunk_doc"], tables["lead_start"]), lead_len)
    all_tok = np.concatenate([tok, lead_tok[counted]]).astype(np.int32, copy=False)
    chunk_of = np.concatenate([np.repeat(chunks, doc_len), np.repeat(chunks, lead_len)[counted]])
    all_tok, chunk_of = distinct_in_rows(all_tok, chunk_of, rows)
    length = np.bincount(chunk_of, minlength=n_chunks).astype(np.int32)
    return BM25Index.from_tokens(
        vocab, all_tok, length, params["k1"], params["b"], params["epsilon"], chunk_of=chunk_of
    )
