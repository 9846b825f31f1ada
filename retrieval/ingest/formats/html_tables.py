"""Data tables of a web page, read before the page becomes lines.

Each ``<table>`` holding no further table (the innermost first) is read as a grid (``rowspan``
and ``colspan`` honoured) by :mod:`retrieval.ingest.formats.table_grid`; one whose values are mostly
figures is a data table and is replaced by one paragraph per row sentence, under its caption
(``<caption>``, else the text just above it). Others (a page laid out with a table) are left as
they are.
"""

from __future__ import annotations

from typing import Any

from .table_grid import read_tables
from .tables import Cell, Table, add_table, caption_from, grid_from_spans, leading_indent

_MAX_SPAN = 1000  # a rowspan or colspan larger than this is read as 1 (a damaged or hostile page)


def replace_tables(article) -> list[Table]:
    """Replace the data tables under ``article`` (an lxml element) with their row sentences;
    returns the tables in reading order."""
    import lxml.html

    found: list[tuple[Any, list[Table], list[str]]] = []  # (an lxml element: lxml has no types, …)
    for el in list(article.iter("table")):
        if any(t is not el for t in el.iter("table")):
            continue  # holds a table: a layout table around a data table
        above = _above(el)
        tables = read_tables(_grid(el), caption_from(above), len(found) + 1, require_numbers=True)
        if tables:
            found.append((el, tables, above))
    out: list[Table] = []
    for el, tables, above in found:
        lines: list[str] = list(above)  # the caption is not repeated when printed just above
        for table in tables:
            add_table(lines, table, out)
        lines = lines[len(above) :]
        block = lxml.html.Element("div")
        for line in lines:
            p = lxml.html.Element("p")
            p.text = line
            block.append(p)
        block.tail = el.tail
        parent = el.getparent()
        if parent is not None:
            parent.replace(el, block)
    return out


def _grid(table) -> list[list[Cell]]:
    rows = []
    for tr in table.iter("tr"):
        row = []
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            raw = td.text_content()
            row.append((Cell(raw, leading_indent(raw)), _span(td.get("rowspan")), _span(td.get("colspan"))))
        rows.append(row)
    return grid_from_spans(rows)


def _span(value: str | None) -> int:
    try:
        n = int((value or "1").strip())
    except ValueError:
        return 1
    return n if 1 <= n <= _MAX_SPAN else 1


def _above(table) -> list[str]:
    """The table's ``<caption>``, else the last two lines of text printed above it."""
    cap = table.find("caption")
    if cap is not None and cap.text_content().strip():
        return [cap.text_content().strip()]
    before: list[str] = []  # nearest first
    node = table
    while node is not None and len(before) < 2:
        prev = node.getprevious()
        while prev is not None and len(before) < 2:
            if isinstance(prev.tag, str) and prev.tag != "table":
                lines = [ln.strip() for ln in prev.text_content().splitlines() if ln.strip()]
                before.extend(reversed(lines[-2:]))
            prev = prev.getprevious()
        node = node.getparent()
    return list(reversed(before[:2]))
