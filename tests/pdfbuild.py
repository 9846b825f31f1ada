"""Building PDFs of report text inside the test suite (no font file, nothing downloaded).

reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1) draws Chinese without embedding a
font, so a report can be typeset the way bureaus publish it: lines wrapped at a fixed width,
each paragraph's first line indented by two characters, a running header on every page and a
page number in the footer.
"""

from __future__ import annotations

import io
from pathlib import Path

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, TOP, BOTTOM = 72.0, 760.0, 90.0
SIZE, LEADING = 11.0, 18.0


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


_NO_LINE_START = "。，、；：？！”）》"  # hung at the end of a full line, as typesetters do


def wrap(text: str, width: float, size: float = SIZE, indent: float = 0.0) -> list[str]:
    """``text`` cut into lines no wider than ``width`` points (the first one ``indent`` narrower);
    closing punctuation never starts a line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    room = width - indent
    for ch in text:
        if line and stringWidth(line + ch, FONT, size) > room and ch not in _NO_LINE_START:
            lines.append(line)
            line, room = "", width
        line += ch
    if line:
        lines.append(line)
    return lines


def build_pdf(
    paragraphs: list[str],
    *,
    header: str = "",
    footer: str = "- {page} -",
    headings: set[str] | frozenset[str] = frozenset(),
    password=None,
    width: float = PAGE_W - 2 * MARGIN_X,
    indent: bool = True,
    para_gap: float = 0.0,
    furniture_last: bool = False,
    glyph_by_glyph: bool = False,
) -> bytes:
    """A PDF of ``paragraphs``: body text wrapped and first-line indented (or, with
    ``indent=False``, flush left with ``para_gap`` points between paragraphs), ``headings`` set
    flush left, ``header`` on top of every page and ``footer`` (``{page}``, ``{pages}``) below;
    ``furniture_last`` draws them after the body, as some producers do; ``glyph_by_glyph``
    draws every character on its own, full lines justified to the margin (as WPS and some
    converters do)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register()
    # Lay out first, so the footer can say how many pages there are.
    pages: list[list[tuple[float, float, str, float]]] = [[]]
    y = TOP
    for para in paragraphs:
        if not para.strip():
            continue
        is_heading = para in headings
        first = 2 * SIZE if indent and not is_heading else 0.0
        lines = wrap(para.strip(), width, indent=first)
        for n, line in enumerate(lines):
            if y < BOTTOM:
                pages.append([])
                y = TOP
            room = width - (first if n == 0 else 0.0)
            spread = 0.0 if n == len(lines) - 1 else (room - stringWidth(line, FONT, SIZE)) / max(1, len(line) - 1)
            pages[-1].append((MARGIN_X + (first if n == 0 else 0.0), y, line, spread))
            y -= LEADING
        y -= para_gap
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), encrypt=password)
    for number, lines in enumerate(pages, 1):

        def furniture(number: int = number) -> None:
            c.setFont(FONT, 9)
            if header:
                c.drawCentredString(PAGE_W / 2, PAGE_H - 50, header)
            if footer:
                c.drawCentredString(PAGE_W / 2, 50, footer.format(page=number, pages=len(pages)))

        if not furniture_last:
            furniture()
        c.setFont(FONT, SIZE)
        for x, y, line, spread in lines:
            if not glyph_by_glyph:
                c.drawString(x, y, line)
                continue
            for ch in line:
                c.drawString(x, y, ch)
                x += stringWidth(ch, FONT, SIZE) + spread
        if furniture_last:
            furniture()
        c.showPage()
    c.save()
    return buf.getvalue()


