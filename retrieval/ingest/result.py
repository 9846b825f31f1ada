"""The record of one processed file (:class:`FileResult`), and its token cache entry.

The record is columnar (a few integer arrays, the file's own vocabulary and its UTF-8 text), so
it is cheap to send between processes, to store and to load, and an index of many files is
assembled with array operations (:mod:`retrieval.index.build`).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..dates.kinds import REPORT, WORK_REPORT
from ..index.columns import CHUNK_COLS, SENT_COLS
from .formats.table_places import TablePlace, tables_within

_ARRAYS = ("chunk_cols", "sent_cols", "token_ids", "lead_ids")
_HEADER = (
    "rel",
    "sha256",
    "title",
    "places",
    "years",
    "issuer",
    "year",
    "kind",
    "style",
    "sections",
    "terms",
    "format",
    "pages",
    "meta",
    "notes",
    "parts",
    "tables",
)
_DTYPES = {"<i8", "<i4"}
_MAGIC = b"RQATOK3\n"


@dataclass
class FileResult:
    """Everything the index needs from one file.

    ``chunk_cols`` holds one row per chunk (:data:`CHUNK_COLS`), ``sent_cols`` one row per
    sentence of those chunks in order (:data:`SENT_COLS`), ``token_ids`` the tokens of
    every sentence back to back, as indexes into ``terms`` (the file's own vocabulary), and
    ``lead_ids`` the tokens of each chunk's lead-in, chunk after chunk. ``year`` is the
    report's year (or None), ``kind`` 'report' or 'companion', ``style`` 'work_report' or
    'summary' (see :mod:`retrieval.dates`).
    """

    rel: str
    sha256: str
    text_utf8: bytes
    title: str
    places: list[str]
    years: list[int]
    issuer: str
    sections: list[str]  # per chunk: its outline labels joined by SECTION_SEP
    chunk_cols: np.ndarray  # int64 (n_chunks, len(CHUNK_COLS))
    sent_cols: np.ndarray  # int64 (n_sentences, len(SENT_COLS))
    terms: list[str]
    token_ids: np.ndarray  # int32
    lead_ids: np.ndarray = None  # type: ignore[assignment]  # int32; empty if None
    year: int | None = None
    kind: str = REPORT
    style: str = WORK_REPORT
    format: str = "txt"  # "txt", "md", "docx", "pdf", "html"
    pages: list[int] = field(default_factory=list)  # PDF: where each page starts in the text
    meta: dict[str, str] = field(default_factory=dict)  # web pages: published, source
    notes: dict[str, int] = field(default_factory=dict)  # what was read (ReadNotes.to_json)
    # Several documents in one file: per document its span of the text ("start", "end"), its
    # "chunks" and its record (title, places, years, issuer, year, kind, style); [] for one.
    parts: list[dict[str, Any]] = field(default_factory=list)
    part: int = 0  # in a view of one document of a file (:meth:`documents`): its number, from 1
    # Tables read one sentence a row: TablePlace.to_json() each (retrieval/ingest/formats/tables.py).
    tables: list[list] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        """The document's id in the index: the file's path, with ``#n`` for its n-th document."""
        return f"{self.rel}#{self.part}" if self.part else self.rel

    def documents(self) -> list[FileResult]:
        """The file's documents, each a record of its own with offsets into its own text (the
        vocabulary is the file's); the record itself when the file is one document."""
        if not self.parts:
            return [self]
        sent_at = np.concatenate([[0], np.cumsum(self.chunk_cols[:, 5])])
        tok_at = np.concatenate([[0], np.cumsum(self.sent_cols[:, 2])])
        lead_at = np.concatenate([[0], np.cumsum(self.chunk_cols[:, 10])])
        text, out, c0 = self.text, [], 0
        for n, part in enumerate(self.parts, start=1):
            start, end, c1 = int(part["start"]), int(part["end"]), c0 + int(part["chunks"])
            s0, s1 = int(sent_at[c0]), int(sent_at[c1])
            chunks, sents = self.chunk_cols[c0:c1].copy(), self.sent_cols[s0:s1].copy()
            chunks[:, 1:5] -= start
            chunks[:, 8:10] = np.where(chunks[:, 8:10] >= 0, chunks[:, 8:10] - start, -1)
            sents[:, :2] -= start
            # A content key of its own (the sentence vectors are cached per document content).
            digest = hashlib.sha256(f"{self.sha256}:{start}:{end}:{c1 - c0}".encode()).hexdigest()
            out.append(
                replace(
                    self,
                    sha256=digest,
                    text_utf8=text[start:end].encode("utf-8"),
                    title=part["title"],
                    places=list(part["places"]),
                    years=list(part["years"]),
                    issuer=part["issuer"],
                    year=part["year"],
                    kind=part["kind"],
                    style=part["style"],
                    sections=self.sections[c0:c1],
                    chunk_cols=chunks,
                    sent_cols=sents,
                    token_ids=self.token_ids[int(tok_at[s0]) : int(tok_at[s1])],
                    lead_ids=self.lead_ids[int(lead_at[c0]) : int(lead_at[c1])],
                    pages=[max(0, p - start) for p in self.pages if p < end],
                    parts=[],
                    part=n,
                    tables=_tables_within(self.tables, start, end),
                )
            )
            c0 = c1
        return out

    def __post_init__(self) -> None:
        if self.lead_ids is None:
            self.lead_ids = np.zeros(0, dtype=np.int32)

    @property
    def n_chunks(self) -> int:
        return int(self.chunk_cols.shape[0])

    @property
    def text(self) -> str:
        return self.text_utf8.decode("utf-8")

    # --- nested views, for tests and tools (the index uses the columns) ---------------------
    def sentence_tokens(self) -> list[list[str]]:
        """Tokens of every sentence, as strings."""
        ends = np.cumsum(self.sent_cols[:, 2]).tolist()
        words = [self.terms[i] for i in self.token_ids.tolist()]
        return [words[a:b] for a, b in zip([0] + ends[:-1], ends)]

    def _sentence_groups(self) -> list[range]:
        ends = np.cumsum(self.chunk_cols[:, 5]).tolist()
        return [range(a, b) for a, b in zip([0] + ends[:-1], ends)]

    @property
    def chunks(self) -> list[list[Any]]:
        """Per chunk: ``[section, paragraph, start, end, para_start, para_end, [[s, e], ...]]``."""
        sents = self.sent_cols[:, :2].tolist()
        return [
            [self.sections[i], *row[:5], [sents[j] for j in group]]
            for i, (row, group) in enumerate(zip(self.chunk_cols.tolist(), self._sentence_groups()))
        ]

    @property
    def tokens(self) -> list[list[list[str]]]:
        """Per chunk, per sentence: its tokens."""
        per_sentence = self.sentence_tokens()
        return [[per_sentence[j] for j in group] for group in self._sentence_groups()]

    # --- one file of its own: a JSON header, then the raw arrays; a checksum; never pickle ------
    def dumps(self) -> bytes:
        """The record as bytes: magic, header length, JSON header, then the arrays' raw data."""
        text = self.text_utf8
        arrays = [getattr(self, name) for name in _ARRAYS]
        header = {k: getattr(self, k) for k in _HEADER}
        header["text_bytes"] = len(text)
        header["arrays"] = [[name, a.dtype.str, list(a.shape)] for name, a in zip(_ARRAYS, arrays)]
        payload = b"".join([text] + [np.ascontiguousarray(a).tobytes() for a in arrays])
        header["crc32"] = zlib.crc32(payload)
        head = json.dumps(header, ensure_ascii=False).encode("utf-8")
        return _MAGIC + struct.pack("<Q", len(head)) + head + payload

    @classmethod
    def loads(cls, data: bytes) -> FileResult:
        """Parse :meth:`dumps` output; raises ValueError if it is damaged or foreign."""
        if data[: len(_MAGIC)] != _MAGIC or len(data) < len(_MAGIC) + 8:
            raise ValueError("not a token cache entry")
        (n,) = struct.unpack_from("<Q", data, len(_MAGIC))
        start = len(_MAGIC) + 8 + n
        try:
            header = json.loads(data[len(_MAGIC) + 8 : start].decode("utf-8"))
            payload = memoryview(data)[start:]
            if zlib.crc32(payload) != header["crc32"]:
                raise ValueError("token cache entry is damaged (checksum)")
            pos = int(header["text_bytes"])
            text = bytes(payload[:pos])
            arrays: dict[str, np.ndarray] = {}
            for (name, dtype, shape), expected in zip(header["arrays"], _ARRAYS):
                if name != expected or dtype not in _DTYPES:
                    raise ValueError("token cache entry has unexpected arrays")
                count = int(np.prod(shape, dtype=np.int64))
                size = count * np.dtype(dtype).itemsize
                if pos + size > len(payload):
                    raise ValueError("token cache entry is truncated")
                arrays[name] = np.frombuffer(payload[pos : pos + size], dtype=dtype).reshape(shape)
                pos += size
            fields = {k: header[k] for k in _HEADER}
            if fields["year"] is not None and not isinstance(fields["year"], int):
                raise ValueError("token cache entry has a bad year")
        except (KeyError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"token cache entry is damaged ({type(exc).__name__})") from None
        if len(arrays) != len(_ARRAYS) or pos != len(payload):
            raise ValueError("token cache entry is truncated")
        values: dict[str, Any] = {**fields, **arrays}  # the header's fields and the arrays, checked above
        result = cls(text_utf8=text, **values)
        result.check()
        return result

    @classmethod
    def load(cls, path: Path) -> FileResult:
        """Read a stored record; raises ValueError (or OSError) if it is damaged."""
        return cls.loads(path.read_bytes())

    def check(self) -> None:
        """Raise ValueError unless the columns fit together."""
        c, s, t = self.chunk_cols, self.sent_cols, self.token_ids
        if (
            c.ndim != 2
            or c.shape[1] != len(CHUNK_COLS)
            or s.ndim != 2
            or s.shape[1] != len(SENT_COLS)
            or t.ndim != 1
            or c.dtype != np.int64
            or s.dtype != np.int64
            or t.dtype != np.int32
        ):
            raise ValueError("token cache entry has columns of the wrong shape")
        lead = self.lead_ids
        if lead.ndim != 1 or lead.dtype != np.int32:
            raise ValueError("token cache entry has columns of the wrong shape")
        if (
            len(self.sections) != c.shape[0]
            or int(c[:, 5].sum()) != s.shape[0]
            or int(s[:, 2].sum()) != t.shape[0]
            or int(c[:, 10].sum()) != lead.shape[0]
        ):
            raise ValueError("token cache entry is truncated")
        if lead.shape[0] and (int(lead.min()) < 0 or int(lead.max()) >= len(self.terms)):
            raise ValueError("token cache entry points past its vocabulary")
        if t.shape[0] and (int(t.min()) < 0 or int(t.max()) >= len(self.terms)):
            raise ValueError("token cache entry points past its vocabulary")
        if c.shape[0] and (int(c[:, 1:5].min()) < 0 or int(s[:, :2].min(initial=0)) < 0):
            raise ValueError("token cache entry has negative offsets")
        if (
            not isinstance(self.format, str)
            or not isinstance(self.meta, dict)
            or not all(isinstance(p, int) for p in self.pages)
            or self.pages != sorted(self.pages)
            or not isinstance(self.notes, dict)
            or not _parts_fit(self.parts, c.shape[0])
        ):
            raise ValueError("token cache entry has a damaged format record")
        try:
            [TablePlace.from_json(t) for t in self.tables]
        except (TypeError, ValueError):
            raise ValueError("token cache entry has a damaged table record") from None


_PART_KEYS = {"start", "end", "chunks", "title", "places", "years", "issuer", "year", "kind", "style"}


def _parts_fit(parts: object, n_chunks: int) -> bool:
    """Whether a record's ``parts`` are well formed and cover its chunks."""
    if not isinstance(parts, list) or not all(isinstance(p, dict) and set(p) >= _PART_KEYS for p in parts):
        return False
    return not parts or sum(int(p["chunks"]) for p in parts) == n_chunks


def _tables_within(tables: list[list], start: int, end: int) -> list[list]:
    """The stored tables of ``text[start:end]``, at offsets into that span."""
    places = [TablePlace.from_json(t) for t in tables]
    return [t.to_json() for t in tables_within(places, start, end)]
