"""The formats ReportQA reads: one :class:`Format` per format, declared in its own module.

A format module ends with ``FORMAT = Format(...)``: its suffixes, a content check (the magic
bytes that say what a file really is), its reader, the setting that caps its size and what the
reader needs installed. Adding a format is that module plus one line in :func:`formats` (and
its row in the README's format table, which ``tests/unit/ingest/test_formats_registry.py``
checks); the supported suffixes and the skip messages come from here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the format modules import the registry
    from . import Extracted

Reader = Callable[[bytes, Mapping[str, Any]], "Extracted"]


@dataclass(frozen=True)
class Format:
    """One format: how to recognise it, read it and cap it.

    ``read(data, settings)`` gets the file's bytes and the index settings (``max_file_mb``,
    ``max_pdf_pages``, …, and ``file_name``: the file's name without its suffix) and returns
    :class:`Extracted` or raises :class:`UnreadableFile`.
    ``magic(data)`` says whether the bytes are of this format (None: any content that is not
    another format's, as for plain text); ``magic_name`` names such content in messages.
    ``missing()`` returns "" when the reader can run, else what to install (said per file).
    A format with ``advice`` and no reader is recognised but not read: its files are listed as
    skipped with the advice.
    """

    name: str  # "docx"; also Extracted.format
    suffixes: tuple[str, ...]  # lower case, with the dot
    label: str  # what users call it: "Word 文档"
    read: Reader | None
    magic: Callable[[bytes], bool] | None = None
    magic_name: str = ""  # "PDF 文件（.pdf）"
    limit: str = "max_file_mb"  # the setting that caps the file's size, in MB
    missing: Callable[[], str] | None = None
    advice: str = ""

    def check_content(self, suffix: str, data: bytes) -> None:
        """Raise :class:`UnreadableFile` when ``data`` is not of this format (a PDF named
        .txt, a zip archive named .doc)."""
        if self.magic is not None and self.magic(data):
            return
        from . import UnreadableFile

        other = next((f for f in formats() if f is not self and f.magic is not None and f.magic(data)), None)
        if other is None and self.magic is None:
            return
        head = f"扩展名是 {suffix}，但"
        if self.magic is not None:
            head += f"内容不是{_spaced(self.label)}" + ("" if other is None else "，而是")
        else:
            head += "内容是"
        raise UnreadableFile(head + ("" if other is None else _spaced(other.magic_name)))


def _spaced(words: str) -> str:
    """A space before words that start in Latin script, after Chinese."""
    return f" {words}" if words[:1].isascii() else words


@functools.cache
def formats() -> tuple[Format, ...]:
    """Every format, in the order of the README table."""
    from . import doc, docx, html, pdf, text, wps

    found = (text.TXT, text.MD, docx.FORMAT, doc.FORMAT, pdf.FORMAT, html.FORMAT, wps.FORMAT)
    suffixes = [s for f in found for s in f.suffixes]
    if len(set(suffixes)) != len(suffixes):
        raise RuntimeError("two formats claim one suffix")
    return found


def for_path(path: str | PurePath) -> Format | None:
    """The format of a file by its suffix (case aside), or None if it is none of ours."""
    suffix = PurePath(path).suffix.lower()
    return next((f for f in formats() if suffix in f.suffixes), None)


def supported() -> frozenset[str]:
    """The suffixes that are read."""
    return frozenset(s for f in formats() if f.read is not None for s in f.suffixes)


def suffix_list() -> str:
    """The readable suffixes for messages: ``.txt/.md/.docx/…``."""
    return "/".join(s for f in formats() if f.read is not None for s in f.suffixes)
