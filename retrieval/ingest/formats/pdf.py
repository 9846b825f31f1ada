"""PDF with a text layer, through pypdf: page text, page furniture dropped, lines joined.

What comes out is one paragraph per line, like a .txt report:

- **Wrapped lines are joined**: Chinese lines and numbers without a space, Latin words with
  one. A paragraph ends before a line that is indented (it starts right of the usual left edge
  by most of a character; without positions, a leading space), that sits below a gap larger
  than ``pdf_paragraph_gap`` times the usual line spacing, or that opens an outline heading
  (一、 （一） 1.) after a finished sentence; and after a line narrower than
  ``pdf_short_line`` of a full line (the 90th percentile of line widths).
- **Running headers, footers and page numbers are dropped**: a line (digits ignored) that
  recurs on at least ``pdf_repeat_share`` of the pages, and page-number lines (``- 3 -``,
  ``第 3 页 共 9 页``, ``3/9``, a bare number among the top or bottom two lines of a page).
- **Spaced-out glyphs are closed up**: on a page where more than ``pdf_spaced_share`` of the
  Chinese characters are followed by a single space (glyphs positioned one by one), those
  spaces are removed.
- **Pages are kept**: :attr:`Extracted.pages` holds where each page starts in the text.

Limits (``SECURITY.md``): at most ``max_pdf_pages`` pages, ``max_extract_seconds`` of work
(checked between pages), and pypdf's own caps on every decompressed stream (75 MB) and on
parsing work, which stop decompression bombs and giant streams.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

from pypdf.errors import PdfReadError

from config import Settings

from . import Extracted
from .tables import place_tables

# Layout thresholds: the settings of these names (config/settings.toml explains each).
LAYOUT_SETTINGS = ("pdf_short_line", "pdf_paragraph_gap", "pdf_repeat_share", "pdf_spaced_share")
LAYOUT = {name: getattr(Settings, name) for name in LAYOUT_SETTINGS}
_EDGE = 2  # lines at the top and bottom of a page where a bare page number may sit

_PAGE_NUMBER_ANYWHERE = re.compile(
    r"^(?:[-—–－_~·•]+\s*\d{1,5}\s*[-—–－_~·•]+|第\s*\d{1,5}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,5}\s*页)?"
    r"|共\s*\d{1,5}\s*页\s*第\s*\d{1,5}\s*页|[Pp]age\s*\d{1,5}(?:\s*of\s*\d{1,5})?)$")
_PAGE_NUMBER_AT_EDGE = re.compile(r"^(?:\d{1,5}|\d{1,5}\s*/\s*\d{1,5}|[（(]\s*\d{1,5}\s*[)）])$")
_OUTLINE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]|第[一二三四五六七八九十\d]+[章节部分条])")
_SENTENCE_END = re.compile(r"[。！？；：!?;:]$")
_HAN = re.compile(r"[\u3400-\u9fff]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
# Words of Latin script broken across lines are joined with a space; digits never are.
_LATIN_END = re.compile(r"[A-Za-z][,.;:)]?$")
_LATIN_START = re.compile(r"[A-Za-z(]")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfProblem(Exception):
    """The PDF cannot be read; the message is for users (Chinese, one line)."""


def _width(line: str) -> float:
    """Width in full-width characters: East Asian wide characters count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)


def read_pdf(data: bytes, *, max_pages: int, max_seconds: float, layout: dict | None = None) -> Extracted:
    """The text of a PDF's text layer; raises :class:`PdfProblem` with a reason."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    started = time.monotonic()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password only restricts printing, copying
            except DependencyError:
                raise PdfProblem("PDF 使用了 AES 加密，需要先去掉加密（另存为未加密的 PDF）") from None
            if not opened:
                raise PdfProblem("PDF 设有打开密码，无法读取（请去掉密码后再放入文件夹）")
        n_pages = len(reader.pages)
        if n_pages > max_pages:
            raise PdfProblem(f"PDF 页数过多（{n_pages} 页，上限 {max_pages} 页，设置 max_pdf_pages），已跳过")
        pages: list[list[Line]] = []
        damaged = 0
        for i in range(n_pages):
            if time.monotonic() - started > max_seconds:
                raise PdfProblem(f"PDF 解析超时（超过 {max_seconds:g} 秒，读到第 {i} 页，"
                                 "设置 max_extract_seconds），疑似恶意构造，已跳过")
            try:
                pages.append(_page_lines(reader.pages[i]))
            except _PAGE_ERRORS:  # one damaged page: the others are still read
                pages.append([])
                damaged += 1
    except PdfProblem:
        raise
    except FileNotDecryptedError:
        raise PdfProblem("PDF 设有打开密码，无法读取（请去掉密码后再放入文件夹）") from None
    except LimitReachedError:
        raise PdfProblem("PDF 中有超大的数据流或结构（疑似 PDF 炸弹），已拒绝") from None
    except RecursionError:
        raise PdfProblem("PDF 结构嵌套过深（疑似恶意构造），已拒绝") from None
    except MemoryError:
        raise PdfProblem("PDF 解析所需内存过多（疑似 PDF 炸弹），已拒绝") from None
    except (PyPdfError, *_PAGE_ERRORS, OSError, EOFError):
        raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取") from None
    if not any(ln.text.strip() for p in pages for ln in p):
        if damaged:
            raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取")
        if _has_oversized_stream(reader, pages=3):
            raise PdfProblem("PDF 中有超大的数据流（疑似 PDF 炸弹），已拒绝")
        raise PdfProblem("PDF 没有文字层（可能是扫描件），需要先做文字识别（OCR）才能检索")
    from .pdf_tables import put_tables

    tables = put_tables(data, pages, max(0.0, max_seconds - (time.monotonic() - started)))
    extracted = assemble(pages, layout)
    return replace(extracted, tables=place_tables(extracted.text, tables))  # counted in its notes


# What reading one damaged page can raise (pypdf's own errors derive from PyPdfError).
_PAGE_ERRORS = (ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
                ZeroDivisionError, OverflowError, UnicodeError, PdfReadError)


def _has_oversized_stream(reader, pages: int) -> bool:
    """Whether one of the first ``pages`` pages has a content stream past pypdf's limits
    (page text extraction passes over such a stream silently)."""
    from pypdf.errors import LimitReachedError, PyPdfError

    for i in range(min(pages, len(reader.pages))):
        try:
            contents = reader.pages[i].get_contents()
            if contents is not None:
                contents.get_data()
        except LimitReachedError:
            return True
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
    return False


@dataclass
class Line:
    """One line of a page as pypdf reads it, with where it starts (None when unknown)."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float = 0.0
    table: bool = False  # a table row's sentence (retrieval/ingest/formats/pdf_tables.py): a paragraph of its own


