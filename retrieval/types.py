"""The plain records that pass between the stages of the engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

SECTION_SEP = " › "


@dataclass(frozen=True)
class Document:
    """One report: its decoded text (line endings untouched) and what we know about it."""

    doc_id: str
    path: str  # relative to the corpus folder, POSIX separators
    title: str
    text: str
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    issuer: str = ""
    year: int | None = None  # the report's year (retrieval/dates/report.py)
    kind: str = "report"  # 'report' or 'companion' (决议, 说明, 解读 about a report)

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) <= 30 else self.title[:29] + "…"


@dataclass(frozen=True)
class Chunk:
    """A paragraph, or a run of sentences of a long paragraph, with where it sits."""

    chunk_id: int
    doc_id: str
    section: tuple[str, ...]
    paragraph: int  # 1-based paragraph number within the document
    start: int  # character offsets of the chunk in Document.text
    end: int
    para_start: int  # offsets of the whole paragraph the chunk belongs to
    para_end: int
    sentences: tuple[tuple[int, int], ...]  # (start, end) of each sentence in Document.text

    @property
    def section_label(self) -> str:
        return SECTION_SEP.join(self.section)


@dataclass(frozen=True)
class Citation:
    """Where a sentence comes from, precise enough to open and check."""

    doc_id: str
    title: str
    path: str
    section: str
    paragraph: int
    start: int
    end: int
    para_start: int
    para_end: int
    year: int | None = None  # the year of the report
    period: int | None = None  # the year the sentence is about
    page: int | None = None  # 1-based page of a PDF; None for formats without pages
    format: str = ""  # "txt", "md", "docx", "pdf", "html"
    table: str = ""  # the caption of the table the sentence is a row of ("" if none)
    row: int | None = None  # 1-based row of that table
    page_end: int | None = None  # the page its last character is on, when not ``page`` (a page turned)

    @property
    def pages(self) -> str:
        """``第N页`` of a PDF sentence, ``第N–M页`` when it runs onto the next page; "" without pages."""
        if not self.page:
            return ""
        return f"第{self.page}–{self.page_end}页" if self.page_end else f"第{self.page}页"

    def on_page(self, page: int) -> bool:
        """Whether the sentence is printed (in part) on ``page``."""
        return self.page is not None and self.page <= page <= (self.page_end or self.page)

    @property
    def unit(self) -> str:
        """Where in its section: ``第N行`` of a table, else ``第N段``."""
        return f"第{self.row}行" if self.row else f"第{self.paragraph}段"

    def label(self) -> str:
        """``title › section, 第N页, 第N段`` for display (the page only for PDFs; a table row
        says 第N行, its section ending with the table's caption)."""
        parts = [self.title] + ([self.section] if self.section else [])
        page = f"{self.pages}，" if self.page else ""
        return f"{SECTION_SEP.join(parts)}，{page}{self.unit}"


@dataclass(frozen=True)
class Sentence:
    """A verbatim sentence of a report, scored against a question."""

    text: str
    score: float
    citation: Citation


@dataclass(frozen=True)
class Passage:
    """A whole paragraph, for showing the context of a citation or search results."""

    text: str
    citation: Citation
    score: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """Why a question was not answered (``reason`` is one of the names of ``Reason`` in
    ``retrieval/answer/refusals.py``); ``confidence`` and ``threshold`` where they apply."""

    reason: str
    confidence: float | None = None
    threshold: float | None = None

    def to_json(self) -> dict:
        return {
            "reason": self.reason,
            "confidence": None if self.confidence is None else round(float(self.confidence), 4),
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class Answer:
    """What the engine returns for one question."""

    question: str
    answered: bool
    sentences: tuple[Sentence, ...] = ()
    message: str = ""
    # Further ranked sentences, for "more results" in front ends; not part of the JSON contract.
    more: tuple[Sentence, ...] = field(default=(), repr=False)
    # When not answered: the best sentences found, which fell short of the confidence needed to
    # answer. Front ends show them as unconfirmed, never as the answer.
    closest: tuple[Sentence, ...] = ()
    # When not answered: why (None when answered).
    refusal: Refusal | None = None
    # The standalone question actually answered: ``question`` itself, or ``question`` rewritten
    # with what a follow-up took from the conversation (see retrieval/dialogue/followup.py).
    resolved: str = ""
    # How a relative time word was read (“去年”按2023年理解), "" if none.
    note: str = ""
    # For a question several years of reports answer and that names none: the best sentence of
    # each other year, newest first (the answer's sentences come from the newest year).
    other_years: tuple[Sentence, ...] = ()
    # The sentences are one per year in year order (a question about a trend: 历年, 这几年).
    trend: bool = False
    # How likely the first sentence answers the question (0..1; None where nothing was weighed).
    confidence: float | None = None

    @property
    def outcome(self) -> str:
        """``answer``; ``unsure`` (not answered, the closest sentences shown to check against the
        report); or ``none`` (nothing relevant found)."""
        if self.answered:
            return "answer"
        return "unsure" if self.closest else "none"

    @property
    def rewritten(self) -> bool:
        """Whether the conversation supplied part of the question answered."""
        return bool(self.resolved) and self.resolved != self.question

    def to_json(self) -> dict:
        """The public JSON contract of ``reportqa ask --json``."""
        return {
            "question": self.question,
            "resolved": self.resolved or self.question,
            "answered": self.answered,
            "outcome": self.outcome,
            "confidence": None if self.confidence is None else round(float(self.confidence), 4),
            "message": self.message,
            "sentences": [_sentence_json(s) for s in self.sentences],
            "closest": [_sentence_json(s) for s in self.closest],
            "refusal": self.refusal.to_json() if self.refusal else None,
            "note": self.note,
            "other_years": [_sentence_json(s) for s in self.other_years],
            "trend": self.trend,
        }


def _sentence_json(s: Sentence) -> dict:
    return {
        "text": s.text,
        "score": round(float(s.score), 6),
        "source": {
            "doc_id": s.citation.doc_id,
            "title": s.citation.title,
            "path": s.citation.path,
            "section": s.citation.section,
            "paragraph": s.citation.paragraph,
            "start": s.citation.start,
            "end": s.citation.end,
            "year": s.citation.year,
            "period": s.citation.period,
            "page": s.citation.page,
            "page_end": s.citation.page_end,
            "format": s.citation.format,
            "table": s.citation.table or None,
            "row": s.citation.row,
        },
    }


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why (in Chinese, for users)."""

    path: str
    reason: str


class CorpusError(Exception):
    """The corpus folder cannot be used at all (missing, empty). The message is for users."""


@dataclass
class ReadNotes:
    """What reading one file found and what it left out, for ``reportqa index``.

    Readers fill what they know (a PDF its OCR and empty pages, a web page its tables printed as
    pictures, a Word file its pictures, the table readers their tables and rows);
    :func:`retrieval.ingest.process.process_file` fills ``paragraphs`` and ``documents`` after
    chunking and splitting.
    """

    paragraphs: int = 0  # paragraphs indexed
    tables: int = 0  # tables read as text
    table_rows: int = 0  # their rows, each a citable unit
    ocr_pages: int = 0  # pages read by optical character recognition
    empty_pages: int = 0  # pages without any text that were not read (scans without OCR)
    image_tables: int = 0  # tables printed as pictures: not read
    pictures: int = 0  # pictures of a Word file (charts, tables printed as images): not read
    documents: int = 1  # documents found in the file (a gazette holds several)

    def to_json(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_json(cls, data: object) -> ReadNotes:
        """The notes of :meth:`to_json`; unknown or malformed entries are left out."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict):
            return cls()
        return cls(
            **{
                k: v
                for k, v in data.items()
                if k in names and isinstance(v, int) and not isinstance(v, bool) and v >= 0
            }
        )

    def add(self, other: ReadNotes) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def read_text(self) -> str:
        """What was read, in Chinese (``12 段，3 张表格（40 行），OCR 2 页``)."""
        parts = [f"{self.paragraphs} 段"]
        if self.documents > 1:
            parts.insert(0, f"{self.documents} 篇文件")
        if self.tables:
            parts.append(f"{self.tables} 张表格（{self.table_rows} 行）")
        if self.ocr_pages:
            parts.append(f"文字识别（OCR）{self.ocr_pages} 页")
        return "，".join(parts)

    def dropped_text(self) -> str:
        """What was left out, in Chinese; "" when nothing was."""
        parts = []
        if self.image_tables:
            parts.append(f"{self.image_tables} 张表格是图片")
        if self.pictures:
            parts.append(f"{self.pictures} 张图片（图表或印成图片的表格）未读取")
        if self.empty_pages:
            parts.append(f"{self.empty_pages} 页没有文字（扫描页）")
        return "，".join(parts)


@dataclass
class FileRead:
    """What was read from one file: its format, :class:`ReadNotes` and the titles of the
    documents found in it (several for a gazette or a file of several years)."""

    path: str
    format: str
    notes: ReadNotes
    titles: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    """What opening an index did, for ``reportqa index`` and for logs."""

    documents: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt: bool = False
    reused_files: int = 0
    tokenised_files: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    cache_folder: str = ""
    files: list[FileRead] = field(default_factory=list)  # what was read, per file
