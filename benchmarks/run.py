"""Measure ReportQA at scale on one generated corpus, in one run.

Usage::

    python benchmarks/run.py --chunks 100000 [--work /tmp/reportqa-bench]

Measures, on a corpus of about N chunks (generated with make_corpus.py when absent):

* index build time and throughput with 1 and with 2 processes, and their ratio
  (``--throughput-files K`` times both on the first K files only, for very large corpora);
* index size on disk (the index itself, and the per-file token cache);
* cold start: a fresh ``python -m bot ask --json`` process against the built cache, start to
  answer, plus where that time goes (imports, tokenizer, index load, first answer);
* query latency p50/p95/p99 over a fixed set of real questions, for retrieval alone (BM25
  top-10 of the question's tokens) and for the full answer (``engine.answer``), and the peak
  RSS of that serving process;
* plain ``rank_bm25.BM25Okapi.get_scores`` over the same chunk tokens on a sample of the
  questions, as a baseline (skipped above ``--baseline-max-chunks``: it holds every chunk as
  a Python dict), with the largest score difference seen;
* re-index time after adding one file, and after removing it again.

Each measurement runs in its own fresh process; results go to ``<work>/results-<N>.json`` and
a summary is printed. The machine is described with ``nproc`` and ``free -g``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DATASETS = ROOT.parent / "shared" / "datasets"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {"p50": pick(50), "p95": pick(95), "p99": pick(99), "mean": statistics.fmean(ordered), "n": len(ordered)}


def questions(n: int, seed: int = 11) -> list[str]:
    """The dev questions, then questions of the CMRC set (when present), seeded, up to n."""
    out = [
        json.loads(line)["question"]
        for line in (ROOT / "tests" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    path = DATASETS / "cmrc2018_trial.json"
    if path.exists() and len(out) < n:
        data = json.loads(path.read_text(encoding="utf-8"))
        pool = [qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]
        out += random.Random(seed).sample(pool, min(len(pool), n - len(out)))
    return out[:n]


# --- phases: each runs in a fresh process and prints one JSON object -------------------------------


def phase_build(corpus: str, cache: str, workers: int, force: bool) -> dict:
    from config import load_settings
    from retrieval.index.store import IndexStore

    # The same index settings as every other phase and the CLI, so they share one index.
    params = load_settings(overrides={"corpus": corpus, "cache_dir": cache}).index_params()
    start = time.perf_counter()
    index, report = IndexStore(Path(corpus), Path(cache), params, workers).open(force=force)
    seconds = time.perf_counter() - start
    chars = int(index.tables["doc_bytes"][-1])
    cpu = sum(
        getattr(resource.getrusage(who), f)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for f in ("ru_utime", "ru_stime")
    )
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "loadavg": os.getloadavg(),
        "chunks": report.chunks,
        "documents": report.documents,
        "tokenised_files": report.tokenised_files,
        "reused_files": report.reused_files,
        "rebuilt": report.rebuilt,
        "text_bytes": chars,
        "peak_rss_mb": peak_rss_mb(),
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "cache_folder": report.cache_folder,
    }


def phase_coldparts(corpus: str, cache: str, question: str) -> dict:
    t0 = time.perf_counter()
    import jieba  # noqa: F401
    import numpy  # noqa: F401

    t1 = time.perf_counter()
    from config import load_settings
    from retrieval import Engine
    from retrieval.lang.text import default_tokenizer

    t2 = time.perf_counter()
    default_tokenizer()
    t3 = time.perf_counter()
    settings = load_settings(overrides={"corpus": corpus, "cache_dir": cache})
    engine = Engine.open(settings)
    t4 = time.perf_counter()
    engine.answer(question)
    t5 = time.perf_counter()
    return {
        "import_numpy_jieba": t1 - t0,
        "import_engine": t2 - t1,
        "tokenizer_init": t3 - t2,
        "open_index": t4 - t3,
        "first_answer": t5 - t4,
        "total": t5 - t0,
        "rebuilt": engine.report.rebuilt,
    }


def phase_query(corpus: str, cache: str, n_questions: int) -> dict:
    from config import load_settings
    from retrieval import Engine

    settings = load_settings(overrides={"corpus": corpus, "cache_dir": cache})
    engine = Engine.open(settings)
    assert not engine.report.rebuilt, "the index should have been built already"
    rss_open = peak_rss_mb()
    qs = questions(n_questions)
    tokenised = [engine.tokenizer.tokens(q) for q in qs]
    bm25 = engine.corpus.bm25
    for toks in tokenised[:5]:  # warm-up
        bm25.top(toks, 10)
    retrieval, answer, tokenise = [], [], []
    answered = 0
    for q, toks in zip(qs, tokenised):
        t0 = time.perf_counter()
        bm25.top(toks, 10)
        t1 = time.perf_counter()
        engine.tokenizer.tokens(q)
        t2 = time.perf_counter()
        a = engine.answer(q)
        t3 = time.perf_counter()
        retrieval.append((t1 - t0) * 1000)
        tokenise.append((t2 - t1) * 1000)
        answer.append((t3 - t2) * 1000)
        answered += a.answered
    return {
        "questions": len(qs),
        "answered": answered,
        "retrieval_ms": percentiles(retrieval),
        "tokenise_ms": percentiles(tokenise),
        "answer_ms": percentiles(answer),
        "rss_after_open_mb": rss_open,
        "peak_rss_mb": peak_rss_mb(),
        "chunks": engine.corpus.n_chunks,
        "vocab": len(bm25.vocab),
        "postings": int(bm25.postings.shape[0]),
    }


def phase_baseline(corpus: str, cache: str, n_questions: int) -> dict:
    import numpy as np
    from rank_bm25 import BM25Okapi

    from config import load_settings
    from retrieval import Engine

    settings = load_settings(overrides={"corpus": corpus, "cache_dir": cache})
    engine = Engine.open(settings)
    c = engine.corpus
    terms = [c.term(i) for i in range(len(c.bm25.vocab))]
    tok, tok_ptr, sent_ptr = c.tables["tok"], c.tables["tok_ptr"], c.tables["sent_ptr"]
    bounds = tok_ptr[sent_ptr]
    t0 = time.perf_counter()
    chunks = [[terms[w] for w in tok[bounds[i] : bounds[i + 1]].tolist()] for i in range(c.n_chunks)]
    reference = BM25Okapi(chunks)
    build = time.perf_counter() - t0
    del chunks
    qs = questions(200)[:: max(1, 200 // n_questions)][:n_questions]
    plain, ours, worst = [], [], 0.0
    for q in qs:
        toks = engine.tokenizer.tokens(q)
        t1 = time.perf_counter()
        expected = reference.get_scores(toks)
        t2 = time.perf_counter()
        got = c.bm25.scores(toks)
        t3 = time.perf_counter()
        plain.append((t2 - t1) * 1000)
        ours.append((t3 - t2) * 1000)
        worst = max(worst, float(np.max(np.abs(got - expected), initial=0.0)))
    return {
        "questions": len(qs),
        "rank_bm25_build_s": build,
        "rank_bm25_ms": percentiles(plain),
        "ours_scores_ms": percentiles(ours),
        "max_abs_score_diff": worst,
        "peak_rss_mb": peak_rss_mb(),
    }


PHASES = {"build": phase_build, "coldparts": phase_coldparts, "query": phase_query, "baseline": phase_baseline}


def run_phase(name: str, *args: object) -> dict:
    """Run a phase in a fresh interpreter; returns its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--", *[json.dumps(a) for a in args]]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the run -------------------------------------------------------------------------------------


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": sys.version.split()[0]}
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                info["mem_gib"] = round(int(line.split()[1]) / 2**20, 1)
    info["loadavg_at_start"] = os.getloadavg()
    return info


