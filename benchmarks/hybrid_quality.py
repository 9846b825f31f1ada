"""Answer quality of mixed sentence vectors simulated from a full build (research harness).

    python benchmarks/hybrid_quality.py SET [SET ...] --corpus DIR --cache-dir DIR
        [--orders figures,longest,shortest,corpus,random] [--fractions 0.3,0.45,0.6] [--raw]
        [--offsets 0,0.005] [--late 0,3]

The cache must hold the full model's vectors of the corpus (``benchmarks/semantic_quality.py
--rep e5`` with the same cache). For each order in which sentences would get the model and each
fraction of the full build's estimated CPU cost, the model's vectors are kept for the sentences
chosen (:func:`retrieval.index.hybrid_plan.select`) and static vectors used for the rest, in one
:class:`retrieval.index.hybrid.HybridVectors`; every set is then evaluated as ``reportqa eval``
does. ``--late N`` embeds the N nearest sentences without the model's vectors at question time
and reports the model's seconds per question. ``--raw`` merges the two kinds without putting static cosines on the model's scale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import evaluate, load_questions, summarize
from config import load_settings
from retrieval import Engine
from retrieval.index.embedding import VectorCache
from retrieval.index.hybrid import HybridVectors, model_text
from retrieval.index.hybrid_plan import model_cost, priority, select, sentence_chars
from retrieval.index.static import StaticEmbedder, StaticTable
from retrieval.index.store import IndexStore


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", type=Path, nargs="+")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--cache-dir", required=True)
    ap.add_argument("--orders", default="figures,longest,shortest,corpus,random")
    ap.add_argument("--fractions", default="0.3,0.45,0.6")
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--offsets", default="0", help="lower mapped static cosines by these amounts")
    ap.add_argument("--late", default="0", help="embed this many nearest static-only sentences at question time")
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args(argv)
    settings = load_settings(overrides={"corpus": args.corpus, "cache_dir": args.cache_dir, "semantic": "on"})
    engine = Engine.open(settings, semantic="cached")
    full = engine.semantic
    if full is None:
        raise SystemExit("no full vectors cached for this corpus: run semantic_quality.py --rep e5 first")
    store = IndexStore(settings.corpus_path, settings.cache_path, settings.index_params(), 2)
    static = VectorCache(store.folder, store.token_key, StaticEmbedder(StaticTable.load())).build(engine.corpus)
    sets = [(p.name, load_questions(p)[0]) for p in args.sets]

    def run(label: str, vectors) -> None:
        engine.semantic = vectors
        cells, times = [], []
        for name, items in sets:
            outcomes = evaluate(engine, items)
            times += [o.seconds * 1000 for o in outcomes]
            cells.append(f"{name} {summarize(outcomes)['shown_at_1']:.3f}")
        late = getattr(vectors, "_late_rows", None)
        extra = f", {len(late)} embedded at question time" if late is not None and len(late) else ""
        print(f"{label:38s} " + " | ".join(cells) + f" | median {np.median(times):.0f} ms{extra}", flush=True)

    if not args.no_baselines:
        run("e5 (every sentence)", full)
        run("static (every sentence)", static)
    cost = model_cost(sentence_chars(engine.corpus))
    matrix = np.asarray(full.matrix, dtype=np.float32)
    for order in args.orders.split(","):
        keys = priority(engine.corpus, order)
        for fraction in (float(f) for f in args.fractions.split(",")):
            mask = select(keys, cost, fraction * float(cost.sum()))
            ids = np.flatnonzero(mask)
            for offset, late in ((float(o), int(n)) for o in args.offsets.split(",") for n in args.late.split(",")):
                mode = "raw" if args.raw else "quantile"
                hybrid = HybridVectors(
                    matrix[ids], ids, full.embedder, static, mode, offset, model_text(engine.corpus), late
                )
                run(f"{order} {fraction:.2f} cost, {hybrid.share:.2f} sentences, -{offset}, late {late}", hybrid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
