"""Follow-up questions: a message that leans on the conversation becomes a standalone question.

People chat: 古丈县现有各级各类学校多少所？ then 其中高中有几所？, 那长葛呢？, 老师呢？, 去年呢？.
:func:`resolve` rewrites such a message into a question the engine answers unchanged, by naming
the place and year the conversation is about (the composer answers from the report whose place
a question names, and prefers a named year). It is a pure function of the message, the
:class:`Conversation` so far and the places the corpus knows (:class:`Lexicon`, from report
metadata); :func:`follow` records an answered turn. The words that mark a follow-up are in
``config/dialogue.toml``.

The kinds of rewriting (:attr:`Resolution.kind`):

* ``place``: 那XX县呢, 长葛呢: the same question about another place (also 长葛的老师呢);
* ``attribute``: 老师呢, 特控线呢: the same question about another thing, same place;
* ``drill``: 其中…, 这些…, 这个项目…, or a very short message without a subject of its own
  (花了多少钱？): asked about the topic of the conversation, in the report the last answer came from;
* ``time``: 去年呢, 2025年呢, 明年打算怎么做: the same place, another year (a year the report
  plans for is asked about as a plan);
* ``""``: not rewritten. A question that names its own place, or is long enough to stand alone,
  or asks about every place (各地), is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..dates.when import NAMES_PLAN
from ..dates.years import plan_part
from ..lang.text import normalize
from .asked import ASK, YEAR, ask_phrase, find_place, strip_edges, swap_attribute, topic_of
from .lexicon import Lexicon, Words, _soft, default_words

PLACE, ATTRIBUTE, DRILL, TIME = "place", "attribute", "drill", "time"
KINDS = (PLACE, ATTRIBUTE, DRILL, TIME)


@dataclass(frozen=True)
class Source:
    """The report the last answer's first sentence came from."""

    title: str
    path: str
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    section: str = ""

    @property
    def plan(self) -> bool:
        """Whether the sentence sits in the report's plan part (二、2025年工作计划)."""
        top = self.section.split(" › ", 1)[0]
        return plan_part(top)


@dataclass(frozen=True)
class Conversation:
    """What a conversation is about after its last answered turn."""

    question: str = ""  # the last standalone question answered
    place: str = ""  # the place it is about: named in it, else that of the report that answered
    year: int | None = None  # the year it names, if any
    topic: str = ""  # what it asks about, without place, year and question word (drill-downs keep it)
    answered: bool = False
    source: Source | None = None  # the report of the last answer's first sentence
    turns: int = 0

    @property
    def base_year(self) -> int | None:
        """The year 去年 and 明年 count from: the year asked about, else the answering report's."""
        if self.year is not None:
            return self.year
        if self.source and self.source.years:
            return min(self.source.years)
        return None

    @property
    def plan(self) -> bool:
        """Whether the last answer came from a plan part of its report."""
        return bool(self.source and self.source.plan)


@dataclass(frozen=True)
class Resolution:
    """The standalone question to answer, and whether (and how) the conversation supplied part of it."""

    question: str
    rewritten: bool = False
    kind: str = ""
    place: str = ""  # for a place switch: the place switched to
    own: str = ""  # what the message itself asks (老师, 其中高中有几所 → 高中有几所)


@dataclass
class _Parts:
    text: str  # the message without opening and closing markers and edge punctuation
    opener: bool = False
    closer: bool = False
    pointer: str = ""
    place: tuple[str, int, int] | None = None
    year: int | None = None
    relative: bool = False
    rest: str = ""  # what remains without place, year and pointer
    every_place: bool = False


