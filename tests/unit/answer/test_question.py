"""Question analysis (retrieval/answer/question.py): words written apart in a question."""

from __future__ import annotations

import pytest

from retrieval.answer.question import analyse, split_words
from retrieval.lang.text import default_tokenizer, normalize


@pytest.mark.parametrize(
    "question, words",
    [
        ("1955年全国一共造了多少亩林？", ("造林",)),
        ("1959年全国打了多少鱼？", ("打鱼",)),
        ("登记的选民里有多少人去投了票？", ("投票",)),
        ("江西本科招生计划去年多了多少个？", ()),  # 个 counts, it is no object
        ("职教园区盖楼的活儿大概干完了几成？", ()),  # 完 ends 干完: no 完成
        ("2011年城镇保障性住房建好了多少套？", ()),
    ],
)
def test_a_verb_and_its_object_written_apart(question, words):
    assert split_words(normalize(question), default_tokenizer()) == words


def test_the_joined_word_is_a_search_term():
    assert "造林" in analyse("1955年全国一共造了多少亩林？", default_tokenizer()).tokens


@pytest.mark.parametrize(
    "question, counter, bigram",
    [
        ("古丈县有多少所学校？", "所", "所学"),
        ("长葛市今年招了多少名教师？", "名", "名教"),
        ("全县新建了多少座桥？", "座", "座桥"),
    ],
)
def test_a_counter_after_the_question_word_is_no_search_term(question, counter, bigram):
    q = analyse(question, default_tokenizer())
    assert counter not in q.tokens and bigram not in q.bigrams


def test_a_word_after_the_question_word_is_kept_whole():
    q = analyse("全省有多少人口？", default_tokenizer())  # 人 is no counter here: 人口 stays
    assert "人口" in q.tokens
