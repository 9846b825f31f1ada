"""PDF reports: each page's characters with their positions (PDFium), read as a reader reads
them, and pages without a text layer read by OCR when it is installed.

- **Reading a page** (:mod:`.pdf_glyphs`, :mod:`.pdf_layout`): characters grouped into
  lines by baseline, columns in reading order, justified spacing and note marks left out,
  fake-bold doubles read once. Paragraphs and page furniture: :mod:`.pdf_paragraphs`.
- **Pages without usable text**: a page that shows pictures but has no text, or whose text
  is not language (fonts without a Unicode map), is read by OCR (:mod:`.pdf_ocr`) when the
  optional ``ocr`` extra is installed; otherwise it is left out and counted, and
  :attr:`Extracted.meta` says which pages (``pages_unread``) and why.
- **Tables** (:mod:`.pdf_tables`, pdfplumber): on pages whose lines show rows of figures, the
  lines inside a table give way to its rows' sentences (:class:`.pdf_layout.Line` ``table``),
  each a paragraph of its own, cited by table and row with the page.
- **Title**: the largest type on the first page when it stands out from the body; when the
  title is a picture above the first line of text, the file's name.
- **What was read** (:class:`~retrieval.types.ReadNotes`): tables and rows, pages read by OCR,
  pages left unread.

Limits (``SECURITY.md``): at most ``max_pdf_pages`` pages, ``max_extract_seconds`` of reading
(checked between pages), ``max_ocr_seconds`` of OCR per file. Before PDFium reads a page,
pypdf decompresses its content streams (and its forms') under pypdf's caps (75 MB a stream),
which stops decompression bombs; PDFium (C++, fuzzed) parses and lays out the text.
"""

from __future__ import annotations

import io
import logging
import statistics
import time
from dataclasses import dataclass, field, replace

from pypdf.errors import PdfReadError

from . import Extracted, ReadNotes
from .charset import likely_share
from .pdf_glyphs import read_glyphs, rows_of, runs_of
from .pdf_layout import Line, clean_line, page_lines
from .pdf_ocr import OcrUnavailable
from .pdf_paragraphs import LAYOUT, LAYOUT_SETTINGS, assemble  # assemble: also re-exported
from .pdf_pypdf import needs_pypdf, page_lines as pypdf_lines
from .tables import place_tables

_TITLE_SIZE = 1.2  # a first-page line this much larger than the body text is the title
_IMAGE_SHARE = 0.05  # a page whose pictures cover this share of it shows something to read
_PYPDF_MORE = 1.1  # pypdf reads an unmeasured page when it finds this much more text
_GARBLED_SAMPLE = 30  # characters a page needs before its text can be judged not language
OCR_HINT = "安装文字识别组件后可读取：pip install 'reportqa[ocr]'"

logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfProblem(Exception):
    """The PDF cannot be read; the message is for users (Chinese, one line)."""


@dataclass
class _Page:
    lines: list[Line] = field(default_factory=list)
    state: str = "text"  # text | blank | pictures (no text) | garbled (text that is not language)
    picture_top: float | None = None  # the top of the highest large picture (reading frame)


def read_pdf(
    data: bytes,
    *,
    max_pages: int,
    max_seconds: float,
    layout: dict | None = None,
    name: str = "",
    ocr=None,
    max_ocr_seconds: float = 600.0,
    min_likely: float = 0.6,
) -> Extracted:
    """The text of a PDF; raises :class:`PdfProblem` with a reason.

    ``name`` is the file's name (the title when the title is a picture, and OCR progress);
    ``ocr`` reads a page's picture (:func:`.pdf_ocr.engine`), None when not installed.
    """
    layout = {**LAYOUT, **(layout or {})}
    reader = _open_checked(data, max_pages)
    doc = _open_pdfium(data)
    started = time.monotonic()
    pages: list[_Page] = []
    try:
        for i in range(len(doc)):
            if time.monotonic() - started > max_seconds:
                raise PdfProblem(
                    f"PDF 解析超时（超过 {max_seconds:g} 秒，读到第 {i} 页，"
                    "设置 max_extract_seconds），疑似恶意构造，已跳过"
                )
            _check_streams(reader, i)
            page = _read_page(doc, i, layout["pdf_cell_gap"], min_likely, first=not any(p.lines for p in pages))
            if page.state == "unmeasured":
                page = _judged(_read_with_pypdf(reader, i, page), 0, min_likely)
            pages.append(page)
        unread, by_ocr, why = _read_pictures(doc, pages, ocr, name, max_ocr_seconds)
    finally:
        doc.close()
    if not any(p.lines for p in pages):
        if all(p.state in ("damaged", "blank") for p in pages) and any(p.state == "damaged" for p in pages):
            raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取")
        raise PdfProblem(_no_text_reason(pages, ocr, why))
    from .pdf_tables import put_tables

    lines = [list(p.lines) for p in pages]
    tables = put_tables(data, lines, max(0.0, max_seconds - (time.monotonic() - started)))
    out = assemble(lines, layout)
    out.title = _title(pages) or (name if _title_is_picture(pages) else "")
    if unread:
        out.meta["pages_unread"] = ",".join(str(i + 1) for i in unread)
        out.meta["unread_reason"] = why
    if by_ocr:
        out.meta["pages_ocr"] = ",".join(str(i + 1) for i in by_ocr)
    # The tables' places (and so their counts in the notes) once the text is final.
    return replace(
        out, tables=place_tables(out.text, tables), notes=ReadNotes(ocr_pages=len(by_ocr), empty_pages=len(unread))
    )


