"""Search (retrieval/answer/search.py): synonyms the reports use, and chunks added after the
retrieved ones."""

from __future__ import annotations

import numpy as np

from retrieval.answer.records import Retrieved
from retrieval.answer.search import expand, with_chunks
from retrieval.lang.synonyms import Thesaurus


class Vocab:
    """The one part of a retriever :func:`expand` reads: the reports' words."""

    def __init__(self, words: list[str]):
        self.vocab = {w: i for i, w in enumerate(words)}


def test_only_synonyms_the_reports_use_and_the_question_does_not_are_added():
    thesaurus = Thesaurus([["教师", "老师", "教员"], ["学校", "学堂"]])
    retriever = Vocab(["教师", "教员", "学校"])
    assert expand(["老师", "学校"], retriever, thesaurus) == {"老师": ("教员", "教师")}
    assert expand(["老师", "教师"], retriever, thesaurus) == {"老师": ("教员",), "教师": ("教员",)}
    assert expand(["学生"], retriever, thesaurus) == {}


def test_extra_chunks_come_after_the_retrieved_ones_once():
    found = Retrieved([4, 1], np.zeros(6), {}, None)
    more = with_chunks(found, [1, 5, 5, 0])
    assert more.chunks == [4, 1, 5, 0] and found.chunks == [4, 1]
    assert with_chunks(found, [4, 1]) is found
