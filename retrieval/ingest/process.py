"""One file in, one record out: decoded, cleaned, chunked, dated and tokenised.

:func:`process_file` is a pure function of the file and the index settings, so it can run in
worker processes (:mod:`.workers`) and its result (:class:`~.result.FileResult`) can be cached per
file content: :func:`process_and_store` also writes the file's token cache entry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_atomic
from ..dates.kinds import PERIOD_KINDS
from ..dates.leadins import lead_in_span
from ..dates.periods import paragraph_periods, section_periods
from ..dates.report import document_kind, report_style, report_year
from ..dates.years import settings
from ..index.columns import CHUNK_COLS, SENT_COLS
from ..lang.text import clean_for_index, default_tokenizer
from ..types import SECTION_SEP, Skipped
from .chunker import ChunkSpan, chunk_document
from .documents import make_document, noise_spans
from .formats.table_places import TablePlace, tables_within
from .loader import SourceFile, UnreadableFile, read_source
from .parts import Part, split_documents
from .result import FileResult


def process_file(source: SourceFile, params: dict[str, Any]) -> FileResult | Skipped:
    """Read, chunk and tokenise one file; a file that cannot be read becomes :class:`Skipped`.

    A file holding several documents (a gazette, several years' communiqués; see
    :mod:`.parts`) keeps one record whose ``parts`` say where each document starts and what it
    is; the index makes each a document of its own (:meth:`FileResult.documents`).
    """
    try:
        extracted, digest = read_source(source, params)
    except UnreadableFile as exc:
        return Skipped(source.rel, str(exc))
    text = extracted.text
    published = extracted.meta.get("published", "")
    whole = make_document(source.rel, source.rel, text, extracted.title, published)
    parts = split_documents(text, whole.title) or [Part(0, whole.title)]
    columns = _Columns(default_tokenizer())
    heads = _index_parts(columns, whole, parts, text, published, source.rel, extracted.tables, params)
    if not heads:
        return Skipped(source.rel, "没有找到可以索引的段落")
    notes = extracted.notes
    notes.paragraphs, notes.documents = columns.paragraphs, len(heads)
    first = heads[0]
    return FileResult(
        source.rel,
        digest,
        text.encode("utf-8"),
        first["title"],
        first["places"],
        first["years"],
        first["issuer"],
        columns.sections,
        np.asarray(columns.chunk_rows, dtype=np.int64).reshape(-1, len(CHUNK_COLS)),
        np.asarray(columns.sent_rows, dtype=np.int64).reshape(-1, len(SENT_COLS)),
        list(columns.local),
        np.asarray(columns.ids, dtype=np.int32),
        np.asarray(columns.lead_ids, dtype=np.int32),
        first["year"],
        first["kind"],
        first["style"],
        extracted.format,
        list(extracted.pages),
        dict(extracted.meta),
        notes.to_json(),
        heads if len(heads) > 1 else [],
        tables=[t.to_json() for t in extracted.tables],
    )


def _index_parts(
    columns: _Columns, whole, parts: list[Part], text: str, published: str, rel: str, all_tables, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Chunk each document of a file into ``columns``; per document indexed, where it starts and
    ends, its title, places, years, issuer, dating and chunk count."""
    heads: list[dict[str, Any]] = []
    for k, part in enumerate(parts):
        end = parts[k + 1].start if k + 1 < len(parts) else len(text)
        doc = whole if len(parts) == 1 else make_document(rel, rel, text[part.start : end], part.title, published)
        before = len(columns.chunk_rows)
        tables = tables_within(all_tables, part.start, end)
        dated = columns.add(doc, part.start, rel, params["max_chunk_chars"], tables)
        if dated is not None:
            heads.append(
                {
                    "start": part.start,
                    "end": end,
                    "title": doc.title,
                    "places": list(doc.places),
                    "years": list(doc.years),
                    "issuer": doc.issuer,
                    "year": dated.year,
                    "kind": dated.kind,
                    "style": dated.style,
                    "chunks": len(columns.chunk_rows) - before,
                }
            )
    return heads


