"""Follow-up questions: a message that leans on the conversation becomes a standalone question.

People chat: 古丈县现有各级各类学校多少所？ then 其中高中有几所？, 那长葛呢？, 老师呢？, 去年呢？.
:func:`resolve` rewrites such a message into a question the engine answers unchanged, by naming
the place and year the conversation is about (the composer answers from the report whose place
a question names, and prefers a named year). It is a pure function of the message, the
:class:`Conversation` so far and the places the corpus knows (:class:`Lexicon`, from report
metadata); :func:`follow` records an answered turn. The words that mark a follow-up are in
``config/dialogue.toml``.

The kinds of rewriting (:class:`Resolution.kind`):

* ``place``: 那XX县呢, 长葛呢: the same question about another place (also 长葛的老师呢);
* ``attribute``: 老师呢, 特控线呢: another thing asked the same way, same place;
* ``drill``: 其中…, 这些…, 这个项目…, or a very short message without a subject
  (花了多少钱？): asked of the report the last answer came from;
* ``time``: 去年呢, 2025年呢, 明年打算怎么做: the same place, another year;
* ``""``: not rewritten. A question that names its own place, or is long enough to stand alone,
  or asks about every place (各地), is never rewritten.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from config import CONFIG_DIR, ConfigError

from .text import normalize

DIALOGUE_FILE = CONFIG_DIR / "dialogue.toml"

PLACE, ATTRIBUTE, DRILL, TIME = "place", "attribute", "drill", "time"
KINDS = (PLACE, ATTRIBUTE, DRILL, TIME)

# A place a message names that the corpus may not know (凤凰县): two to four characters and an
# administrative suffix, not a word such as 全县 or 各市.
_PLACE_NAME = re.compile(r"[\u4e00-\u9fffa-z]{2,4}?(?:省|市|县|区|州)")
_NOT_A_PLACE = re.compile(r"^[各全本我该此每省市县区州城那这其]|^.?[级属]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)\s*(?:年度?)?")
_EDGE_PUNCT = " \t?？!！。.,，、;；:：~～…"
# The question phrase of a question (多少所？, 有哪些？), reused for an attribute follow-up.
_ASK = re.compile(r"(?:有多少|是多少|多少|有几|几|有哪些|哪些|哪几|哪个|哪所|哪一|什么|怎么样|怎样|怎么|如何|"
                  r"是否|有没有|占比|比例|比重)")
_CLASSIFIER_AFTER = re.compile(r"^(多少|几)[个所名人项次万亿千百十倍家座间条户台套批期岁年天种位部本场届元]")
_PLAN_HEADING = re.compile(r"计划|打算|谋划|思路|要点|展望|下一步")


@dataclass(frozen=True)
class Words:
    """The follow-up word lists of ``config/dialogue.toml``, normalised, longest first."""

    openers: tuple[str, ...]
    closers: tuple[str, ...]
    pointers: tuple[str, ...]
    every_place: tuple[str, ...]
    relative_years: tuple[tuple[str, int], ...]
    short_message_chars: int
    attribute_chars: int


def _words(values: object, name: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{DIALOGUE_FILE}: '{name}' must be a list of words")
    return tuple(sorted({normalize(v.strip()) for v in values}, key=len, reverse=True))


def load_words(path: Path = DIALOGUE_FILE) -> Words:
    """Read and check the word lists; a bad file raises :class:`ConfigError` naming the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the follow-up word lists ({exc})") from None
    relative = data.get("relative_years", {})
    if not isinstance(relative, dict) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                 for v in relative.values()):
        raise ConfigError(f"{path}: 'relative_years' must map words to whole numbers")
    limits = data.get("limits", {})
    sizes = []
    for name in ("short_message_chars", "attribute_chars"):
        value = limits.get(name) if isinstance(limits, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ConfigError(f"{path}: 'limits.{name}' must be a whole number from 0 to 100")
        sizes.append(value)
    return Words(_words(data.get("openers"), "openers"), _words(data.get("closers"), "closers"),
                 _words(data.get("pointers"), "pointers"), _words(data.get("every_place"), "every_place"),
                 tuple(sorted(((normalize(k), v) for k, v in relative.items()), key=lambda kv: -len(kv[0]))),
                 sizes[0], sizes[1])


@lru_cache(maxsize=1)
def default_words() -> Words:
    return load_words()


class Lexicon:
    """The places the corpus's reports are about, as named in messages (古丈县 and 古丈)."""

    def __init__(self, places: Iterable[str]):
        display: dict[str, str] = {}
        for place in places:
            norm = normalize(place)
            if len(norm) < 2:
                continue
            display.setdefault(norm, place)
            if len(norm) >= 3 and norm[-1] in "省市县区州":
                display.setdefault(norm[:-1], place[:-1] if len(place) == len(norm) else norm[:-1])
        self._display = display
        self._names = sorted(display, key=len, reverse=True)

    @classmethod
    def from_documents(cls, documents: Iterable[object]) -> "Lexicon":
        return cls(p for d in documents for p in getattr(d, "places", ()))

    def find(self, norm: str) -> tuple[str, int, int] | None:
        """(display name, start, end) of the first place ``norm`` names: a known one (longest at the
        earliest position), else anything shaped like a place name (凤凰县)."""
        best: tuple[int, int, str] | None = None
        for name in self._names:
            at = norm.find(name)
            if at >= 0 and (best is None or at < best[0] or at == best[0] and len(name) > best[1] - best[0]):
                best = (at, at + len(name), self._display[name])
        if best is not None:
            return best[2], best[0], best[1]
        for m in _PLACE_NAME.finditer(norm):
            if not _NOT_A_PLACE.search(m.group()):
                return m.group(), m.start(), m.end()
        return None


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
        return bool(_PLAN_HEADING.search(top)) and "总结" not in top


@dataclass(frozen=True)
class Conversation:
    """What a conversation is about after its last answered turn."""

    question: str = ""  # the last standalone question answered
    place: str = ""  # the place it is about: named in it, else that of the report that answered
    year: int | None = None  # the year it names, if any
    body: str = ""  # the question without its place and year
    ask: str = ""  # its question phrase (多少所？)
    answered: bool = False
    source: Source | None = None
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
        return bool(self.source and self.source.plan)


@dataclass(frozen=True)
class Resolution:
    """The standalone question to answer, and whether (and how) the conversation supplied part of it."""

    question: str
    rewritten: bool = False
    kind: str = ""


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


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_PUNCT)


