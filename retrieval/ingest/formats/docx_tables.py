"""The body of a .docx in reading order: paragraphs one a line (a line cut short joined to its
continuation in the same container: :func:`~retrieval.ingest.formats.printed.runs_on`), tables one
sentence a row.

python-docx reads each table's grid (a cell merged across columns or down rows is one cell);
:mod:`retrieval.ingest.formats.table_grid` reads the grid. A table nested in a cell is read after the
table holding it. The caption is the paragraph just above the table (with a 单位 line under it;
empty paragraphs between are skipped). A table that reads as no data table (one row, one column) keeps its paragraphs as lines.
The XML has been checked by the caller (size, no DTD); python-docx's parser never resolves
entities.
"""

from __future__ import annotations

import re

from . import Extracted, ReadNotes
from .printed import close_lone, drop_note_marks, runs_on
from .table_grid import read_tables
from .tables import EMPTY, Cell, Table, add_table, caption_from, place_tables, unstack_rows

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_SPAN = 1000  # a cell spanning more grid columns than this: a damaged or hostile table
_MAX_CELLS = 500_000  # grid positions of one table read as a table at most
_ABOVE = 12  # lines above a table searched for its caption (empty paragraphs between are skipped)


def read_docx_body(xml: bytes) -> Extracted:
    """Text and tables of a checked ``word/document.xml``."""
    from docx.oxml import parse_xml

    root = parse_xml(xml)
    body = root.find(f"{_W}body")
    lines: list[str] = []
    tables: list[Table] = []
    stack = list(reversed(list(body if body is not None else root)))
    cut = None  # the container of the last line when it is a paragraph's that may run on
    while stack:
        node = stack.pop()
        if node.tag == f"{_W}tbl":
            if not _add_table(node, lines, tables):
                stack.extend(reversed(list(node)))  # not a data table: its paragraphs as lines
            cut = None
            continue
        if node.tag == f"{_W}p":
            line = close_lone(drop_note_marks(paragraph_text(node)))
            plain = not _set_apart(node)
            if plain and cut is not None and cut is node.getparent() and runs_on(lines[-1], line):
                lines[-1] = lines[-1].rstrip() + line.strip()
            else:
                lines.append(line)
            # A paragraph Word sets apart runs on only when it is prose: a sentence ends inside it.
            runs = line.strip() and (plain or "。" in line)
            cut = node.getparent() if runs else None
        stack.extend(reversed(list(node)))
    text = "\n".join(lines)
    return Extracted(text, "docx", notes=ReadNotes(pictures=count_pictures(root)), tables=place_tables(text, tables))


_PICTURE = (f"{_W}drawing", f"{_W}pict")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_IMAGE = (
    "{http://schemas.openxmlformats.org/drawingml/2006/main}blip",  # a picture
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart",  # a chart
    "{urn:schemas-microsoft-com:vml}imagedata",  # an old-style (VML) picture
)


def count_pictures(root) -> int:
    """Pictures and charts of a document's XML (a table printed as an image holds no text to
    read): each once, not again as its legacy copy (``mc:Fallback``) or as a drawing within a
    drawing; a text box or a plain shape is no picture (its text is read)."""
    count = 0
    for node in root.iter(*_PICTURE):
        ancestors = list(node.iterancestors())
        if any(a.tag in _PICTURE or a.tag == _FALLBACK for a in ancestors):
            continue
        if any(True for _ in node.iter(*_IMAGE)):
            count += 1
    return count


_HEADING_STYLE = re.compile(r"heading|title|标题|^\d$", re.I)


def _set_apart(para) -> bool:
    """A paragraph Word sets apart as a heading or list item (numbered, an outline level, a
    heading style, centred): never a line cut short, nor its continuation."""
    ppr = para.find(f"{_W}pPr")
    if ppr is None:
        return False
    num = ppr.find(f"{_W}numPr/{_W}numId")  # an empty numPr (as converters write) numbers nothing
    if (num is not None and num.get(f"{_W}val", "0") != "0") or ppr.find(f"{_W}outlineLvl") is not None:
        return True
    style, jc = ppr.find(f"{_W}pStyle"), ppr.find(f"{_W}jc")
    if style is not None and _HEADING_STYLE.search(style.get(f"{_W}val", "")):
        return True
    return jc is not None and jc.get(f"{_W}val") == "center"


def paragraph_text(para) -> str:
    """A paragraph's text: runs, tabs, and line breaks as spaces."""
    parts: list[str] = []
    for node in para.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append(" ")
    return "".join(parts)


def _add_table(tbl, lines: list[str], tables: list[Table]) -> bool:
    """Read ``tbl`` (and the tables nested in it) into ``lines``; False if it is no data table."""
    grid, nested = _grid(tbl)
    if grid is None:
        return False
    grid = unstack_rows(grid)
    found = read_tables(grid, caption_from([ln for ln in lines[-_ABOVE:] if ln.strip()]), len(tables) + 1)
    if not found:
        return False
    for table in found:
        add_table(lines, table, tables)
    for inner in nested:
        if not _add_table(inner, lines, tables):
            lines.extend(paragraph_text(p) for p in inner.iter(f"{_W}p"))
    return True


def _grid(tbl) -> tuple[list[list[Cell]] | None, list]:
    """The table's grid (None if python-docx cannot lay it out) and the tables nested in it."""
    from docx.table import Table as DocxTable

    cells: dict[object, Cell] = {}  # python-docx's cell element -> our cell (holds them alive)
    nested: list = []
    grid: list[list[Cell]] = []
    spans = [s.get(f"{_W}val") or "1" for s in tbl.iter(f"{_W}gridSpan", f"{_W}gridBefore", f"{_W}gridAfter")]
    if any(not v.isdigit() or int(v) > _MAX_SPAN for v in spans):
        return None, []  # a damaged or hostile table: its paragraphs are read as lines
    try:
        for row in DocxTable(tbl, None).rows:  # type: ignore[arg-type]  # rows never read the parent story part
            line = [EMPTY] * row.grid_cols_before
            for cell in row.cells:
                tc = cell._tc
                if tc not in cells:
                    cells[tc] = _cell(tc)
                    nested.extend(tc.iterchildren(f"{_W}tbl"))
                line.append(cells[tc])
            grid.append(line)
            if len(grid) * len(line) > _MAX_CELLS:
                return None, []
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError):
        return None, []
    return grid, nested


def _cell(tc) -> Cell:
    """A cell's paragraphs (not its nested tables) on one line, with its indentation."""
    paras = list(tc.iterchildren(f"{_W}p"))
    text = "\n".join(paragraph_text(p) for p in paras)  # paragraphs stay apart for unstack_rows
    indent = 0
    if paras:
        ind = paras[0].find(f"{_W}pPr/{_W}ind")
        if ind is not None:
            left = (
                ind.get(f"{_W}leftChars")
                or ind.get(f"{_W}firstLineChars")
                or ind.get(f"{_W}left")
                or ind.get(f"{_W}start")
                or "0"
            )
            indent = 1 if left.lstrip("-").isdigit() and int(left) > 0 else 0
    return Cell(text, indent)
