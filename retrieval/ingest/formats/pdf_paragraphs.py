"""A PDF's lines, page by page, joined into paragraphs, with page furniture dropped.

What comes out is one paragraph per line, like a .txt report:

- **Wrapped lines are joined**: Chinese lines and numbers without a space, Latin words with
  one. A paragraph ends before a line that is indented (it starts right of its column's left
  edge by most of a character), that sits below a gap larger than ``pdf_paragraph_gap`` times
  the usual line spacing, or that opens an outline heading (一、 （一） 1.) after a finished
  sentence, or a top-level one (三、…) on a short line of its own after any line; and after a
  line that ends short of its column's right edge by more than
  ``1 - pdf_short_line`` of the column's width, or by more than a character and a half after
  a finished sentence; and around a table row (cells apart on one line). Positions are measured, never guessed from character counts, so a line
  of ASCII figures or half-width punctuation is as full as it looks. Without positions (plain
  text pages), widths are counted: East Asian wide characters 1, others ½.
- **Running headers, footers and page numbers are dropped**: a line (digits ignored) that
  recurs on at least ``pdf_repeat_share`` of the pages, and page-number lines (``- 3 -``,
  ``第 3 页 共 9 页``, ``3/9``, a bare number among the top or bottom two lines of a page).
- **Lines are cleaned** (:func:`.pdf_layout.clean_line`): note marks after figures dropped,
  spaces beside lone Chinese characters closed; on a page where more than
  ``pdf_spaced_share`` of the Chinese characters are followed by a space (glyphs positioned
  one by one), those spaces are removed.
- **Pages are kept**: :attr:`Extracted.pages` holds where each page starts in the text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from config import Settings

from ...lang.text import HAN as _HAN
from . import Extracted
from .pdf_layout import Line, clean_line
from .printed import PAGE_NUMBER as _PAGE_NUMBER_ANYWHERE

# Layout thresholds: the settings of these names (config/settings.toml explains each).
LAYOUT_SETTINGS = ("pdf_short_line", "pdf_paragraph_gap", "pdf_repeat_share", "pdf_spaced_share", "pdf_cell_gap")
LAYOUT = {name: getattr(Settings, name) for name in LAYOUT_SETTINGS}
_EDGE = 2  # lines at the top and bottom of a page where a bare page number may sit
_FINISHED_SHORT = 1.5  # font sizes short of the right edge that end a finished sentence's paragraph

_PAGE_NUMBER_AT_EDGE = re.compile(r"^(?:\d{1,5}|\d{1,5}\s*/\s*\d{1,5}|[（(]\s*\d{1,5}\s*[)）])$")
_OUTLINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]|第[一二三四五六七八九十\d]+[章节部分条])"
)
# A top-level outline heading on a line of its own: no sentence punctuation in it.
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^，。；：,;:！？!?]{1,30}$")
_SENTENCE_END = re.compile(r"[。！？；：!?;:]$")
_FINISHED = re.compile(r"[。！？；：!?;:][”’）)]?$")
_WORDY = re.compile(r"[^\W_]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
# Words of Latin script broken across lines are joined with a space; digits never are.
_LATIN_END = re.compile(r"[A-Za-z][,.;:)]?$")
_LATIN_START = re.compile(r"[A-Za-z(]")


def width(line: str) -> float:
    """Width in full-width characters: East Asian wide characters count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)


def assemble(pages_in: list[str] | list[list[Line]], layout: dict | None = None) -> Extracted:
    """Joined paragraphs and page starts from each page's text (or its positioned lines)."""
    layout = {**LAYOUT, **(layout or {})}
    pages: list[list[Line]] = []
    for page in pages_in:
        lines = [Line(t) for t in page.splitlines()] if isinstance(page, str) else list(page)
        spaced = _spaced_out("\n".join(ln.text for ln in lines if not ln.table), layout["pdf_spaced_share"])
        for ln in lines:
            if not ln.table:  # a table row's sentence is written as it is to be found again
                ln.text = clean_line(_CJK_GAP.sub("", ln.text) if spaced else ln.text).rstrip()
        pages.append([ln for ln in lines if ln.text.strip()])
    furniture = _furniture(pages, layout["pdf_repeat_share"])
    kept = [[ln for j, ln in enumerate(p) if (i, j) not in furniture] for i, p in enumerate(pages)]
    doc = _DocGeometry([ln for p in kept for ln in p if not ln.table])
    out: list[str] = []
    starts: list[int] = []
    length = 0  # characters in out so far
    prev: Line | None = None  # the last line of the paragraph being built
    after_gap = False  # a page without text came between: the paragraph does not go on
    for lines in kept:
        starts.append(length + (1 if prev is not None else 0))
        after_gap = after_gap or not lines
        first_on_page = True
        for line in lines:
            text = line.text.strip()
            if prev is None:
                piece = text
            elif after_gap or _breaks(prev, line, doc, layout, first_on_page):
                piece = "\n" + text
            elif line.spaced or (_LATIN_END.search(prev.text.strip()) and _LATIN_START.match(text)):
                piece = " " + text
            else:
                piece = text
            if prev is not None and first_on_page and not piece.startswith("\n"):
                starts[-1] = length + (1 if piece.startswith(" ") else 0)  # the page begins mid-paragraph
            out.append(piece)
            length += len(piece)
            prev = line
            first_on_page = False
            after_gap = False
    text = "".join(out)
    starts = [min(s, len(text)) for s in starts]
    for i in range(len(starts) - 2, -1, -1):  # a page without text starts where the next one does
        starts[i] = min(starts[i], starts[i + 1])
    return Extracted(text + "\n", "pdf", pages=starts)


