"""Documents within a document: a gazette or collection split into its documents, a file of
several years' communiqués split into its years.

Two kinds of boundary, both general:

- **A table of contents.** A ``目录`` line near the top followed by entries that end in leader
  dots and a page number (``政府工作报告………… 深圳市市长 某某 （2）``). Each entry's title is
  then found in the body, after the contents, as whole lines (spaces and line breaks aside):
  that is where its document starts.
- **An outline that starts again.** A top-level heading ``一、`` after the outline reached
  ``二、`` or further starts a new document when its head is clear: a run of blank lines, a
  title line (…公报, …报告, …决定, …通知 …) or a date line (``2024年3月``) just above it, and
  a year of its own (the year its opening sentence names, or its title's). A part without a
  title line of its own is titled like the part before it with its own year.

:func:`split_documents` returns the parts in order, or [] when the file is one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOC = re.compile(r"^\s*目\s*录\s*$")
_LEADER = re.compile(r"(?:[.…·．・‥]\s*){3,}")
_ENTRY_END = re.compile(
    r"(?:[.…·．・‥]\s*){3,}[^（(\n]{0,40}?[（(]\s*\d{1,4}\s*[)）]|(?:[.…·．・‥]\s*){3,}\s*\d{1,4}(?!\d)"
)
_CATEGORY = re.compile(r"^[〔【\[][^〕】\]]{1,30}[〕】\]]$")
_TITLE_WORDS = re.compile(r"(?:公报|报告|决定|决议|通知|意见|办法|规定|规划|计划|纲要|方案|说明|条例|细则|总结)$")
_OUTLINE_START = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+[部分章节篇编]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])"
)
_TOP_HEADING = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*、")
_DATE_LINE = re.compile(r"^\s*[（(]?\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*[)）]?\s*$")
_OPENING_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\s*年")
_YEAR = re.compile(r"(?:19|20)\d\d(?=\s*年)")
_NUMERALS = "一二三四五六七八九十"
_HEAD_LINES = 8  # non-blank lines above a restarting outline searched for the part's head
_MIN_BLANK_RUN = 2  # blank lines that separate two documents


@dataclass(frozen=True)
class Part:
    """One document of a file: where it starts in the text, and its title ("" if the part
    starts with its own title line, which the reader takes as usual)."""

    start: int
    title: str = ""


def split_documents(text: str, title: str) -> list[Part]:
    """The documents of ``text`` in order (the first starts at 0), or [] for one document.
    ``title`` is the file's title (a part before the first document keeps it)."""
    lines = _lines(text)
    parts = _by_contents(text, lines, title) or _by_outline(text, lines, title)
    return parts if len(parts) > 1 else []


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of every line, line ends aside."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    return out


def _squeeze(line: str) -> str:
    return re.sub(r"\s+", "", line)


# --- a table of contents -------------------------------------------------------------------


def contents_entries(lines: list[str]) -> tuple[list[str], int]:
    """Titles of a table of contents that starts at ``lines[0]`` (the 目录 line), and the
    number of lines it takes."""
    titles: list[str] = []
    pending = ""
    used, waiting = 1, 0
    for n, line in enumerate(lines[1:], start=1):
        flat = _squeeze(line)
        if not flat or _CATEGORY.match(flat):
            continue
        ends = list(_ENTRY_END.finditer(flat))
        if not ends:
            pending += flat
            waiting += 1
            if waiting > 2:  # three lines without a page number: the contents have ended
                break
            continue
        last = 0
        for m in ends:
            titles.append(_LEADER.split(pending + flat[last : m.start()])[0])
            pending, last = "", m.end()
        pending, waiting, used = flat[last:], 0, n + 1
    return [t for t in titles if len(t) >= 2], used


def _by_contents(text: str, lines: list[tuple[int, str]], title: str) -> list[Part]:
    top = [n for n, (_, line) in enumerate(lines[:80]) if _TOC.match(line)]
    if not top:
        return []
    entries, used = contents_entries([line for _, line in lines[top[0] :]])
    # A collection lists documents (…报告, …决议); a report's own contents list its sections.
    entries = [e for e in entries if _TITLE_WORDS.search(e) and not _OUTLINE_START.match(e)]
    if len(entries) < 2:
        return []
    body = lines[top[0] + used :]
    parts: list[Part] = []
    at = 0
    for entry in entries:
        found = _find_title(body, at, entry)
        if found is None:
            continue
        at = found + 1
        parts.append(Part(body[found][0], entry))
    if len(parts) < 2:
        return []
    return ([Part(0, title)] if parts[0].start > 0 else []) + parts


