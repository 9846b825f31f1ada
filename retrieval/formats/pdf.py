"""PDF with a text layer, through pypdf: page text, page furniture dropped, lines joined.

What comes out is one paragraph per line, like a .txt report:

- **Wrapped lines are joined**: Chinese lines and numbers without a space, Latin words with one. A line
  ends its paragraph when the next line is indented, when it is clearly shorter than a full
  line of the document (the 90th percentile of line widths, see ``_SHORT``), or when it ends a
  sentence and the next line opens an outline heading (一、 （一） 1.).
- **Running headers, footers and page numbers are dropped**: a line (digits ignored) that
  recurs on at least half the pages, and page-number lines (``- 3 -``, ``第 3 页 共 9 页``,
  ``3/9``, a bare number at the top or bottom of a page).
- **Spaced-out glyphs are closed up**: on a page where most Chinese characters are followed by
  a single space (glyphs positioned one by one), those spaces are removed.
- **Pages are kept**: :attr:`Extracted.pages` holds where each page starts in the text.

Limits (``SECURITY.md``): at most ``max_pdf_pages`` pages, ``max_extract_seconds`` of work
(checked between pages), and pypdf's own caps on every decompressed stream (75 MB) and on
parsing work, which stop decompression bombs and giant streams.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata

from . import Extracted

# A line shorter than this share of a full line ends its paragraph.
_SHORT = 0.85
_EDGE = 2  # lines at the top and bottom of a page where a bare page number may sit

_PAGE_NUMBER_ANYWHERE = re.compile(
    r"^(?:[-—–－_~·•]+\s*\d{1,5}\s*[-—–－_~·•]+|第\s*\d{1,5}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,5}\s*页)?"
    r"|共\s*\d{1,5}\s*页\s*第\s*\d{1,5}\s*页|[Pp]age\s*\d{1,5}(?:\s*of\s*\d{1,5})?)$")
_PAGE_NUMBER_AT_EDGE = re.compile(r"^(?:\d{1,5}|\d{1,5}\s*/\s*\d{1,5}|[（(]\s*\d{1,5}\s*[)）])$")
_OUTLINE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]|第[一二三四五六七八九十\d]+[章节部分条])")
_SENTENCE_END = re.compile(r"[。！？；：!?;:]$")
_HAN = re.compile(r"[\u3400-\u9fff]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
_SPACED_SHARE = 0.3  # share of Chinese characters followed by a single space that marks a spaced-out page
# Words of Latin script broken across lines are joined with a space; digits never are.
_LATIN_END = re.compile(r"[A-Za-z][,.;:)]?$")
_LATIN_START = re.compile(r"[A-Za-z(]")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfProblem(Exception):
    """The PDF cannot be read; the message is for users (Chinese, one line)."""


def _width(line: str) -> float:
    """Width in full-width characters: East Asian wide characters count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)


def read_pdf(data: bytes, *, max_pages: int, max_seconds: float) -> Extracted:
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
        pages: list[str] = []
        for i in range(n_pages):
            if time.monotonic() - started > max_seconds:
                raise PdfProblem(f"PDF 解析超时（超过 {max_seconds:g} 秒，读到第 {i} 页，"
                                 "设置 max_extract_seconds），疑似恶意构造，已跳过")
            pages.append(reader.pages[i].extract_text() or "")
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
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
            ZeroDivisionError, OverflowError, UnicodeError, OSError, EOFError):
        raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取") from None
    if not any(p.strip() for p in pages):
        if _has_oversized_stream(reader, pages=3):
            raise PdfProblem("PDF 中有超大的数据流（疑似 PDF 炸弹），已拒绝")
        raise PdfProblem("PDF 没有文字层（可能是扫描件），需要先做文字识别（OCR）才能检索")
    return assemble(pages)


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


def assemble(page_texts: list[str]) -> Extracted:
    """Joined paragraphs and page starts from the raw text of each page."""
    pages = [[ln.rstrip() for ln in _close_cjk_gaps(p).splitlines()] for p in page_texts]
    pages = [[ln for ln in p if ln.strip()] for p in pages]
    furniture = _furniture(pages)
    kept = [[ln for j, ln in enumerate(p) if (i, j) not in furniture] for i, p in enumerate(pages)]
    widths = sorted(_width(ln.strip()) for p in kept for ln in p)
    full = widths[int(len(widths) * 0.9)] if widths else 0.0
    out: list[str] = []
    starts: list[int] = []
    length = 0  # characters in out so far
    prev: str | None = None  # the last line of the paragraph being built
    for lines in kept:
        starts.append(length + (1 if prev is not None else 0))
        for line in lines:
            body = line.strip()
            indented = line[:1].isspace()
            if prev is None:
                piece = body
            elif indented or _width(prev) < _SHORT * full or (
                    _SENTENCE_END.search(prev) and _OUTLINE.match(body)):
                piece = "\n" + body
            elif _LATIN_END.search(prev) and _LATIN_START.match(body):
                piece = " " + body
            else:
                piece = body
            if prev is not None and piece == body and starts[-1] == length + 1:
                starts[-1] = length  # the page begins mid-paragraph: no line break before it
            out.append(piece)
            length += len(piece)
            prev = body
    text = "".join(out)
    starts = [min(s, len(text)) for s in starts]
    return Extracted(text + "\n", "pdf", pages=starts)


def _close_cjk_gaps(page: str) -> str:
    """A page whose Chinese characters are mostly set one by one (a space between every two,
    as some producers position each glyph) loses those spaces; a page with a few spaces
    between Chinese words keeps them."""
    han = len(_HAN.findall(page))
    if han and len(_CJK_GAP.findall(page)) > _SPACED_SHARE * han:
        return _CJK_GAP.sub("", page)
    return page


def _furniture(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) positions of running headers, footers and page numbers."""
    drop: set[tuple[int, int]] = set()
    keys: dict[str, set[int]] = {}
    for i, lines in enumerate(pages):
        for j, line in enumerate(lines):
            body = line.strip()
            at_edge = j < _EDGE or j >= len(lines) - _EDGE
            if _PAGE_NUMBER_ANYWHERE.match(body) or (at_edge and _PAGE_NUMBER_AT_EDGE.match(body)):
                drop.add((i, j))
            elif len(body) <= 60:
                keys.setdefault(re.sub(r"\d+", "#", re.sub(r"\s+", "", body)), set()).add(i)
    n = len(pages)
    if n >= 2:
        repeated = {k for k, on in keys.items() if len(on) >= max(2, (n + 1) // 2)}
        for i, lines in enumerate(pages):
            for j, line in enumerate(lines):
                if re.sub(r"\d+", "#", re.sub(r"\s+", "", line.strip())) in repeated:
                    drop.add((i, j))
    return drop