def _cut(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def _parse(text: str, lexicon: Lexicon, words: Words, base_year: int | None) -> _Parts:
    text = strip_edges(text)
    parts = _Parts(text)
    changed = True
    while changed:  # 那么……呢？ and 那请问……
        changed = False
        low = text.lower()
        for w in words.openers:
            if low.startswith(w) and len(text) > len(w):
                text, parts.opener, changed = strip_edges(text[len(w) :]), True, True
                break
        low = text.lower()
        for w in words.closers:
            if low.endswith(w):
                text, parts.closer, changed = strip_edges(text[: -len(w)]), True, True
                break
    parts.text = text
    parts.every_place = any(w in text for w in words.every_place)
    rest = text
    for w in words.pointers:
        if rest.startswith(w):
            parts.pointer, rest = w, rest[len(w) :]
            break
    parts.place = lexicon.find(rest)
    if parts.place:
        rest = _cut(rest, parts.place[1], parts.place[2])
    m = YEAR.search(rest)
    if m:
        parts.year = int(m.group(1))
        rest = _cut(rest, m.start(), m.end())
    else:
        for word, offset in words.relative_years:
            at = rest.find(word)
            if at >= 0 and not any(rest[:at].endswith(c) for c in words.comparisons):
                parts.relative = True
                parts.year = None if base_year is None else base_year + offset
                rest = _cut(rest, at, at + len(word))
                break
    rest = strip_edges(" ".join(rest.split()).strip("的 "))
    parts.rest = rest.replace(" ", "")
    return parts


def _replace_place(conv: Conversation, place: str, lexicon: Lexicon) -> str:
    """The last question about ``place`` instead of its own place; its year is dropped when no
    report about the new place covers it (长葛市2023年… → XX县…)."""
    question = _soft(conv.question)
    m = YEAR.search(question)
    if m and lexicon.known(place) and int(m.group(1)) not in lexicon.years(place):
        question = question[: m.start()] + question[m.end() :]
    span = find_place(question, conv.place)
    if span:
        return question[: span[0]] + place + question[span[1] :]
    return place + question


def _with_year(question: str, conv: Conversation, year: int, words: Words) -> str:
    """``question`` asking about ``year``: its own year replaced, else the year put after its place.
    A year after the one the report reviews is asked about as a plan (2020年计划…)."""
    base = conv.base_year
    plan = base is not None and year > base and not NAMES_PLAN.search(normalize(question))
    stamp = f"{year}年" + (words.plan_word if plan else "")
    m = YEAR.search(question)
    if m:
        return question[: m.start()] + stamp + question[m.end() :]
    span = find_place(question, conv.place)
    if span:
        return question[: span[1]] + stamp + question[span[1] :]
    return conv.place + stamp + question


def _prefix(conv: Conversation, *, report_year: bool = False) -> str:
    """The place (and year) a follow-up is about, to put in front of what it asks."""
    year = conv.year
    if year is None and report_year and not conv.place and conv.source and conv.source.years:
        year = min(conv.source.years)  # no place to name: the report's year picks the report
    return conv.place + (f"{year}年" if year is not None else "")


def _question(text: str) -> str:
    return strip_edges(text) + "？"


def resolve(
    message: str,
    conversation: Conversation | None,
    lexicon: Lexicon,
    *,
    words: Words | None = None,
    cut: Callable[[str], list[str]] | None = None,
    max_chars: int = 500,
) -> Resolution:
    """The standalone question ``message`` asks, given the conversation so far. ``cut`` splits a
    normalised text into words (to tell which word of the last question an attribute replaces)."""
    unchanged = Resolution(message)
    conv = conversation
    if conv is None or not conv.question or not isinstance(message, str):
        return unchanged
    text = _soft(message).strip()
    if not text or len(text) > max_chars:
        return unchanged
    words = words or default_words()
    parts = _parse(text, lexicon, words, conv.base_year)
    if parts.every_place or not parts.text:
        return unchanged
    rest = parts.rest
    marked = parts.opener or parts.closer

    def done(question: str, kind: str, place: str = "") -> Resolution:
        question = _question(question)
        if len(question) > max_chars or question == _question(text):
            return unchanged
        return Resolution(question, True, kind, place, rest)

    if parts.place:  # names a place: another place, or a question of its own
        question = _other_place(parts, conv, lexicon, words, cut, bool(marked))
        return done(question, PLACE, parts.place[0]) if question else unchanged
    if parts.year is not None:  # another year
        if not rest:
            return done(_with_year(_soft(conv.question), conv, parts.year, words), TIME)
        if conv.place:  # 明年打算怎么做: the same place in another year
            return done(_with_year(rest, conv, parts.year, words), TIME)
        return unchanged
    if parts.relative:  # 去年呢 with no year to count from: nothing to rewrite it with
        return unchanged
    if not conv.place and not conv.year and not (conv.source and conv.source.years):
        return unchanged  # nothing known to add
    if parts.pointer and rest:
        join = "中" if conv.topic and parts.pointer in words.within else ""
        return done(_prefix(conv, report_year=True) + conv.topic + join + rest, DRILL)
    if parts.closer and rest and len(rest) <= words.attribute_chars and not ASK.search(rest):
        swapped = swap_attribute(conv.question, conv.place, rest, cut)
        if swapped:
            return done(swapped, ATTRIBUTE)
        return done(_prefix(conv, report_year=True) + rest + ask_phrase(_soft(conv.question)), ATTRIBUTE)
    if rest and len(rest) <= words.short_message_chars and (ASK.search(rest) or text.endswith(("？", "?"))):
        # 花了多少钱？ asks about the last answer; 来源, 谢谢 or an emoji ask nothing.
        return done(_prefix(conv, report_year=True) + conv.topic + rest, DRILL)
    return unchanged


def _other_place(
    parts, conv: Conversation, lexicon: Lexicon, words: Words, cut: Callable[[str], list[str]] | None, marked: bool
) -> str | None:
    """The question a follow-up naming a place asks (那长葛市呢？, 长葛市的学生呢？), or None
    when it is a question of its own."""
    place, rest = parts.place[0], parts.rest
    if not rest and marked:
        question = _replace_place(conv, place, lexicon)
        if parts.year is not None:
            question = _with_year(question, Conversation(place=place, year=conv.year), parts.year, words)
        return question
    if parts.closer and len(rest) <= words.attribute_chars and not ASK.search(rest):
        moved = Conversation(question=_replace_place(conv, place, lexicon), place=place)
        return swap_attribute(moved.question, moved.place, rest, cut) or place + rest + ask_phrase(_soft(conv.question))
    return None


def follow(
    conversation: Conversation | None, resolution: Resolution, answered: bool, source: Source | None, lexicon: Lexicon
) -> Conversation:
    """The conversation after ``resolution.question`` was asked and answered (or not) from ``source``."""
    previous = conversation or Conversation()
    question = resolution.question
    text = _soft(question)
    found = lexicon.find(text)
    m = YEAR.search(text)
    if found:
        place = found[0]
    elif source and source.places:
        place = source.places[0]
    elif not answered:
        place = previous.place
    else:
        place = ""
    if not answered and source is None:
        source = previous.source
    # A drill-down stays on the conversation's topic (其中…, 花了多少钱？).
    topic = previous.topic if resolution.kind == DRILL and previous.topic else topic_of(question, place)
    return Conversation(
        question=question,
        place=place,
        year=int(m.group(1)) if m else None,
        topic=topic,
        answered=answered,
        source=source,
        turns=previous.turns + 1,
    )
