"""The searchable corpus: documents, chunk and sentence tables, token ids and the BM25 index.

Tables are columns of numpy arrays so that a large corpus loads as memory-mapped files and
no per-chunk Python object exists until a chunk is shown.
"""

from __future__ import annotations

import bisect
import json
import mmap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..dates.kinds import PERIOD_KINDS
from ..lru import LRU
from ..types import SECTION_SEP, Chunk, Citation, Document, Skipped
from .bm25 import BM25Index
from .columns import CHUNK_DATING, CHUNK_OFFSETS, TABLES


def page_at(pages: list[int] | tuple[int, ...], offset: int) -> int | None:
    """The 1-based page that holds character ``offset``, or None for formats without pages."""
    if not pages:
        return None
    return max(1, bisect.bisect_right(pages, offset))


def chunks_about(
    sent_period: np.ndarray, sent_ptr: np.ndarray, chunks: np.ndarray, years: tuple[int, ...]
) -> np.ndarray:
    """Of the chunk indexes ``chunks``, those with a sentence about one of ``years`` by its own
    date (``sent_period``, -1 for none; not a year it only writes, 比2005年增长, 1985年以来);
    ``sent_ptr``: each chunk's first sentence, and the end."""
    about = np.concatenate(([0], np.cumsum(np.isin(sent_period, years))))
    chunks = np.asarray(chunks, dtype=np.int64)
    return chunks[about[sent_ptr[chunks + 1]] > about[sent_ptr[chunks]]]


def table_at(tables: list[list], offset: int) -> tuple[str, int] | None:
    """(caption, 1-based row) of the table row that holds character ``offset``, or None; tables
    as stored (``[caption, start, end, row starts, caption line]``, in text order)."""
    if not tables:
        return None
    i = bisect.bisect_right([t[1] for t in tables], offset) - 1
    if i < 0 or offset >= tables[i][2]:
        return None
    return tables[i][0], bisect.bisect_right(tables[i][3], offset)


def _mapped(path: Path) -> np.ndarray:
    """A read-only, memory-mapped array as a plain ndarray (memmap's Python-level indexing is
    slow for the many scalar reads of answering)."""
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)


@dataclass
class DocMeta:
    """One document as the index keeps it. Not :class:`~retrieval.types.Document`, for two reasons:
    a Document carries its text, which the index never holds per document (all texts are one
    memory-mapped UTF-8 buffer, decoded on demand through an LRU of 64, so that a large corpus is
    not held twice and bot processes share the pages); and this record carries what only the index
    and its cache need (sha256, format, pages, tables, read notes, style). The fields both share are
    copied in one place, :meth:`CorpusIndex.document`."""

    doc_id: str
    path: str
    title: str
    places: tuple[str, ...]
    years: tuple[int, ...]
    issuer: str
    sha256: str
    year: int | None = None  # the report's year (retrieval/dates/report.py), None if unknown
    kind: str = "report"  # 'report' or 'companion' (a 决议, 说明 or 解读 about a report)
    style: str = "work_report"  # 'work_report' (year = year planned) or 'summary' (= year reviewed)
    format: str = "txt"
    pages: list[int] = field(default_factory=list)  # PDF: where each page starts in the text
    meta: dict[str, str] = field(default_factory=dict)  # web pages: published, source
    notes: dict[str, int] = field(default_factory=dict)  # what reading found (formats.ReadNotes)
    # Each table read one sentence a row: [caption, start, end, [row starts], caption line or None]
    # (ingest/formats/tables.py, TablePlace.to_json).
    tables: list[list] = field(default_factory=list)


