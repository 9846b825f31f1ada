"""The glyphs of a PDF page as PDFium places them, grouped into rows and runs of text.

A **glyph** is one character with where it sits: its left edge and advance (``x0``, ``x1``),
its baseline and its effective font size, in a frame where the page's text runs left to right
(a page whose text is turned a quarter is turned back). What PDFium reads without a Unicode
value counts as *unmapped* (a font without a character map).

A **row** is the glyphs on one baseline. A row of smaller glyphs that sits inside the
height of the row below it is that row's superscripts (note marks such as ``¹`` or ``[2]``
that a producer raised above the figure they follow), and joins it.

A **run** is a stretch of a row without a gap wider than a cell gap: table cells and the
columns of a newspaper page are separate runs. Its text is composed so that justified lines
read as set: no spaces beside Chinese characters but those in the file, a space between
Latin words where the gap or PDFium says so; a glyph printed twice at
the same place (fake bold) is read once, and raised note marks after a figure are left out.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from dataclasses import dataclass, field

# Geometry, in multiples of the font size (the tuned ones are settings in config/settings.toml).
_ROW_TOLERANCE = 0.3  # glyphs whose baselines differ by less than this share a row
_SMALL = 0.82  # a glyph at most this size of its row's glyphs is small (a superscript if raised)
_RAISED = 0.12  # raised this much above the row's baseline
_DOUBLE = 0.3  # the same character again within this share of its advance is one glyph printed twice
_WORD_GAP = 0.22  # a gap this much wider than the row's usual one separates Latin words
_MARK = re.compile(r"^[\d\[\]［］()（）,，*＊†‡a-z\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079]{1,4}$")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z0-9]")


@dataclass(slots=True)
class Glyph:
    ch: str
    x0: float
    x1: float
    base: float
    size: float
    space: int = 0  # a space precedes it: 1 drawn in the file, 2 only implied by PDFium
    raised: bool = False


@dataclass
class Run:
    """Glyphs on one baseline without a wide gap; ``text`` as a reader reads them."""

    text: str
    x0: float
    x1: float
    base: float
    size: float
    spaced: bool = False  # a space is drawn just before it (at the end of the line above)


@dataclass
class PageGlyphs:
    glyphs: list[Glyph] = field(default_factory=list)
    unmapped: int = 0  # characters PDFium could not map to Unicode
    width: float = 0.0  # of the page, in the reading frame
    height: float = 0.0


def read_glyphs(page, textpage) -> PageGlyphs:
    """Every visible character of a page (PDFium ``PdfPage`` and its ``PdfTextPage``)."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    loose, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    raw_glyphs: list[tuple[str, float, float, float, float, float, int]] = []
    angles: dict[int, int] = {}
    unmapped = 0
    space = 0
    skip = -1
    for i in range(n):
        if i == skip:
            continue
        code = raw.FPDFText_GetUnicode(tp, i)
        if 0xD800 <= code < 0xDC00 and i + 1 < n:  # UTF-16: a character beyond the BMP
            low = raw.FPDFText_GetUnicode(tp, i + 1)
            if 0xDC00 <= low < 0xE000:
                code, skip = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 1
        if 0xD800 <= code < 0xE000:
            code = 0xFFFD
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch in "\r\n":
            space = max(space, 2)
            continue
        if ch.isspace():
            space = 2 if raw.FPDFText_IsGenerated(tp, i) and space != 1 else 1
            continue
        if code in (0xFFFD, 0xFFFE, 0xFFFF) or code < 0x20 or raw.FPDFText_HasUnicodeMapError(tp, i):
            unmapped += 1
            continue
        raw.FPDFText_GetLooseCharBox(tp, i, loose)
        raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
        raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
        raw.FPDFText_GetMatrix(tp, i, matrix)
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        size = raw.FPDFText_GetFontSize(tp, i) * scale or (loose.top - loose.bottom) or 1.0
        quarter = round(raw.FPDFText_GetCharAngle(tp, i) / (math.pi / 2)) % 4
        angles[quarter] = angles.get(quarter, 0) + 1
        # The advance along the line: PDFium's loose box spans it, but some fonts report a full
        # em for narrow glyphs; the ink's far edge plus a little bounds it.
        if quarter % 2 == 0:
            ink = (right.value - ox.value) if quarter == 0 else (ox.value - left.value)
            span = loose.right - loose.left
        else:
            ink = (oy.value - bottom.value) if quarter == 1 else (top.value - oy.value)
            span = loose.top - loose.bottom
        advance = min(span, ink + 0.12 * size) if ink > 0 else span
        raw_glyphs.append((ch, ox.value, oy.value, advance, size, space, quarter))
        space = 0
    width, height = page.get_size()
    turn = max(angles, key=lambda a: angles[a]) if angles else 0
    glyphs = [_turned(g, turn, width, height) for g in raw_glyphs if g[6] == turn]
    if turn % 2:
        width, height = height, width
    return PageGlyphs(glyphs, unmapped, width, height)


def _turned(g: tuple, turn: int, width: float, height: float) -> Glyph:
    """A glyph in the frame where text drawn ``turn`` quarter turns (clockwise, as PDFium
    measures) runs left to right: (start, end) along the line, baseline across it, up."""
    ch, ox, oy, advance, size, space, _ = g
    if turn == 0:
        along, across = ox, oy
    elif turn == 1:  # text runs down the page
        along, across = height - oy, ox
    elif turn == 2:  # upside down
        along, across = width - ox, height - oy
    else:  # text runs up the page
        along, across = oy, width - ox
    return Glyph(ch, along, along + advance, across, size, space)


