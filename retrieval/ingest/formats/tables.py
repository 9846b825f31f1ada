"""Tables as reports print them: one record for every format, and its text, one sentence a row.

A reader (.docx, web page, PDF) turns a table into a *grid*: rows of :class:`Cell`, where every
position a merged cell covers holds that same cell. The grid is read as a person would (:func:`retrieval.ingest.formats.table_grid.read_tables`: header rows, row-label columns, units,
side-by-side halves, sub-tables) into :class:`Table` records, and :func:`row_sentence` writes each
data row as one sentence that reads on its own::

    古丈县第一中学：学生数2148人，专任教师数150人。

The sentences are lines of the extracted text like any paragraph; :func:`place_tables` finds
where each table and row sits in that text (:class:`TablePlace`), for the chunker (the caption
becomes the rows' section) and for citations (表… › 第N行).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .printed import TABLE_META as _META, TABLE_NUMBER as _NUMBERED, drop_note_marks
from .table_places import TablePlace

_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SENTENCE_END = re.compile(r"[。！？；!?;]+")
_DOT_SPACE = re.compile(r"\.\s+")
_LEADING = re.compile(r"^[ \t\u3000\xa0]+")


@dataclass(frozen=True, eq=False)
class Cell:
    """One cell of a table; the same object fills every grid position a merged cell covers.
    ``indent`` is how far its text is indented (0: not, or not known), in levels."""

    text: str
    indent: int = 0


EMPTY = Cell("")


def clean_cell(raw: str) -> str:
    """A cell's text on one line: no breaks, no note marks (居住[3]), no spaces between Chinese
    characters, no sentence ends inside (a row is one sentence), ``1. 名称`` closed up."""
    text = drop_note_marks(re.sub(r"[\s\u3000\xa0]+", " ", raw or "")).strip()
    text = _CJK_GAP.sub("", text)
    text = _DOT_SPACE.sub(".", text)
    text = _SENTENCE_END.sub("，", text).strip("，, ")
    return text


def leading_indent(raw: str) -> int:
    """Indent levels of a cell from its leading spaces (a full-width space or two others a level)."""
    m = _LEADING.match(raw or "")
    if not m:
        return 0
    lead = m.group()
    return lead.count("\u3000") + (len(lead) - lead.count("\u3000")) // 2


def grid_from_spans(rows: list[list[tuple[Cell, int, int]]]) -> list[list[Cell]]:
    """The grid of rows given as (cell, rowspan, colspan) in reading order, as HTML writes them:
    a position a cell above still covers is skipped."""
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell, rowspan, colspan in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(max(1, rowspan)):
                while len(grid) <= r + dr:
                    grid.append([])
                line = grid[r + dr]
                for dc in range(max(1, colspan)):
                    while len(line) <= c + dc:
                        line.append(None)
                    if line[c + dc] is None:
                        line[c + dc] = cell
            c += max(1, colspan)
    grid = grid[: len(rows)]  # a rowspan past the last row covers nothing
    width = max((len(row) for row in grid), default=0)
    return [[cell or EMPTY for cell in row] + [EMPTY] * (width - len(row)) for row in grid]


def unstack_rows(grid: list[list[Cell]]) -> list[list[Cell]]:
    """Rows printed as one row of cells holding a paragraph per row (a table converted from
    PDF): when every filled cell of a row holds the same number of paragraphs (or one text
    printed that many times over: 万个万个万个), one row per paragraph; a line of a cell merged across columns that holds as many tab-separated
    figures as it spans gives each column its figure."""
    out: list[list[Cell]] = []
    for row in grid:
        distinct = list({id(c): c for c in row if c.text.strip()}.values())
        stacks = {id(c): [ln.strip() for ln in c.text.split("\n") if ln.strip()] for c in distinct}
        most = max((len(v) for v in stacks.values()), default=0)
        for key, lines in stacks.items():
            if len(lines) == 1 and most > 1 and lines[0] == lines[0][: len(lines[0]) // most] * most:
                stacks[key] = [lines[0][: len(lines[0]) // most]] * most  # 万个万个万个: one unit a row
        counts = {len(v) for v in stacks.values()}
        if len(counts) != 1 or counts == {1}:
            out.append(row)
            continue
        for k in range(counts.pop()):
            made: dict[int, Cell] = {}
            line: list[Cell] = []
            for c, cell in enumerate(row):
                if id(cell) not in stacks:
                    line.append(EMPTY)
                    continue
                text = stacks[id(cell)][k]
                span = [i for i, other in enumerate(row) if other is cell]
                parts = text.split("\t")
                if len(span) > 1 and len(parts) == len(span) and all(is_number(p) for p in parts):
                    line.append(Cell(parts[span.index(c)]))
                else:
                    line.append(made.setdefault(id(cell), Cell(text.replace("\t", " "))))
            out.append(line)
    return out


@dataclass(frozen=True)
class Value:
    column: str  # the column's label (its header rows merged), without the unit
    text: str
    unit: str = ""


@dataclass(frozen=True)
class Row:
    label: str  # the row's label (row-label columns joined; a parent kept where needed)
    values: tuple[Value, ...]


@dataclass
class Table:
    """A data table: its caption, one label per column, and its data rows."""

    caption: str
    columns: tuple[str, ...]
    rows: list[Row]
    unit: str = ""  # stated for the whole table (单位：亿元)
    page: int | None = None  # 1-based page where it starts (PDF)
    header: list[list[str]] = field(default_factory=list)  # per column: its header texts top-down
    continued: bool = False  # the rows go on from the table before (a table across pages)


def row_sentence(row: Row) -> str:
    """One data row as one sentence: ``行名：列名值单位，列名值单位。``"""
    parts = []
    for v in row.values:
        if not v.column:
            parts.append(f"{v.text}{v.unit}")
        elif is_number(v.text):
            parts.append(f"{v.column}{v.text}{v.unit}")
        else:
            parts.append(f"{v.column}为{v.text}")
    body = "，".join(parts)
    return f"{row.label}：{body}。" if row.label else f"{body}。"


def table_lines(table: Table) -> list[str]:
    """The sentences of a table's rows, in order."""
    return [row_sentence(row) for row in table.rows]