def _parse(norm: str, lexicon: Lexicon, words: Words, base_year: int | None) -> _Parts:
    text = _strip_edges(norm)
    parts = _Parts(text)
    changed = True
    while changed:  # 那么……呢？ and 那请问……
        changed = False
        for w in words.openers:
            if text.startswith(w) and len(text) > len(w):
                text, parts.opener, changed = _strip_edges(text[len(w):]), True, True
                break
        for w in words.closers:
            if text.endswith(w):
                text, parts.closer, changed = _strip_edges(text[:-len(w)]), True, True
                break
    parts.text = text
    parts.every_place = any(w in text for w in words.every_place)
    rest = text
    for w in words.pointers:
        if rest.startswith(w):
            parts.pointer, rest = w, rest[len(w):]
            break
    parts.place = lexicon.find(rest)
    if parts.place:
        rest = rest[:parts.place[1]] + " " + rest[parts.place[2]:]
    m = _YEAR.search(rest)
    if m:
        parts.year = int(m.group(1))
        rest = rest[:m.start()] + " " + rest[m.end():]
    else:
        for word, offset in words.relative_years:
            at = rest.find(word)
            if at >= 0:
                parts.relative = True
                parts.year = None if base_year is None else base_year + offset
                rest = rest[:at] + " " + rest[at + len(word):]
                break
    rest = " ".join(rest.split())
    rest = _strip_edges(rest.strip("的 "))
    parts.rest = rest.replace(" ", "")
    return parts


def _replace_place(conv: Conversation, place: str) -> str:
    """The last question about ``place`` instead of its own place."""
    norm = normalize(conv.question)
    if conv.place:
        for name in _forms(conv.place):
            at = norm.find(name)
            if at >= 0:
                return norm[:at] + place + norm[at + len(name):]
    return place + norm


def _forms(place: str) -> list[str]:
    norm = normalize(place)
    return [norm, norm[:-1]] if len(norm) >= 3 and norm[-1] in "省市县区州" else [norm]


def _replace_year(question: str, conv: Conversation, year: int) -> str:
    """``question`` asking about ``year``: its own year replaced, else the year put after its place."""
    m = _YEAR.search(question)
    if m:
        return question[:m.start(1)] + str(year) + question[m.end(1):]
    for name in _forms(conv.place) if conv.place else []:
        at = question.find(name)
        if at >= 0:
            end = at + len(name)
            return question[:end] + f"{year}年" + question[end:]
    return f"{conv.place}{year}年" + question