def rows_of(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped by baseline, top to bottom, each row left to right, superscript rows
    joined to the row they are raised above and glyphs printed twice read once."""
    rows: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -g.base):
        if rows and rows[-1][0].base - g.base <= _ROW_TOLERANCE * max(g.size, rows[-1][0].size):
            rows[-1].append(g)
        else:
            rows.append([g])
    merged: list[list[Glyph]] = []
    for k, row in enumerate(rows):
        below = rows[k + 1] if k + 1 < len(rows) else None
        if below is not None and _superscripts_of(row, below):
            for g in row:
                g.raised = True
            below.extend(row)
            continue
        merged.append(row)
    out = []
    for row in merged:
        row.sort(key=lambda g: g.x0)
        out.append(_raise_small(_once(row)))
    return out


def _superscripts_of(row: list[Glyph], below: list[Glyph]) -> bool:
    size = statistics.median(g.size for g in below)
    rise = statistics.median(g.base for g in row) - statistics.median(g.base for g in below)
    small = max(g.size for g in row) <= _SMALL * size
    reach = min(g.size for g in row)  # a mark may stand just before or after the row's text
    overlaps = (
        min(g.x0 for g in row) < max(g.x1 for g in below) + reach
        and max(g.x1 for g in row) > min(g.x0 for g in below) - reach
    )
    return small and 0 < rise <= 0.8 * size and overlaps and len(row) <= 12


def _once(row: list[Glyph]) -> list[Glyph]:
    """The row without a glyph drawn again over the same one (fake bold): the same character
    again less than ``_DOUBLE`` of its advance away (tt in https stays two)."""
    kept: list[Glyph] = []
    for g in row:
        near = _DOUBLE * max(g.x1 - g.x0, 0.1 * g.size)
        if any(p.ch == g.ch and abs(p.x0 - g.x0) < near and abs(p.base - g.base) < near for p in kept[-3:]):
            continue
        kept.append(g)
    return kept


def _raise_small(row: list[Glyph]) -> list[Glyph]:
    """Mark small glyphs set above the row's baseline as raised."""
    normal = [g for g in row if not g.raised]
    if not normal:
        return row
    size = statistics.median(g.size for g in normal)
    base = (
        statistics.median(g.base for g in normal if g.size > _SMALL * size)
        if any(g.size > _SMALL * size for g in normal)
        else statistics.median(g.base for g in normal)
    )
    for g in row:
        if g.size <= _SMALL * size and g.base - base > _RAISED * size:
            g.raised = True
    return row


def runs_of(row: list[Glyph], cell_gap: float) -> list[Run]:
    """A row cut where a gap is wider than ``cell_gap`` font sizes beyond the row's usual gap
    (the spread of justified text), each part composed as text."""
    normal = [g for g in row if not g.raised] or row
    size = statistics.median(g.size for g in normal)
    gaps = [b.x0 - a.x1 for a, b in zip(row, row[1:]) if not a.raised and not b.raised]
    spread = max(0.0, statistics.median(gaps)) if gaps else 0.0
    parts: list[list[Glyph]] = [[row[0]]]
    for a, b in zip(row, row[1:]):
        if b.x0 - a.x1 > spread + cell_gap * size:
            parts.append([b])
        else:
            parts[-1].append(b)
    runs = []
    for part in parts:
        text = _compose(part, spread, size)
        if text.strip():
            shown = [g for g in part if not g.raised] or part
            runs.append(
                Run(
                    text.strip(),
                    part[0].x0,
                    max(g.x1 for g in part),
                    _baseline(part),
                    statistics.median(g.size for g in shown),
                    part[0].space == 1,
                )
            )
    return runs


def _baseline(part: list[Glyph]) -> float:
    normal = [g.base for g in part if not g.raised]
    return statistics.median(normal or [g.base for g in part])


def _compose(part: list[Glyph], spread: float, size: float) -> str:
    """The text of a run: note marks raised after a figure or word left out, spaces only
    where a reader sees them."""
    out: list[str] = []
    prev: Glyph | None = None
    k = 0
    while k < len(part):
        g = part[k]
        if g.raised and not (prev is not None and prev.ch.isascii() and prev.ch.isalpha()):
            j = k  # a mark after a figure or word; after a Latin letter it is a power (m²)
            while j < len(part) and part[j].raised:
                j += 1
            mark = "".join(x.ch for x in part[k:j])
            # At the start of a line, a mark is the note's own number unless a figure follows
            # it or it is bracketed (a mark carried over from the line before).
            carried = prev is None and (mark.startswith(("[", "［")) or (j < len(part) and part[j].ch.isdigit()))
            if _MARK.match(mark) and (prev is not None or carried):
                k = j
                continue
        if prev is not None and _space_between(prev, g, spread, size):
            out.append(" ")
        out.append(g.ch)
        prev = g
        k += 1
    return "".join(out)


def _space_between(a: Glyph, b: Glyph, spread: float, size: float) -> bool:
    if _CJK.match(a.ch) or _CJK.match(b.ch):
        return b.space == 1  # justified Chinese: gaps are not spaces; a space in the file is
    if b.space:
        return True
    return bool(_LATIN.match(a.ch) and _LATIN.match(b.ch)) and b.x0 - a.x1 > spread + _WORD_GAP * size