def _page_lines(page) -> list[Line]:
    """The lines of a page, each with where it starts.

    pypdf reports each piece of text with the text matrix it was drawn at. When every piece
    can be placed, lines are rebuilt from the positions (pieces on one baseline, left to
    right), which also holds when a producer draws glyph by glyph; otherwise pypdf's own
    line breaks are kept, each line placed at its first piece.
    """
    pieces: list[tuple[str, list, list, float]] = []

    def visit(text, cm, tm, font, size):
        pieces.append((text, tm, cm, size))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(p[0] for p in pieces) != text:  # positions cannot be matched to the text
        return [Line(t) for t in text.splitlines()]
    placed: list[tuple[tuple[float, float, float], str]] = []
    for piece, tm, cm, size in pieces:
        segments = [seg for seg in piece.split("\n") if seg]
        if not segments:
            continue
        where = _position(tm, cm, size)
        if where is None or sum(bool(seg.strip()) for seg in segments) > 1:
            return _lines_in_order(pieces)
        placed.append((where, "".join(segments)))  # a space drawn on its own is kept
    return _lines_by_position(placed)


def _lines_by_position(placed: list[tuple[tuple[float, float, float], str]]) -> list[Line]:
    """Pieces grouped into lines by baseline (within half a character), top to bottom, each
    line's pieces left to right; a gap wider than a character between pieces is a space."""
    rows: list[list] = []  # [y, size, [(x, text, size)]]
    for (x, y, size), text in sorted(placed, key=lambda p: (-p[0][1], p[0][0])):
        if rows and abs(rows[-1][0] - y) <= 0.5 * max(size, rows[-1][1], 1.0):
            rows[-1][2].append((x, text, size))
            rows[-1][1] = max(rows[-1][1], size)
        else:
            rows.append([y, size, [(x, text, size)]])
    lines: list[Line] = []
    for y, size, parts in rows:
        parts.sort(key=lambda p: p[0])
        out: list[str] = []
        end = None
        for x, text, part_size in parts:
            if end is not None and x - end > (part_size or size or 10.0) and not out[-1].endswith(" "):
                out.append(" ")
            out.append(text)
            end = x + _width(text) * (part_size or size or 10.0)
        text = re.sub(r"  +", " ", "".join(out)).strip()
        if text:
            first = next(x for x, t, _ in parts if t.strip())
            lines.append(Line(text, first, y, size))
    return lines


def _lines_in_order(pieces: list[tuple[str, list, list, float]]) -> list[Line]:
    """pypdf's lines, each placed at its first visible piece."""
    lines: list[Line] = []
    buf: list[str] = []
    where: tuple[float, float, float] | None = None
    for piece, tm, cm, size in pieces:
        for k, seg in enumerate(piece.split("\n")):
            if k:
                lines.append(Line("".join(buf), *(where or (None, None, 0.0))))
                buf, where = [], None
            if seg:
                if where is None and seg.strip():
                    where = _position(tm, cm, size)
                buf.append(seg)
    if buf:
        lines.append(Line("".join(buf), *(where or (None, None, 0.0))))
    return lines


def _position(tm, cm, size) -> tuple[float, float, float] | None:
    try:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        return float(x), float(y), float(size) * scale
    except (TypeError, IndexError, ValueError):
        return None


