"""Outline, paragraphs, sentences and chunks of one document, all as offsets into its text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..lang.headings import CN_NUM as _CN_NUM, ENUM_LEVEL, MAX_LABEL, TRIM as _TRIM, heading_label, heading_level
from ..lang.text import HAN as _CJK
from ..types import Document

# Sentence ends: Chinese and ASCII, with any closing quotes or brackets that follow.
SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)\"']*|(?<![\s(（][A-Z])(?<![\s(（][A-Z][a-z])\.(?=\s|$)")
# A title or a parenthesis closed on the same line (《卡拉OK.LIVE！‧台北‧我》): no sentence ends inside.
_ENCLOSED = re.compile(r"《[^《》\n]{1,60}》|（[^（）\n]{1,60}）|\([^()\n]{1,60}\)")
_ENUM_START = re.compile(rf"[{_CN_NUM}]{{1,3}}是")
_DIGIT = re.compile(r"\d")


def _broken_sentence(line: str) -> bool:
    """A short line with a clause break and a figure is a sentence broken across lines (全年城镇
    新增就业 1244 万人，城镇失业人员再就业 514), not a label, a date or a signature."""
    return ("，" in line or "," in line) and _DIGIT.search(line) is not None


@dataclass(frozen=True)
class ChunkSpan:
    """A chunk before it is numbered: offsets into the document text."""

    section: tuple[str, ...]
    paragraph: int
    start: int
    end: int
    para_start: int
    para_end: int
    sentences: tuple[tuple[int, int], ...]


def _trimmed(text: str, start: int, end: int, noise: list[tuple[int, int]]) -> tuple[int, int]:
    """Shrink [start, end) past surrounding whitespace and boilerplate spans."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and text[start] in _TRIM:
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        for ns, ne in noise:
            if ns <= start < ne:
                start, changed = ne, True
            if ns < end <= ne:
                end, changed = ns, True
    return start, max(start, end)


def split_sentences(text: str, start: int, end: int, noise: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end]: split at sentence ends (not inside a title or a
    parenthesis closed on the line, nor after an initial or a short abbreviation: H., Dr.) and
    before 一是/二是…."""
    cuts = [start]
    segment = text[start:end]
    inside = [(start + m.start() + 1, start + m.end() - 1) for m in _ENCLOSED.finditer(segment)]
    for m in SENTENCE_END.finditer(segment):
        cut = start + m.end()
        if not any(a < cut <= b for a, b in inside):
            cuts.append(cut)
    for m in _ENUM_START.finditer(segment):
        pos = start + m.start()
        if pos > start and text[pos - 1] in "，,：:":
            cuts.append(pos)
    cuts.append(end)
    spans = []
    for a, b in zip(sorted(set(cuts)), sorted(set(cuts))[1:]):
        a, b = _trimmed(text, a, b, list(noise))
        if b > a and (_CJK.search(text[a:b]) or any(c.isalnum() for c in text[a:b])):
            spans.append((a, b))
    return spans


def _overlaps(span: tuple[int, int], noise: list[tuple[int, int]]) -> bool:
    return any(ns <= span[0] and span[1] <= ne for ns, ne in noise)


def chunk_document(
    doc: Document, noise: list[tuple[int, int]], max_chars: int, tables: Sequence[tuple[int, int, str]] = ()
) -> list[ChunkSpan]:
    """Paragraph chunks of ``doc``; a paragraph longer than ``max_chars`` becomes several chunks.

    ``tables`` are (start, end, caption) of the tables' rows in the text: each row is a chunk of
    its own, in the section the table sits in with the caption added, and never a heading."""
    text = doc.text
    chunks: list[ChunkSpan] = []
    outline: list[tuple[int, str]] = []  # (level, label)
    paragraph = 0
    pos = 0
    title_seen = False
    noise = sorted(noise)
    first_noise = 0  # noise spans before this index end before the current line
    for raw in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(raw.rstrip("\r\n"))
        pos += len(raw)
        # Only the boilerplate spans that touch this line matter for it (keeps chunking linear).
        while first_noise < len(noise) and noise[first_noise][1] < line_start:
            first_noise += 1
        line_noise = []
        for span in noise[first_noise:]:
            if span[0] > line_end:
                break
            line_noise.append(span)
        start, end = _trimmed(text, line_start, line_end, line_noise)
        if end <= start or _overlaps((start, end), line_noise):
            continue
        line = text[start:end]
        table = _table_at(tables, start)
        if table is not None:
            paragraph += 1
            sentences = split_sentences(text, start, end, line_noise)
            section = tuple(label for _, label in outline) + (table,)
            chunks.extend(
                ChunkSpan(section, paragraph, run[0][0], run[-1][1], start, end, tuple(run))
                for _, run in _runs(text, sentences, max_chars)
            )
            continue
        if not title_seen and line.strip() == doc.title:
            title_seen = True
            paragraph += 1
            continue
        paragraph += 1
        level = heading_level(line)
        if level == ENUM_LEVEL:
            level = None  # 一是/二是 label parts of a paragraph, not the outline
        if level is not None:
            while outline and outline[-1][0] >= level:
                outline.pop()
            outline.append((level, heading_label(line)))
        sentences = split_sentences(text, start, end, line_noise)
        if _holds_nothing(line, sentences, level):
            continue
        base = tuple(label for _, label in outline)
        for label, run in _runs(text, sentences, max_chars):
            section = base + ((label,) if label else ())
            chunks.append(ChunkSpan(section, paragraph, run[0][0], run[-1][1], start, end, tuple(run)))
    return chunks


def _holds_nothing(line: str, sentences: list[tuple[int, int]], level: int | None) -> bool:
    """A line that is only a heading (or a date, a signature) holds nothing to answer with."""
    body_chars = len(_CJK.findall(line))
    return (
        not sentences
        or (level is not None and len(sentences) == 1 and body_chars <= MAX_LABEL)
        or body_chars < 6
        or (body_chars <= 20 and not SENTENCE_END.search(line) and not _broken_sentence(line))
    )


def _table_at(tables: Sequence[tuple[int, int, str]], offset: int) -> str | None:
    """The caption of the table whose rows hold ``offset``, or None."""
    for start, end, caption in tables:
        if start <= offset < end:
            return caption
    return None


def _runs(text: str, sentences: list[tuple[int, int]], max_chars: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """Group a paragraph's sentences into contiguous runs of at most ``max_chars``.

    A sentence opening an inline enumeration item (一是…, 二是…) starts a new run, and the runs
    from there on carry that item's label, so 二是's sentences are cited under 二是.
    """
    runs: list[tuple[str, list[tuple[int, int]]]] = []
    label = ""
    group: list[tuple[int, int]] = []
    for sent in sentences:
        opens_item = _ENUM_START.match(text, sent[0]) is not None
        if group and (opens_item or sent[1] - group[0][0] > max_chars):
            runs.append((label, group))
            group = []
        if opens_item:
            label = heading_label(text[sent[0] : sent[1]])
        group.append(sent)
    if group:
        runs.append((label, group))
    return runs
