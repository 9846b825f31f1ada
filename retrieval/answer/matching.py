"""How a candidate sentence stands to what the question asks, each a small pure function.

What a question asks is read once (:func:`asked`): the thing asked for and its qualifiers, the
words of the question that belong to a class of mutually exclusive words (中考 of 中考 / 高考,
小学 of 小学 / 初中 / 高中, 一本 of 一本 / 本科). Each qualifier is then matched against a
candidate sentence and its context (paragraph, section, report title): *matched*, *context*
(only around the sentence), *absent*, or *contradicted* (the sentence holds another member of the
class and not the one asked). Beside them: a question word the sentence names with another
modifier (:func:`swapped_modifiers`), and a table row's label and columns (:func:`table_match`).
The decision (:mod:`.decision`) reads them as columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .records import Question

if TYPE_CHECKING:  # only for annotations: the matching reads what the composer hands it
    from ..lang.classes import WordClasses
    from ..lang.synonyms import Thesaurus

MATCHED, CONTEXT, ABSENT, CONTRADICTED = "matched", "context", "absent", "contradicted"


@dataclass(frozen=True)
class Qualifier:
    """A question word that narrows what is asked, with the other members of its class."""

    word: str
    siblings: frozenset[str]
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asked:
    """What a question asks, as the decision reads it against a sentence: the thing asked for and
    the qualifiers that narrow it. Whether the sentence is of the asked year, place and part (plan
    or result) or holds a value of the asked unit is worked out by the composer's stages from the
    :class:`Question` and reaches the row in :class:`Evidence`."""

    thing: str  # the focus word, or the rarest term ("" if neither is found)
    qualifiers: tuple[Qualifier, ...]


def asked(q: Question, classes: WordClasses, thesaurus: Thesaurus, key_term: str = "") -> Asked:
    """The :class:`Asked` record of ``q`` (``key_term``: its rarest term, when known)."""
    quals = []
    place_words = q.report_places or frozenset()
    for word in classes.words_in(q.norm):
        if any(word in p for p in place_words):
            continue
        siblings = frozenset(s for s in classes.siblings(word) if s not in q.norm)
        if siblings:
            quals.append(Qualifier(word, siblings, thesaurus.synonyms(word)))
    return Asked(q.focus or key_term, tuple(quals))


def qualifier_status(qual: Qualifier, sentence: str, context: str) -> str:
    """How ``sentence`` (normalised) with its ``context`` stands to one qualifier of the question."""
    if qual.word in sentence or any(s in sentence for s in qual.synonyms):
        return MATCHED
    if any(s in sentence for s in qual.siblings):
        return CONTRADICTED
    if qual.word in context or any(s in context for s in qual.synonyms):
        return CONTEXT
    return ABSENT


def qualifier_counts(a: Asked, sentence: str, context: str) -> dict[str, int]:
    """How many of the question's qualifiers are matched, only in context, absent, contradicted."""
    counts = {MATCHED: 0, CONTEXT: 0, ABSENT: 0, CONTRADICTED: 0}
    for qual in a.qualifiers:
        counts[qualifier_status(qual, sentence, context)] += 1
    return counts


def swapped_modifiers(question: Sequence[str], sentence: Sequence[str], context: str) -> int:
    """How many words of the question the sentence names with another modifier: the question's
    word before a shared word is not in the sentence, and the sentence has a different word
    there (城镇登记失业率 asked, 城镇调查失业率 given; 农村学校 / 城区学校). ``context`` is unused
    on purpose: a paragraph that names 农村 elsewhere does not make 城区学校 about it."""
    before: dict[str, set[str]] = {}
    for prev, word in zip(sentence, sentence[1:]):
        if _content(prev):
            before.setdefault(word, set()).add(prev)
    joined = "".join(sentence)
    swapped = 0
    for prev, word in zip(question, question[1:]):
        if not (_content(prev) and _content(word)) or prev in joined:
            continue
        if before.get(word, set()) - {prev}:
            swapped += 1
    return swapped


def _content(word: str) -> bool:
    """A word that can narrow another: two or more characters, not a figure."""
    return len(word) >= 2 and not any(ch.isdigit() for ch in word)


def thing_status(a: Asked, sentence: str, context: str) -> float:
    """1 when the thing asked for is in the sentence, 0.5 in its context only, 0 when absent or
    when nothing names it."""
    if not a.thing:
        return 0.0
    if a.thing in sentence:
        return 1.0
    return 0.5 if a.thing in context else 0.0


def table_match(question: Sequence[str], sentence: str, is_row: bool) -> tuple[float, float]:
    """For a sentence that is a table row (``行名：列名值，列名值。``, as written or normalised):
    the share of the question's content words in the row's label, and 1 when one of them is in a
    column's name (a cell's text without its figures, or before 为), else 0; (0, 0) for other
    sentences."""
    words = [w for w in question if _content(w)]
    if not is_row or not words:
        return 0.0, 0.0
    head = _ROW_LABEL.split(sentence, maxsplit=1)
    label, body = (head[0], head[1]) if len(head) == 2 else ("", sentence)
    columns = [_FIGURE.sub("", cell.split("为", 1)[0]) for cell in re.split(r"[，,]", body)]
    label_share = sum(w in label for w in words) / len(words)
    column = any(w in c for w in words for c in columns if c)
    return label_share, float(column)


_FIGURE = re.compile(r"[-+−－]?\d+(?:\.\d+)?")
_ROW_LABEL = re.compile(r"[:：]")  # after the row's label (normalised text has the half-width colon)
