"""Legacy Word documents (.doc, Word 97–2003): read through Debian's ``antiword``.

``antiword -x db`` writes the document as DocBook XML, which keeps each table cell whole
(its plain-text output wraps cells across lines). Paragraphs become lines; each table (each
``tgroup``: antiword starts one where the number of columns changes) is read by the tables
module with its first row as the header, each data row one sentence under the table's caption
(:func:`row_lines`); a table that reads as no data table keeps one line per row, its cells
separated by tabs. Without ``antiword`` on the machine, a .doc is skipped with a message naming
what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from . import Extracted, UnreadableFile
from .registry import Format
from .table_grid import read_tables
from .tables import Cell, Table, add_table, caption_from, grid_from_spans, place_tables

OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")  # the compound-file header of Word 97–2003 files
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>", re.S)
_CJK_EDGE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
INSTALL = "antiword（Debian/Ubuntu：apt-get install antiword）"


def missing() -> str:
    """ "" when antiword can be run, else what to install."""
    return "" if shutil.which("antiword") else INSTALL


def _join(lines: list[str]) -> str:
    """The lines of one paragraph or cell as one line: no space between Chinese characters."""
    out = ""
    for line in (_SPACES.sub(" ", ln).strip() for ln in lines):
        if not line:
            continue
        if out and not (_CJK_EDGE.match(out[-1]) or _CJK_EDGE.match(line[0])):
            out += " "
        out += line
    return out


def _text(el) -> str:
    return _join("".join(el.itertext()).splitlines())


def row_lines(rows: list[list[str]], above: list[str], tables: list[Table]) -> list[str]:
    """The lines of one table whose rows of cells are ``rows``, printed under the lines
    ``above``: a data table (its first row the header) as its rows' sentences, under its
    caption unless that is just above (it joins ``tables``); else one line per row, its cells
    separated by tabs. Empty rows are left out."""
    grid = grid_from_spans([[(Cell(text), 1, 1) for text in cells] for cells in rows])
    found = read_tables(grid, caption_from(above[-3:]), len(tables) + 1, header_rows=1)
    if not found:
        return ["\t".join(cells).rstrip("\t") for cells in rows if any(cells)]
    lines = list(above[-3:])
    for table in found:
        add_table(lines, table, tables)
    return lines[len(above[-3:]) :]


def parse_docbook(xml: str) -> tuple[list[str], list[Table]]:
    """Lines of antiword's DocBook output (paragraphs, table rows) and the data tables read."""
    xml = _DOCTYPE.sub("", xml, count=1)
    try:
        root = SafeET.fromstring(xml.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError):
        raise UnreadableFile("antiword 的输出无法解析（文档可能已损坏）") from None
    lines: list[str] = []
    tables: list[Table] = []
    stack = [root]
    while stack:  # document order, without descending into tables twice
        el = stack.pop()
        if el.tag == "informaltable" or el.tag == "table":
            for group in el.findall(".//tgroup") or [el]:
                rows = [[_text(entry) for entry in row.iter("entry")] for row in group.iter("row")]
                lines.extend(row_lines(rows, lines, tables))
        elif el.tag in ("para", "title", "simpara") and next(el.iter("informaltable"), None) is None:
            text = _text(el)
            if text:
                lines.append(text)
        else:
            stack.extend(reversed(list(el)))
    return lines, tables


def _run_antiword(data: bytes, seconds: float) -> str:
    fd, path = tempfile.mkstemp(suffix=".doc")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        done = subprocess.run(
            ["antiword", "-x", "db", path],
            capture_output=True,
            timeout=seconds,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableFile(f"读取 .doc 超过 {seconds:g} 秒，已放弃（设置 max_extract_seconds）") from None
    except OSError as exc:
        raise UnreadableFile(f"无法运行 antiword（{exc.strerror or type(exc).__name__}）") from None
    finally:
        os.unlink(path)
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").replace(path, "").strip().splitlines()
        detail = f"：{why[-1][:80]}" if why else ""
        raise UnreadableFile(f"antiword 无法读取这个 .doc 文件{detail}（可在 Word/WPS 中另存为 .docx）")
    return done.stdout.decode("utf-8", "replace")


def _read(data: bytes, settings: Mapping[str, Any]) -> Extracted:
    if missing():
        raise UnreadableFile(
            f"读取旧版 Word 文档（.doc）需要 {INSTALL}；也可在 Word 或 WPS 中另存为 .docx 后再放入文件夹"
        )
    lines, tables = parse_docbook(_run_antiword(data, float(settings["max_extract_seconds"])))
    text = "\n".join(lines) + "\n"
    return Extracted(text, "doc", tables=place_tables(text, tables))


FORMAT = Format(
    "doc",
    (".doc",),
    "旧版 Word 文档",
    _read,
    magic=lambda data: data.startswith(OLE2),
    magic_name="旧版 Office 文档（Word 97–2003，扩展名是 .doc）",
    missing=missing,
)
