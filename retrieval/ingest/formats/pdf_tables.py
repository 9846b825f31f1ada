"""Tables of a PDF, through pdfplumber: ruled tables and tables set out in aligned columns.

For each page whose text shows figures set out in columns (a cheap test on the lines already
read), pdfplumber lays the page out:

- **Ruled tables**: pdfplumber's own table finder (cells from the drawn lines); a cell spanning
  several rows or columns is one cell of the grid.
- **Aligned tables** (three-line tables, tables without rules): runs of lines whose pieces,
  split at wide gaps, include figures and no sentence punctuation; columns are the x-ranges no
  piece crosses; the lines just above with no figures are the header; a line holding only a
  label next to a row without one is that row's label (常住人口 / （万人）).
  :mod:`retrieval.ingest.formats.aligned_tables` holds these rules.

The caption is the line just above a table. A table at the top of a page with the column count
of the table that ended the page before, and no caption of its own, continues it (its header
repeated or not); the page after one whose table runs to its foot is read for it even when its
lines do not look like figures in columns (rows of long text), and a continuation is read as
data whatever its share of figures. The page's lines inside a table are dropped: the table comes back as one
sentence a row (:mod:`retrieval.ingest.formats.tables`), where it stood on the page.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import time
from collections.abc import Container
from dataclasses import dataclass
from statistics import median

from .aligned_tables import ONE_ROW_FIGURES, aligned_tables
from .table_grid import read_tables, trailing_title
from .tables import Cell, Table, caption_from, is_number, table_lines

logging.getLogger("pdfminer").setLevel(logging.ERROR)

_FIGURES = re.compile(r"(?<![\w.,])[-−]?\d[\d,]*(?:\.\d+)?%?(?![\w.,])")
_PROSE = re.compile(r"[，。；！？]")
_MIN_ROW_LINES = 2  # a page is laid out for tables when at least this many lines look like rows
_EDGE = 2.0  # points: positions closer than this are one ruling


@dataclass
class Found:
    """A table found on a page: its box (top, bottom, x0, x1 in points from the top left), its
    grid and the caption above it."""

    page: int
    height: float  # the page's height in points
    box: tuple[float, float, float, float]
    grid: list[list[Cell]]
    caption: str
    at_top: bool = False  # nothing but page furniture above it
    at_bottom: bool = False  # nothing but page furniture below it


def looks_tabular(texts: list[str]) -> bool:
    """Whether a page's lines (as first read) hold rows of figures set out in columns (two such
    lines, or one of :data:`.aligned_tables.ONE_ROW_FIGURES` figures: a one-row table)."""
    rows = 0
    for text in texts:
        if not _PROSE.search(text) and len(text.split()) >= 2 and _FIGURES.search(text):
            rows += 1
            if len(_FIGURES.findall(text)) >= ONE_ROW_FIGURES:
                return True
    return rows >= _MIN_ROW_LINES


def find_tables(data: bytes, pages: list[int], max_seconds: float, laid_out: Container[int] = ()) -> list[Found]:
    """The tables on ``pages`` (0-based) of a PDF, in reading order; reading stops quietly
    after ``max_seconds`` (the rest of the pages keep their text as it is). A page of
    ``laid_out`` after one whose table runs to its foot is read too: the table may go on there
    in rows of long text that do not look like figures set out in columns."""
    import pdfplumber

    started = time.monotonic()
    found: list[Found] = []
    queue = sorted(set(pages))
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            while queue and time.monotonic() - started <= max_seconds:
                i = queue.pop(0)
                try:
                    on_page = _page_tables(pdf.pages[i], i)
                except (ValueError, KeyError, TypeError, IndexError, AttributeError, ZeroDivisionError):
                    continue  # a page pdfplumber cannot lay out keeps its text
                found.extend(on_page)
                after = i + 1
                if any(f.at_bottom for f in on_page) and after in laid_out and after not in queue:
                    bisect.insort(queue, after)
    except Exception:  # pdfminer raises its own kinds; the text stays as read
        return found
    return found


def _page_tables(page, index: int) -> list[Found]:
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    found = []
    for table in page.find_tables():
        grid = _ruled_grid(table)
        if grid is None:
            continue
        top, bottom, x0, x1 = table.bbox[1], table.bbox[3], table.bbox[0], table.bbox[2]
        found.append(Found(index, page.height, (top, bottom, x0, x1), grid, ""))
    taken = [f.box for f in found]
    free = [w for w in words if not any(_inside(w, box) for box in taken)]
    for box, grid in aligned_tables(free):
        found.append(Found(index, page.height, box, grid, ""))
    found.sort(key=lambda f: f.box[0])
    for f in found:
        above = [w for w in words if w["bottom"] <= f.box[0] + 1 and not any(_inside(w, g.box) for g in found)]
        f.caption = caption_from(_lines_of(above)[-3:])
        f.at_top = len(_lines_of(above)) <= 1 and not f.caption
        below = [w for w in words if w["top"] >= f.box[1] - 1 and not any(_inside(w, g.box) for g in found)]
        f.at_bottom = len(_lines_of(below)) <= 1
    return found


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    top, bottom, x0, x1 = box
    mid = (word["top"] + word["bottom"]) / 2
    return top - 1 <= mid <= bottom + 1 and x0 - 2 <= (word["x0"] + word["x1"]) / 2 <= x1 + 2


def _lines_of(words: list[dict]) -> list[str]:
    """Words grouped into lines top to bottom, as text."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [" ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])) for line in lines]


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE:
            out.append(v)
    return out


