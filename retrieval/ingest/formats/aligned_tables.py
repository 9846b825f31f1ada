"""Tables set out in aligned columns on a PDF page, without rules between the cells.

From the words of a page (pdfplumber's, outside the ruled tables):

1. Words on one baseline form a line; a line splits into pieces at gaps wider than
   :data:`GAP` characters.
2. A *row* is a line of two or more pieces, one of them a figure, none holding sentence
   punctuation (，。；); a *head* line has two or more pieces and no figure; a *single* line is one
   short piece. A table is a run of rows (at least :data:`MIN_ROWS`, or one row of at least
   :data:`ONE_ROW_FIGURES` figures), the single lines among and just under them, and the head and single lines just
   above them that sit within its columns (a caption spans them and ends the header).
3. Columns are the x-ranges of the rows' pieces merged where they overlap.
4. A single line in the first column goes into the row beside it that has no label (常住人口 /
   （万人） printed above and below the figures), or continues the label of the row just above;
   otherwise it is a row of its own (a group heading, the parent of the rows under it).
"""

from __future__ import annotations

import re
from statistics import median

from .tables import EMPTY, Cell, is_number

GAP = 1.0  # characters: a wider gap between words separates pieces of a line (any gap, between figures)
MIN_ROWS = 2
ONE_ROW_FIGURES = 3  # ... or one row of at least this many figures
_PROSE = re.compile(r"[，。；！？]|(?<=\D),|,(?=\D)")
_MAX_SINGLE = 24  # characters: a longer lone piece is prose or a caption


def aligned_tables(words: list[dict]) -> list[tuple[tuple[float, float, float, float], list[list[Cell]]]]:
    """(box as (top, bottom, x0, x1), grid) of each aligned table among ``words``."""
    lines = _lines(words)
    out = []
    i = 0
    while i < len(lines):
        if lines[i]["kind"] != "row":
            i += 1
            continue
        j = i
        step = lines[i]["size"] * 2.6
        while (
            j + 1 < len(lines)
            and lines[j + 1]["kind"] in ("row", "single")
            and lines[j + 1]["top"] - lines[j]["bottom"] <= step
        ):
            j += 1
        while j > i and lines[j]["kind"] == "single" and lines[j - 1]["kind"] == "single":
            j -= 1  # prose after the table
        start = i
        while (
            start > 0
            and lines[start - 1]["kind"] == "single"
            and _first_label(lines[start]) is False
            and lines[start - 1]["pieces"][0]["x1"] <= lines[start]["pieces"][0]["x0"]
            and lines[start]["top"] - lines[start - 1]["bottom"] <= step
        ):
            start -= 1  # a row's label printed on the line above it (常住人口 over its figures)
        block = lines[start : j + 1]
        rows = [ln for ln in block if ln["kind"] == "row"]
        if len(rows) >= MIN_ROWS or (rows and sum(is_number(p["text"]) for p in rows[0]["pieces"]) >= ONE_ROW_FIGURES):
            columns = _columns(rows + [ln for ln in block[: i - start]])
            if len(columns) >= 2:
                head = _header(lines[:start], columns, step)
                grid = _grid(head + block, columns)
                every = head + block
                box = (
                    min(ln["top"] for ln in every),
                    max(ln["bottom"] for ln in every),
                    min(p["x0"] for ln in every for p in ln["pieces"]),
                    max(p["x1"] for ln in every for p in ln["pieces"]),
                )
                out.append((box, grid))
        i = j + 1
    return out


def _lines(words: list[dict]) -> list[dict]:
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= 0.5 * max(w["bottom"] - w["top"], 1.0):
            rows[-1].append(w)
        else:
            rows.append([w])
    lines = []
    for ws in rows:
        ws.sort(key=lambda w: w["x0"])
        size = median(w["bottom"] - w["top"] for w in ws) or 10.0
        pieces = [dict(ws[0])]
        for w in ws[1:]:
            gap = w["x0"] - pieces[-1]["x1"]
            if gap > GAP * size or (gap > 0.25 * size and is_number(w["text"]) and is_number(pieces[-1]["text"])):
                pieces.append(dict(w))
            else:
                pieces[-1]["text"] += ("" if w["x0"] - pieces[-1]["x1"] < 0.3 * size else " ") + w["text"]
                pieces[-1]["x1"] = w["x1"]
        lines.append(
            {
                "top": min(w["top"] for w in ws),
                "bottom": max(w["bottom"] for w in ws),
                "size": size,
                "pieces": pieces,
                "kind": _kind(pieces),
            }
        )
    return lines


