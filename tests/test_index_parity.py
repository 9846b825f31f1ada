"""BM25 over postings gives the scores of ``rank_bm25.BM25Okapi.get_scores``, and its ranking."""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from rank_bm25 import BM25Okapi

from retrieval.index.bm25 import BM25Index, Retriever
from tests.conftest import ROOT, SHARED_DATASETS

sys.path.insert(0, str(ROOT / "benchmarks"))
from make_corpus import load_sentences

TOL = 1e-6


def reference_top(scores: np.ndarray, k: int) -> list[int]:
    """Best first, ties by chunk id; only positive scores (as BM25Index.top)."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return [int(i) for i in order[:k] if scores[i] > 0]


def assert_parity(chunks: list[list[str]], queries: list[list[str]], index: BM25Index) -> int:
    """Compare every query; returns how many queries had a non-empty top 10."""
    reference = BM25Okapi(chunks)
    checked = 0
    for q in queries:
        expected = reference.get_scores(q)
        got = index.scores(q)
        assert got.shape == expected.shape
        assert np.max(np.abs(got - expected), initial=0.0) <= TOL, q
        top = [i for i, _ in index.top(q, 10)]
        assert top == reference_top(expected, 10), q
        checked += bool(top)
    return checked


def dev_questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def test_seed_index_matches_rank_bm25(engine):
    corpus = engine.corpus
    bm25 = corpus.bm25
    terms = [corpus.term(i) for i in range(len(bm25.vocab))]
    tok = corpus.tables["tok"]
    tok_ptr = corpus.tables["tok_ptr"]
    sent_ptr = corpus.tables["sent_ptr"]
    chunks = [
        [terms[t] for t in corpus.lead_tokens(c)]
        + [terms[t] for t in tok[tok_ptr[sent_ptr[c]] : tok_ptr[sent_ptr[c + 1]]]]
        for c in range(corpus.n_chunks)
    ]
    assert len(chunks) == corpus.n_chunks > 50
    queries = [engine.tokenizer.tokens(q) for q in dev_questions()]
    queries.append(queries[0] + queries[0][:2])  # repeated terms count twice
    queries.append(["不在语料里的词", "教育"])  # an unknown term adds nothing
    checked = assert_parity(chunks, queries, bm25)
    assert checked >= len(queries) - 5
    # The index built straight from the token lists is the same index.
    rebuilt = BM25Index.build(chunks)
    for q in queries[:20]:
        assert np.allclose(rebuilt.scores(q), bm25.scores(q), rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def sample_5000():
    """5,000 chunks recombined (seeded) from tokenised real sentences, and 150 real questions."""
    from retrieval.lang.text import default_tokenizer

    reports, others, _used = load_sentences()
    rng = random.Random(20240601)
    pool = reports + rng.sample(others, min(len(others), 1200))
    tokenizer = default_tokenizer()
    tokenised = [tokenizer.tokens(s) for s in pool]
    chunks = []
    for _ in range(5000):
        chunk: list[str] = []
        for _ in range(rng.randint(1, 6)):
            chunk.extend(tokenised[rng.randrange(len(tokenised))])
        chunks.append(chunk)
    questions = dev_questions()
    path = SHARED_DATASETS / "cmrc2018_trial.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        qs = [qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]
        questions += rng.sample(qs, 60)
    queries = [tokenizer.tokens(q) for q in questions]
    return chunks, queries


def test_5000_chunk_sample_matches_rank_bm25(sample_5000):
    chunks, queries = sample_5000
    index = BM25Index.build(chunks)
    assert index.n_chunks == 5000
    assert assert_parity(chunks, queries, index) >= len(queries) * 0.9


def test_epsilon_floor_for_common_terms():
    # "a" is in every chunk: its raw idf is negative and becomes epsilon * average idf.
    chunks = [["a", "b"], ["a", "c"], ["a", "a", "d"], ["a"], []]
    index = BM25Index.build(chunks, epsilon=0.25)
    reference = BM25Okapi(chunks, epsilon=0.25)
    assert index.idf_of("a") == pytest.approx(reference.idf["a"], abs=1e-12)
    assert index.idf_of("a") > 0
    assert_parity(chunks, [["a"], ["a", "b"], ["d", "d", "a"], ["zz"]], index)


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=12), min_size=1, max_size=30).filter(lambda c: any(c)),
    st.lists(st.sampled_from("abcdefghxy"), max_size=6),
    st.floats(0.5, 2.0),
    st.floats(0.0, 0.95),
)  # b = 1 makes rank_bm25 divide 0 by 0 on an empty chunk
def test_random_corpora_match_rank_bm25(chunks, query, k1, b):
    index = BM25Index.build(chunks, k1=k1, b=b)
    expected = BM25Okapi(chunks, k1=k1, b=b).get_scores(query)
    assert np.max(np.abs(index.scores(query) - expected), initial=0.0) <= TOL


def test_saved_index_scores_the_same(tmp_path):
    chunks = [["教育", "学校"], ["学校", "学生", "学生"], ["教师"], ["教育", "教师", "培训"]]
    index = BM25Index.build(chunks)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path, index.vocab, index.k1, index.b, index.epsilon)
    assert not loaded.postings.flags.writeable and not loaded.postings.flags.owndata  # mapped
    for q in (["教育"], ["学生", "教师"], ["培训", "培训"]):
        assert np.array_equal(loaded.scores(q), index.scores(q))
    assert isinstance(loaded, Retriever)