class _Columns:
    """The chunk and sentence rows of one file, document after document, with its vocabulary."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.local: dict[str, int] = {}
        self.chunk_rows: list[tuple[int, ...]] = []
        self.sent_rows: list[tuple[int, int, int, int]] = []
        self.ids: list[int] = []
        self.lead_ids: list[int] = []
        self.sections: list[str] = []
        self.paragraphs = 0

    def add(
        self, doc, offset: int, rel: str, max_chunk_chars: int, tables: Sequence[TablePlace] = ()
    ) -> DatedChunks | None:
        """Chunk, date and tokenise one document whose text starts at ``offset`` in the file's
        (``tables``: its tables, at offsets into its own text); None when it has nothing to index."""
        text, words = doc.text, self.local
        spans = chunk_document(
            doc, noise_spans(text, doc.title), max_chunk_chars, [(t.start, t.end, t.caption) for t in tables]
        )
        if not spans:
            return None
        rows = {row for t in tables for row in t.rows}  # table rows are counted as rows, not paragraphs
        self.paragraphs += len({span.para_start for span in spans} - rows)
        # A table row's lead-in is its table's caption: matched and dated with the row.
        leads = {row: t.caption_at for t in tables if t.caption_at for row in t.rows}
        dated = date_chunks(text, doc.title, rel, spans, leads, rows)
        for span, (period, what, lead, periods) in zip(spans, dated.chunks):
            self.sections.append(SECTION_SEP.join(span.section))
            # The lead-in's tokens join the chunk's BM25 document (numbered first, as they come first).
            lead_toks = self.tokenizer.tokens(clean_for_index(text[lead[0] : lead[1]]), normalized=True) if lead else []
            self.lead_ids.extend(words.setdefault(w, len(words)) for w in lead_toks)
            lead_at = (lead[0] + offset, lead[1] + offset) if lead else (-1, -1)
            self.chunk_rows.append(
                (
                    span.paragraph,
                    span.start + offset,
                    span.end + offset,
                    span.para_start + offset,
                    span.para_end + offset,
                    len(span.sentences),
                    -1 if period is None else period,
                    PERIOD_KINDS.index(what),
                    *lead_at,
                    len(lead_toks),
                )
            )
            for (s, e), p in zip(span.sentences, periods):
                toks = self.tokenizer.tokens(clean_for_index(text[s:e]), normalized=True)
                self.ids.extend(words.setdefault(w, len(words)) for w in toks)
                self.sent_rows.append((s + offset, e + offset, len(toks), -1 if p is None else p))
        return dated


# Set once per process by init_worker: the index settings, the token cache folder and the key of
# its entries (retrieval/index/store.py).
_JOB: tuple[dict[str, Any], str, str] | None = None


def init_worker(params: dict[str, Any], entries: str, key: str) -> None:
    """Per process: remember the job and build the tokenizer once (jieba's model load)."""
    global _JOB
    _JOB = (params, entries, key)
    default_tokenizer()


def process_and_store(source: SourceFile) -> FileResult | Skipped:
    """Tokenise one file and write its token cache entry (atomically, by content hash)."""
    assert _JOB is not None, "init_worker was not called"
    params, entries, key = _JOB
    try:
        result = process_file(source, params)
    except Exception as exc:  # a bug or an unexpected input in one file: skip it, keep the rest
        return Skipped(source.rel, f"处理失败（{type(exc).__name__}）")
    if isinstance(result, FileResult):
        path = Path(entries) / f"{result.sha256}-{key}.tok"
        # Not flushed to disk: an entry cut short by a crash fails its checks when read back and
        # the file is tokenised again. The cache is an optimisation; the index is still built.
        with contextlib.suppress(OSError):
            write_atomic(path, result.dumps(), durable=False)
    return result


@dataclass
class DatedChunks:
    """The report's year, kind and style, and per chunk: (section period, section period kind,
    lead-in offsets or None, period of each of its sentences)."""

    year: int | None
    kind: str
    style: str
    chunks: list[tuple[int | None, str | None, tuple[int, int] | None, list[int | None]]]


def date_chunks(
    text: str,
    title: str,
    rel: str,
    spans: list[ChunkSpan],
    leads: dict[int, tuple[int, int]] | None = None,
    rows: set[int] | frozenset[int] = frozenset(),
) -> DatedChunks:
    """Years and periods of a document's chunks (see :mod:`retrieval.dates`); ``leads`` gives
    the lead-in of a paragraph by where it starts (a table row's caption); ``rows`` are where the
    table rows start: a row is dated by its label and caption, not by its columns' names."""
    head = text[: settings()["years"]["head_chars"]]
    year = report_year(title, head, rel)
    kind = document_kind(title, head)
    style = report_style(title, head)
    out: list[tuple[int | None, str | None, tuple[int, int] | None, list[int | None]]] = []
    sections = section_periods([span.section for span in spans], year, style)
    i = 0
    while i < len(spans):
        # All chunks of one paragraph together: its opening sentence and lead-in date the rest.
        j = i
        while j < len(spans) and spans[j].para_start == spans[i].para_start:
            j += 1
        group = spans[i:j]
        lead = (leads or {}).get(group[0].para_start) or lead_in_span(text, *_previous_line(text, group[0].para_start))
        period, what = sections[i]
        sentences = [text[s:e] for span in group for s, e in span.sentences]
        if group[0].para_start in rows:
            sentences = [row_label(sent) for sent in sentences]
        periods = paragraph_periods(sentences, year, period, style, text[lead[0] : lead[1]] if lead else "")
        k = 0
        for span in group:
            n = len(span.sentences)
            out.append((period, what, lead, periods[k : k + n]))
            k += n
        i = j
    return DatedChunks(year, kind, style, out)


def row_label(sentence: str) -> str:
    """The label of a table row's sentence (``行名：列名值，…``), the part that says which row it
    is; its columns (上年决算数, 2026年预算数) say which value, not when the row is about."""
    head, colon, _ = sentence.partition("：")
    return head if colon else ""


def _previous_line(text: str, start: int) -> tuple[int, int]:
    """Offsets of the last non-blank line before ``start`` (past blank lines), or (0, 0)."""
    end = text.rfind("\n", 0, start)  # the end of the line before the paragraph's own
    while end > 0 and not text[text.rfind("\n", 0, end) + 1 : end].strip(" \t\r\u3000\xa0\ufeff"):
        end = text.rfind("\n", 0, end)
    if end <= 0:
        return 0, 0
    return text.rfind("\n", 0, end) + 1, end
