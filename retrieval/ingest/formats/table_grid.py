"""How a grid of cells reads as data tables (the rules behind :mod:`retrieval.ingest.formats.tables`).

- **Sub-tables**: a row that is one merged cell across the table (第二十条 第（一）项) starts a
  sub-table; it joins the caption, and the rows after it bring their own header (or, printed
  without one, take the header before).
- **Header rows**: the leading rows with no figure in them (at most :data:`MAX_HEADER_ROWS`); a
  table without figures has one. Each column's label is its header cells top-down, a merged cell
  once (债务限额 over 合计/一般/专项 → ``债务限额 一般``). A unit in a column's label moves to
  its values (招生数（人） → 招生数66953人; 比上年增长% → 比上年增长9.1%); a column headed 单位
  gives the unit of its row's figures; 单位：亿元 in the caption or a header cell, of every figure
  that is not a rate.
- **Side by side**: a table whose lowest header row repeats (项目 预算数 项目 预算数), or whose
  first column's header comes again (项目 决算数 项目 合计 …), is read as its halves.
- **Row labels**: the columns before the first column of figures that follows a column of words
  (科目编码 类/款/项 and 科目名称 together); a merged label covering several rows repeats on each.
  A child row (indented, or 其中： / #) keeps its parent's label when its own occurs twice in the table
  (旅客运输量 / 货物运输量 → 铁路); in a table printed without indentation its parent is the
  nearest row above whose label occurs once.
- A unit in brackets ending a row's label (常住人口（万人）) moves to the row's figures, in a
  table without a unit of its own.
- A merged cell's value is read once per row; empty cells, dashes and empty rows are left out.
"""

from __future__ import annotations

import re

from .tables import EMPTY, Cell, Row, Table, Value, clean_caption, clean_cell, is_number, leading_indent

MAX_HEADER_ROWS = 5
LABEL_SHARE = 0.5  # a column whose non-empty body cells are mostly words (not figures) holds labels
MIN_NUMBER_SHARE = 0.5  # a data table (where figures are required): this share of its values are figures
BAND_SHARE = 0.6  # a merged cell across at least this share of a row's width is a sub-table's title
_UNIT_HEADER = re.compile(r"^(?:计量)?单位$")
_UNIT_ALONE = re.compile(r"^[（(]?\s*单位[:：]\s*([^\s，,。；;)）]{1,8})\s*[)）]?$")
_UNIT_IN_TEXT = re.compile(r"单位[:：]\s*([^\s，,。；;)）]{1,8})")
_UNIT_BRACKET = re.compile(r"\s*[（(]\s*(?:单位[:：]\s*)?([^（()）=\d\s]{1,6}|%|％)\s*[)）]$")
_PERCENT_END = re.compile(r"(?<=[\u3400-\u9fff])\s*([%％‰])$")
_RATE = re.compile(r"增长|增速|增减|涨跌|比上年|比重|占|率|%|％|指数|幅度|性别比|同比|为.*的")
_DASHES = re.compile(r"^[-—–－~～/／\\.…·]+$")
_CHILD = re.compile(r"^(?:其中\s*[:：]?|[#＃])\s*")


def read_tables(
    grid: list[list[Cell]],
    caption: str = "",
    number: int = 1,
    require_numbers: bool = False,
    header: list[list[str]] | None = None,
    header_rows: int | None = None,
) -> list[Table]:
    """The data tables of ``grid``; ``number`` names one printed without a caption (表3), and
    with ``require_numbers`` a grid whose values are mostly words (a page laid out with a
    table) gives none. ``header`` (per column, its header texts) is the header of the table
    this one continues, for rows printed without one; ``header_rows`` fixes how many rows head
    each (sub-)table when the reader knows (else they are the leading rows without figures)."""
    width = max((len(row) for row in grid), default=0)
    grid, keep = _tidy_kept(grid)
    if header is not None and len(header) == width:
        header = [header[c] for c in keep]  # the columns this page leaves empty are dropped from both
    if len(grid) < 2 or len(grid[0]) < 2:
        return []
    caption = clean_caption(caption) or f"表{number}"
    tables: list[Table] = []
    for sub_caption, rows in _segments(grid):
        title = (
            caption
            if not sub_caption or sub_caption.replace(" ", "") in caption.replace(" ", "")
            else sub_caption
            if re.fullmatch(r"表\d+", caption)
            else f"{caption} {sub_caption}"
        )
        found, header = _read(rows, title, header, header_rows)
        tables.extend(found)
    if require_numbers:
        values = [v.text for t in tables for r in t.rows for v in r.values]
        if not values or sum(map(is_number, values)) < MIN_NUMBER_SHARE * len(values):
            return []
    return [t for t in tables if t.rows]


