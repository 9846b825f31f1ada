"""Readers for report formats other than plain text, one module per concern.

Each reader turns a file's bytes into :class:`Extracted`: the text that is indexed and shown
(``:open`` shows exactly this text, and citation offsets index it), and what the format tells
about the report (page starts for PDF, the article title and publication data for web pages).
A file that cannot be read raises :class:`retrieval.ingest.loader.UnreadableFile` with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    text: str
    format: str  # "txt", "md", "docx", "pdf", "html"
    pages: list[int] = field(default_factory=list)  # PDF: offset in ``text`` where page n+1 starts
    title: str = ""  # when the format names it (a web page's article heading)
    meta: dict[str, str] = field(default_factory=dict)  # e.g. {"published": "2024-03-05"}
    # Where each table read as one sentence a row sits in ``text`` (ingest/formats/tables.py).
    tables: list = field(default_factory=list)
