"""The index cache survives kill -9 at any moment, damage, foreign files and concurrent starts.

A killed build leaves either the old index or the new one in use; a damaged index is noticed,
rebuilt and reported on stderr ("注意：索引缓存无法使用…"); processes starting together wait
for each other on the lock file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from config import load_settings
from retrieval import Engine
from retrieval.index.store import IndexStore, corpus_cache_folder
from tests.conftest import ROOT, SEEDS, run_cli, shown_json

# A hang guard for every test here (tests with their own mark keep it).
pytestmark = pytest.mark.timeout(120)

QUESTION = "古丈县现有各级各类学校多少所？"
ANSWER = "88所"
BROKEN = "索引缓存无法使用"


def settings_for(corpus: Path, cache: Path):
    return load_settings(overrides={"corpus": str(corpus), "cache_dir": str(cache), "workers": 1})


def store_for(corpus: Path, cache: Path) -> IndexStore:
    s = settings_for(corpus, cache)
    return IndexStore(s.corpus_path, s.cache_path, s.index_params(), workers=1)


def assert_answers(corpus_index, report, corpus: Path, cache: Path) -> None:
    engine = Engine(settings_for(corpus, cache), corpus_index, report)
    answer = engine.answer(QUESTION)
    assert answer.answered and ANSWER in answer.sentences[0].text


def active_generation(cache: Path, corpus: Path) -> Path:
    folder = corpus_cache_folder(cache, corpus)
    return folder / (folder / "CURRENT").read_text(encoding="utf-8").strip()


def run_one_worker(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cache=cache, workers=1)


def assert_cli_answers_cleanly(corpus: Path, cache: Path) -> None:
    proc = run_one_worker("ask", "--json", "--corpus", str(corpus), QUESTION, cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert BROKEN not in proc.stderr and "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert ANSWER in shown_json(data)[0]["text"]


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    """A cache folder holding a complete index of the seeds, copied by each test."""
    cache = tmp_path_factory.mktemp("golden")
    _corpus, report = store_for(SEEDS, cache).open()
    assert report.rebuilt and not report.warnings
    return cache


def copy_of(golden: Path, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(golden, cache)
    return cache


# --- damaged and foreign indexes ------------------------------------------------------------------


def _npy(name: str):
    return lambda gen: gen / f"{name}.npy"


def truncate(path_of, keep: float):
    def damage(gen: Path) -> None:
        path = path_of(gen)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return damage


def replace_with(path_of, data: bytes):
    return lambda gen: path_of(gen).write_bytes(data)


def remove(path_of):
    return lambda gen: path_of(gen).unlink()


def edit_json(name: str, change):
    def damage(gen: Path) -> None:
        path = gen / name
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(change(data), ensure_ascii=False), encoding="utf-8")

    return damage


def other_array(name: str, array: np.ndarray):
    def damage(gen: Path) -> None:
        with open(gen / f"{name}.npy", "wb") as fh:
            np.save(fh, array, allow_pickle=False)

    return damage


def pickled_array(name: str):
    def damage(gen: Path) -> None:
        with open(gen / f"{name}.npy", "wb") as fh:
            np.save(fh, np.array([{"os": "system"}], dtype=object), allow_pickle=True)

    return damage


DAMAGE = {
    "format-version": edit_json("manifest.json", lambda m: {**m, "format": 999}),
    "settings-fingerprint": edit_json("manifest.json", lambda m: {**m, "params_key": "0" * 16}),
    "manifest-garbage": replace_with(lambda g: g / "manifest.json", b"{not json"),
    "manifest-not-a-dict": replace_with(lambda g: g / "manifest.json", b"[1, 2, 3]"),
    "manifest-files-wrong-shape": edit_json("manifest.json", lambda m: {**m, "files": {k: "x" for k in m["files"]}}),
    "manifest-missing": remove(lambda g: g / "manifest.json"),
    "manifest-binary": replace_with(lambda g: g / "manifest.json", b"\xff\xfe\x00garbage"),
    "meta-garbage": replace_with(lambda g: g / "meta.json", b"\x00\x01garbage"),
    "meta-wrong-shape": replace_with(lambda g: g / "meta.json", b'{"docs": [1, 2], "sections": []}'),
    "meta-missing-keys": replace_with(lambda g: g / "meta.json", b"{}"),
    "meta-a-list": replace_with(lambda g: g / "meta.json", b"[]"),
    "vocab-truncated": truncate(lambda g: g / "vocab.json", 0.5),
    "vocab-not-terms": replace_with(lambda g: g / "vocab.json", b"[1, 2, 3]"),
    "vocab-shorter": edit_json("vocab.json", lambda v: v[: len(v) // 2]),
    "texts-truncated": truncate(lambda g: g / "texts.bin", 0.5),
    "texts-missing": remove(lambda g: g / "texts.bin"),
    "chunk-table-truncated": truncate(_npy("chunk_start"), 0.6),
    "chunk-table-empty-file": replace_with(_npy("chunk_doc"), b""),
    "chunk-table-header-only": truncate(_npy("chunk_doc"), 0.01),
    "chunk-table-garbage": replace_with(_npy("para_end"), b"garbage" * 100),
    "chunk-table-missing": remove(_npy("sent_ptr")),
    "chunk-table-shorter": other_array("chunk_end", np.zeros(3, dtype=np.int64)),
    "chunk-table-pickled": pickled_array("chunk_doc"),
    "chunk-doc-out-of-range": other_array("chunk_doc", np.full(10_000, 99, dtype=np.int32)),
    "token-table-truncated": truncate(_npy("tok"), 0.5),
    "postings-truncated": truncate(_npy("postings"), 0.5),
    "postings-missing": remove(_npy("postings")),
    "postings-out-of-range": other_array("postings", np.full(10, 10**6, dtype=np.int32)),
    "weights-empty-file": replace_with(_npy("weights"), b""),
    "current-names-a-missing-generation": lambda gen: shutil.rmtree(gen),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_or_foreign_index_is_rebuilt_with_a_warning(golden: Path, tmp_path: Path, damage: str):
    cache = copy_of(golden, tmp_path)
    gen = active_generation(cache, SEEDS)
    if damage == "chunk-doc-out-of-range":  # the same length as the real table, wrong contents
        n = np.load(gen / "chunk_doc.npy").shape[0]
        DAMAGE[damage] = other_array("chunk_doc", np.full(n, 99, dtype=np.int32))
    DAMAGE[damage](gen)
    corpus, report = store_for(SEEDS, cache).open()
    assert report.rebuilt
    assert len(report.warnings) == 1 and report.warnings[0].startswith(BROKEN), report.warnings
    assert_answers(corpus, report, SEEDS, cache)
    assert active_generation(cache, SEEDS) != gen
    _again, report2 = store_for(SEEDS, cache).open()  # the rebuilt index is trusted next time
    assert not report2.rebuilt and not report2.warnings


@pytest.mark.parametrize("content", [b"", b"garbage\n", b"gen-../../etc\n", b"\xff\xfe", b"../gen-x\n"])
def test_damaged_current_pointer_is_rebuilt(golden: Path, tmp_path: Path, content: bytes):
    cache = copy_of(golden, tmp_path)
    (corpus_cache_folder(cache, SEEDS) / "CURRENT").write_bytes(content)
    corpus, report = store_for(SEEDS, cache).open()
    assert report.rebuilt
    assert_answers(corpus, report, SEEDS, cache)


def test_damaged_token_cache_entries_are_tokenised_again(golden: Path, tmp_path: Path):
    cache = copy_of(golden, tmp_path)
    entries = sorted((corpus_cache_folder(cache, SEEDS) / "files").iterdir())
    assert len(entries) == 5
    entries[0].write_bytes(b"garbage")
    entries[1].write_bytes(entries[1].read_bytes()[:100])
    entries[2].write_bytes(entries[3].read_bytes())  # another file's tokens under this name
    corpus, report = store_for(SEEDS, cache).open(force=True)
    assert (report.reused_files, report.tokenised_files) == (2, 3)
    assert_answers(corpus, report, SEEDS, cache)


@pytest.mark.timeout(120)
def test_cli_warns_on_stderr_and_answers(golden: Path, tmp_path: Path):
    cache = copy_of(golden, tmp_path)
    DAMAGE["postings-truncated"](active_generation(cache, SEEDS))
    proc = run_one_worker("ask", "--json", "--corpus", str(SEEDS), QUESTION, cache=cache)
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"注意：{BROKEN}") and "正在重建" in lines[0]
    data = json.loads(proc.stdout)
    assert ANSWER in shown_json(data)[0]["text"]
    assert_cli_answers_cleanly(SEEDS, cache)  # and the next run trusts the rebuilt index silently


# --- kill -9 at chosen moments of a build (forked children, deterministic) -----------------------

# (module attribute, description): the build is killed just before the n-th call of each.
KILL_POINTS = [
    ("numpy.save", [1, 4, 9, 14, 17]),  # while index arrays are written
    ("os.fsync", [1, 10, 20]),  # written but not yet flushed
    ("os.replace", [1, 3, 5, 6, 7]),  # token cache entries, the generation folder, CURRENT
    ("shutil.rmtree", [1]),  # dropping the old generation
    ("os.unlink", [1, 2]),  # pruning the token cache
]


def _kill_before_call(target: str, n: int) -> None:
    module_name, attr = target.rsplit(".", 1)
    module = sys.modules[module_name]
    real = getattr(module, attr)
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(module, attr, wrapper)


def _build_in_child(corpus: Path, cache: Path, target: str, n: int) -> int:
    """Fork; the child rebuilds the index and SIGKILLs itself at the chosen call. Returns the
    child's wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            shutil.rmtree(corpus_cache_folder(cache, corpus) / "files", ignore_errors=True)
            _kill_before_call(target, n)
            store_for(corpus, cache).open(force=True)
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    "target, n", [(t, n) for t, ns in KILL_POINTS for n in ns], ids=[f"{t}#{n}" for t, ns in KILL_POINTS for n in ns]
)
def test_kill_at_any_moment_leaves_a_usable_index(golden: Path, tmp_path: Path, target: str, n: int):
    cache = copy_of(golden, tmp_path)
    status = _build_in_child(SEEDS, cache, target, n)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
        f"{target} was called fewer than {n} times (status {status}); adjust KILL_POINTS"
    )
    folder = corpus_cache_folder(cache, SEEDS)
    corpus, report = store_for(SEEDS, cache).open()
    # The old generation or the new one, complete, used as it is: no warning, no rebuild.
    assert not report.warnings and not report.rebuilt, report.warnings
    assert_answers(corpus, report, SEEDS, cache)
    # What the killed build left behind is cleared by the next build, under the lock.
    corpus, report = store_for(SEEDS, cache).open(force=True)
    assert not report.warnings
    left = sorted(p.name for p in folder.iterdir())
    assert [p for p in left if p.startswith("gen-")] == [active_generation(cache, SEEDS).name]
    assert not [p for p in (folder / "files").iterdir() if p.name.endswith(".tmp")]