def trailing_title(grid: list[list[Cell]]) -> str:
    """The title of a sub-table that begins on the grid's last row (its rows on the next page)."""
    grid = _tidy(grid)
    return _band(grid[-1]) if grid and len(grid[0]) >= 2 else ""


def _tidy(grid: list[list[Cell]]) -> list[list[Cell]]:
    """Cell texts cleaned (merged cells stay one object), empty rows and columns dropped."""
    return _tidy_kept(grid)[0]


def _tidy_kept(grid: list[list[Cell]]) -> tuple[list[list[Cell]], list[int]]:
    """:func:`_tidy`, and the columns of ``grid`` it keeps."""
    clean: dict[int, Cell] = {}

    def tidy(cell: Cell) -> Cell:
        if id(cell) not in clean:
            text = clean_cell(cell.text)
            clean[id(cell)] = Cell(text, cell.indent or leading_indent(cell.text)) if text else EMPTY
        return clean[id(cell)]

    rows = [[tidy(c) for c in row] for row in grid]
    rows = [row for row in rows if any(c.text for c in row)]
    keep = [c for c in range(max((len(r) for r in rows), default=0)) if any(c < len(r) and r[c].text for r in rows)]
    return [[row[c] if c < len(row) else EMPTY for c in keep] for row in rows], keep


def _band(row: list[Cell]) -> str:
    """The title of a sub-table when ``row`` is one merged cell across the table, else ''."""
    filled = [c for c in row if c.text]
    if not filled or any(c is not filled[0] for c in filled) or is_number(filled[0].text):
        return ""
    span = sum(1 for c in row if c is filled[0])
    return filled[0].text if span >= max(2, BAND_SHARE * len(row)) else ""


def _segments(grid: list[list[Cell]]) -> list[tuple[str, list[list[Cell]]]]:
    out: list[tuple[str, list[list[Cell]]]] = [("", [])]
    for row in grid:
        title = _band(row)
        if title:
            out.append((title, []))
        else:
            out[-1][1].append(row)
    return [(title, rows) for title, rows in out if rows]


def _header_count(rows: list[list[Cell]]) -> int:
    n = 0
    for row in rows[:MAX_HEADER_ROWS]:
        if any(is_number(c.text) for c in row):
            break
        n += 1
    if n == len(rows) or (n == MAX_HEADER_ROWS and len(rows) > n and not any(is_number(c.text) for c in rows[n])):
        return 1 if len(rows) > 1 else 0  # no figures: a table of words, headed by its first row
    return n


def _labels(rows: list[list[Cell]], h: int) -> list[list[str]]:
    """Each column's header texts top-down, a merged or repeated text once."""
    labels = []
    for c in range(len(rows[0])):
        parts: list[str] = []
        seen: set[int] = set()
        for r in range(h):
            cell = rows[r][c]
            if cell.text and id(cell) not in seen and cell.text not in parts:
                parts.append(cell.text)
            seen.add(id(cell))
        labels.append(parts)
    return labels


