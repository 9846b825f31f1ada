"""Adding, changing and removing files splices them into the index (retrieval/index/delta.py):
the same tables, texts, scores and answers as a full build of the same files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.index import store as store_module
from retrieval.index.bm25 import ARRAYS
from retrieval.index.corpus import CorpusIndex
from retrieval.index.store import IndexStore
from tests.conftest import ROOT, SEEDS, shown

NEW_REPORT = """2022年某县教育局工作总结

一、主要工作
全县新建智慧校园示范学校十七所，覆盖学生两万三千人。
教师培训中心开展信息化专题研修四十二期，参训教师三千余人次。

二、下一步计划
继续推进集团化办学，新增紧密型教育集团五个。
"""


def _questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:40] + [
        "全县新建智慧校园示范学校多少所？",
        "新增紧密型教育集团几个？",
    ]


def _params() -> dict:
    from config import load_settings

    return load_settings(overrides={"corpus": str(SEEDS)}).index_params()


def _change(corpus: Path) -> None:
    """One report added between others, one changed, one removed."""
    (corpus / "2022_某县教育局_工作总结.txt").write_text(NEW_REPORT, encoding="utf-8")
    changed = corpus / "2019_怀化市教育局_工作总结与2020年工作计划.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n全市新增公办幼儿园学位八千六百个。\n", encoding="utf-8")
    (corpus / "2024_XX县教育体育局_工作总结和2025年工作计划.txt").unlink()


def _words(corpus: CorpusIndex, table: str) -> list[str]:
    return [corpus.term(int(t)) for t in corpus.tables[table]]


def assert_same_index(a: CorpusIndex, b: CorpusIndex, queries: list[list[str]]) -> None:
    assert [(d.path, d.sha256, d.title) for d in a.docs] == [(d.path, d.sha256, d.title) for d in b.docs]
    assert a.sections == b.sections
    assert bytes(a.texts) == bytes(b.texts)
    assert set(a.tables) == set(b.tables)
    for name in a.tables:
        assert np.array_equal(a.tables[name], b.tables[name]), name
        assert a.tables[name].dtype == b.tables[name].dtype, name
    assert _words(a, "tok") == _words(b, "tok")
    assert list(a.bm25.vocab) == list(b.bm25.vocab)
    for name in (*ARRAYS, "tf"):
        assert np.array_equal(getattr(a.bm25, name), getattr(b.bm25, name)), name
        assert getattr(a.bm25, name).dtype == getattr(b.bm25, name).dtype, name
    for q in queries:
        assert np.array_equal(a.bm25.scores(q), b.bm25.scores(q)), q  # bit for bit
        assert a.bm25.top(q, 10) == b.bm25.top(q, 10)


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def test_a_change_is_spliced_and_equals_a_full_build(corpus, tmp_path, monkeypatch):
    from retrieval.lang.text import default_tokenizer

    params = _params()
    cache = tmp_path / "cache"
    IndexStore(corpus, cache, params).open()
    _change(corpus)

    def no_full_build(*args, **kwargs):
        raise AssertionError("the change was assembled from every file, not spliced")

    with monkeypatch.context() as m:
        m.setattr(store_module.IndexStore, "_build", no_full_build)
        spliced, report = IndexStore(corpus, cache, params).open()
    assert report.rebuilt and report.tokenised_files == 2 and report.reused_files == 3
    assert "2022_某县教育局_工作总结.txt" in [d.path for d in spliced.docs]
    full, _ = IndexStore(corpus, tmp_path / "fresh", params).open()
    tokenizer = default_tokenizer()
    queries = [tokenizer.tokens(q) for q in _questions()]
    assert_same_index(spliced, full, queries)
    # the removed report's words that no other report has are gone from the vocabulary
    assert len(spliced.bm25.vocab) == len(full.bm25.vocab)


def test_removing_every_change_again_gives_the_first_index(corpus, tmp_path):
    from retrieval.lang.text import default_tokenizer

    params = _params()
    cache = tmp_path / "cache"
    original = tmp_path / "original"
    shutil.copytree(corpus, original, copy_function=shutil.copy2)
    first, _ = IndexStore(corpus, tmp_path / "first", params).open()
    IndexStore(corpus, cache, params).open()
    _change(corpus)
    IndexStore(corpus, cache, params).open()
    shutil.rmtree(corpus)
    shutil.copytree(original, corpus, copy_function=shutil.copy2)
    back, report = IndexStore(corpus, cache, params).open()
    assert (report.reused_files, report.tokenised_files) == (3, 2)  # removed content's tokens were pruned
    tokenizer = default_tokenizer()
    assert_same_index(back, first, [tokenizer.tokens(q) for q in _questions()])


def test_answers_after_a_splice_are_those_of_a_full_build(corpus, tmp_path):
    from config import load_settings
    from retrieval import Engine

    spliced_cache, fresh_cache = tmp_path / "spliced", tmp_path / "fresh"
    IndexStore(corpus, spliced_cache, _params()).open()
    _change(corpus)
    engines = [
        Engine.open(load_settings(overrides={"corpus": str(corpus), "cache_dir": str(cache)}))
        for cache in (spliced_cache, fresh_cache)
    ]
    for q in _questions():
        a, b = (e.answer(q) for e in engines)
        assert (a.answered, shown(a)) == (b.answered, shown(b)), q


def test_an_index_without_term_frequencies_is_built_in_full(corpus, tmp_path):
    params = _params()
    cache = tmp_path / "cache"
    _, report = IndexStore(corpus, cache, params).open()
    gen = Path(report.cache_folder) / (Path(report.cache_folder) / "CURRENT").read_text().strip()
    (gen / "tf.npy").unlink()  # as written by an earlier version
    _change(corpus)
    corpus_index, report = IndexStore(corpus, cache, params).open()
    assert report.rebuilt and corpus_index.bm25.tf is not None
    assert report.reused_files == 3  # unchanged files still come from the token cache


TABLE_PAGE = """<html><head><meta charset="utf-8"><title>某县2023年教育事业统计公报</title></head><body>
<h1>某县2023年教育事业统计公报</h1>
<p>2023年全县教育事业稳步发展，各级各类学校办学条件持续改善。</p>
<table>
<tr><th>学校</th><th>学生数（人）</th><th>专任教师数（人）</th><th>学生数（人）增减</th></tr>
<tr><td>县第一中学</td><td>2148</td><td>163</td><td>52</td></tr>
<tr><td>县第二中学</td><td>1530</td><td>121</td><td>-17</td></tr>
<tr><td>县实验小学</td><td>2310</td><td>138</td><td>44</td></tr>
</table>
<p>全县学前三年毛入园率达到百分之九十二。</p>
</body></html>"""


def test_a_page_with_a_table_is_spliced_as_a_full_build_reads_its_rows(corpus, tmp_path, monkeypatch):
    """A table row is searched with each term once (its cells repeat the headers); a file added
    by splicing must weigh its rows exactly as a full build does."""
    from retrieval.lang.text import default_tokenizer

    params = _params()
    cache = tmp_path / "cache"
    IndexStore(corpus, cache, params).open()
    (corpus / "2023_某县_教育事业统计公报.html").write_text(TABLE_PAGE, encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(store_module.IndexStore, "_build", lambda *a, **k: pytest.fail("built in full, not spliced"))
        spliced, report = IndexStore(corpus, cache, params).open()
    assert report.tokenised_files == 1 and report.reused_files == 5
    added = next(d for d in spliced.docs if d.path.endswith(".html"))
    assert added.tables, "the page's table was read as a table"
    full, _ = IndexStore(corpus, tmp_path / "fresh", params).open()
    tokenizer = default_tokenizer()
    queries = [tokenizer.tokens(q) for q in [*_questions(), "县第一中学学生数多少人？", "县实验小学专任教师数"]]
    assert_same_index(spliced, full, queries)
