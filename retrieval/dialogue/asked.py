"""The asked part of a question, for rewriting follow-ups: its question word and counting unit
(有多少所), what it asks about (:func:`topic_of`), and the word a follow-up's attribute replaces
(:func:`swap_attribute`: 老师呢 after 古丈县有多少学生？)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..dates.when import YEAR_DIGITS
from .lexicon import _forms, _soft

YEAR = re.compile(YEAR_DIGITS + r"\s*(?:年度?)?")
EDGE_PUNCT = " \t?？!！。.,，、;；:：~～…"
# The question word of a question (多少, 几所, 哪些), and a counting unit right after it.
ASK = re.compile(
    r"(?:有多少|是多少|多少|有几|几|有哪些|哪些|哪几|哪个|哪所|哪一|什么|怎么样|怎样|怎么|如何|"
    r"是否|有没有)"
)
_UNIT = re.compile(r"^[个所名人项次万亿千百十倍家座间条户台套批期岁年天种位部本场届元处件]次?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters too common to tell two attributes apart (的, 有, 是 …).
_COMMON = set("的了有是在和与及等年月日中全各个多少几")


def strip_edges(text: str) -> str:
    return text.strip(EDGE_PUNCT)


def find_place(question: str, place: str) -> tuple[int, int] | None:
    low = question.lower()
    for form in _forms(place) if place else []:
        at = low.find(form)
        if at >= 0:
            return at, at + len(form)
    return None


def ask_phrase(question: str) -> str:
    """The question phrase of ``question`` without its counting unit (多少所？ → 有多少？)."""
    m = ASK.search(question)
    if not m:
        return "的情况如何？"
    word = m.group()
    if word in ("多少", "几"):
        word = "有" + ("多少" if word == "多少" else "几")
    tail = strip_edges(question[m.end() :])
    if m.group() in ("多少", "有多少", "是多少", "几", "有几"):
        tail = _UNIT.sub("", tail) if len(tail) <= 2 else ""
    return word + tail + "？"


def topic_of(question: str, place: str) -> str:
    """What ``question`` asks about: without its place, year, question word and counting unit
    (古丈县2024年发放了多少学生资助资金？ → 发放了学生资助资金)."""
    text = strip_edges(_soft(question))
    span = find_place(text, place)
    if span:
        text = text[: span[0]] + text[span[1] :]
    text = YEAR.sub("", text)
    m = ASK.search(text)
    if m:
        after = text[m.end() :]
        if m.group() in ("多少", "有多少", "是多少", "几", "有几"):
            after = _UNIT.sub("", after)
        text = text[: m.start()] + after
    return strip_edges(text.strip("的是有"))


def swap_attribute(last: str, place: str, attribute: str, cut: Callable[[str], list[str]] | None) -> str | None:
    """The last question (about ``place``) with ``attribute`` in place of the word it replaces
    (一本 → 二本 in 长葛市2023年高考一本上线多少人), or None when no word is clearly the one replaced."""
    if cut is None:
        return None
    question = strip_edges(_soft(last))
    ask = ASK.search(question)
    if not ask:
        return None
    # The question word and its counting unit stay; the noun after them (多少老师) may be replaced.
    unit = _UNIT.match(question[ask.end() :])
    asked_end = ask.end() + (unit.end() if unit else 0)
    protected = [(ask.start(), asked_end)]
    place_span = find_place(question, place)
    if place_span:
        protected.append(place_span)
    protected += [(m.start(), m.end()) for m in YEAR.finditer(question)]
    spans = []
    pos = 0
    for word in cut(question.lower()):
        start, pos = pos, pos + len(word)
        if (
            (len(word) >= 2 or word not in _COMMON)
            and _CJK.search(word)
            and not any(s <= start < e for s, e in protected)
        ):
            spans.append((start, pos))
    if not spans:
        return None
    wanted = set(attribute) - _COMMON
    shared = [(len(wanted & set(question[s:e])), s, e) for s, e in spans]
    best = max(shared)
    if best[0] > 0:
        _, s, e = max(t for t in shared if t[0] == best[0])
        n = len(attribute)
        if e - s > n:  # 一本上线 cut as one word: replace only the part that matches (一本 → 二本)
            head = len(wanted & set(question[s : s + n]))
            tail = len(wanted & set(question[e - n : e]))
            if head or tail:
                s, e = (s, s + n) if head >= tail else (e - n, e)
    elif any(s >= asked_end for s, _ in spans):
        s, e = [sp for sp in spans if sp[0] >= asked_end][-1]  # 有多少老师: the noun asked for
    elif not strip_edges(_UNIT.sub("", question[ask.end() :])):
        s, e = spans[-1]  # the asked word ends the question: the word before it is the subject
        if e != ask.start() and question[e : ask.start()] not in ("是", "有", "的", "共", "共有"):
            return None
    else:
        return None
    return question[:s] + attribute + question[e:]