def _halves(rows: list[list[Cell]], bottom: list[str]) -> list[list[list[Cell]]]:
    """A table printed as two or more tables side by side (its lowest header row ``bottom``
    repeats), split; else the table itself."""
    width = len(rows[0])
    if len(bottom) != width:
        return [rows]
    for p in range(2, width // 2 + 1):
        if width % p:
            continue
        blocks = [tuple(bottom[k : k + p]) for k in range(0, width, p)]
        if all(b == blocks[0] for b in blocks) and sum(1 for t in blocks[0] if t) >= 2:
            return [[row[k : k + p] for row in rows] for k in range(0, width, p)]
    starts = [k for k in range(width) if k == 0 or (bottom[0] and bottom[k] == bottom[0])]
    if len(starts) > 1 and all(b - a >= 2 for a, b in zip(starts, [*starts[1:], width])):
        # halves of different widths, each led by the same label column (项目 决算数 | 项目 合计 …)
        return [[row[a:b] for row in rows] for a, b in zip(starts, [*starts[1:], width])]
    return [rows]


def _read(
    rows: list[list[Cell]], caption: str, inherited: list[list[str]] | None, header_rows: int | None = None
) -> tuple[list[Table], list[list[str]] | None]:
    """The tables of one sub-table, and its header (per column) for a sub-table after it."""
    h = _header_count(rows) if header_rows is None else min(header_rows, len(rows))
    if header_rows is None and inherited and not _repeats(rows[:h], inherited):
        h = 0  # rows without figures at the top of a continued table are its rows, not a header
    full: list[list[str]] | None
    if h:
        full = _labels(rows, h)
    else:
        full = inherited if inherited and len(inherited) == len(rows[0]) else None
    heads = [[c.text for c in row] for row in rows[:h]]
    out = []
    halves = _halves(rows, [parts[-1] if parts else "" for parts in full] if full else [])
    start = 0
    for block in halves:
        width = len(block[0])
        labels = full[start : start + width] if full else [[] for _ in range(width)]
        start += width
        table, units = _columns(labels, caption)
        table.header = labels
        body = [row for row in block[h:] if [c.text for c in row] not in heads]  # a header printed again
        table.rows = _rows(body, table, units, _label_columns(body, units))
        out.append(table)
    return out, full


def _repeats(rows: list[list[Cell]], header: list[list[str]]) -> bool:
    """Whether ``rows`` print again some of the texts of ``header`` (a header repeated on a new page)."""
    texts = {t for parts in header for t in parts}
    return any(c.text in texts for row in rows for c in row if c.text)


def _columns(labels: list[list[str]], caption: str) -> tuple[Table, list[str | None]]:
    """The table record with one label per column, units taken out of the header texts; per
    column its unit ('' none, None for the column of units)."""
    unit = m.group(1) if (m := _UNIT_IN_TEXT.search(caption)) else ""
    columns: list[str] = []
    units: list[str | None] = []
    for parts in labels:
        own = ""
        words = []
        for part in parts:
            if m := _UNIT_ALONE.match(part):
                unit = unit or m.group(1)
                continue
            if m := _UNIT_BRACKET.search(part) or _PERCENT_END.search(part):
                own, part = m.group(1), part[: m.start()].strip()
            if part:
                words.append(part)
        label = " ".join(words)
        columns.append(label)
        units.append(None if _UNIT_HEADER.match(label.replace(" ", "")) else own)
    return Table(caption, tuple(columns), [], unit), units


def _label_columns(body: list[list[Cell]], units: list) -> int:
    """How many leading columns hold the row labels."""
    width = len(units)
    kinds = []
    for c in range(width):
        texts = [row[c].text for row in body if row[c].text and not _DASHES.match(row[c].text)]
        words = sum(1 for t in texts if not is_number(t))
        kinds.append(
            "unit"
            if units[c] is None
            else "empty"
            if not texts
            else "words"
            if words > LABEL_SHARE * len(texts)
            else "figures"
        )
    for c in range(1, width):
        if kinds[c] == "figures" and any(k == "words" for k in kinds[:c]):
            return c
    return 0 if all(k in ("figures", "empty") for k in kinds) else 1


def _rows(body: list[list[Cell]], table: Table, units: list, n_labels: int) -> list[Row]:
    width = len(units)
    unit_col = next((c for c in range(width) if units[c] is None), None)
    named = []  # (label, indent, values) per body row
    for row in body:
        seen: set[int] = set()
        parts: list[str] = []
        for c, cell in enumerate(row[:n_labels]):
            if c != unit_col and cell.text and id(cell) not in seen and cell.text not in parts:
                parts.append(cell.text)
            seen.add(id(cell))
        row_unit = row[unit_col].text if unit_col is not None else ""
        if not row_unit and not table.unit and parts and (own := label_unit(parts[-1])):
            row_unit, parts[-1] = own, parts[-1][: -len(own) - 2].strip()  # 常住人口（万人）
        values = []
        for c in range(n_labels, width):
            cell = row[c]
            if c == unit_col or not cell.text or id(cell) in seen or _DASHES.match(cell.text):
                continue
            seen.add(id(cell))
            values.append(
                Value(table.columns[c], cell.text, _unit(cell.text, units[c], row_unit, table.unit, table.columns[c]))
            )
        names = [row[c] for c in range(n_labels) if c != unit_col]
        name_cell = names[-1] if names else EMPTY
        named.append((" ".join(parts), name_cell.indent, values))
    return [Row(label, tuple(values)) for label, values in _with_parents(named) if values]


def label_unit(label: str) -> str:
    """The unit a row's label ends with in brackets (常住人口（万人） → 万人), when it is a unit
    figures are counted in; else ''."""
    from ...lang.shapes import ANSWER_SHAPES

    m = re.search(r"[（(]([^（()）=\d\s]{1,4})[)）]$", label)
    return m.group(1) if m and ANSWER_SHAPES["number"].fullmatch(f"1{m.group(1)}") else ""


def _unit(text: str, own: str | None, row_unit: str, table_unit: str, column: str) -> str:
    if not is_number(text) or text.endswith(("%", "％", "‰")):
        return ""
    unit = own or (row_unit if not _RATE.search(column) else "") or (table_unit if not _RATE.search(column) else "")
    return "" if unit and text.endswith(unit) else unit


def _with_parents(named: list[tuple[str, int, list]]) -> list[tuple[str, list]]:
    """Row labels with their parent's label where their own occurs twice in the table."""
    bare = [_CHILD.sub("", label) for label, _, _ in named]
    counts: dict[str, int] = {}
    for b in bare:
        counts[b] = counts.get(b, 0) + 1
    if not any(indent for _, indent, _ in named):
        return _flat_parents(named, bare)
    stack: list[tuple[int, str]] = []  # (indent, label) of the rows that may be parents
    group: tuple[int, str] | None = None  # after a 其中 row: its parent, while rows are indented more
    out = []
    for (label, indent, values), own in zip(named, bare):
        parent = ""
        if _CHILD.match(label):
            while stack and stack[-1][0] > indent:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            group = stack[-1] if stack else None
        elif group is not None and indent > group[0]:
            parent = group[1]
        else:
            group = None
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            stack.append((indent, own))
        if parent and counts.get(own, 0) > 1:
            out.append((f"{parent} {own}", values))
        else:
            out.append((own if _CHILD.match(label) else label, values))
    return out


def _flat_parents(named: list[tuple[str, int, list]], bare: list[str]) -> list[tuple[str, list]]:
    """Parents in a table printed without indentation: a row whose label occurs twice (with
    other values: a row printed twice is one row) is under the nearest row above whose label
    occurs once (货物运输总量 / 货物运输周转量 → 公路)."""
    distinct: dict[str, set] = {}
    for (_, _, values), own in zip(named, bare):
        distinct.setdefault(own, set()).add(tuple(values))
    out = []
    head = ""
    for (_, _, values), own in zip(named, bare):
        if own and len(distinct[own]) > 1:
            out.append((f"{head} {own}" if head else own, values))
        else:
            head = own or head
            out.append((own, values))
    return out
