"""Mixed sentence vectors (retrieval/index/hybrid.py): the model's vectors for the sentences a time
budget allows, static word vectors for the rest, searched as one; chosen by ``semantic = auto``
when the full build does not fit the budget. Small corpora the tests write, a fake model."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from fake_embedder import FakeEmbedder
from test_static_vectors import tiny_table

from bot.render import semantic_status_text
from config import ConfigError, load_settings
from retrieval import Engine
from retrieval.index.embedding import VectorCache
from retrieval.index.hybrid import HybridVectors
from retrieval.index.hybrid_plan import HybridCache, model_cost, plan, priority, select, sentence_chars
from retrieval.index.static import StaticEmbedder
from retrieval.index.store import IndexStore
from retrieval.index.vectors import FULL, HYBRID, STATIC, SentenceVectors

pytestmark = pytest.mark.timeout(120)


# --- choosing the sentences -------------------------------------------------------------------------------
def test_select_takes_the_highest_keys_while_their_cost_fits():
    keys = np.array([5.0, 1.0, 4.0, 3.0])
    cost = np.array([2.0, 1.0, 2.0, 2.0])
    assert select(keys, cost, 4.0).tolist() == [True, False, True, False]
    assert select(keys, cost, 3.9).tolist() == [True, False, False, False]
    # sentences already embedded cost nothing and stay chosen
    done = np.array([False, True, True, False])
    assert select(keys, cost, 4.0, done).tolist() == [True, True, True, True]


def test_the_model_costs_more_for_a_longer_sentence():
    cost = model_cost(np.array([10, 50, 150]))
    assert cost[0] < cost[1] < cost[2] and cost[0] > 0


# --- one search over two kinds ---------------------------------------------------------------------------
class _Model:
    name, dim = "unit-model", 4

    def query(self, text):  # pragma: no cover - the tests pass vectors
        raise AssertionError


def _unit(rows):
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def _hybrid(offset=0.0, calibrate="quantile"):
    """Six sentences: 0–3 with model vectors, 4–5 static only; static cosines run high (0.9+)
    and the model's low, as the two kinds do."""
    rng = np.random.default_rng(3)
    static = _unit(np.ones((6, 8)) * 3 + rng.random((6, 8)))
    full = _unit(rng.standard_normal((4, 4)))
    vectors = SentenceVectors(static, StaticEmbedder(tiny_table(dim=8)))
    h = HybridVectors(full, np.arange(4), _Model(), vectors, calibrate=calibrate, offset=offset)
    return h, full, static


def test_model_sentences_keep_their_cosines_and_static_ones_are_put_on_the_model_scale():
    h, full, static = _hybrid()
    q = np.concatenate([full[2], static[5]])  # the model's sentence 2 and the static sentence 5
    cos = h.cosines(q, range(6))
    assert np.allclose(cos[:4], full @ full[2], atol=1e-6)
    model_cos = full @ full[2]
    # sentence 5 is the static vector itself: above every model sentence's static cosine, so on
    # the model's scale it is the model's best cosine (the quantile map's top)
    assert cos[5] == pytest.approx(model_cos.max(), abs=1e-6)
    assert model_cos.min() - 1e-6 <= cos[4] <= model_cos.max() + 1e-6
    near = h.nearest(q, 6)
    assert [i for i, _ in near][:2] == [2, 5] and len({i for i, _ in near}) == 6
    assert all(a[1] >= b[1] for a, b in zip(near, near[1:]))
    # an offset lowers the static ones; raw cosines leave them on their own scale (0.9+)
    lowered, _, _ = _hybrid(offset=0.05)
    assert lowered.cosines(q, [5])[0] == pytest.approx(model_cos.max() - 0.05, abs=1e-6)
    raw, _, _ = _hybrid(calibrate="raw")
    assert raw.cosines(q, [5])[0] == pytest.approx(1.0, abs=1e-3)


class _Passages(_Model):
    """The model of sentences 4 and 5 (static only in :func:`_hybrid`), embedded on demand."""

    def __init__(self, rows):
        self.rows, self.asked = rows, []

    def passages(self, texts):
        self.asked += texts
        return np.stack([self.rows[int(t)] for t in texts])


