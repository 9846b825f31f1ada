"""Pages of an answer and the buttons under each (pure: no bot, no engine)."""

from __future__ import annotations

from bot.telegram import paging
from bot.telegram.answers import AnswerStore, decode
from retrieval import Answer, Citation, Sentence


def _sentences(n: int) -> tuple[Sentence, ...]:
    citation = Citation(
        doc_id="a.txt",
        title="报告",
        path="a.txt",
        section="一、基本情况",
        paragraph=1,
        start=0,
        end=4,
        para_start=0,
        para_end=8,
    )
    return tuple(Sentence(f"第{i}句。", 1.0, citation) for i in range(n))


def _labels(markup):
    return [(b.text, decode(b.callback_data)) for row in markup.inline_keyboard for b in row]


def test_an_answer_pages_by_the_number_of_sentences_it_shows():
    store = AnswerStore()
    answer = Answer("问", True, _sentences(3), more=_sentences(7)[3:], resolved="问")
    markup = paging.remember(store, 7, answer, "问", generation=0)
    labels = _labels(markup)
    key = labels[0][1][1]
    assert labels == [
        ("原文 1", ("o", key, 0)),
        ("原文 2", ("o", key, 1)),
        ("原文 3", ("o", key, 2)),
        ("更多", ("m", key, 1)),
    ]
    entry = store.get(7, key)
    assert entry.page_size == 3 and len(entry.sentences) == 7 and entry.question == "问"
    second = paging.page(entry, 1)
    assert second.first == 3 and [s.text for s in second.sentences] == ["第3句。", "第4句。", "第5句。"]
    assert second.next_page == 2
    last = paging.page(entry, 2)
    assert last.first == 6 and len(last.sentences) == 1 and last.next_page is None
    assert _labels(paging.keyboard(key, last)) == [("原文 7", ("o", key, 6))]
    assert paging.page(entry, 3) is None


def test_closest_sentences_get_buttons_and_a_bare_refusal_none():
    store = AnswerStore()
    closest = Answer("问", False, message="没有找到。", closest=_sentences(2), resolved="问")
    assert [text for text, _ in _labels(paging.remember(store, 7, closest, "问", 0))] == ["原文 1", "原文 2"]
    assert paging.remember(store, 7, Answer("问", False, message="没有找到。"), "问", 0) is None
    assert len(store) == 1


def test_a_follow_up_is_kept_as_the_question_answered():
    store = AnswerStore()
    answer = Answer("那长葛呢？", True, _sentences(1), resolved="长葛市学校多少所？")
    [(_, (_, key, _))] = _labels(paging.remember(store, 7, answer, "那长葛呢？", 3))
    entry = store.get(7, key)
    assert entry.question == "长葛市学校多少所？" and entry.generation == 3