_NUMBER = re.compile(r"[-+−－]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*[%％‰]?")


def is_number(text: str) -> bool:
    """A figure as tables print them: 2148, 2,940.05, -0.7, 94.6%."""
    return _NUMBER.fullmatch(text.strip()) is not None


def place_tables(text: str, tables: list[Table], first: int = 0) -> list[TablePlace]:
    """Where each table's row sentences are in ``text`` (searched in order from ``first``);
    a table none of whose rows is found is left out."""
    places: list[TablePlace] = []
    pos = first
    for table in tables:
        starts: list[int] = []
        end = pos
        for line in table_lines(table):
            at = text.find(line, end)
            if at < 0:
                continue
            starts.append(at)
            end = at + len(line)
        if not starts:
            continue
        if table.continued and places and places[-1].caption == table.caption:
            last = places.pop()
            places.append(TablePlace(last.caption, last.start, end, last.rows + tuple(starts), last.caption_at))
            pos = end
            continue
        places.append(
            TablePlace(table.caption, starts[0], end, tuple(starts), _caption_line(text, starts[0], table.caption))
        )
        pos = end
    return places


def _caption_line(text: str, before: int, caption: str) -> tuple[int, int] | None:
    """The offsets of the caption's line among the three lines above ``before`` (its two lines
    when the title is wrapped; a line under it that only numbers the table or gives its unit is
    passed over), or None."""
    want = _squeeze(caption)
    end = before
    found: tuple[int, int] | None = None
    for _ in range(3):
        line_end = text.rfind("\n", 0, end)
        if line_end < 0:
            break
        start = text.rfind("\n", 0, line_end) + 1
        line = _squeeze(text[start:line_end])
        if line and want in line:
            return start, line_end
        if line and line in want and not (found is None and _only_numbers(text[start:line_end])):
            found = (start, found[1] if found else line_end)
        elif found is not None:
            break
        end = start
    if found is not None and 2 * len(_squeeze(text[found[0] : found[1]])) >= len(want):
        return found
    return None


def _only_numbers(line: str) -> bool:
    """A line that only numbers a table or gives its unit (表一 单位：万元, 单位：元)."""
    line = line.strip()
    number = _NUMBERED.match(line)
    rest = line[number.end() :] if number else line
    return bool(number or _META.search(line)) and (not rest or _META.search(rest) is not None)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s（）()]+", "", text)


def clean_caption(text: str) -> str:
    """A caption on one line, its white space closed up as in cells."""
    return _CJK_GAP.sub("", re.sub(r"[\s\u3000\xa0]+", " ", text)).strip()


_CAPTION_END = re.compile(r"[。！？；!?;，,]$")
_UNIT = re.compile(r"单位[:：]\s*[^\s，,。；;)）]{1,8}")


def caption_from(before: list[str]) -> str:
    """A table's caption from the lines printed just above it (nearest last): a short line that
    is not a sentence, a title wrapped over two lines joined, and a line under it that only
    numbers the table or gives its unit (单位：万元, 表一 单位：万元) joined on."""
    lines = [ln.strip() for ln in before if ln.strip()][-3:]
    if not lines:
        return ""
    last = lines[-1]
    if _only_numbers(last) and len(lines) >= 2:
        title = _title(lines[:-1])
        if title:
            number = _NUMBERED.match(last)
            unit = _UNIT.search(last)
            named = f"{_squeeze(number.group())} {title}" if number else title
            return f"{named}（{unit.group()}）" if unit else named
    return _title(lines)


_WRAPPED_TAIL = 8  # the end of a title wrapped onto a line of its own (决算表, 分地区决算表) is this short


def _title(lines: list[str]) -> str:
    """The caption-like last line, joined to the line above when it is the end of a title
    wrapped over two lines (…转移支付分地区 / 决算表)."""
    last = lines[-1]
    if len(lines) >= 2 and len(last) <= _WRAPPED_TAIL and last.endswith("表") and not _NUMBERED.match(last):
        above = lines[-2]
        if _caption_like(above) and not above.endswith("表") and not _META.search(above) and not _NUMBERED.match(above):
            return clean_caption(above + last)
    return last if _caption_like(last) else ""


def _caption_like(line: str) -> bool:
    """A short line that is no sentence, no figure and no outline heading (一、 （二） 3.)."""
    from ...lang.headings import heading_level

    return (
        2 <= len(line) <= 60
        and not _CAPTION_END.search(line)
        and not re.fullmatch(r"[\d\s.,%-]+", line)
        and heading_level(line) is None
    )


def add_table(lines: list[str], table: Table, tables: list[Table]) -> None:
    """Append ``table`` to the text being built (``lines``) and to ``tables``: its caption as a
    line of its own unless it is just above, then its rows' sentences."""
    rows = table_lines(table)
    if not rows:
        return
    previous = tables[-1] if tables else None
    above = _squeeze("".join(lines[-2:]))
    continued = (
        previous is not None
        and previous.caption == table.caption
        and bool(lines)
        and lines[-1] == table_lines(previous)[-1]
    )
    if _squeeze(table.caption) not in above and not continued:
        lines.append(table.caption)
    tables.append(table)
    lines.extend(rows)