def test_the_nearest_static_only_sentences_get_the_model_at_question_time():
    # the benchmark's variant (benchmarks/hybrid_quality.py --late), not the product's search
    from benchmarks.hybrid_quality import LateHybridVectors

    h, full, static = _hybrid()
    late_rows = {4: _unit([[1.0, 0.0, 0.0, 0.0]])[0], 5: _unit([[0.0, 1.0, 0.0, 0.0]])[0]}
    model = _Passages(late_rows)
    late = LateHybridVectors(full, np.arange(4), model, h.static, text=str, late=1)
    q = np.concatenate([late_rows[4], static[5]])  # static sentence 5 nearest by static cosine
    near = dict(late.nearest(q, 6))
    assert model.asked == ["5"]  # only the nearest one without the model's vectors
    assert near[5] == pytest.approx(float(late_rows[5] @ late_rows[4]), abs=1e-6)  # its model cosine: 0
    assert near[4] == pytest.approx(h.cosines(q, [4])[0], abs=1e-6)  # the other one stays mapped
    assert late.cosines(q, [5])[0] == pytest.approx(near[5], abs=1e-6)
    late.nearest(q, 6)
    assert model.asked == ["5"]  # kept: not embedded twice
    mapped = dict(h.nearest(q, 6))[5]  # without it: the static cosine mapped to the model's best
    assert mapped == pytest.approx(max(full @ late_rows[4]), abs=1e-6) and mapped > near[5] + 0.1


def test_the_quantile_map_can_be_read_on_some_of_the_model_sentences():
    h, full, static = _hybrid()
    q = np.concatenate([full[2], static[5]])
    two = HybridVectors(full, np.arange(4), _Model(), h.static, map_ids=np.array([0, 1]))
    # sentence 5's static cosine is above the map's: it takes the top of the two sentences' model cosines
    assert two.cosines(q, [5])[0] == pytest.approx(max(full[[0, 1]] @ full[2]), abs=1e-6)
    assert two.cosines(q, [2])[0] == pytest.approx(1.0, abs=1e-6)  # the model's own cosines are untouched
    with pytest.raises(ValueError):
        HybridVectors(full, np.arange(4), _Model(), h.static, map_ids=np.array([4]))


def test_a_question_vector_of_the_wrong_size_is_refused():
    h, _, _ = _hybrid()
    with pytest.raises(ValueError):
        h.nearest(np.ones(4, dtype=np.float32), 3)


# --- through the engine -------------------------------------------------------------------------------------
REPORT = """某县教育局2024年工作总结

一、主要工作
整治校园周边交通秩序，上下学时段学校门口拥堵明显缓解，家长接送更加方便。
招聘新教师200名。组织全员培训。
全县现有学校60所，在校学生21000人，教职工1800人，其中专任教师1500人。
"""


def _frozen() -> float:
    """A clock that never moves: the wall-clock deadline of these budgets (milliseconds) is
    never reached (the deadline has its own tests below)."""
    return 0.0


