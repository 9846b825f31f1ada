"""Nearest-neighbour search over sentence vectors: exact numpy against approximate libraries.

    python benchmarks/ann.py --vectors FILE.npy [--n N] [--queries 200] [--libs exact,usearch,hnswlib,faiss]
    python benchmarks/ann.py --random N --dim 256
    python benchmarks/ann.py --vectors FILE.npy --questions 200 --libs exact,shipped [--distinct]

For each library: build time (2 threads) and CPU seconds, index size, search p50 / p95 for one
query at a time (k = 10), recall@10 against exact float32 search, and the resident memory the
process gained. Queries are rows of the matrix itself with noise added (so that their nearest
neighbours are not only themselves), the rows of ``--query-vectors``, or (``--questions N``) the
static vectors of the scale benchmark's first N questions.

Recall counts a found row as right when its cosine reaches the 10th exact one: on a corpus that
repeats sentences, the exact top 10 is one arbitrary choice among equal vectors. ``shipped`` is
the product's own index (``retrieval/index/ann.py``: usearch over the distinct float16 vectors,
each found vector mapped back to its sentences, best 10 by exact cosine, as
``SentenceVectors.nearest`` does). ``--distinct`` keeps one row of each distinct vector.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

K = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def exact_top(matrix: np.ndarray, q: np.ndarray, k: int = K, block: int = 262_144) -> np.ndarray:
    """Top-k ids by dot product, the matrix read in blocks (float16/int8 converted per block)."""
    best_s = np.empty(0, dtype=np.float32)
    best_i = np.empty(0, dtype=np.int64)
    for a in range(0, matrix.shape[0], block):
        part = np.asarray(matrix[a : a + block], dtype=np.float32)
        s = part @ q
        top = np.argpartition(-s, k)[:k] if s.shape[0] > k else np.arange(s.shape[0])
        best_s = np.concatenate([best_s, s[top]])
        best_i = np.concatenate([best_i, top + a])
    order = np.argsort(-best_s)[:k]
    return best_i[order]


def timed(fn, queries):
    out, times = [], []
    for q in queries:
        t = time.perf_counter()
        out.append(fn(q))
        times.append(time.perf_counter() - t)
    times.sort()
    return out, statistics.median(times) * 1000, times[int(0.95 * len(times))] * 1000


def recall(found, truth, base=None, queries=None) -> float:
    """Share of the true 10 nearest found. The generated corpora repeat sentences (identical
    vectors), so with ``base`` a found row counts when its cosine reaches the 10th true one."""
    if base is None:
        return float(np.mean([len(set(map(int, f)) & set(map(int, t))) / K for f, t in zip(found, truth)]))
    out = []
    for f, t, q in zip(found, truth, queries):
        kth = float(np.min(np.asarray(base[np.asarray(t, dtype=np.int64)], dtype=np.float32) @ q))
        got = np.asarray(base[np.asarray(f, dtype=np.int64)], dtype=np.float32) @ q if len(f) else np.zeros(0)
        out.append(min(K, int((got >= kth - 1e-4).sum())) / K)
    return float(np.mean(out))


def question_vectors(n: int) -> np.ndarray:
    """Static vectors of the first ``n`` questions of the scale benchmark (benchmarks/run.py)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from run import questions

    from retrieval.index.static import StaticEmbedder, StaticTable
    from retrieval.lang.text import normalize

    embedder = StaticEmbedder(StaticTable.load())
    return np.stack([embedder.query(normalize(q)) for q in questions(n)]).astype(np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", type=Path)
    ap.add_argument("--query-vectors", type=Path)
    ap.add_argument("--questions", type=int, default=0, help="queries: static vectors of N benchmark questions")
    ap.add_argument("--distinct", action="store_true", help="keep one row of each distinct vector")
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--n", type=int, default=0, help="use the first N rows")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--libs", default="exact,exact16,exact8,usearch,hnswlib,faiss-hnsw,faiss-ivf")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--M", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--ef-search", type=int, default=64)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "reportqa-ann")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(7)
    if args.vectors:
        base = np.load(args.vectors, mmap_mode="r", allow_pickle=False)
        if args.n:
            base = base[: args.n]
        if args.distinct:
            from retrieval.index.ann import row_keys

            _, first = np.unique(row_keys(base), return_index=True)
            base = base[np.sort(first)]
        stored = np.ascontiguousarray(base)
        base = np.ascontiguousarray(base, dtype=np.float32)
    else:
        centres = rng.standard_normal((1000, args.dim)).astype(np.float32)
        base = centres[rng.integers(0, 1000, args.random)] + 0.7 * rng.standard_normal((args.random, args.dim)).astype(
            np.float32
        )
    norms = np.linalg.norm(base, axis=1, keepdims=True)
    base = base / np.where(norms > 0, norms, 1)
    n, dim = base.shape
    if args.query_vectors:
        queries = np.load(args.query_vectors, allow_pickle=False).astype(np.float32)[: args.queries]
    elif args.questions:
        queries = question_vectors(args.questions)
    else:
        picks = rng.integers(0, n, args.queries)
        queries = base[picks] + 0.05 * rng.standard_normal((args.queries, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{n} vectors × {dim}, {len(queries)} queries, load average {os.getloadavg()[0]:.1f}")
    truth, p50, p95 = timed(lambda q: exact_top(base, q), queries)
    print(
        f"{'exact float32 (in memory)':32} search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  {base.nbytes / 2**20:7.0f} MB"
    )
    libs = args.libs.split(",")
    if "exact16" in libs:
        path = args.work / f"m16-{n}.npy"
        np.save(path, base.astype(np.float16))
        m16 = np.load(path, mmap_mode="r")
        found, p50, p95 = timed(lambda q: exact_top(m16, q), queries)
        print(
            f"{'exact float16 (mmap)':32} search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 {recall(found, truth, base, queries):.4f}"
        )
    if "exact8" in libs:
        path = args.work / f"m8-{n}.npy"
        np.save(path, np.clip(np.round(base * 127 / np.abs(base).max()), -127, 127).astype(np.int8))
        m8 = np.load(path, mmap_mode="r")
        found, p50, p95 = timed(lambda q: exact_top(m8, q), queries)
        print(
            f"{'exact int8 (mmap)':32} search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 {recall(found, truth, base, queries):.4f}"
        )
    keys = np.arange(n, dtype=np.uint64)
    if not args.vectors:
        stored = base.astype(np.float16)
    for lib in libs:
        if lib.startswith("exact"):
            continue
        before = rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        if lib == "shipped":
            from retrieval.index.ann import AnnIndex

            folder = args.work / f"shipped-{n}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            ann = AnnIndex.open(folder, "bench", stored, threads=args.threads)
            build = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in folder.iterdir())

            def search(q, ann=ann):
                ids = ann.search(q, K)
                return ids[np.lexsort((ids, -(base[ids] @ q)))][:K]
        elif lib.startswith("usearch"):
            from usearch.index import Index

            dtype = {"usearch": "i8", "usearch-f16": "f16", "usearch-i8": "i8"}[lib]
            index = Index(
                ndim=dim,
                metric="ip",
                dtype=dtype,
                connectivity=args.M,
                expansion_add=args.ef_construction,
                expansion_search=args.ef_search,
            )
            index.add(keys, base, threads=args.threads)
            build = time.perf_counter() - t0
            path = args.work / f"{lib}-{n}.usearch"
            index.save(str(path))
            del index
            view = Index.restore(str(path), view=True)
            view.expansion_search = args.ef_search
            size = path.stat().st_size
            search = lambda q, view=view: view.search(q, K, threads=1).keys  # noqa: E731
        elif lib == "hnswlib":
            import hnswlib

            index = hnswlib.Index(space="ip", dim=dim)
            index.init_index(max_elements=n, ef_construction=args.ef_construction, M=args.M)
            index.set_num_threads(args.threads)
            index.add_items(base, np.arange(n))
            build = time.perf_counter() - t0
            path = args.work / f"hnswlib-{n}.bin"
            index.save_index(str(path))
            index.set_ef(args.ef_search)
            index.set_num_threads(1)
            size = path.stat().st_size
            search = lambda q, index=index: index.knn_query(q, K)[0][0]  # noqa: E731
        elif lib == "faiss-hnsw":
            import faiss

            faiss.omp_set_num_threads(args.threads)
            index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, args.M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = args.ef_construction
            index.train(base[: min(n, 100_000)])
            index.add(base)
            build = time.perf_counter() - t0
            path = args.work / f"faiss-hnsw-{n}.faiss"
            faiss.write_index(index, str(path))
            index.hnsw.efSearch = args.ef_search
            faiss.omp_set_num_threads(1)
            size = path.stat().st_size
            search = lambda q, index=index: index.search(q[None, :], K)[1][0]  # noqa: E731
        elif lib == "faiss-ivf":
            import faiss

            faiss.omp_set_num_threads(args.threads)
            nlist = max(16, int(4 * np.sqrt(n)))
            quant = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFScalarQuantizer(
                quant, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            index.train(base[rng.choice(n, min(n, 50 * nlist), replace=False)])
            index.add(base)
            build = time.perf_counter() - t0
            path = args.work / f"faiss-ivf-{n}.faiss"
            faiss.write_index(index, str(path))
            index.nprobe = max(1, nlist // 32)
            faiss.omp_set_num_threads(1)
            size = path.stat().st_size
            search = lambda q, index=index: index.search(q[None, :], K)[1][0]  # noqa: E731
        else:
            raise SystemExit(f"unknown library {lib}")
        cpu = time.process_time() - c0
        found, p50, p95 = timed(search, queries)
        print(
            f"{lib:32} search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  recall@10 {recall(found, truth, base, queries):.4f}  "
            f"build {build:6.1f} s ({cpu:6.1f} CPU s, {n / build:7.0f}/s)  file {size / 2**20:6.0f} MB  "
            f"RSS +{rss_mb() - before:5.0f} MB"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