def assemble(pages_in: list[str] | list[list[Line]], layout: dict | None = None) -> Extracted:
    """Joined paragraphs and page starts from each page's text (or its positioned lines)."""
    layout = {**LAYOUT, **(layout or {})}
    pages: list[list[Line]] = []
    for page in pages_in:
        lines = [Line(t) for t in page.splitlines()] if isinstance(page, str) else list(page)
        if _spaced_out("\n".join(ln.text for ln in lines), layout["pdf_spaced_share"]):
            lines = [ln if ln.table else replace(ln, text=_CJK_GAP.sub("", ln.text)) for ln in lines]
        pages.append([replace(ln, text=ln.text.rstrip()) for ln in lines if ln.text.strip()])
    furniture = _furniture(pages, layout["pdf_repeat_share"])
    kept = [[ln for j, ln in enumerate(p) if (i, j) not in furniture] for i, p in enumerate(pages)]
    body = [ln for p in kept for ln in p if not ln.table]
    widths = sorted(_width(ln.text.strip()) for ln in body)
    full = widths[int(len(widths) * 0.9)] if widths else 0.0
    xs = Counter(round(ln.x) for ln in body if ln.x is not None)
    left = xs.most_common(1)[0][0] if xs else None
    gaps = sorted(a.y - b.y for p in kept for a, b in zip(p, p[1:])
                  if a.y is not None and b.y is not None and a.y - b.y > 0 and not (a.table or b.table))
    leading = gaps[len(gaps) // 2] if gaps else None
    out: list[str] = []
    starts: list[int] = []
    length = 0  # characters in out so far
    prev: Line | None = None  # the last line of the paragraph being built
    for lines in kept:
        starts.append(length + (1 if prev is not None else 0))
        first_on_page = True
        for line in lines:
            text = line.text.strip()
            if line.x is not None and left is not None:
                indented = line.x - left > 0.8 * (line.size or 10.0)
            else:
                indented = line.text[:1].isspace()
            spaced = (not first_on_page and leading is not None and prev is not None
                      and prev.y is not None and line.y is not None
                      and prev.y - line.y > layout["pdf_paragraph_gap"] * leading)
            if prev is None:
                piece = text
            elif line.table or prev.table or indented or spaced or _width(prev.text.strip()) < layout["pdf_short_line"] * full or (
                    _SENTENCE_END.search(prev.text.strip()) and _OUTLINE.match(text)):
                piece = "\n" + text
            elif _LATIN_END.search(prev.text.strip()) and _LATIN_START.match(text):
                piece = " " + text
            else:
                piece = text
            if prev is not None and first_on_page and not piece.startswith("\n"):
                starts[-1] = length + (1 if piece.startswith(" ") else 0)  # the page begins mid-paragraph
            out.append(piece)
            length += len(piece)
            prev = line
            first_on_page = False
    text = "".join(out)
    starts = [min(s, len(text)) for s in starts]
    return Extracted(text + "\n", "pdf", pages=starts)


def _spaced_out(page: str, share: float) -> bool:
    """Whether most Chinese characters of a page are set one by one, a space between every two
    (some producers position each glyph); a page with a few spaces between words is not."""
    han = len(_HAN.findall(page))
    return bool(han) and len(_CJK_GAP.findall(page)) > share * han


def _furniture(pages: list[list[Line]], share: float) -> set[tuple[int, int]]:
    """(page, line) positions of running headers, footers and page numbers.

    A bare page number counts only at the top or bottom of its page: the first or last
    ``_EDGE`` lines by height when positions are known, else in reading order.
    """
    drop: set[tuple[int, int]] = set()
    keys: dict[str, set[int]] = {}
    for i, lines in enumerate(pages):
        if all(ln.y is not None for ln in lines):
            order = sorted(range(len(lines)), key=lambda j: -lines[j].y)
        else:
            order = list(range(len(lines)))
        edges = set(order[:_EDGE] + order[-_EDGE:])
        for j, line in enumerate(lines):
            body = line.text.strip()
            if line.table:
                continue
            if _PAGE_NUMBER_ANYWHERE.match(body) or (j in edges and _PAGE_NUMBER_AT_EDGE.match(body)):
                drop.add((i, j))
            elif len(body) <= 60:
                keys.setdefault(_repeat_key(body), set()).add(i)
    n = len(pages)
    if n >= 2:
        repeated = {k for k, on in keys.items() if len(on) >= max(2, math.ceil(share * n))}
        for i, lines in enumerate(pages):
            for j, line in enumerate(lines):
                if not line.table and _repeat_key(line.text.strip()) in repeated:
                    drop.add((i, j))
    return drop


def _repeat_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _read(data: bytes, settings) -> Extracted:
    from . import UnreadableFile

    try:
        return read_pdf(data, max_pages=int(settings["max_pdf_pages"]),
                        max_seconds=float(settings["max_extract_seconds"]),
                        layout={name: float(settings[name]) for name in LAYOUT_SETTINGS})
    except PdfProblem as exc:
        raise UnreadableFile(str(exc)) from None


from .registry import Format  # noqa: E402  (the registry entry, kept at the end)

FORMAT = Format("pdf", (".pdf",), "PDF 文件", _read, magic=lambda data: b"%PDF-" in data[:1024],
                magic_name="PDF 文件（扩展名是 .pdf）", limit="max_pdf_mb")