def _settings(tmp_path: Path, **changes):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(REPORT, encoding="utf-8")
    base = {"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "workers": 1, "semantic": "auto"}
    return load_settings(overrides={**base, **changes}, env={})


def _budget_for(tmp_path: Path, share: float) -> tuple[float, np.ndarray]:
    """A budget under which about ``share`` of the sentences' model cost fits, and the sentences
    it chooses (the longest first)."""
    settings = _settings(tmp_path, semantic="off")
    corpus = Engine.open(settings).corpus
    cost = model_cost(sentence_chars(corpus))
    budget = share * float(cost.sum()) / settings.semantic_hybrid_fill
    chosen = select(priority(corpus), cost, budget * settings.semantic_hybrid_fill)
    return budget, chosen


def test_auto_above_the_budget_gives_the_longest_sentences_the_model_and_the_rest_static(tmp_path):
    budget, chosen = _budget_for(tmp_path, 0.6)
    assert 0 < chosen.sum() < chosen.shape[0]
    fake, static = FakeEmbedder(), StaticEmbedder(tiny_table())
    settings = _settings(tmp_path, semantic_budget_seconds=budget)
    engine = Engine.open(settings, embedder=fake, static_embedder=static, clock=_frozen)
    status = engine.semantic_status
    assert status.representation == HYBRID and status.state == "ready"
    assert fake.passages_embedded == int(chosen.sum()) == status.model_sentences
    assert np.array_equal(engine.semantic.covered, np.flatnonzero(chosen))
    chars = sentence_chars(engine.corpus)
    assert chars[chosen].min() >= chars[~chosen].max()  # the longest first
    text = semantic_status_text(status)
    assert f"完整向量 {int(chosen.sum())} 句" in text and f"其余 {int((~chosen).sum())} 句用静态词向量" in text
    answer = engine.answer("学校门口拥堵怎么解决？")
    assert "拥堵" in (answer.sentences or answer.closest)[0].text
    # opened again: everything is cached, the model embeds nothing
    again = Engine.open(settings, embedder=fake, static_embedder=static, clock=_frozen)
    assert again.semantic_status.state == "ready" and fake.passages_embedded == int(chosen.sum())
    assert isinstance(again.semantic, HybridVectors)


def test_a_share_under_the_minimum_is_static_alone(tmp_path):
    budget, _ = _budget_for(tmp_path, 0.6)
    fake = FakeEmbedder()
    settings = _settings(tmp_path, semantic_budget_seconds=budget, semantic_hybrid_min_share=1.0)
    engine = Engine.open(settings, embedder=fake, static_embedder=StaticEmbedder(tiny_table()))
    assert engine.semantic_status.representation == STATIC and fake.passage_calls == 0


def test_the_model_share_is_kept_per_file_and_the_full_build_embeds_only_the_rest(tmp_path):
    """Part entries: a second, larger selection embeds only its new sentences; the full build
    (``semantic = on``, or auto once the rest fits the budget) only the ones still missing."""
    settings = _settings(tmp_path, semantic="off")
    engine = Engine.open(settings)
    store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 1)
    fake = FakeEmbedder()
    cache = VectorCache(store.folder, store.token_key, fake)
    n = engine.corpus.tables["sent_start"].shape[0]
    first = np.zeros(n, dtype=bool)
    first[: n // 2] = True
    ids, rows = cache.embed_some(engine.corpus, first)
    assert ids.tolist() == list(range(n // 2)) and fake.passages_embedded == n // 2
    assert cache.pending(engine.corpus) == n - n // 2  # a part entry's rows are not pending
    more = first.copy()
    more[n // 2] = True
    ids, _ = cache.embed_some(engine.corpus, more)
    assert len(ids) == n // 2 + 1 and fake.passages_embedded == n // 2 + 1
    full = Engine.open(_settings(tmp_path, semantic="on"), embedder=fake)
    assert full.semantic_status.representation == FULL and fake.passages_embedded == n
    assert np.allclose(np.asarray(full.semantic.matrix)[: n // 2], rows)


def test_in_the_background_static_vectors_answer_first_then_the_model_covers_every_sentence(tmp_path):
    budget, _ = _budget_for(tmp_path, 0.6)
    fake, static = FakeEmbedder(), StaticEmbedder(tiny_table())
    settings = _settings(tmp_path, semantic_budget_seconds=budget)
    fake.gate = gate = threading.Event()
    engine = Engine.open(settings, semantic="background", embedder=fake, static_embedder=static, clock=_frozen)
    assert engine.semantic_status.representation == HYBRID
    assert isinstance(engine.semantic, SentenceVectors) and engine.semantic.dim == static.dim  # static meanwhile
    assert "暂时用静态词向量" in semantic_status_text(engine.semantic_status)
    gate.set()
    assert engine.wait_for_vectors(60)
    n = engine.corpus.tables["sent_start"].shape[0]
    assert isinstance(engine.semantic, HybridVectors) and engine.semantic.covered.shape[0] == n
    assert fake.passages_embedded == n  # the chosen sentences, then the rest, each once
    # every file now has the model's vectors: the next open uses them whole
    again = Engine.open(settings, embedder=fake, static_embedder=static, clock=_frozen)
    assert again.semantic_status.representation == FULL and fake.passages_embedded == n


@pytest.mark.parametrize(
    "name, value", [("semantic_hybrid_fill", 1.5), ("semantic_hybrid_min_share", -0.1), ("semantic_hybrid_offset", "x")]
)
def test_bad_hybrid_settings_are_refused(name, value):
    with pytest.raises(ConfigError, match=f"'{name}'"):
        load_settings(overrides={name: value}, env={})


def test_the_search_of_a_large_corpus_filters_the_model_sentences_out_of_the_static_one(monkeypatch):
    """Above EXACT_MAX the static search goes over every sentence (an approximate index) and the
    model's sentences are filtered out: the same nearest sentences as the exact way."""
    h, full, static = _hybrid()
    q = np.concatenate([full[1], static[4]])
    exact = h.nearest(q, 5)
    monkeypatch.setattr("retrieval.index.hybrid.EXACT_MAX", 0)
    wide, _, _ = _hybrid()
    assert wide._wide is None
    assert [i for i, _ in wide.nearest(q, 5)] == [i for i, _ in exact]
    assert np.allclose([c for _, c in wide.nearest(q, 5)], [c for _, c in exact], atol=1e-5)


# --- a wall-clock deadline ------------------------------------------------------------------------------------
class _Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


SECOND = """某县卫生健康局2024年工作总结

全县建成村卫生室120个，乡镇卫生院全部达到国家基本标准，群众看病更加方便。
家庭医生签约服务覆盖重点人群八成以上。
开展义诊活动30场。
"""


def _two_files(tmp_path: Path):
    settings = _settings(tmp_path, semantic="off")
    (settings.corpus_path / "b.txt").write_text(SECOND, encoding="utf-8")
    engine = Engine.open(settings)
    store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 1)
    return settings, engine.corpus, store


def test_the_model_share_stops_at_the_deadline_keeping_the_longest_and_resumes_later(tmp_path, monkeypatch):
    monkeypatch.setattr("retrieval.index.embedding.BATCH", 2)
    _, corpus, store = _two_files(tmp_path)
    n = corpus.tables["sent_start"].shape[0]
    keys = priority(corpus)
    wanted = np.ones(n, dtype=bool)
    fake = FakeEmbedder()
    full, static = (
        VectorCache(store.folder, store.token_key, fake),
        VectorCache(store.folder, store.token_key, StaticEmbedder(tiny_table())),
    )
    # the clock reads 1, 2, 3 before the batches: the third batch is not started
    vectors = HybridCache(full, static, wanted, keys=keys, deadline=3.0, clock=_Clock()).build(corpus)
    assert isinstance(vectors, HybridVectors) and fake.passages_embedded == 4 == vectors.covered.shape[0]
    longest = np.argsort(-keys, kind="stable")[:4]
    assert sorted(vectors.covered.tolist()) == sorted(longest.tolist())  # the longest, across both files
    assert full.pending(corpus) == n - 4  # kept in part entries
    assert HybridCache(full, static, wanted, keys=keys).load(corpus) is None  # not every wanted one yet
    # the next build (no deadline) embeds only the rest
    again = HybridCache(full, static, wanted, keys=keys).build(corpus)
    assert again is not None and again.covered.shape[0] == n and fake.passages_embedded == n
    assert full.pending(corpus) == 0


def test_the_deadline_is_the_budget_share_after_the_build_began(tmp_path):
    budget, _ = _budget_for(tmp_path, 0.6)
    settings = _settings(tmp_path, semantic_budget_seconds=budget)
    corpus = Engine.open(_settings(tmp_path, semantic="off")).corpus
    chosen = plan(corpus, settings, 1, started=100.0, clock=_Clock())
    assert chosen is not None and chosen.deadline == 100.0 + budget * settings.semantic_hybrid_fill
    assert np.array_equal(chosen.keys, priority(corpus))


def test_part_entries_of_content_no_longer_in_the_corpus_are_dropped(tmp_path):
    settings, corpus, store = _two_files(tmp_path)
    fake = FakeEmbedder()
    full, static = (
        VectorCache(store.folder, store.token_key, fake),
        VectorCache(store.folder, store.token_key, StaticEmbedder(tiny_table())),
    )
    some = np.zeros(corpus.tables["sent_start"].shape[0], dtype=bool)
    some[::2] = True
    full.embed_some(corpus, some)
    parts = sorted(p.name for p in store.folder.joinpath("vectors").glob("*.part.npy"))
    assert len(parts) == 2
    (settings.corpus_path / "b.txt").write_text(SECOND.replace("120", "130"), encoding="utf-8")
    changed = Engine.open(settings).corpus
    HybridCache(full, static, some[: changed.tables["sent_start"].shape[0]]).build(changed)
    left = sorted(p.name for p in store.folder.joinpath("vectors").glob("*.part.npy"))
    (b_old,) = {m.sha256 for m in corpus.docs} - {m.sha256 for m in changed.docs}
    assert any(name.startswith(b_old) for name in parts) and not any(name.startswith(b_old) for name in left)
    assert any(name.startswith(changed.docs[0].sha256) for name in left)


def test_under_a_clock_past_the_deadline_the_build_keeps_static_vectors_and_a_later_build_fills_in(tmp_path):
    budget, chosen = _budget_for(tmp_path, 0.6)
    fake, static = FakeEmbedder(), StaticEmbedder(tiny_table())
    settings = _settings(tmp_path, semantic_budget_seconds=budget)
    late = Engine.open(settings, embedder=fake, static_embedder=static, clock=_Clock())  # a second a reading
    status = late.semantic_status
    assert status.representation == HYBRID and status.state == "ready"
    assert fake.passage_calls == 0 and status.model_sentences == 0 and late.semantic.covered.shape[0] == 0
    assert f"到了时限，{int(chosen.sum())} 个句子的完整向量留待" in status.reason
    assert late.answer("学校门口拥堵怎么解决？").sentences or late.answer("学校门口拥堵怎么解决？").closest
    again = Engine.open(settings, embedder=fake, static_embedder=static, clock=_frozen)
    assert again.semantic_status.model_sentences == int(chosen.sum()) == fake.passages_embedded
