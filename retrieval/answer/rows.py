"""A table row's sentence read back into its parts, and the cell a question asks about.

Tables are read one sentence a row (``retrieval/ingest/formats/tables.py``): ``行名：列名值单位，
列名值单位。``, a column's header repeated in every cell. A question about a row × column value
names the row and one column; the other cells' headers say nothing about it. :func:`row_parts`
splits a row's normalised sentence into its label and cells, :func:`asked_cell` picks the cell the
question's words match best, and :func:`row_focus` gives what the row's length is weighed by:
its label and that cell, not every column's header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lang.headings import without_mark

# A comma between cells, not one inside a figure (6,522,681元).
_CELL_BREAK = re.compile(r",(?!\d{3}(?:\D|$))")


def _opens_cell(fragment: str) -> bool:
    """A cell starts with its header (words); a fragment starting with a figure or a code
    (130301戏剧戏曲学 in a list of majors) continues the cell before it."""
    return bool(fragment) and not fragment[0].isdigit()


def row_parts(norm: str) -> tuple[str, list[str]]:
    """The label and cells of a table row's normalised sentence (``label:cell,cell。``); a row
    without a label has ``""``."""
    label, colon, body = norm.partition(":")
    if not colon:
        label, body = "", norm
    cells: list[str] = []
    for fragment in _CELL_BREAK.split(body.strip().rstrip("。.;")):
        fragment = fragment.strip()
        if cells and not _opens_cell(fragment):
            cells[-1] = f"{cells[-1]},{fragment}"
        elif fragment:
            cells.append(fragment)
    return label.strip(), cells


def _weight_in(text: str, terms: Sequence[tuple[str, float]]) -> float:
    return sum(w for t, w in terms if t in text)


def asked_cell(cells: Sequence[str], terms: Sequence[tuple[str, float]]) -> str:
    """The cell whose text holds the most weight of the question's ``terms`` (term, weight); the
    first cell when none holds any."""
    if not cells:
        return ""
    weights = [_weight_in(cell, terms) for cell in cells]
    return cells[max(range(len(cells)), key=lambda i: (weights[i], -i))]


# A remark in brackets, which is not the row's name.
_REMARK = re.compile(r"[(（][^)）]*[)）]")


def label_share(label: str, named: set[str]) -> float:
    """The share of the characters of a row's own name that the question's ``named`` terms cover:
    the label's last part (a parent row's label, a code and a list mark come before it), its
    remarks in brackets aside."""
    words = _REMARK.sub("", label).split()
    core = without_mark(words[-1]).strip() if words else ""
    if not core:
        return 0.0
    covered = [False] * len(core)
    for term in named:
        start = core.find(term)
        while start >= 0:
            covered[start : start + len(term)] = [True] * len(term)
            start = core.find(term, start + 1)
    return sum(covered) / len(core)


def qualified_away(term: str, cell: str, words: set[str]) -> bool:
    """The question says ``term`` only as part of a longer word of its own whose other part, also
    one of its ``words``, ``cell`` lacks: 人口 of 常住人口 asked is not 户籍人口 in the cell."""
    for longer in words:
        if len(longer) > len(term) and term in longer and longer not in cell:
            rest = longer.replace(term, "", 1)
            if rest in words and rest not in cell:
                return True
    return False


def names_column(term: str, cell: str) -> bool:
    """``term`` is in ``cell`` other than as the unit of a figure (万人 in 户籍人口122.12万人 is
    what is counted, not which column)."""
    start = cell.find(term)
    while start >= 0:
        if start == 0 or not cell[start - 1].isdigit():
            return True
        start = cell.find(term, start + 1)
    return False


def row_focus(
    norm: str, terms: Sequence[tuple[str, float]], label_needed: float = 0.0, naming: Sequence[str] = ()
) -> tuple[int, str, bool]:
    """What of a table row's sentence answers the question: the characters of its label and asked
    cell (what the sentence's length is weighed by), that cell, and whether the question names
    both the row and the column: terms covering at least ``label_needed`` of the label, and
    another term in the cell's header (a row × column question, 科学教师 … 专科专业; a word such as
    其他 inside 其他行政事业单位养老支出 does not name that row; 人口 of 常住人口 does not name the
    column 户籍人口). ``naming``: the question's words that name the row's report, which count
    towards naming its row (政府信息公开 of 本年新收政府信息公开申请数量) but never its column."""
    label, cells = row_parts(norm)
    cell = asked_cell(cells, terms)
    words = {t for t, _ in terms}
    in_label = {t for t in words if t in label}
    crossed = (
        bool(in_label)
        and label_share(label, in_label | {t for t in naming if t in label}) >= label_needed
        and any(
            names_column(t, cell)
            and t not in in_label
            and not any(t in u for u in in_label)
            and not qualified_away(t, cell, words)
            for t in words
        )
    )
    return len(label) + len(cell), cell, crossed


_BARE_FIGURE = re.compile(r"\d(?:[\d,.]*\d)?\s*$")


def bare_figure(cell: str) -> bool:
    """The cell ends in a figure without a unit (总计454; 9.1% has one): a table states its unit
    once, in its caption or header (单位：万元), or not at all for counts; the figure is of
    whatever is asked."""
    return bool(_BARE_FIGURE.search(cell))
