"""A page's runs of text put in reading order as lines, and each line's text cleaned.

**Columns.** A page whose prose runs start at two or more left edges, each edge the start of
several lines that end before the next edge and mostly end flush at their column's right
(justified), is set in columns; each column is read top to bottom, left to right, and a line
that crosses a column's edge (a title over the columns) is read where it stands. A table's
cells do not count as columns: cells are short and do not end flush.

**Lines.** The runs of one row within one column form a line (table cells joined by a space).
Each line knows where its column's lines start and where full lines end (``left_edge``,
``right_edge``), so that paragraph joins can tell indentation and short lines by position
rather than by counting characters.

**Cleaning** (also for text without positions): note marks after a figure or word
(``[2]``, ``［1］``, ``③``) are dropped, a space beside a lone Chinese character (justified
headings such as 一、综 合) is closed up, and text printed twice (国国内内生生产产) is read once.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from .pdf_glyphs import Run
from .printed import close_lone, drop_note_marks, join_spaced_years

_PROSE = 6.0  # a run at least this many font sizes wide is prose (table cells are shorter)
_COLUMN_LINES = 4  # a column holds at least this many prose runs
_MIN_COLUMN = 5.0  # columns' left edges are at least this many font sizes apart
_FLUSH = 1.5  # a line ending within this many font sizes of its column's right edge is full

_DOUBLED = re.compile(r"(?:([\u3400-\u9fff\uff08\uff09\u3001])\1){3,}")
_HUNG = tuple("，。、；：！？）》”’")  # may hang past the right margin


@dataclass
class Line:
    """One line of a page, with where it starts and ends (None when unknown)."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float = 0.0
    right: float | None = None
    left_edge: float | None = None  # where the lines of its column start
    right_edge: float | None = None  # where the full lines of its column end
    leading: float | None = None  # the usual distance between the baselines of its column's lines
    block: int = 0  # the column or band of its page it is read in
    cells: int = 1  # runs of text apart on the line (a table row has several)
    spaced: bool = False  # a space is drawn between the line before and this one
    table: bool = False  # a table row's sentence (:mod:`.pdf_tables`): a paragraph of its own, as written


def page_lines(rows: list[list[Run]]) -> list[Line]:
    """The rows of a page (top to bottom, runs left to right) as lines in reading order."""
    runs = [r for row in rows for r in row]
    if not runs:
        return []
    lefts = column_lefts(runs)
    blocks: list[list[list[Run]]] = []  # each block: its rows (runs of one column or band)
    section: list[list[list[Run]]] = [[] for _ in lefts]
    band: list[list[Run]] = []

    def flush_section() -> None:
        blocks.extend(list(col) for col in section if col)
        for col in section:
            col.clear()

    for row in rows:
        if len(lefts) < 2 or any(_spans(r, lefts) for r in row):
            flush_section()
            band.append(row)
            continue
        if band:
            blocks.append(list(band))
            band.clear()
        by_column: dict[int, list[Run]] = {}
        for r in row:
            by_column.setdefault(_column(r, lefts), []).append(r)
        for k, part in by_column.items():
            section[k].append(part)
    flush_section()
    if band:
        blocks.append(band)
    lines: list[Line] = []
    for n, block in enumerate(blocks):
        made = [_line(row, n) for row in block]
        _set_edges(made)
        lines.extend(made)
    return lines


def column_lefts(runs: list[Run]) -> list[float]:
    """Left edges of a page's text columns; none when the page is not in columns."""
    prose = sorted((r for r in runs if _is_prose(r)), key=lambda r: r.x0)
    if len(prose) < 2 * _COLUMN_LINES:
        return []
    size = statistics.median(r.size for r in prose)
    clusters: list[list[Run]] = []
    for r in prose:  # a paragraph's indented first line starts near its column's edge
        if clusters and r.x0 - clusters[-1][-1].x0 <= 2.5 * size:
            clusters[-1].append(r)
        else:
            clusters.append([r])
    lefts = [min(r.x0 for r in c) for c in clusters if len(c) >= _COLUMN_LINES]
    lefts = [x for k, x in enumerate(lefts) if k == 0 or x - lefts[k - 1] >= _MIN_COLUMN * size]
    if len(lefts) < 2:
        return []
    page_right = max(r.x1 for r in runs)
    for k, left in enumerate(lefts):
        nxt = lefts[k + 1] if k + 1 < len(lefts) else page_right + size
        if not _is_column([r for r in runs if left - size <= r.x0 < nxt - size], nxt, size):
            return []
    return lefts