@dataclass
class CorpusIndex:
    docs: list[DocMeta]
    sections: list[str]
    tables: dict[str, np.ndarray]
    bm25: BM25Index
    texts: bytes | mmap.mmap  # UTF-8 texts of all documents, back to back
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._texts: LRU[int, str] = LRU(64)  # decoded documents
        self._chunk_texts: LRU[int, str] = LRU(1024)  # decoded chunks
        self.id_to_term: list[str] | None = None
        self._doc_ids: dict[str, int] | None = None

    # --- sizes ---------------------------------------------------------------------------
    @property
    def n_chunks(self) -> int:
        return int(self.tables["chunk_doc"].shape[0])

    # --- documents and text ----------------------------------------------------------------
    def text(self, doc: int) -> str:
        """Decoded text of document ``doc`` (a few recent ones are kept)."""
        cached = self._texts.get(doc)
        if cached is None:
            lo, hi = int(self.tables["doc_bytes"][doc]), int(self.tables["doc_bytes"][doc + 1])
            cached = self._texts.put(doc, bytes(self.texts[lo:hi]).decode("utf-8"))
        return cached

    def chunk_text(self, chunk: int) -> str:
        """Decoded text of one chunk (``text(doc)[chunk_start:chunk_end]``), without decoding
        the whole document."""
        cached = self._chunk_texts.get(chunk)
        if cached is None:
            t = self.tables
            base = int(t["doc_bytes"][int(t["chunk_doc"][chunk])])
            lo, hi = base + int(t["chunk_bstart"][chunk]), base + int(t["chunk_bend"][chunk])
            cached = self._chunk_texts.put(chunk, bytes(self.texts[lo:hi]).decode("utf-8"))
        return cached

    def document(self, doc: int) -> Document:
        m = self.docs[doc]
        return Document(m.doc_id, m.path, m.title, self.text(doc), m.places, m.years, m.issuer, m.year, m.kind)

    # --- years and periods (retrieval/dates/) -------------------------------------------------
    def doc_year(self, doc: int) -> int | None:
        """The year of report ``doc`` (2024 for the 2024 government work report and for a
        2024年工作总结及2025年工作计划), or None."""
        return self.docs[doc].year

    def doc_kind(self, doc: int) -> str:
        """'report', or 'companion' for a document about a report (决议, 说明, 解读)."""
        return self.docs[doc].kind

    def doc_year_array(self) -> np.ndarray:
        """Every document's year as int32 (-1 if unknown), for array work such as
        ``doc_year_array()[tables["chunk_doc"]]`` (each chunk's report year)."""
        return np.array([-1 if m.year is None else m.year for m in self.docs], dtype=np.int32)

    def companion_mask(self) -> np.ndarray:
        """Per document: True for a companion document (决议, 说明, 解读 about a report)."""
        return np.array([m.kind == "companion" for m in self.docs], dtype=bool)

    def sentence_period(self, sent: int) -> int | None:
        """The year sentence ``sent`` is about, or None (no year, or a span such as 过去五年)."""
        p = int(self.tables["sent_period"][sent])
        return None if p < 0 else p

    def section_period(self, chunk: int) -> int | None:
        """The year the section of chunk ``chunk`` is about (一、2023年工作回顾 → 2023), or None."""
        p = int(self.tables["chunk_period"][chunk])
        return None if p < 0 else p

    def section_kind(self, chunk: int) -> str | None:
        """'review', 'plan' or None for the section of chunk ``chunk`` (sections are stored per
        chunk: the same heading text means other years in other reports)."""
        return PERIOD_KINDS[int(self.tables["chunk_period_kind"][chunk])]

    def lead_in(self, chunk: int) -> tuple[int, int] | None:
        """Offsets in the document text of the lead-in (今年…主要预期目标是：) before the chunk's
        paragraph, or None. Its tokens count in the chunk's BM25 score; it is never cited."""
        t = self.tables
        s = int(t["lead_start"][chunk])
        return None if s < 0 else (s, int(t["lead_end"][chunk]))

    def lead_tokens(self, chunk: int) -> np.ndarray:
        t = self.tables
        return t["lead_tok"][int(t["lead_ptr"][chunk]) : int(t["lead_ptr"][chunk + 1])]

    def doc_index(self, doc_id: str) -> int | None:
        if self._doc_ids is None:
            self._doc_ids = {m.doc_id: i for i, m in reversed(list(enumerate(self.docs)))}
        return self._doc_ids.get(doc_id)

    # --- chunks and sentences ----------------------------------------------------------------
    def chunk(self, i: int) -> Chunk:
        t = self.tables
        lo, hi = int(t["sent_ptr"][i]), int(t["sent_ptr"][i + 1])
        sentences = tuple(zip(t["sent_start"][lo:hi].tolist(), t["sent_end"][lo:hi].tolist()))
        section = self.sections[int(t["chunk_section"][i])]
        return Chunk(
            i,
            self.docs[int(t["chunk_doc"][i])].doc_id,
            tuple(section.split(SECTION_SEP)) if section else (),
            int(t["paragraph"][i]),
            int(t["chunk_start"][i]),
            int(t["chunk_end"][i]),
            int(t["para_start"][i]),
            int(t["para_end"][i]),
            sentences,
        )

    def chunks_about(self, chunks: np.ndarray, years: tuple[int, ...]) -> np.ndarray:
        """Of the chunk indexes ``chunks``, those with a sentence about one of ``years``
        (:func:`chunks_about`)."""
        return chunks_about(self.tables["sent_period"], self.tables["sent_ptr"], chunks, years)

    def sentence_range(self, chunk: int) -> range:
        t = self.tables
        return range(int(t["sent_ptr"][chunk]), int(t["sent_ptr"][chunk + 1]))

    def sentence_tokens(self, sent: int) -> np.ndarray:
        t = self.tables
        return t["tok"][int(t["tok_ptr"][sent]) : int(t["tok_ptr"][sent + 1])]

    def citation(self, chunk: int, sent: int) -> Citation:
        t = self.tables
        doc = int(t["chunk_doc"][chunk])
        m = self.docs[doc]
        start, end = int(t["sent_start"][sent]), int(t["sent_end"][sent])
        table, row = table_at(m.tables, start) or ("", None)
        page, page_end = page_at(m.pages, start), page_at(m.pages, max(start, end - 1))
        return Citation(
            m.doc_id,
            m.title,
            m.path,
            self.sections[int(t["chunk_section"][chunk])],
            int(t["paragraph"][chunk]),
            start,
            end,
            int(t["para_start"][chunk]),
            int(t["para_end"][chunk]),
            m.year,
            self.sentence_period(sent),
            page,
            m.format,
            table,
            row,
            page_end if page_end != page else None,
        )

    def row_caption(self, chunk: int, sent: int) -> str | None:
        """The caption of the table whose row sentence ``sent`` is, or None for a sentence of the text."""
        m = self.docs[int(self.tables["chunk_doc"][chunk])]
        if not m.tables:
            return None
        at = table_at(m.tables, int(self.tables["sent_start"][sent]))
        return at[0] if at else None

    # --- what the composer reads of a chunk (plain values, no table access outside) -----------
    @property
    def chunk_docs(self) -> np.ndarray:
        """The document index of every chunk (an array indexed by chunk id)."""
        return self.tables["chunk_doc"]

    def chunk_section(self, chunk: int) -> int:
        """Index into :attr:`sections` of the section path ``chunk`` sits in."""
        return int(self.tables["chunk_section"][chunk])

    def chunk_sentences(self, chunk: int) -> list[tuple[int, int, int, list[int]]]:
        """(sentence id, start, end, token ids) of each sentence of ``chunk``; offsets into the
        document's text."""
        t = self.tables
        rng = self.sentence_range(chunk)
        ptr = t["tok_ptr"][rng.start : rng.stop + 1].tolist()
        toks = t["tok"][ptr[0] : ptr[-1]].tolist()
        starts = t["sent_start"][rng.start : rng.stop].tolist()
        ends = t["sent_end"][rng.start : rng.stop].tolist()
        return [(s, starts[j], ends[j], toks[ptr[j] - ptr[0] : ptr[j + 1] - ptr[0]]) for j, s in enumerate(rng)]

    def paragraph_start(self, chunk: int) -> int:
        """Offset of the paragraph ``chunk`` belongs to (chunks of one long paragraph share it)."""
        return int(self.tables["para_start"][chunk])

    def chunk_offset(self, chunk: int) -> int:
        """Offset of ``chunk`` in its document's text."""
        return int(self.tables["chunk_start"][chunk])

    def paragraph_first_chunk(self, chunk: int) -> int:
        """The first chunk of the paragraph ``chunk`` belongs to (itself unless a long paragraph
        was split)."""
        t = self.tables
        doc, para = t["chunk_doc"][chunk], t["para_start"][chunk]
        first = chunk
        while first > 0 and t["chunk_doc"][first - 1] == doc and t["para_start"][first - 1] == para:
            first -= 1
        return first

    def sentence_text(self, chunk: int, sent: int) -> str:
        t = self.tables
        base = int(t["chunk_start"][chunk])
        return self.chunk_text(chunk)[int(t["sent_start"][sent]) - base : int(t["sent_end"][sent]) - base]

    def term(self, term_id: int) -> str:
        if self.id_to_term is None:
            terms = [""] * len(self.bm25.vocab)
            for word, i in self.bm25.vocab.items():
                terms[i] = word
            self.id_to_term = terms
        return self.id_to_term[term_id]

    # --- persistence ------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write every part into ``folder`` (JSON and .npy; never pickle)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in self.tables.items():
            with open(folder / f"{name}.npy", "wb") as fh:
                np.save(fh, array, allow_pickle=False)
        self.bm25.save(folder)
        with open(folder / "texts.bin", "wb") as fh:
            fh.write(self.texts)
        meta = {
            "docs": [vars(d) for d in self.docs],
            "sections": self.sections,
            "skipped": [[s.path, s.reason] for s in self.skipped],
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        (folder / "vocab.json").write_text(json.dumps(list(self.bm25.vocab), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, params: dict[str, Any]) -> CorpusIndex:
        """Load a saved corpus; raises ValueError (or OSError) if anything is missing or damaged."""
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        terms = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError("vocabulary is not a list of terms")
        vocab = {t: i for i, t in enumerate(terms)}
        tables = {name: _mapped(folder / f"{name}.npy") for name in TABLES}
        bm25 = BM25Index.load(folder, vocab, params["k1"], params["b"], params["epsilon"])
        texts_path = folder / "texts.bin"
        with open(texts_path, "rb") as fh:
            size = texts_path.stat().st_size
            texts: bytes | mmap.mmap = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        docs = [
            DocMeta(
                d["doc_id"],
                d["path"],
                d["title"],
                tuple(d["places"]),
                tuple(d["years"]),
                d["issuer"],
                d["sha256"],
                d.get("year"),
                d.get("kind", "report"),
                d.get("style", "work_report"),
                str(d.get("format", "txt")),
                [int(p) for p in d.get("pages", [])],
                dict(d.get("meta", {})),
                dict(d.get("notes", {})),
                list(d.get("tables", [])),
            )
            for d in meta["docs"]
        ]
        skipped = [Skipped(p, r) for p, r in meta.get("skipped", [])]
        corpus = cls(docs, list(meta["sections"]), tables, bm25, texts, skipped)
        corpus.check(size)
        return corpus

    def check(self, text_bytes: int) -> None:
        t = self.tables
        n = self.n_chunks
        for name in (*CHUNK_OFFSETS, "chunk_section"):
            if t[name].shape != (n,):
                raise ValueError(f"table {name} is truncated")
        if t["sent_ptr"].shape != (n + 1,) or int(t["sent_ptr"][-1]) != t["sent_start"].shape[0]:
            raise ValueError("sentence table is truncated")
        if t["sent_end"].shape != t["sent_start"].shape or t["tok_ptr"].shape != (t["sent_start"].shape[0] + 1,):
            raise ValueError("sentence table is truncated")
        if int(t["tok_ptr"][-1]) != t["tok"].shape[0]:
            raise ValueError("token table is truncated")
        if t["sent_period"].shape != t["sent_start"].shape or any(t[k].shape != (n,) for k in CHUNK_DATING):
            raise ValueError("period tables are truncated")
        if t["lead_ptr"].shape != (n + 1,) or int(t["lead_ptr"][-1]) != t["lead_tok"].shape[0]:
            raise ValueError("lead-in table is truncated")
        if n and not 0 <= int(t["chunk_period_kind"].min()) <= int(t["chunk_period_kind"].max()) < len(PERIOD_KINDS):
            raise ValueError("period tables are damaged")
        if t["doc_bytes"].shape != (len(self.docs) + 1,) or int(t["doc_bytes"][-1]) != text_bytes:
            raise ValueError("document texts are truncated")
        if self.bm25.n_chunks != n:
            raise ValueError("BM25 index and chunk table differ in size")
        if n and (int(t["chunk_doc"].max()) >= len(self.docs) or int(t["chunk_section"].max()) >= len(self.sections)):
            raise ValueError("chunk table points past its documents")