# --- kill -9 of a real `reportqa index --rebuild` -------------------------------------------------


def _big_corpus(folder: Path, copies: int) -> Path:
    """The seeds, and copies of them made distinct so that each must be tokenised."""
    folder.mkdir()
    for path in sorted(SEEDS.iterdir()):
        (folder / path.name).write_bytes(path.read_bytes())
        for i in range(copies):
            (folder / f"copy{i}-{path.name}").write_bytes(path.read_bytes() + f"\n附：第{i}份副本。\n".encode())
    return folder


def _kill_real_index_build(corpus: Path, golden_cache: Path, work: Path, delays: list[float]) -> None:
    for delay in delays:
        cache = work / f"cache-{delay}"
        shutil.copytree(golden_cache, cache)
        shutil.rmtree(corpus_cache_folder(cache, corpus) / "files")  # force real tokenising
        env = {**os.environ, "REPORTQA_CACHE_DIR": str(cache), "REPORTQA_WORKERS": "2"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "index", "--rebuild", "--corpus", str(corpus)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the build and any worker processes it started
        proc.wait(timeout=60)
        assert_cli_answers_cleanly(corpus, cache)


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("big")
    corpus = _big_corpus(root / "corpus", copies=5)
    cache = root / "golden"
    store = store_for(corpus, cache)
    store.workers = 2
    store.open()
    return corpus, cache


@pytest.mark.timeout(240)
def test_kill_9_of_a_real_index_build(big_corpus, tmp_path: Path):
    corpus, cache = big_corpus
    _kill_real_index_build(corpus, cache, tmp_path, [0.7, 1.5])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_kill_9_of_a_real_index_build_many_moments(big_corpus, tmp_path: Path):
    corpus, cache = big_corpus
    _kill_real_index_build(corpus, cache, tmp_path, [0.1 + 0.25 * i for i in range(16)])


# --- processes starting at the same time ---------------------------------------------------------


@pytest.mark.timeout(240)
def test_concurrent_starts_on_one_corpus(tmp_path: Path):
    """A rebuild and a question start together on an empty cache: one builds, the other waits."""
    cache = tmp_path / "cache"
    env = {**os.environ, "REPORTQA_CACHE_DIR": str(cache), "REPORTQA_WORKERS": "1"}
    commands = [["index", "--rebuild"], ["ask", "--json", QUESTION]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", *args, "--corpus", str(SEEDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for args in commands
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert BROKEN not in err and "Traceback" not in err
    assert "已重建索引：5 份报告" in outputs[0][0]
    assert json.loads(outputs[1][0])["answered"]
    folder = corpus_cache_folder(cache, SEEDS)
    gens = [p.name for p in folder.iterdir() if p.name.startswith("gen-")]
    assert gens == [active_generation(cache, SEEDS).name]  # one complete generation, no leftovers
    corpus, report = store_for(SEEDS, cache).open()
    assert not report.rebuilt and not report.warnings
    assert_answers(corpus, report, SEEDS, cache)
