"""Text as reports print it, cleaned the same way in every format: note marks after figures, and
the spaces justified lines put between single Chinese characters."""

from __future__ import annotations

import re

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


# A year printed with spaced digits (1 9 9 7 年, as some typeset reports print every figure).
_SPACED_YEAR = re.compile(r"(?<![\d.])([12])[ \u3000](\d)[ \u3000](\d)[ \u3000](\d)[ \u3000]?(?=年)")


def join_spaced_years(text: str) -> str:
    """Years printed with a space between their digits written as one (1 9 9 7 年 → 1997年), so
    a year is read, matched and shown the same way in every report; other figures are kept."""
    return _SPACED_YEAR.sub(r"\1\2\3\4", text) if " " in text or "\u3000" in text else text