def cold_start(corpus: Path, cache: Path, question: str, runs: int) -> dict:
    env = {**os.environ, "REPORTQA_CACHE_DIR": str(cache)}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "--corpus", str(corpus), question],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        times.append(time.perf_counter() - t0)
        if out.returncode != 0:
            raise SystemExit(f"cold start failed: {out.stderr[-2000:]}")
        json.loads(out.stdout)
    return {"seconds": percentiles(times), "runs": runs}


def sample_corpus(corpus: Path, dest: Path, n_files: int) -> Path:
    files = sorted(p for p in corpus.rglob("*.txt"))[:n_files]
    shutil.rmtree(dest, ignore_errors=True)
    for path in files:
        target = dest / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ReportQA scale benchmark")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reportqa-bench"))
    parser.add_argument("--corpus", type=Path, help="use this corpus instead of generating one")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--baseline-questions", type=int, default=20)
    parser.add_argument("--baseline-max-chunks", type=int, default=200_000)
    parser.add_argument(
        "--throughput-files",
        type=int,
        default=0,
        help="time 1- and 2-process builds on the first K files only (0: all)",
    )
    parser.add_argument(
        "--reuse-index", action="store_true", help="serve from an existing 2-process cache instead of rebuilding it"
    )
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument(
        "--token-cache-from",
        type=Path,
        metavar="DIR",
        help="before the full build, link the per-file token cache of this cache folder "
        "(for a corpus made with make_corpus.py --replicate)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(PHASES[args.phase](*[json.loads(a) for a in args.args])))
        return 0

    from make_corpus import generate, load_sentences, make_file

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    n = args.chunks
    corpus = args.corpus or work / f"corpus-{n}"
    results: dict = {"chunks_requested": n, "machine": machine(), "corpus": str(corpus)}
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    if not corpus.exists():
        log(f"generating {corpus}")
        results["generated"] = generate(n, corpus)

    cache = work / f"cache-{n}-w2"
    # 1. Build throughput, 1 process and 2 processes, each into an empty cache.
    target = corpus
    if args.throughput_files:
        target = sample_corpus(corpus, work / f"sample-{n}-{args.throughput_files}", args.throughput_files)
    builds = {}
    for workers in (1, 2):
        if workers == 2 and target == corpus and not args.reuse_index:
            where = cache
        else:
            where = work / f"cache-{n}-tp{workers}"
        shutil.rmtree(where, ignore_errors=True)
        log(f"building with {workers} process(es): {target}")
        b = run_phase("build", str(target), str(where), workers, True)
        b["chunks_per_s"] = b["chunks"] / b["seconds"]
        b["mb_text_per_s"] = b["text_bytes"] / 2**20 / b["seconds"]
        b["chunks_per_cpu_s"] = b["chunks"] / b["cpu_seconds"]
        builds[workers] = b
        log(
            f"  {b['chunks']} chunks in {b['seconds']:.1f} s ({b['chunks_per_s']:.0f} chunks/s, "
            f"{b['cpu_seconds']:.0f} CPU s, load {b['loadavg'][0]:.1f})"
        )
    results["build"] = {
        "target": str(target),
        "1": builds[1],
        "2": builds[2],
        "speedup_2_over_1": builds[2]["chunks_per_s"] / builds[1]["chunks_per_s"],
        "cpu_cost_2_over_1": builds[1]["chunks_per_cpu_s"] / builds[2]["chunks_per_cpu_s"],
    }
    if target != corpus and not args.reuse_index:
        shutil.rmtree(cache, ignore_errors=True)
        if args.token_cache_from:
            from retrieval.index.store import corpus_cache_folder

            entries = corpus_cache_folder(cache, corpus) / "files"
            entries.mkdir(parents=True)
            for path in (args.token_cache_from / "files").glob("*.tok"):
                os.link(path, entries / path.name)
            results["build"]["token_cache_from"] = str(args.token_cache_from)
        log("building the full index with 2 processes")
        results["build"]["full"] = run_phase("build", str(corpus), str(cache), 2, True)
    if args.reuse_index:
        results["build"]["full"] = run_phase("build", str(corpus), str(cache), 2, False)
    full = results["build"].get("full") or builds[2]
    folder = Path(full["cache_folder"])
    gen = folder / (folder / "CURRENT").read_text().strip()
    results["disk"] = {
        "index_mb": du_mb(gen),
        "token_cache_mb": du_mb(folder / "files"),
        "corpus_text_mb": full["text_bytes"] / 2**20,
    }
    log(f"index {results['disk']['index_mb']:.0f} MB on disk")

    # 2. Cold start and where it goes.
    qs = questions(args.questions)
    log("cold start")
    results["cold_start"] = cold_start(corpus, cache, qs[0], args.cold_runs)
    results["cold_parts"] = run_phase("coldparts", str(corpus), str(cache), qs[0])

    # 3. Query latency and the serving process's memory.
    log("queries")
    results["query"] = run_phase("query", str(corpus), str(cache), args.questions)

    # 4. Baseline: plain rank_bm25 over the same tokens.
    if full["chunks"] <= args.baseline_max_chunks:
        log("rank_bm25 baseline")
        base = run_phase("baseline", str(corpus), str(cache), args.baseline_questions)
        base["speedup_p50"] = base["rank_bm25_ms"]["p50"] / results["query"]["retrieval_ms"]["p50"]
        results["baseline"] = base
    else:
        results["baseline"] = {
            "skipped": f"more than {args.baseline_max_chunks} chunks: rank_bm25 keeps a "
            "Python dict per chunk, which does not fit comfortably in memory"
        }

    # 5. Re-index after adding one file, then after removing it again.
    reports, pool, _ = load_sentences()
    rel, text = make_file(random.Random(n + 1), (reports, pool), 200)
    added = corpus / "zz-added" / Path(rel).name
    added.parent.mkdir(parents=True, exist_ok=True)
    added.write_text(text, encoding="utf-8")
    try:
        log("re-index after adding one file")
        results["reindex_add"] = run_phase("build", str(corpus), str(cache), 2, False)
    finally:
        shutil.rmtree(added.parent)
    log("re-index after removing it")
    results["reindex_remove"] = run_phase("build", str(corpus), str(cache), 2, False)

    results["machine"]["loadavg_at_end"] = os.getloadavg()
    out = work / f"results-{n}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(summary(results))
    log(f"written {out}")
    return 0


def summary(r: dict) -> str:
    q, b = r["query"], r["build"]
    base = r["baseline"]
    lines = [
        f"corpus: {q['chunks']} chunks, {r['build'].get('full', b['2'])['documents']} files, "
        f"{r['disk']['corpus_text_mb']:.0f} MB text",
        f"build 1 proc: {b['1']['seconds']:.1f} s ({b['1']['chunks_per_s']:.0f} chunks/s); "
        f"2 proc: {b['2']['seconds']:.1f} s ({b['2']['chunks_per_s']:.0f} chunks/s); "
        f"ratio {b['speedup_2_over_1']:.2f}; CPU s per chunk 2 proc / 1 proc {b['cpu_cost_2_over_1']:.2f}; "
        f"load average during builds {b['1']['loadavg'][0]:.1f} / {b['2']['loadavg'][0]:.1f}"
        + (f" [on {b['1']['chunks']} chunks]" if b["1"]["chunks"] != q["chunks"] else ""),
        f"index on disk: {r['disk']['index_mb']:.0f} MB (token cache {r['disk']['token_cache_mb']:.0f} MB)",
        f"cold start (python -m bot ask --json): p50 {r['cold_start']['seconds']['p50']:.2f} s; parts: "
        + ", ".join(f"{k} {v:.2f}" for k, v in r["cold_parts"].items() if isinstance(v, float)),
        f"retrieval (BM25 top-10) ms: p50 {q['retrieval_ms']['p50']:.2f} p95 {q['retrieval_ms']['p95']:.2f} "
        f"p99 {q['retrieval_ms']['p99']:.2f}",
        f"full answer ms: p50 {q['answer_ms']['p50']:.1f} p95 {q['answer_ms']['p95']:.1f} p99 {q['answer_ms']['p99']:.1f}",
        f"serving process peak RSS: {q['peak_rss_mb']:.0f} MB (after open {q['rss_after_open_mb']:.0f} MB)",
        (
            f"rank_bm25 get_scores p50 {base['rank_bm25_ms']['p50']:.0f} ms vs ours {q['retrieval_ms']['p50']:.2f} ms: "
            f"{base['speedup_p50']:.0f}x; max |score diff| {base['max_abs_score_diff']:.1e}"
        )
        if "speedup_p50" in base
        else f"rank_bm25 baseline: {base['skipped']}",
        f"re-index after adding one file: {r['reindex_add']['seconds']:.1f} s "
        f"(tokenised {r['reindex_add']['tokenised_files']}); after removing it: {r['reindex_remove']['seconds']:.1f} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