def _kind(pieces: list[dict]) -> str:
    texts = [p["text"] for p in pieces]
    if any(_PROSE.search(t) for t in texts):
        return "prose"
    if len(texts) == 1:
        return "single" if len(texts[0]) <= _MAX_SINGLE else "prose"
    return "row" if any(is_number(t) for t in texts) else "head"


def _columns(rows: list[dict]) -> list[tuple[float, float]]:
    spans = sorted((p["x0"], p["x1"]) for ln in rows for p in ln["pieces"])
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _covers(piece: dict, columns: list[tuple[float, float]]) -> list[int]:
    hit = [k for k, (a, b) in enumerate(columns) if piece["x0"] < b and piece["x1"] > a]
    if hit:
        return hit
    mid = (piece["x0"] + piece["x1"]) / 2
    return [min(range(len(columns)), key=lambda k: abs((columns[k][0] + columns[k][1]) / 2 - mid))]


def _header(above: list[dict], columns: list[tuple[float, float]], step: float) -> list[dict]:
    """The head and single lines just above the first row that sit within its columns."""
    head: list[dict] = []
    for ln in reversed(above[-4:]):
        nearest = head[0] if head else None
        if nearest is not None and nearest["top"] - ln["bottom"] > step:
            break
        if ln["kind"] not in ("head", "single") or (
            ln["kind"] == "single" and len(_covers(ln["pieces"][0], columns)) > 1
        ):
            break  # prose, or a caption over several columns
        head.insert(0, ln)
    return head[-3:] if len(head) > 3 else head


def _grid(lines: list[dict], columns: list[tuple[float, float]]) -> list[list[Cell]]:
    width = len(columns)
    left = min((p["x0"] for ln in lines if ln["kind"] == "row" for p in ln["pieces"][:1]), default=0.0)
    grid: list[list[Cell]] = []
    kinds: list[str] = []
    for ln in lines:
        row: list[Cell] = [EMPTY] * width
        for p in _split(ln["pieces"], columns):
            cols = _covers(p, columns)
            indent = round((p["x0"] - left) / ln["size"]) if cols[0] == 0 and p["x0"] > left else 0
            if len(cols) == 1 and row[cols[0]].text:  # two pieces in one column: one cell
                cell = Cell(row[cols[0]].text + p["text"], row[cols[0]].indent)
            else:
                cell = Cell(p["text"], max(0, indent))
            for k in cols:
                row[k] = cell
        if ln["kind"] == "single" and _covers(ln["pieces"][0], columns)[0] == 0 and _merge(grid, kinds, row, ln, lines):
            continue
        grid.append(row)
        kinds.append(ln["kind"])
    return grid


def _split(pieces: list[dict], columns: list[tuple[float, float]]) -> list[dict]:
    """Pieces over several columns with as many words as columns, split word by word (two
    headings set close together)."""
    out: list[dict] = []
    for p in pieces:
        cols = _covers(p, columns)
        words = p["text"].split()
        if len(cols) > 1 and len(words) == len(cols):
            out.extend({**p, "text": w, "x0": columns[k][0], "x1": columns[k][1]} for w, k in zip(words, cols))
        else:
            out.append(p)
    return out


def _merge(grid: list[list[Cell]], kinds: list[str], row: list[Cell], ln: dict, lines: list[dict]) -> bool:
    """Put a lone label into the row beside it that has none, or onto the label above."""
    at = lines.index(ln)
    after = lines[at + 1] if at + 1 < len(lines) else None
    if after is not None and after["kind"] == "row" and not _first_label(after):
        after["pieces"].insert(0, dict(ln["pieces"][0]))
        after["kind"] = "row"
        return True
    if grid and kinds[-1] == "row" and at and ln["top"] - lines[at - 1]["bottom"] < 0.8 * ln["size"]:
        last = grid[-1]
        if last[0].text:
            merged = Cell(last[0].text + row[0].text, last[0].indent)
            grid[-1] = [merged if c is last[0] else c for c in last]
        else:
            grid[-1] = [row[0]] + last[1:]
        return True
    return False


def _first_label(line: dict) -> bool:
    return bool(line["pieces"]) and not is_number(line["pieces"][0]["text"])