def _is_prose(run: Run) -> bool:
    return run.x1 - run.x0 >= _PROSE * run.size and len(run.text) >= _PROSE


def _is_column(runs: list[Run], next_left: float, size: float) -> bool:
    """Runs that are mostly prose, stay left of the next column and mostly end flush at one
    right edge (justified), as a column of text does and a table's cells do not."""
    prose = [r for r in runs if _is_prose(r)]
    if len(prose) < _COLUMN_LINES or len(prose) < 0.6 * len(runs):
        return False
    inside = [r for r in prose if r.x1 <= next_left - 0.3 * size]
    if len(inside) < 0.8 * len(prose):
        return False
    right = max(r.x1 for r in inside)
    return sum(right - r.x1 <= _FLUSH * size for r in inside) >= 0.6 * len(inside)


def _column(run: Run, lefts: list[float]) -> int:
    k = 0
    for i, left in enumerate(lefts):
        if run.x0 >= left - run.size:
            k = i
    return k


def _spans(run: Run, lefts: list[float]) -> bool:
    k = _column(run, lefts)
    return k + 1 < len(lefts) and run.x1 > lefts[k + 1] - 0.3 * run.size


def _line(row: list[Run], block: int) -> Line:
    main = max(row, key=lambda r: len(r.text))
    return Line(
        " ".join(r.text for r in row),
        row[0].x0,
        statistics.median(r.base for r in row),
        main.size,
        row[-1].x1,
        block=block,
        cells=len(row),
        spaced=row[0].spaced,
    )


def _set_edges(lines: list[Line]) -> None:
    """Each line's column edges, told by the long lines of its type size (a table or notes
    in smaller type beside the body text have edges of their own)."""
    classes: dict[float, list[Line]] = {}
    for ln in lines:
        key = next((k for k in classes if abs(k - ln.size) <= 0.1 * k), ln.size)
        classes.setdefault(key, []).append(ln)
    edges = {k: _edges([ln for ln in members if len(ln.text) >= 8]) for k, members in classes.items()}
    dominant = max(classes, key=lambda k: sum(len(ln.text) for ln in classes[k]))
    for key, members in classes.items():
        left, right = edges[key] or edges[dominant] or (None, None)
        steps = sorted(
            a.y - b.y for a, b in zip(members, members[1:]) if a.y is not None and b.y is not None and a.y > b.y
        )
        for ln in members:
            ln.left_edge, ln.right_edge = left, right
            ln.leading = steps[len(steps) // 2] if len(steps) >= 2 else None


def _edges(lines: list[Line]) -> tuple[float, float] | None:
    """The leftmost start and the rightmost end that two lines share (a closing punctuation
    mark that ends a line counts as hung past the margin), from three lines on."""
    if len(lines) < 3:
        return None
    size = statistics.median(ln.size for ln in lines) or 10.0
    starts = sorted(ln.x for ln in lines if ln.x is not None)
    ends = sorted(
        (ln.right - (ln.size if ln.text.endswith(_HUNG) else 0.0) for ln in lines if ln.right is not None), reverse=True
    )
    left = next((a for a, b in zip(starts, starts[1:]) if b - a <= 0.5 * size), starts[0])
    right = next((a for a, b in zip(ends, ends[1:]) if a - b <= 0.5 * size), ends[0])
    return left, right


def clean_line(text: str) -> str:
    """A line's text without note marks after figures, spaces beside lone Chinese characters
    or characters printed twice, its years printed with spaced digits joined."""
    text = drop_note_marks(text)
    text = _DOUBLED.sub(lambda m: m.group(0)[::2], text)
    return join_spaced_years(close_lone(text))
