"""Pages of an answer: the sentences shown under it, then "更多" page by page.

A stored answer keeps its ranked sentences (those shown and the further ones); every page is as
long as the first and carries a "原文" button per sentence and, unless it is the last, "更多".
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from retrieval.types import Answer, Sentence

from .answers import AnswerStore, StoredAnswer
from .keyboards import answer_keyboard


@dataclass(frozen=True)
class Page:
    first: int  # where the page starts among the ranked sentences (0-based)
    sentences: tuple[Sentence, ...]
    next_page: int | None  # the number of the page after this one, if there is one


def remember(
    store: AnswerStore, chat_id: int, answer: Answer, question: str, generation: int
) -> InlineKeyboardMarkup | None:
    """Keep ``answer`` for its buttons; the buttons under it (``None`` if it has no sentences)."""
    if not (answer.answered or answer.closest):
        return None
    sentences, shown = ranked(answer)
    entry = StoredAnswer(answer.resolved or question, sentences, shown, generation)
    first = page(entry, 0)
    return keyboard(store.put(chat_id, entry), first) if first else None


def ranked(answer: Answer) -> tuple[tuple[Sentence, ...], int]:
    """The sentences the buttons page through, and how many the answer itself shows.

    An answer's sentences and then its further ones; when not answered, the closest sentences."""
    if answer.answered:
        return answer.sentences + answer.more, len(answer.sentences)
    return answer.closest, len(answer.closest)


def page(entry: StoredAnswer, number: int) -> Page | None:
    """Page ``number`` of a stored answer (0 is the answer itself), or ``None`` past the last."""
    first = number * entry.page_size
    sentences = entry.sentences[first : first + entry.page_size]
    if not sentences:
        return None
    more = first + len(sentences) < len(entry.sentences)
    return Page(first, sentences, number + 1 if more else None)


def keyboard(key: str, shown: Page) -> InlineKeyboardMarkup:
    """The buttons under a page of stored answer ``key``."""
    return answer_keyboard(key, shown.first, len(shown.sentences), shown.next_page)
