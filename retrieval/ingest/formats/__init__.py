"""Readers for report formats, one module per format (see :mod:`.registry`).

Each reader turns a file's bytes into :class:`Extracted`: the text that is indexed and shown
(``:open`` shows exactly this text, and citation offsets index it), what the format tells
about the report (page starts for PDF, the article title and publication data for web pages),
and :class:`~retrieval.types.ReadNotes`: what was read and what was left out. A file that cannot
be read raises :class:`UnreadableFile` with a reason for users (Simplified Chinese, one line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...types import ReadNotes

__all__ = ["Extracted", "ReadNotes", "UnreadableFile"]


class UnreadableFile(Exception):
    """The file cannot be turned into text; the message says why, for users."""


@dataclass
class Extracted:
    text: str
    format: str  # the name of the format in the registry: "txt", "md", "docx", "doc", "pdf", "html"
    pages: list[int] = field(default_factory=list)  # PDF: offset in ``text`` where page n+1 starts
    title: str = ""  # when the format names it (a web page's article heading)
    meta: dict[str, str] = field(default_factory=dict)  # e.g. {"published": "2024-03-05"}
    notes: ReadNotes = field(default_factory=ReadNotes)
    # Where each table read as one sentence a row sits in ``text``: TablePlace records
    # (ingest/formats/tables.py); ``notes`` counts them and their rows.
    tables: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.tables and not self.notes.tables:
            self.notes.tables = len(self.tables)
            self.notes.table_rows = sum(len(t.rows) for t in self.tables)
