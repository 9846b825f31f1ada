"""Pages PDFium cannot map, read through pypdf instead.

PDFium leaves out a text object whose glyphs it cannot measure: a single character in a
Chinese font that the file does not embed, on a machine without such a font (producers that
draw each character on its own do this). pypdf decodes such text from the font's character
map alone. :func:`needs_pypdf` tells such a page (a text object with no width in a font the
file does not embed); :func:`page_lines` reads it the way pypdf reports it: each piece of text
with the text matrix it was drawn at, lines rebuilt from the positions when every piece can be
placed, pypdf's own line breaks otherwise.
"""

from __future__ import annotations

import re
import unicodedata

from .pdf_layout import Line


def needs_pypdf(page) -> bool:
    """Whether a PDFium page has a text object PDFium could not measure (no width) in a font
    the file does not embed."""
    import ctypes

    import pypdfium2.raw as raw

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=3):
        if not raw.FPDFPageObj_GetBounds(obj.raw, left, bottom, right, top):
            continue
        if right.value - left.value < 0.01:
            font = raw.FPDFTextObj_GetFont(obj.raw)
            if font and not raw.FPDFFont_GetIsEmbedded(font):
                return True
    return False


def _width(line: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)


def page_lines(page) -> list[Line]:
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