def _find_title(body: list[tuple[int, str]], at: int, entry: str) -> int | None:
    """The index of the first line from ``at`` where ``entry`` stands as whole lines."""
    for n in range(at, len(body)):
        joined = ""
        for _, line in body[n : n + 4]:
            joined += _squeeze(line)
            if joined == entry:
                return n
            if not entry.startswith(joined):
                break
    return None


# --- an outline that starts again ----------------------------------------------------------


def _by_outline(text: str, lines: list[tuple[int, str]], title: str) -> list[Part]:
    starts: list[int] = []  # line indexes where a part's head starts
    highest = 0
    for n, (_, line) in enumerate(lines):
        m = _TOP_HEADING.match(line)
        if not m or len(line) > 40 or m.group(1) not in _NUMERALS or _LEADER.search(line):
            continue
        number = _NUMERALS.index(m.group(1)) + 1
        if number == 1 and highest >= 2:
            head = _head_above(lines, n)
            if head is not None:
                starts.append(head)
        highest = number if number == 1 else max(highest, number)
    if not starts:
        return []
    bounds = [0] + starts
    parts: list[Part] = []
    last_title, last_year = title, None
    for k, first in enumerate(bounds):
        end = bounds[k + 1] if k + 1 < len(bounds) else len(lines)
        block = [line for _, line in lines[first:end]]
        own = _own_title(block)
        year = _part_year(block, own)
        if k and (year is None or last_year is None or year == last_year):
            return []  # no year of its own: not a document boundary we trust
        if own:
            part_title = ""
            last_title = own
        else:
            part_title = last_title = _retitle(last_title, last_year, year)
        parts.append(Part(lines[first][0], part_title))
        last_year = year
    return parts


def _head_above(lines: list[tuple[int, str]], n: int) -> int | None:
    """The first line of the head of a part whose outline starts again at line ``n``."""
    seen, blank_run, title_at, date_at = 0, 0, None, None
    k = n - 1
    while k >= 0 and seen < _HEAD_LINES:
        line = lines[k][1].strip()
        if not line:
            blank_run += 1
            k -= 1
            continue
        if blank_run >= _MIN_BLANK_RUN and seen:
            return k + 1 + blank_run
        blank_run = 0
        seen += 1
        if _is_title(line):
            title_at = k
        elif _DATE_LINE.match(line):
            date_at = k
        k -= 1
    if blank_run >= _MIN_BLANK_RUN and seen:
        return k + 1 + blank_run
    if title_at is not None:
        return title_at
    if date_at is not None:  # the issuer's name just above a date line belongs to the head
        above = date_at - 1
        while above >= 0 and not lines[above][1].strip():
            above -= 1
        issuer = lines[above][1].strip() if above >= 0 else ""
        return above if issuer and len(issuer) <= 30 and not re.search(r"[。；！？]", issuer) else date_at
    return None


def _is_title(line: str) -> bool:
    """Whether a line reads as a document's title (not a section heading)."""
    return len(line) <= 60 and bool(_TITLE_WORDS.search(line)) and not _OUTLINE_START.match(line)


def _own_title(block: list[str]) -> str:
    """The part's own title line among its first lines, or ""."""
    for line in [ln.strip() for ln in block if ln.strip()][:3]:
        if _is_title(line) and _YEAR.search(line):
            return line
    return ""


def _part_year(block: list[str], own_title: str) -> int | None:
    """The year a part is about: its title's, else the year its first paragraph opens with."""
    if own_title and (m := _YEAR.search(own_title)):
        return int(m.group(0))
    for line in [ln for ln in block if ln.strip()][:8]:
        if len(line.strip()) > 30 and (m := _OPENING_YEAR.match(line)):
            return int(m.group(1))
    return None


def _retitle(title: str, old: int | None, new: int | None) -> str:
    """``title`` with year ``old`` replaced by ``new`` (南京市2024年…公报 → 南京市2023年…公报)."""
    if new is None:
        return title
    if old is not None and str(old) in title:
        return title.replace(str(old), str(new), 1)
    return f"{title}（{new}年）"