def report_pdf(text: str, **kwargs) -> bytes:
    """A report's text (one paragraph a line, as in seeds/) typeset as a PDF; short lines
    without sentence punctuation (the title and the outline) are set as headings."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    headings = {p for p in paragraphs if len(p) <= 40 and not p.endswith(("。", "；", "："))}
    return build_pdf(paragraphs, headings=headings, **kwargs)


def write_report_pdf(source: Path, target: Path, **kwargs) -> Path:
    target.write_bytes(report_pdf(source.read_text(encoding="utf-8"), **kwargs))
    return target


def raw_pdf(content: bytes, *, filter_name: str = "", length: int | None = None, count: int = 1) -> bytes:
    """A one-page PDF written by hand around a given content stream (for hostile cases:
    decompression bombs, deep nesting, lying page counts)."""
    filt = f" /Filter /{filter_name}".encode() if filter_name else b""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content) if length is None else length, filt) + content + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def table_pdf(
    before: list[str],
    caption: str,
    header: list[str],
    pages_of_rows: list[list[list[str]]],
    *,
    ruled: bool = True,
    repeat_header: bool = False,
    after: list[str] = (),
    widths: list[float] | None = None,
) -> bytes:
    """A PDF with a table: ``before`` paragraphs, the ``caption`` centred above it, then its rows,
    ``pages_of_rows`` giving the rows printed on each page (the table continuing across pages,
    its header printed again with ``repeat_header``), then ``after`` paragraphs. ``ruled``
    draws every cell's border; otherwise a three-line table (rules above and below the header
    and at the bottom)."""
    from reportlab.pdfgen import canvas

    _register()
    widths = widths or [150.0] + [90.0] * (len(header) - 1)
    row_h = 22.0
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    for number, rows in enumerate(pages_of_rows, 1):
        y = TOP
        c.setFont(FONT, SIZE)
        if number == 1:
            for para in before:
                for line in wrap(para, PAGE_W - 2 * MARGIN_X):
                    c.drawString(MARGIN_X, y, line)
                    y -= LEADING
            y -= 10
            c.drawCentredString(PAGE_W / 2, y, caption)
            y -= LEADING
        body = ([header] if number == 1 or repeat_header else []) + rows
        top = y + SIZE + 4
        for row in body:
            x = MARGIN_X
            for text, w in zip(row, widths):
                c.drawString(x + 4, y, text)
                x += w
            y -= row_h
        bottom = y + SIZE + 4
        xs = [MARGIN_X + sum(widths[:k]) for k in range(len(widths) + 1)]
        if ruled:
            for k in range(len(body) + 1):
                c.line(xs[0], top - k * row_h, xs[-1], top - k * row_h)
            for x in xs:
                c.line(x, top, x, bottom)
        else:
            c.line(xs[0], top, xs[-1], top)
            if number == 1 or repeat_header:
                c.line(xs[0], top - row_h, xs[-1], top - row_h)
            c.line(xs[0], bottom, xs[-1], bottom)
        if number == len(pages_of_rows):
            y -= 10
            for para in after:
                for line in wrap(para, PAGE_W - 2 * MARGIN_X):
                    c.drawString(MARGIN_X, y, line)
                    y -= LEADING
        c.setFont(FONT, 9)
        c.drawCentredString(PAGE_W / 2, 50, f"- {number} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def layout_pdf(pages, *, pagesize: tuple[float, float] = (PAGE_W, PAGE_H), rotate: int = 0) -> bytes:
    """A PDF whose pages are drawn by the callables in ``pages`` (each given the canvas, the
    font registered); ``rotate`` sets every page's /Rotate (a landscape page turned for print)."""
    from reportlab.pdfgen import canvas

    _register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize)
    for draw in pages:
        if rotate:
            c.setPageRotation(rotate)
        c.setFont(FONT, SIZE)
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def draw_line(
    c, x: float, y: float, text: str, *, size: float = SIZE, width: float | None = None, rise: float = 0.0
) -> float:
    """``text`` as one text object at (x, y); with ``width``, its characters spread (character
    spacing, as justified lines are set) to fill that many points. Returns where it ends."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, FONT, size)
    spacing = (width - natural) / max(1, len(text) - 1) if width and len(text) > 1 else 0.0
    t = c.beginText(x, y)
    t.setFont(FONT, size)
    t.setCharSpace(spacing)
    t.setRise(rise)
    t.textOut(text)
    c.drawText(t)
    return x + natural + spacing * max(0, len(text) - 1)


def justified(
    c,
    lines: list[str],
    *,
    x: float = MARGIN_X,
    y: float = TOP,
    width: float = PAGE_W - 2 * MARGIN_X,
    indent_first: bool = True,
    leading: float = LEADING,
    size: float = SIZE,
) -> float:
    """A paragraph's lines set justified (the last one natural), the first indented two
    characters; returns the y of the next line."""
    for n, line in enumerate(lines):
        start = x + (2 * size if indent_first and n == 0 else 0.0)
        room = width - (start - x)
        draw_line(c, start, y, line, size=size, width=None if n == len(lines) - 1 else room)
        y -= leading
    return y


def picture(lines: list[str], size: tuple[int, int] = (1200, 240), font_px: int = 48):
    """A picture of text (ASCII: Pillow's own font has no Chinese), as a scan or an image title."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=font_px)
    for n, line in enumerate(lines):
        draw.text((30, 30 + n * int(font_px * 1.6)), line, fill="black", font=font)
    return img


def draw_picture(c, img, x: float, y: float, width: float) -> None:
    from reportlab.lib.utils import ImageReader

    c.drawImage(ImageReader(img), x, y, width=width, height=width * img.height / img.width)