def read_pdf_with(data: bytes, settings: dict, name: str) -> Extracted:
    """:func:`read_pdf` under the index settings: limits, layout thresholds and OCR."""
    from .pdf_ocr import engine

    return read_pdf(
        data,
        max_pages=int(settings["max_pdf_pages"]),
        max_seconds=float(settings["max_extract_seconds"]),
        layout={key: float(settings[key]) for key in LAYOUT_SETTINGS},
        name=name,
        ocr=engine() if settings["ocr"] != "off" else None,
        max_ocr_seconds=float(settings["max_ocr_seconds"]),
        min_likely=float(settings["min_likely_share"]),
    )


def _open_checked(data: bytes, max_pages: int):
    """pypdf's reading of the file: password, page count and damage are checked here."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

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
    except PdfProblem:
        raise
    except FileNotDecryptedError:
        raise PdfProblem("PDF 设有打开密码，无法读取（请去掉密码后再放入文件夹）") from None
    except (PyPdfError, *_PAGE_ERRORS, RecursionError, OSError, EOFError, MemoryError):
        raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取") from None
    if n_pages > max_pages:
        raise PdfProblem(f"PDF 页数过多（{n_pages} 页，上限 {max_pages} 页，设置 max_pdf_pages），已跳过")
    return reader


def _open_pdfium(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfProblem("PDF 设有打开密码，无法读取（请去掉密码后再放入文件夹）") from None
        raise PdfProblem("PDF 文件已损坏或不完整（可能下载未完成），无法读取") from None


# What reading one damaged page can raise (pypdf's own errors derive from PyPdfError).
_PAGE_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    ZeroDivisionError,
    OverflowError,
    UnicodeError,
    PdfReadError,
)


def _check_streams(reader, i: int) -> None:
    """Decompress page ``i``'s content streams and forms under pypdf's caps: a stream past
    them (a decompression bomb) refuses the file; a stream pypdf cannot read is left to PDFium."""
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        page = reader.pages[i]
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
        _check_forms(page.get("/Resources"), depth=0, seen=set())
    except LimitReachedError:
        raise PdfProblem("PDF 中有超大的数据流（疑似 PDF 炸弹），已拒绝") from None
    except RecursionError:
        raise PdfProblem("PDF 结构嵌套过深（疑似恶意构造），已拒绝") from None
    except MemoryError:
        raise PdfProblem("PDF 解析所需内存过多（疑似 PDF 炸弹），已拒绝") from None
    except (PyPdfError, *_PAGE_ERRORS):
        return


def _check_forms(resources, depth: int, seen: set[int | None]) -> None:
    if resources is None or depth > 8:
        return
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        key = getattr(ref, "idnum", None)
        if key in seen:
            continue
        seen.add(key)
        form = ref.get_object()
        if form.get("/Subtype") == "/Form":
            form.get_data()
            _check_forms(form.get("/Resources"), depth + 1, seen)


def _read_page(doc, i: int, cell_gap: float, min_likely: float, first: bool) -> _Page:
    """Page ``i``'s lines in reading order, and whether it has text at all (where its
    pictures are is looked up only where it matters: pages without text, the first page)."""
    import pypdfium2 as pdfium

    try:
        page = doc[i]
        textpage = page.get_textpage()
    except pdfium.PdfiumError:
        return _Page([], "damaged")
    try:
        glyphs = read_glyphs(page, textpage)
        picture_top = _picture_top(page) if first or not glyphs.glyphs else None
        unmeasured = needs_pypdf(page)
    finally:
        textpage.close()
        page.close()
    rows = [runs for runs in (runs_of(row, cell_gap) for row in rows_of(glyphs.glyphs)) if runs]
    lines = page_lines(rows)
    if unmeasured:
        return _Page(lines, "unmeasured", picture_top)
    if not glyphs.glyphs:
        return _Page([], "pictures" if picture_top is not None else "blank", picture_top)
    return _judged(_Page(lines, "text", picture_top), glyphs.unmapped, min_likely)


def _judged(page: _Page, unmapped: int, min_likely: float) -> _Page:
    """The page, or a garbled page when its text is not language: most characters without a
    Unicode value, or mostly rare characters (a font's private codes mapped as Han)."""
    text = "".join(clean_line(ln.text) for ln in page.lines)
    seen = len(text.replace(" ", "")) + unmapped
    if unmapped > 0.5 * seen or (seen >= _GARBLED_SAMPLE and likely_share(text) < min_likely):
        return _Page([], "garbled", page.picture_top)
    return page


def _read_with_pypdf(reader, i: int, page: _Page) -> _Page:
    """A page PDFium could not measure all of, read by pypdf when pypdf finds clearly more
    text (its count also holds the note marks PDFium's reading leaves out)."""
    try:
        lines = pypdf_lines(reader.pages[i])
    except _PAGE_ERRORS:
        lines = []
    count = sum(len(ln.text.replace(" ", "")) for ln in lines)
    if count > _PYPDF_MORE * sum(len(ln.text.replace(" ", "")) for ln in page.lines) + 5:
        return _Page(lines, "text", page.picture_top)
    return _Page(page.lines, "text" if page.lines else "blank", page.picture_top)


def _picture_top(page) -> float | None:
    """The top of the highest picture covering at least ``_IMAGE_SHARE`` of the page."""
    import ctypes

    import pypdfium2.raw as raw

    width, height = page.get_size()
    area = width * height or 1.0
    left, bottom, right, upper = (ctypes.c_float() for _ in range(4))
    top = None
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        if not raw.FPDFPageObj_GetBounds(obj.raw, left, bottom, right, upper):
            continue
        if (right.value - left.value) * (upper.value - bottom.value) >= _IMAGE_SHARE * area:
            top = upper.value if top is None else max(top, upper.value)
    return top


def _read_pictures(doc, pages: list[_Page], ocr, name: str, max_seconds: float) -> tuple[list[int], list[int], str]:
    """OCR for the pages that show pictures or garbled text: (pages left unread, pages read,
    why pages were left unread)."""
    todo = [i for i, p in enumerate(pages) if p.state in ("pictures", "garbled")]
    if not todo:
        return [], [], ""
    if ocr is None:
        return todo, [], f"没有文字层或文字是乱码（扫描页、图片），未读入；未安装文字识别（OCR）组件，{OCR_HINT}"
    started = time.monotonic()
    unread: list[int] = []
    done: list[int] = []
    why = "没有可用的文字，文字识别（OCR）也没有读出文字"
    try:
        for n, i in enumerate(todo):
            if time.monotonic() - started > max_seconds:
                unread.extend(todo[n:])
                why = f"文字识别（OCR）超过 {max_seconds:g} 秒（设置 max_ocr_seconds），其余页未读入"
                break
            lines = page_lines(ocr.read(doc, i, name=name, step=(n + 1, len(todo))))
            if lines:
                pages[i] = _Page(lines, "ocr", pages[i].picture_top)
                done.append(i)
            else:
                unread.append(i)
    except OcrUnavailable as exc:
        unread = [i for i in todo if i not in done]
        why = f"没有文字层，未读入：{exc}"
    finally:
        ocr.finish()
    return unread, done, why


def _no_text_reason(pages: list[_Page], ocr, why: str) -> str:
    if ocr is None and any(p.state == "garbled" for p in pages):
        return (
            "PDF 提取出的文字大多是乱码（字体缺少文字映射），已跳过；可用原始文档重新导出 PDF，"
            f"或做文字识别（OCR）：{OCR_HINT}"
        )
    if ocr is None:
        return f"PDF 没有文字层（可能是扫描件），需要先做文字识别（OCR）才能检索；{OCR_HINT}"
    if why:
        return f"PDF 没有可用的文字层（可能是扫描件）；{why}"
    return "PDF 没有文字层（可能是扫描件），也没有可以识别的图片"


def _title(pages: list[_Page]) -> str:
    """The first page's largest type, when it is larger than the body text by ``_TITLE_SIZE``."""
    first = next((p for p in pages if p.lines), None)
    if first is None:
        return ""
    sizes = [ln.size for p in pages for ln in p.lines for _ in range(min(len(ln.text), 200))]
    body = statistics.median(sizes) if sizes else 0.0
    biggest = max(ln.size for ln in first.lines)
    if not body or biggest < _TITLE_SIZE * body:
        return ""
    k = next(j for j, ln in enumerate(first.lines) if ln.size == biggest)
    parts = [first.lines[k].text.strip()]
    for ln in first.lines[k + 1 : k + 4]:
        if abs(ln.size - biggest) > 0.05 * biggest:
            break
        parts.append(ln.text.strip())
    title = clean_line("".join(parts))
    return title if 4 <= len(title) <= 80 else ""


def _title_is_picture(pages: list[_Page]) -> bool:
    """Whether the first page with text has a large picture above its first line."""
    first = next((p for p in pages if p.lines), None)
    if first is None or first.state != "text" or first.picture_top is None:
        return False
    top = max((ln.y for ln in first.lines if ln.y is not None), default=None)
    return top is not None and first.picture_top > top + (first.lines[0].size or 10.0)


def _read(data: bytes, settings) -> Extracted:
    from . import UnreadableFile

    try:
        return read_pdf_with(data, settings, str(settings.get("file_name", "")))
    except PdfProblem as exc:
        raise UnreadableFile(str(exc)) from None


from .registry import Format  # noqa: E402  (the registry entry, kept at the end)

FORMAT = Format(
    "pdf",
    (".pdf",),
    "PDF 文件",
    _read,
    magic=lambda data: b"%PDF-" in data[:1024],
    magic_name="PDF 文件（扩展名是 .pdf）",
    limit="max_pdf_mb",
)
