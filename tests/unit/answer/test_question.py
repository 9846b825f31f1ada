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
        ("全县配了多少辆校车？", "辆", "辆校"),
        ("江苏2024年新增了多少个托位？", "个托位", "个托"),  # jieba's HMM guesses 个托位: no word
    ],
)
def test_a_counter_after_the_question_word_is_no_search_term(question, counter, bigram):
    q = analyse(question, default_tokenizer())
    assert counter not in q.tokens and bigram not in q.bigrams


def test_a_word_after_a_counter_jieba_glued_to_it_is_searched_alone():
    assert "托位" in analyse("江苏2024年新增了多少个托位？", default_tokenizer()).tokens


@pytest.mark.parametrize(
    "question, word",
    [
        ("全省有多少人口？", "人口"),  # 人 is no counter
        ("全市有多少名额？", "名额"),  # a counter that opens a word stays with it
        ("全市有多少个体工商户？", "个体"),
        ("一年开了多少座谈会？", "座谈会"),
        ("建了多少名师工作室？", "名师"),
        ("分了多少批次？", "批次"),
    ],
)
def test_a_word_after_the_question_word_is_kept_whole(question, word):
    assert word in analyse(question, default_tokenizer()).tokens