def _ruled_grid(table) -> list[list[Cell]] | None:
    """The grid of a ruled table (a merged cell fills every position it covers), or None when
    it is no data table (one column; a frame whose cells hold several rows of figures)."""
    texts = table.extract()
    boxes = [(r, c, cell) for r, row in enumerate(table.rows) for c, cell in enumerate(row.cells) if cell]
    xs = _edges([b[2][0] for b in boxes] + [b[2][2] for b in boxes])
    ys = _edges([b[2][1] for b in boxes] + [b[2][3] for b in boxes])
    if len(xs) < 3 or len(ys) < 3:
        return None
    grid: list[list[Cell | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for r, c, (x0, top, x1, bottom) in boxes:
        text = (texts[r][c] if r < len(texts) and c < len(texts[r]) else None) or ""
        if sum(1 for ln in text.splitlines() if is_number(ln.strip())) >= 3:
            return None  # a frame around rows the rules do not separate: read by alignment
        cell = Cell(text)
        for i in range(len(ys) - 1):
            if ys[i] >= top - _EDGE and ys[i + 1] <= bottom + _EDGE:
                for j in range(len(xs) - 1):
                    if xs[j] >= x0 - _EDGE and xs[j + 1] <= x1 + _EDGE and grid[i][j] is None:
                        grid[i][j] = cell
    if not any(is_number(ln.strip()) for row in texts for text in row if text for ln in text.splitlines()):
        return None  # no figure in any cell: a frame whose figures sit outside its cells
    empty = Cell("")
    return [[cell or empty for cell in row] for row in grid]


def read_found(found: list[Found]) -> list[tuple[Found, list[Table]]]:
    """The data tables of each table found, a table continued from the page before given that
    table's caption (and its header when it prints none)."""
    out: list[tuple[Found, list[Table]]] = []
    previous: tuple[Found, list[Table]] | None = None
    number = 0
    for f in found:
        caption = f.caption
        header: Table | None = None
        before = (
            previous
            if previous is not None
            and previous[1]
            and f.at_top
            and previous[0].at_bottom
            and f.page == previous[0].page + 1
            else None
        )  # the table this one continues
        pending = trailing_title(before[0].grid) if before is not None else ""
        grid = f.grid
        if pending and not caption:  # a sub-table whose title ended the page before
            title = Cell(pending)
            grid = [[title] * len(grid[0])] + grid
        elif before is not None and _width(f) == _width(before[0]):
            header = before[1][-1]
            caption = header.caption
            grid = carry_merged(before[0].grid, grid)
        inherited = None
        if header is not None and before is not None and not f.caption:
            same = [t for t in before[1] if t.caption == header.caption]
            inherited = [parts for t in same for parts in t.header]
        # A table going on from one read as a data table is one too, even in rows of long text.
        tables = read_tables(grid, caption, number + 1, require_numbers=header is None, header=inherited)
        if header is not None:
            for t in tables:
                t.continued = t.caption == header.caption
        if tables:
            number += 1 if header is None else 0
            for t in tables:
                t.page = f.page + 1
            out.append((f, tables))
            previous = (f, tables)
    return out


def carry_merged(above: list[list[Cell]], grid: list[list[Cell]]) -> list[list[Cell]]:
    """``grid``, continuing ``above`` on the next page, with the cells a merged cell of
    ``above`` would still cover: a text cell spanning the last rows of the page (三、本年度办理结果
    beside its items) fills the empty cells of its column at the top of the continuation."""
    if len(above) < 2 or not grid:
        return grid
    out = [list(row) for row in grid]
    for c, cell in enumerate(above[-1]):
        if c >= len(out[0]) or not cell.text.strip() or is_number(cell.text) or above[-2][c] is not cell:
            continue
        for row in out:
            if row[c].text.strip():
                break
            row[c] = cell
    return out


def _width(f: Found) -> int:
    return len(f.grid[0]) if f.grid else 0


def put_tables(data: bytes, pages: list, max_seconds: float) -> list[Table]:
    """Find the tables of a PDF whose pages' lines (``pages``, :class:`.pdf_layout.Line` lists
    with positions) are read, and put each table's row sentences in place of the lines inside
    it; returns the tables in reading order."""
    from .pdf_layout import Line

    laid_out = {i for i, lines in enumerate(pages) if lines and all(ln.y is not None for ln in lines)}
    candidates = [i for i in sorted(laid_out) if looks_tabular([ln.text for ln in pages[i]])]
    if not candidates:
        return []
    out: list[Table] = []
    for f, tables in read_found(find_tables(data, candidates, max_seconds, laid_out)):
        top, bottom, x0, x1 = f.box
        lines = pages[f.page]
        keep = [ln for ln in lines if not (top - 1 <= f.height - ln.y <= bottom + 3 and x0 - 6 <= ln.x <= x1 + 6)]
        at = next((k for k, ln in enumerate(keep) if f.height - ln.y > top), len(keep))
        rows = [(t, s) for t in tables for s in table_lines(t)]
        step = (bottom - top) / max(1, len(rows))
        size = median([ln.size for ln in lines if ln.size] or [10.0])
        placed = [Line(s, x0, f.height - (top + (k + 0.5) * step), size, table=True) for k, (_, s) in enumerate(rows)]
        pages[f.page] = keep[:at] + placed + keep[at:]
        out.extend(tables)
    return out
