"""Every refusal in one place: why a question is not answered, and what the user is told.

The checks run in this order, each a small function that returns the refusing :class:`Answer`
(or None to go on):

* the question itself (:func:`check_question`): empty, too long; then nothing to search for
  (:func:`nothing_to_search`);
* a follow-up in a conversation (:func:`check_follow_up`): a place no report is about, or a word
  the last answer's report never uses (:func:`absent_word`);
* the reports (:func:`place_not_in_corpus`, :func:`report_not_in_corpus`, :func:`no_match`): a
  place no report is about, lies in or contains (``ReportFacts.not_covered``); a report named by a
  year no report is of; no passage shares a word with the question;
* the best passage (:func:`place_not_named`): it does not name the place the question names,
  which no report covers (a national report has no place, so :func:`place_not_in_corpus` let the
  question through);
* the decision on the best sentences (:func:`not_answered`): unsure (the sentences the answer would
  have led with, shown to be checked) or none, with the reason of the answer policy
  (``retrieval/answer/policy.py``: low confidence, or the passages are about another year or place).

The reason names are :class:`Reason`; the messages are in ``retrieval/answer/messages.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum

from ..types import Answer, Refusal, Sentence
from . import messages


class Reason(StrEnum):
    """Why a question was not answered (the JSON ``refusal.reason``)."""

    EMPTY_QUESTION = "empty_question"
    QUESTION_TOO_LONG = "question_too_long"
    NO_TERMS = "no_terms"  # nothing searchable in the question
    NO_MATCH = "no_match"  # no report shares a word with it
    LOW_CONFIDENCE = "low_confidence"
    YEAR_NOT_IN_CORPUS = "year_not_in_corpus"  # the passages that match are about other years
    PLACE_NOT_IN_CORPUS = "place_not_in_corpus"  # ... about other places, or a follow-up's place
    REPORT_NOT_IN_CORPUS = "report_not_in_corpus"  # a report named by a year no report is of
    WORD_NOT_IN_REPORT = "word_not_in_report"  # a follow-up's word the last answer's report never uses


REASONS = frozenset(r.value for r in Reason)


def refuse(question: str, reason: Reason, message: str, **extra) -> Answer:
    """The answer that refuses ``question`` for ``reason``, telling the user ``message``."""
    return Answer(question, False, message=message, refusal=Refusal(reason), **extra)


def check_question(question: str, max_chars: int) -> Answer | None:
    """An empty or over-long question (after stripping white space); None when it may be asked."""
    text = question.strip()
    if not text:
        return refuse(question, Reason.EMPTY_QUESTION, messages.EMPTY_QUESTION)
    if len(text) > max_chars:
        return refuse(
            question, Reason.QUESTION_TOO_LONG, messages.QUESTION_TOO_LONG.format(length=len(text), limit=max_chars)
        )
    return None


def nothing_to_search(question: str) -> Answer:
    return refuse(question, Reason.NO_TERMS, messages.NO_TERMS)


def place_not_in_corpus(question: str, place: str, coverage: str) -> Answer:
    """The question names a place no report covers: said so, with the places the reports cover."""
    return refuse(
        question,
        Reason.PLACE_NOT_IN_CORPUS,
        messages.PLACE_NOT_COVERED.format(place=place, question=question, coverage=coverage),
    )


def place_not_named(question: str, place: str, named: bool, coverage: str) -> Answer | None:
    """The question names a ``place`` no report covers and the best passage does not name it
    either (not ``named``): not answered from another place's passage, whatever the decision."""
    return None if named else place_not_in_corpus(question, place, coverage)


def report_not_in_corpus(question: str, year: int, coverage: str) -> Answer:
    return refuse(question, Reason.REPORT_NOT_IN_CORPUS, messages.REPORT_NOT_FOUND.format(year=year, coverage=coverage))


def no_match(question: str, not_found: str) -> Answer:
    return refuse(question, Reason.NO_MATCH, not_found)


def not_answered(
    question: str,
    refusal: Refusal,
    not_found: str,
    shown: Sequence[Sentence] = (),
    note: str = "",
    confidence: float | None = None,
) -> Answer:
    """The decision did not answer: unsure when sentences are ``shown`` (可能相关，请核对原文),
    else none (nothing relevant, with what the reports cover)."""
    return Answer(
        question,
        False,
        message=messages.UNSURE if shown else not_found,
        closest=tuple(shown),
        refusal=refusal,
        note=note,
        confidence=confidence,
    )


def learned_reason(vetoed: str | None, year_known: bool, place_known: bool) -> Reason:
    """The reason of a refusal the learned decision makes by low probability. The hand-set
    policy's veto (``vetoed``: the passages that match are about another year or place) names
    that year or place missing from the reports; its label is kept only when that is true (no
    report is of the year or next to it and none writes it, not ``year_known``; no report covers
    the place, not ``place_known``), else the reason is low confidence."""
    if vetoed == Reason.YEAR_NOT_IN_CORPUS and not year_known:
        return Reason.YEAR_NOT_IN_CORPUS
    if vetoed == Reason.PLACE_NOT_IN_CORPUS and not place_known:
        return Reason.PLACE_NOT_IN_CORPUS
    return Reason.LOW_CONFIDENCE


def check_follow_up(
    message: str,
    question: str,
    *,
    place: str = "",
    place_known: bool = True,
    word: str = "",
    report_title: str = "",
    coverage: str = "",
) -> Answer | None:
    """A follow-up the reports cannot answer: about a ``place`` no report is about (not
    ``place_known``), or asking the last answer's report about a ``word`` it never uses."""
    if place and not place_known:
        return refuse(
            message,
            Reason.PLACE_NOT_IN_CORPUS,
            messages.PLACE_NOT_COVERED.format(place=place, question=question, coverage=coverage),
        )
    if word:
        return refuse(
            message,
            Reason.WORD_NOT_IN_REPORT,
            messages.WORD_NOT_IN_REPORT.format(title=report_title, word=word, question=question),
        )
    return None


def absent_word(
    words: Iterable[str], report_text: str, synonyms: Callable[[str], Iterable[str]], normalised: Callable[[], str]
) -> str:
    """The first of a follow-up's own ``words`` that ``report_text`` never uses, nor any synonym
    of it ("" when it uses them all). The report is first searched as it is; its normalised text
    (a Traditional or full-width report), ``normalised()``, is asked for only once a word seems
    absent, and at most once."""
    normal: str | None = None

    def uses(word: str) -> bool:
        nonlocal normal
        if word in report_text:
            return True
        if normal is None:
            normal = normalised()
        return word in normal

    for term in dict.fromkeys(words):
        if len(term) < 2 or term.isdigit() or uses(term):
            continue
        if not any(uses(s) for s in synonyms(term)):
            return term
    return ""
