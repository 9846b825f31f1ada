"""Years, kinds and periods as the index stores them, and lead-ins joined to their chunk, on a
made-up folder (the dating rules themselves are unit-tested in tests/unit/dates/test_dating.py)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.dates.kinds import COMPANION, PLAN, REPORT, REVIEW
from retrieval.index.bm25 import BM25Index
from retrieval.index.store import IndexStore
from retrieval.lang.text import default_tokenizer
from tests.unit.dates.test_dating import PARAMS


@pytest.fixture(scope="module")
def dated_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("years")
    (folder / "2024.txt").write_text(
        "2024年中华人民共和国国务院政府工作报告\n\n一、2023年工作回顾\n\n"
        "去年国内生产总值超过126万亿元，增长5.2%。城镇新增就业1244万人。\n\n"
        "二、2024年政府工作任务\n\n今年经济社会发展的主要预期目标是：\n\n"
        "国内生产总值增长5%左右；城镇新增就业1200万人以上；居民消费价格涨幅3%左右。\n\n"
        "过去一年，国防和军队建设取得新的成绩和进步。\n",
        encoding="utf-8",
    )
    (folder / "决议.txt").write_text(
        "第十四届全国人民代表大会第二次会议关于2024年政府工作报告的决议\n\n"
        "会议充分肯定国务院过去一年的工作，同意报告提出的2024年经济社会发展总体要求和政策取向。\n",
        encoding="utf-8",
    )
    (folder / "other.txt").write_text(
        "某县2023年工作总结\n\n一、2023年工作情况\n\n全县经济运行稳中有进，固定资产投资增长较快。"
        "社会事业全面发展，民生保障持续加强。\n",
        encoding="utf-8",
    )
    corpus, _ = IndexStore(folder, tmp_path_factory.mktemp("cache"), PARAMS).open()
    return corpus


def _doc(corpus, name):
    return next(i for i, m in enumerate(corpus.docs) if m.path == name)


def _sentence(corpus, needle):
    for c in range(corpus.n_chunks):
        for s in corpus.sentence_range(c):
            if needle in corpus.sentence_text(c, s):
                return c, s
    raise AssertionError(needle)


def test_index_stores_years_kinds_and_periods(dated_corpus):
    corpus = dated_corpus
    report, resolution, other = (_doc(corpus, n) for n in ("2024.txt", "决议.txt", "other.txt"))
    assert [corpus.doc_year(d) for d in (report, resolution, other)] == [2024, 2024, 2023]
    assert [corpus.doc_kind(d) for d in (report, resolution, other)] == [REPORT, COMPANION, REPORT]
    assert corpus.document(resolution).kind == COMPANION and corpus.document(report).year == 2024
    assert corpus.doc_year_array()[[report, resolution, other]].tolist() == [2024, 2024, 2023]
    assert corpus.companion_mask()[[report, resolution, other]].tolist() == [False, True, False]
    c, s = _sentence(corpus, "去年国内生产总值")
    assert corpus.sentence_period(s) == 2023
    assert (corpus.section_period(c), corpus.section_kind(c)) == (2023, REVIEW)
    cite = corpus.citation(c, s)
    assert (cite.year, cite.period) == (2024, 2023)
    c, s = _sentence(corpus, "居民消费价格涨幅3%")
    assert corpus.sentence_period(s) == 2024 and corpus.section_kind(c) == PLAN
    c, s = _sentence(corpus, "国防和军队")
    assert corpus.sentence_period(s) == 2023 and corpus.section_period(c) == 2024
    c, s = _sentence(corpus, "固定资产投资")
    assert corpus.sentence_period(s) == 2023 and corpus.section_kind(c) == REVIEW
    assert corpus.tables["sent_period"].dtype == np.int32


def test_lead_in_joins_the_following_chunk(dated_corpus):
    corpus = dated_corpus
    c, s = _sentence(corpus, "居民消费价格涨幅3%")
    lead = corpus.lead_in(c)
    doc = int(corpus.tables["chunk_doc"][c])
    text = corpus.text(doc)
    assert lead is not None and text[lead[0] : lead[1]] == "今年经济社会发展的主要预期目标是："
    # Citations still quote the sentence itself, at its own offsets.
    cite = corpus.citation(c, s)
    assert text[cite.start : cite.end] == corpus.sentence_text(c, s)
    assert "预期目标" not in corpus.sentence_text(c, s)
    # A question in the lead-in's words finds the paragraph of figures (it never says 预期目标).
    tokens = default_tokenizer().tokens("主要预期目标是多少")
    scores = corpus.bm25.scores(tokens)
    assert scores[c] > 0
    c_plain, _ = _sentence(corpus, "城镇新增就业1244万人")
    assert corpus.lead_in(c_plain) is None and scores[c] > scores[c_plain]
    # The index equals one built from each chunk's lead-in tokens followed by its sentences'.
    t = corpus.tables
    documents = [
        [corpus.term(w) for w in corpus.lead_tokens(i)]
        + [corpus.term(w) for w in t["tok"][t["tok_ptr"][t["sent_ptr"][i]] : t["tok_ptr"][t["sent_ptr"][i + 1]]]]
        for i in range(corpus.n_chunks)
    ]
    direct = BM25Index.build(documents)
    assert list(direct.vocab) == list(corpus.bm25.vocab)
    assert np.allclose(direct.scores(tokens), scores, rtol=0, atol=1e-12)
    assert int(corpus.bm25.doc_len[c]) == len(documents[c]) > len(corpus.lead_tokens(c)) > 0