def _prefix(conv: Conversation, year: int | None = None, *, report_year: bool = False) -> str:
    """The place (and year) a follow-up is about, to put in front of what it asks."""
    if year is None:
        year = conv.year
        if year is None and report_year and not conv.place and conv.source and conv.source.years:
            year = min(conv.source.years)  # no place to name: the report's year picks it
    return conv.place + (f"{year}年" if year is not None else "")


def _ask_phrase(question: str) -> str:
    """The question phrase of ``question`` without its counting unit (多少所？ → 有多少？)."""
    m = _ASK.search(question)
    if not m:
        return "的情况如何？"
    tail = _strip_edges(question[m.start():])
    tail = _CLASSIFIER_AFTER.sub(r"\1", tail)
    if tail.startswith("多少"):
        tail = "有" + tail
    return tail + "？"


def _question(text: str) -> str:
    text = _strip_edges(text)
    return text + "？"


def resolve(message: str, conversation: Conversation | None, lexicon: Lexicon, *,
            words: Words | None = None, max_chars: int = 500) -> Resolution:
    """The standalone question ``message`` asks, given the conversation so far."""
    unchanged = Resolution(message)
    conv = conversation
    if conv is None or not conv.question or not isinstance(message, str):
        return unchanged
    norm = normalize(message).strip()
    if not norm or len(norm) > max_chars:
        return unchanged
    words = words or default_words()
    parts = _parse(norm, lexicon, words, conv.base_year)
    if parts.every_place or not parts.text:
        return unchanged
    rest = parts.rest
    marked = parts.opener or parts.closer
    if parts.place:  # names a place: another place, or a question of its own
        place = parts.place[0]
        if not rest and marked:
            question = _replace_place(conv, place)
            if parts.year is not None:
                question = _replace_year(question, replace(conv, place=place), parts.year)
            return _done(message, question, PLACE, max_chars)
        if parts.closer and len(rest) <= words.attribute_chars and not _ASK.search(rest):
            year = parts.year if parts.year is not None else conv.year
            stem = place + (f"{year}年" if year is not None else "")
            return _done(message, stem + rest + _ask_phrase(normalize(conv.question)), PLACE, max_chars)
        return unchanged
    if parts.year is not None:  # another year
        if not rest:
            return _done(message, _replace_year(normalize(conv.question), conv, parts.year), TIME, max_chars)
        if conv.place and (parts.relative or marked or len(rest) <= words.short_message_chars):
            return _done(message, _prefix(conv, parts.year) + rest, TIME, max_chars)
        return unchanged
    if parts.relative:  # 去年呢 with no year to count from: nothing to rewrite it with
        return unchanged
    if parts.pointer and rest:
        return _done(message, _prefix(conv, report_year=True) + rest, DRILL, max_chars)
    if parts.closer and rest and len(rest) <= words.attribute_chars and not _ASK.search(rest):
        question = _prefix(conv, report_year=True) + rest + _ask_phrase(normalize(conv.question))
        return _done(message, question, ATTRIBUTE, max_chars)
    if rest and len(rest) <= words.short_message_chars:
        return _done(message, _prefix(conv, report_year=True) + rest, DRILL, max_chars)
    return unchanged


def _done(message: str, question: str, kind: str, max_chars: int) -> Resolution:
    question = _question(question)
    if len(question) > max_chars or question == _question(normalize(message)):
        return Resolution(message)
    return Resolution(question, True, kind)


def follow(conversation: Conversation | None, question: str, answered: bool, source: Source | None,
           lexicon: Lexicon) -> Conversation:
    """The conversation after ``question`` (standalone) was asked and answered (or not) from ``source``."""
    previous = conversation or Conversation()
    norm = normalize(question)
    found = lexicon.find(norm)
    m = _YEAR.search(norm)
    body = norm
    if found:
        body = body[:found[1]] + body[found[2]:]
    mb = _YEAR.search(body)
    if mb:
        body = body[:mb.start()] + body[mb.end():]
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
    return Conversation(question=question, place=place, year=int(m.group(1)) if m else None,
                        body=_strip_edges(body), ask=_ask_phrase(norm), answered=answered,
                        source=source, turns=previous.turns + 1)