class _DocGeometry:
    """What the document's lines share: the usual left edge, full width and line spacing
    (used where a column has too few lines to tell its own)."""

    def __init__(self, body: list[Line]):
        widths = sorted(width(ln.text.strip()) for ln in body)
        self.full = widths[int(len(widths) * 0.9)] if widths else 0.0
        xs = Counter(round(ln.x) for ln in body if ln.x is not None)
        self.left = xs.most_common(1)[0][0] if xs else None
        rights = sorted(ln.right for ln in body if ln.right is not None)
        self.right = rights[int(len(rights) * 0.9)] if rights else None
        gaps = sorted(
            a.y - b.y
            for a, b in zip(body, body[1:])
            if a.y is not None and b.y is not None and a.block == b.block and a.y - b.y > 0
        )
        self.leading = gaps[len(gaps) // 2] if gaps else None
        by_size: dict[int, list[float]] = {}
        for ln in body:
            if ln.leading is not None:
                by_size.setdefault(round(ln.size), []).append(ln.leading)
        self.leading_by_size = {k: sorted(v)[len(v) // 2] for k, v in by_size.items()}

    def leading_of(self, line: Line) -> float | None:
        """The usual line spacing of a line's column, or of its type size, or of the document."""
        if line.leading is not None:
            return line.leading
        return self.leading_by_size.get(round(line.size), self.leading)


def _breaks(prev: Line, line: Line, doc: _DocGeometry, layout: dict, first_on_page: bool) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev``."""
    if prev.table or line.table:  # a table row's sentence is a paragraph of its own
        return True
    before, text = prev.text.strip(), line.text.strip()
    finished = bool(_FINISHED.search(before))
    if _SENTENCE_END.search(before) and _OUTLINE.match(text):
        return True
    if _TOP_HEADING.match(text) and _short(line, doc, layout):
        return True  # a heading after an unfinished line (…464.64万元 / 三、政府采购预算情况)
    same_block = not first_on_page and prev.block == line.block
    leading = doc.leading_of(line)
    if (
        same_block
        and leading is not None
        and prev.y is not None
        and line.y is not None
        and prev.y - line.y > layout["pdf_paragraph_gap"] * leading
    ):
        return True
    if prev.cells > 1 or line.cells > 1:  # a table's rows are read one by one
        return True
    if line.x is None or prev.right is None:  # no positions: plain text lines
        indented = line.text[:1].isspace() if line.x is None else _indented(line, doc)
        return indented or width(before) < layout["pdf_short_line"] * doc.full
    size = line.size or prev.size or 10.0
    left = prev.left_edge if prev.left_edge is not None else doc.left
    right = prev.right_edge if prev.right_edge is not None else doc.right
    room = (right - prev.right) if right is not None else 0.0
    column = (right - left) if right is not None and left is not None else 0.0
    if room > (1 - layout["pdf_short_line"]) * column or (finished and room > _FINISHED_SHORT * size):
        return True
    full = room <= 0.5 * size
    return _indented(line, doc) and (finished or not full)


def _short(line: Line, doc: _DocGeometry, layout: dict) -> bool:
    """Whether ``line`` ends short of its column's right edge by more than ``1 -
    pdf_short_line`` of the column's width (counted without positions), as a line of its own."""
    left = line.left_edge if line.left_edge is not None else doc.left
    right = line.right_edge if line.right_edge is not None else doc.right
    if line.right is None or left is None or right is None:
        return width(line.text.strip()) < layout["pdf_short_line"] * doc.full
    return right - line.right > (1 - layout["pdf_short_line"]) * (right - left)


def _indented(line: Line, doc: _DocGeometry) -> bool:
    left = line.left_edge if line.left_edge is not None else doc.left
    return line.x is not None and left is not None and line.x - left > 0.8 * (line.size or 10.0)


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
        heights = [ln.y for ln in lines if ln.y is not None]
        if len(heights) == len(lines):
            order = sorted(range(len(lines)), key=lambda j: -heights[j])
        else:
            order = list(range(len(lines)))
        edges = set(order[:_EDGE] + order[-_EDGE:])
        for j, line in enumerate(lines):
            body = line.text.strip()
            if line.table:
                continue
            if _PAGE_NUMBER_ANYWHERE.match(body) or (j in edges and _PAGE_NUMBER_AT_EDGE.match(body)):
                drop.add((i, j))
            elif len(body) <= 60 and len(_WORDY.findall(body)) >= 2:  # not a lone 。 wrapped over
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
