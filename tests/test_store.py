"""The index cache: reuse, incremental rebuilds by file, damaged caches, parallel builds, progress."""

from __future__ import annotations

import io
import multiprocessing
import os
import pty
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.progress import ProgressLine
from retrieval.index import store
from retrieval.index.bm25 import ARRAYS, BM25Index
from retrieval.index.build import assemble
from retrieval.index.columns import TABLES
from retrieval.index.corpus import CorpusIndex
from retrieval.index.store import IndexStore
from retrieval.ingest import process
from retrieval.ingest.result import FileResult
from tests.conftest import ROOT, SEEDS

PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}
EXTRA = (
    "某某县教育局2023年工作总结\n一、基本情况\n"
    "全县现有中小学校42所，在校学生18650人，专任教师1320名。\n"
    "二、主要工作\n1.落实责任。全县义务教育巩固率达到99.2%，辍学学生全部劝返。\n"
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(SEEDS, folder)
    return folder


def open_store(corpus: Path, cache: Path, **kwargs):
    return IndexStore(corpus, cache, PARAMS, kwargs.pop("workers", 1)).open(**kwargs)


def chunk_tokens(index: CorpusIndex) -> list[list[str]]:
    t = index.tables
    terms = [index.term(i) for i in range(len(index.bm25.vocab))]
    # A chunk's BM25 document: its lead-in's tokens (retrieval/dates/leadins.py), then its sentences'.
    return [
        [terms[w] for w in index.lead_tokens(c)]
        + [terms[w] for w in t["tok"][t["tok_ptr"][t["sent_ptr"][c]] : t["tok_ptr"][t["sent_ptr"][c + 1]]]]
        for c in range(index.n_chunks)
    ]


def same_index(a: CorpusIndex, b: CorpusIndex) -> None:
    assert [d.doc_id for d in a.docs] == [d.doc_id for d in b.docs]
    assert a.sections == b.sections and list(a.bm25.vocab) == list(b.bm25.vocab)
    for name in TABLES:
        assert np.array_equal(a.tables[name], b.tables[name]), name
    for name in ARRAYS:
        assert np.array_equal(getattr(a.bm25, name), getattr(b.bm25, name)), name
    assert bytes(a.texts[:]) == bytes(b.texts[:])


def count_tokenised(monkeypatch) -> list[str]:
    """Record every file that is tokenised in this process."""
    seen: list[str] = []
    real = process.process_file

    def spy(source, params):
        seen.append(source.rel)
        return real(source, params)

    monkeypatch.setattr(process, "process_file", spy)
    return seen


def test_second_open_loads_without_tokenising(corpus, tmp_path, monkeypatch):
    first, report = open_store(corpus, tmp_path / "cache")
    assert report.rebuilt and report.tokenised_files == 5 and report.reused_files == 0
    seen = count_tokenised(monkeypatch)
    monkeypatch.setattr(process, "default_tokenizer", lambda: pytest.fail("tokenizer used on load"))
    again, report = open_store(corpus, tmp_path / "cache")
    assert not report.rebuilt and report.tokenised_files == 0 and seen == []
    for array in (again.tables["tok"], again.bm25.postings):  # memory-mapped, not read in
        assert not array.flags.writeable and not array.flags.owndata
    same_index(first, again)


def test_changed_reading_rules_rebuild_the_index(corpus, tmp_path, monkeypatch):
    """An index made when the code that reads or dates files (or the dictionary) was different is
    rebuilt, even though no report changed."""
    open_store(corpus, tmp_path / "cache")
    monkeypatch.setattr(store, "_token_key", lambda params: "0123456789abcdef")
    _again, report = open_store(corpus, tmp_path / "cache")
    assert report.rebuilt and report.tokenised_files == 5
    assert any("规则" in w for w in report.warnings)


def test_added_changed_removed_file_retokenises_only_that_file(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_store(corpus, cache)
    seen = count_tokenised(monkeypatch)

    (corpus / "sub").mkdir()
    (corpus / "sub" / "extra.txt").write_text(EXTRA, encoding="utf-8")
    index, report = open_store(corpus, cache)
    assert report.rebuilt and report.tokenised_files == 1 and report.reused_files == 5
    assert seen == ["sub/extra.txt"] and report.documents == 6
    assert "18650" in index.text(index.doc_index("sub/extra.txt"))

    seen.clear()
    (corpus / "sub" / "extra.txt").write_text(EXTRA.replace("42所", "43所"), encoding="utf-8")
    index, report = open_store(corpus, cache)
    assert report.tokenised_files == 1 and report.reused_files == 5 and seen == ["sub/extra.txt"]
    assert "43所" in index.text(index.doc_index("sub/extra.txt"))

    seen.clear()
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.unlink()
    index, report = open_store(corpus, cache)
    assert report.rebuilt and report.tokenised_files == 0 and report.reused_files == 5 and seen == []
    assert index.doc_index(victim.name) is None and report.documents == 5

    # The incremental index equals one built from nothing.
    fresh, _ = open_store(corpus, tmp_path / "other-cache")
    same_index(index, fresh)
    # Tokens of content that left the corpus are dropped from the cache.
    entries = list((store.corpus_cache_folder(cache, corpus) / "files").iterdir())
    assert len(entries) == 5


def test_touched_or_renamed_file_is_not_retokenised(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_store(corpus, cache)
    seen = count_tokenised(monkeypatch)
    path = sorted(corpus.glob("*.txt"))[1]
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    _, report = open_store(corpus, cache)
    assert not report.rebuilt and seen == []
    path.rename(corpus / "renamed.txt")
    index, report = open_store(corpus, cache)
    assert report.rebuilt and report.tokenised_files == 0 and seen == []
    assert index.doc_index("renamed.txt") is not None


@pytest.mark.parametrize("damage", ["truncate-array", "garbage-manifest", "missing-vocab", "bad-current"])
def test_damaged_index_is_detected_and_rebuilt_from_token_cache(corpus, tmp_path, monkeypatch, damage):
    cache = tmp_path / "cache"
    open_store(corpus, cache)
    good, _ = open_store(corpus, tmp_path / "reference")  # the damage below must not reach it
    folder = store.corpus_cache_folder(cache, corpus)
    gen = folder / (folder / "CURRENT").read_text().strip()
    if damage == "truncate-array":
        path = gen / "postings.npy"
        path.write_bytes(path.read_bytes()[:-40])
    elif damage == "garbage-manifest":
        (gen / "manifest.json").write_bytes(b"\x00{not json")
    elif damage == "missing-vocab":
        (gen / "vocab.json").unlink()
    else:
        (folder / "CURRENT").write_text("gen-does-not-exist\n")
    seen = count_tokenised(monkeypatch)
    index, report = open_store(corpus, cache)
    assert report.rebuilt and report.tokenised_files == 0 and seen == []
    if damage != "bad-current":
        assert report.warnings and "重建" in report.warnings[0]
    same_index(good, index)


def test_damaged_token_cache_entry_is_retokenised(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_store(corpus, cache)
    entries = sorted((store.corpus_cache_folder(cache, corpus) / "files").iterdir())
    data = bytearray(entries[0].read_bytes())
    data[-3] ^= 0xFF  # one flipped byte in the token ids
    entries[0].write_bytes(bytes(data))
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # cut short
    with pytest.raises(ValueError):
        FileResult.load(entries[0])
    with pytest.raises(ValueError):
        FileResult.load(entries[1])
    seen = count_tokenised(monkeypatch)
    _, report = open_store(corpus, cache, force=True)
    assert report.tokenised_files == 2 and report.reused_files == 3 and len(seen) == 2
    for entry in entries[:2]:
        assert FileResult.load(entry).sha256 in entry.name  # rewritten whole


def test_token_cache_entry_round_trip():
    files, _ = store.discover(SEEDS)
    result = process.process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    back = FileResult.loads(result.dumps())
    assert back.text == result.text and back.terms == result.terms and back.sections == result.sections
    assert (back.year, back.kind, back.style) == (result.year, result.kind, result.style)
    assert back.year == 2019
    for name in ("chunk_cols", "sent_cols", "token_ids", "lead_ids"):
        assert np.array_equal(getattr(back, name), getattr(result, name))
    assert back.tokens == result.tokens and len(back.chunks) == back.n_chunks


def test_assembled_index_equals_index_of_its_token_lists(corpus, tmp_path):
    index, _ = open_store(corpus, tmp_path / "cache")
    direct = BM25Index.build(chunk_tokens(index))
    assert list(direct.vocab) == list(index.bm25.vocab)
    for name in ARRAYS:
        assert np.allclose(getattr(direct, name), getattr(index.bm25, name), rtol=0, atol=1e-12), name


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_build_equals_serial_build(corpus, tmp_path, monkeypatch, start_method):
    serial, _ = open_store(corpus, tmp_path / "serial")
    monkeypatch.setattr(IndexStore, "parallel_min_bytes", 0)
    used: list[str] = []
    real_context = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda m=None: used.append(m) or real_context(m))
    calls: list[tuple[int, int, int]] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # with another thread alive, workers are spawned
    if start_method == "spawn":
        other.start()
    try:
        parallel, report = open_store(corpus, tmp_path / "parallel", workers=2, progress=lambda *a: calls.append(a))
    finally:
        stop.set()
    assert used == [start_method]
    assert report.tokenised_files == 5
    same_index(serial, parallel)
    # Progress: files counted up to the total, chunks growing to the index size.
    assert calls[0][0] == 0 and calls[-1] == (5, 5, parallel.n_chunks)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert len(list((store.corpus_cache_folder(tmp_path / "parallel", corpus) / "files").iterdir())) == 5


def test_progress_line_shows_files_chunks_and_eta(clock):
    out = io.StringIO()
    line = ProgressLine(out, min_interval=0.0, clock=clock)
    line(10, 110, 2000)  # 10 files from the cache
    clock.now += 5
    line(20, 110, 4000)  # 10 files in 5 s: 90 left, 45 s
    clock.now += 5
    line(110, 110, 20000)
    line.close()
    text = out.getvalue()
    frames = text.split("\r")[1:]
    assert frames[0].startswith("建立索引：10/110 个文件（9%），2000 个段落块") and "预计" not in frames[0]
    assert "20/110 个文件（18%），4000 个段落块，预计还需 45 秒" in frames[1]
    assert "110/110 个文件（100%），20000 个段落块，用时 10 秒" in frames[2]
    assert text.endswith("\n")


def test_progress_line_draws_nothing_when_never_called():
    out = io.StringIO()
    ProgressLine(out).close()
    assert out.getvalue() == ""


def _run_on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal; returns what the terminal got."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_cli_progress_on_terminal_only_and_not_with_quiet(corpus, tmp_path):
    env = {**os.environ, "REPORTQA_CACHE_DIR": str(tmp_path / "cache"), "REPORTQA_WORKERS": "1"}
    shown = _run_on_terminal(["index", "--corpus", str(corpus), "--rebuild"], env)
    assert "建立索引：0/5 个文件" in shown and "5/5 个文件（100%）" in shown
    quiet = _run_on_terminal(["index", "--corpus", str(corpus), "--rebuild", "--quiet"], env)
    assert "建立索引" not in quiet
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "index", "--corpus", str(corpus), "--rebuild"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0 and "建立索引" not in piped.stderr


def test_term_numbering_does_not_depend_on_arrival_order():
    from retrieval.index.build import TermMerger

    files, _ = store.discover(SEEDS)
    plain = [process.process_file(f, PARAMS) for f in files]
    reference = assemble(plain, PARAMS)
    arrived = [process.process_file(f, PARAMS) for f in files]
    merger = TermMerger()
    for result in reversed(arrived):  # the last file finished first
        merger.add(result, release=True)
    assert all(r.terms == [] for r in arrived)
    merged = assemble(arrived, PARAMS, terms=merger)
    assert list(merged.bm25.vocab) == list(reference.bm25.vocab)
    same_index(reference, merged)
