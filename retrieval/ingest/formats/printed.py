"""Text as reports print it, cleaned the same way in every format: note marks after figures, and
the spaces justified lines put between single Chinese characters."""

from __future__ import annotations

import re

from ...lang.headings import heading_level
from ...lang.numerals import written_years
from ...lang.text import HAN as _HAN

_NOTE_MARK = re.compile(r"(?<=[\S])(?:\[\d{1,2}\]|［\d{1,2}］)")
_CIRCLED_MARK = re.compile(r"(?<=[\u3400-\u9fff0-9%‰）)])[\u2460-\u2473](?=[0-9，。；、：,.;:）)\s]|$)")


def drop_note_marks(text: str) -> str:
    """Note marks after a figure or word dropped (生产总值[2]1329.65亿元, 居住[3], 增长③), in every
    format; a note's own mark at the start of its line ([2] 地区生产总值…) is kept."""
    return _CIRCLED_MARK.sub("", _NOTE_MARK.sub("", text))


_LONE_GAP = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")
_PUNCT = "，。、；：！？（）《》“”‘’"


def close_lone(text: str) -> str:
    """Spaces between Chinese characters closed where a character stands alone between
    spaces (第 二 产 业, 一、综 合), as justified lines print them in PDFs and in .docx files made
    from them; spaces between words (银铃心向党 浓情满重阳) kept."""
    if " " not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _LONE_GAP.finditer(text):
        before = text[text.rfind(" ", 0, m.start()) + 1 : m.start()].strip(_PUNCT)
        after_end = text.find(" ", m.end())
        after = text[m.end() : after_end if after_end >= 0 else len(text)].strip(_PUNCT)
        if len(before) == 1 or len(after) == 1:
            out.append(text[last : m.start()])
            last = m.end()
    out.append(text[last:])
    return "".join(out)


_SPACES = " \u3000"


def join_spaced_years(text: str) -> str:
    """Years printed with a space between their digits written as one (1 9 9 7 年 → 1997年), so
    a year is read, matched and shown the same way in every report; other figures are kept.
    The years are those :func:`~retrieval.lang.numerals.written_years` reads, joined where they
    open with an ASCII digit, a space stands between every two of their digits and the year's 年
    follows (after a space or none)."""
    if " " not in text and "\u3000" not in text:
        return text
    for start, end, _year in reversed(written_years(text)):
        written = text[start:end]
        gap = 1 if end < len(text) and text[end] in _SPACES else 0
        if len(written) == 7 and written[0] in "12" and text[end + gap : end + gap + 1] == "年":
            text = text[:start] + written[::2] + text[end + gap :]
    return text


# A parenthesis the line breaks split: at most 12 characters of it on the opening line, at most two
# lines of at most 8 characters between, and at most 8 before the closing mark; no Chinese after
# the opening line.
_OPEN_TAIL = re.compile(
    r"[（(][^（()）\r\n]{0,12}\r?\n(?:[^\r\n（()）\u3400-\u9fff]{1,8}\r?\n){0,2}[^\r\n（()）\u3400-\u9fff]{0,8}[）)]"
)


def join_broken_parentheses(text: str) -> str:
    """A parenthesis that the line breaks split, its inside printed on lines of its own (细颗粒物
    （PM / 2.5 / ）平均浓度, a subscript set apart), joined into one line. A parenthesis is short, and
    what follows its opening line holds no Chinese (a heading is never pulled in)."""
    if "\n" not in text or ("（" not in text and "(" not in text):
        return text
    return _OPEN_TAIL.sub(lambda m: m.group(0).replace("\r", "").replace("\n", ""), text)


# A table's number printed on its own line (表一, 表3-1, 附表2：), maybe with the unit after it.
TABLE_NUMBER = re.compile(
    r"^附?表\s*(?:[一二三四五六七八九十]{1,4}|\d{1,3}(?:[-－.]\d{1,2})?)(?![\u3400-\u9fff])\s*[:：、.]?\s*"
)
# A line under a table's title that only says who made it and in which unit (编制部门：… 单位：元).
TABLE_META = re.compile(r"^[（(]?\s*(?:金额)?单位[:：]|编制(?:部门|单位)[:：]|填报单位[:：]")
# A page number printed anywhere on a page (— 7 —, 第7页 共20页, Page 7 of 20).
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·•]+\s*\d{1,5}\s*[-—–－_~·•]+|第\s*\d{1,5}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,5}\s*页)?"
    r"|共\s*\d{1,5}\s*页\s*第\s*\d{1,5}\s*页|[Pp]age\s*\d{1,5}(?:\s*of\s*\d{1,5})?)$"
)
# A figure's number (图1, 图3-2) or a chapter's (第二章, 第三节) opening a line.
_FIGURE_OR_CHAPTER = re.compile(
    r"^图\s*(?:[一二三四五六七八九十]{1,4}|\d{1,3}(?:[-－.]\d{1,2})?)(?![\u3400-\u9fff\d])"
    r"|^第\s*[一二三四五六七八九十\d]{1,3}\s*[章节篇部]"
)
_LINE_CLOSED = re.compile(r"[。！？；：:!?;）)”」』》】]$")
MIN_CUT_LINE = 15  # characters: a shorter line ending inside a sentence is a label, not a cut line


def runs_on(line: str, following: str) -> bool:
    """A paragraph that is a printed line cut short, its sentence running on in the next paragraph
    (累计排查河湖岸线长度 / 2.29万公里，清查…), as in a .docx made from a PDF: a line of prose (a clause
    or sentence break inside, at least :data:`MIN_CUT_LINE` characters) that ends inside a sentence,
    followed by a line holding Chinese. Neither is a heading, and the next is no caption (表1, 图1,
    单位：亿元), chapter (第二章) or page number (第7页)."""
    line, following = line.strip(), following.strip()
    if len(line) < MIN_CUT_LINE or _LINE_CLOSED.search(line) or not _HAN.search(following):
        return False
    if "，" not in line and "。" not in line:
        return False
    if any(p.match(following) for p in (TABLE_NUMBER, TABLE_META, PAGE_NUMBER, _FIGURE_OR_CHAPTER)):
        return False
    return heading_level(line) is None and heading_level(following) is None
