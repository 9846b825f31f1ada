"""What a report says about itself: its title, the places, years and issuer it names, and the
spans of web furniture (disclaimers, URLs, 发布时间/来源 lines) that are kept out of the index."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..lang.places import default_gazetteer, report_places
from ..lang.text import INLINE_NOISE
from ..types import Document

# Whole lines that are web or site boilerplate.
NOISE_LINE = re.compile(
    r"(?:本文内容由互联网用户|如若转载|转载请注明|本站仅提供|本站将立刻删除|版权所有|免责声明|"
    r"发布时间[:：]|信息来源[:：]|来源[:：]\s*+\S{0,20}+\s*+$|浏览次数|阅读次数|字号[:：]|"
    r"打印本页|关闭窗口|分享到[:：]?)"
)
_META_ONLY = re.compile(r"^[\s\W\d]*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
_PLACE_BODY = re.compile(r"((?:[A-Za-z]{2}|[\u4e00-\u9fff]{2})(?:县|市|区|州))(?:教育体育局|教体局|教育局|人民政府)")


def noise_spans(text: str, title_line: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are boilerplate, in order."""
    spans: list[tuple[int, int]] = []
    pos = 0
    seen_title = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped and (NOISE_LINE.search(stripped) or (stripped == title_line and seen_title)):
            spans.append((pos, pos + len(body)))
        else:
            for m in INLINE_NOISE.finditer(body):
                spans.append((pos + m.start(), pos + m.end()))
        if stripped == title_line:
            seen_title = True
        pos += len(line)
    return spans


def first_meaningful_line(text: str) -> str:
    """The report's first line that is not furniture, with the next line joined on when the
    title is printed over two lines (2025年和田地区国民经济和社会发展 / 统计公报)."""
    lines = []
    for line in text.splitlines():
        clean = INLINE_NOISE.sub("", line).strip()
        if clean and not NOISE_LINE.search(clean) and not _META_ONLY.match(clean):
            lines.append(clean)
            if len(lines) == 2:
                break
    if not lines:
        return ""
    if len(lines) == 2 and continues_title(*lines):
        return lines[0] + lines[1]
    return lines[0]


# What a document calls itself at the end of its title (…统计公报, …工作报告, …决算表).
_TITLE_END = re.compile(r"(?:公报|报告|决算|预算|报表|决算表|纲要|规划|计划|总结|目录|决议|意见|通知|办法)$")
_TITLE_PART = 20  # characters: a title's second line is short


def continues_title(first: str, second: str) -> bool:
    """Whether ``second`` ends a title begun on the line ``first``: ``first`` does not end as a
    document's name does, ``second`` is short, no sentence, and does."""
    return (
        not _TITLE_END.search(first)
        and len(second) <= _TITLE_PART
        and not re.search(r"[，。；：:,;]", second)
        and bool(_TITLE_END.search(second))
    )


def extract_metadata(text: str, title: str, rel: str = "") -> tuple[tuple[str, ...], tuple[int, ...], str]:
    """(places, years, issuer) from a report's title, file name ``rel`` and text. Its places come
    from its title, else its file name, else its opening lines (retrieval/lang/places.py)."""
    head_lines = text.splitlines()[:6]
    head = "\n".join(head_lines)
    places = report_places(title, Path(rel.replace("\\", "/")).stem if rel else "", head_lines)
    # The issuing body: "<place><bureau>" in the title, the first lines, or else the body, where
    # the place is a division or the report's own (not 来自市 of 数据来自市教育局).
    gaz = default_gazetteer()
    issuer = ""
    for scope in (title, head, text):
        matches = [m for m in _PLACE_BODY.finditer(scope) if m.group(1) in places or gaz.named(m.group(1))]
        if matches:
            issuer = Counter(m.group(0) for m in matches).most_common(1)[0][0]
            break
    if not issuer:
        for line in head_lines[1:]:
            line = line.strip()
            if 2 <= len(line) <= 20 and re.search(r"(局|政府|委员会|办公室)$", line):
                issuer = line
                break
    years = [int(y) for y in _YEAR.findall(title)]
    if not years:
        years = [int(y) for y, _ in Counter(_YEAR.findall(head)).most_common(2)]
    return places, tuple(sorted(set(years))), issuer


def make_document(doc_id: str, rel: str, text: str, title: str = "", published: str = "") -> Document:
    """A report with what its text says about it; ``title`` and ``published`` (an ISO date)
    when the format names them (a web page's article heading and publication date)."""
    title = title or first_meaningful_line(text) or Path(rel).stem
    places, years, issuer = extract_metadata(text, title, rel)
    if not years and published[:4].isdigit():
        years = (int(published[:4]),)
    return Document(doc_id=doc_id, path=rel, title=title, text=text, places=places, years=years, issuer=issuer)
