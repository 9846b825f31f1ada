"""Answer quality of mixed sentence vectors simulated from a full build (research harness).

    python benchmarks/hybrid_quality.py SET [SET ...] --corpus DIR --cache-dir DIR
        [--orders figures,longest,shortest,corpus,random] [--fractions 0.3,0.45,0.6] [--raw]
        [--offsets 0,0.005] [--late 0,3] [--samples 0,0.1 --map-least 100] [--map-shortest 0,2000]

The cache must hold the full model's vectors of the corpus (``benchmarks/semantic_quality.py
--rep e5`` with the same cache). For each order in which sentences would get the model and each
fraction of the full build's estimated CPU cost, the model's vectors are kept for the sentences
chosen (:func:`retrieval.index.hybrid_plan.select`) and static vectors used for the rest, in one
:class:`retrieval.index.hybrid.HybridVectors`; every set is then evaluated as ``reportqa eval``
does, with the median answer time. Variants: ``--raw`` merges the two kinds without putting
static cosines on the model's scale; ``--late N`` embeds the N nearest sentences without the
model's vectors at question time; ``--samples S`` gives S of the cost to a random sample of the
other sentences, and ``--map-least`` reads the quantile map on the covered sentences of the
static-only ones' lengths; ``--map-shortest N`` reads it on the N shortest covered sentences."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import evaluate, load_questions, summarize
from config import load_settings
from retrieval import Engine
from retrieval.index.embedding import VectorCache
from retrieval.index.hybrid import HybridVectors
from retrieval.index.hybrid_plan import model_cost, priority, select, sentence_chars
from retrieval.index.static import StaticEmbedder, StaticTable
from retrieval.index.store import IndexStore
from retrieval.lru import LRU

# Model vectors embedded at question time kept for later questions (384 floats each: 6 MB).
LATE_KEPT = 4096


def model_text(corpus) -> Callable[[int], str]:
    """Sentence id → the text the model embeds for it (as the build does)."""
    from retrieval.lang.text import clean_for_index

    ptr = corpus.tables["sent_ptr"]
    return lambda i: clean_for_index(corpus.sentence_text(int(np.searchsorted(ptr, i, side="right")) - 1, int(i)))


class LateHybridVectors(HybridVectors):
    """:class:`HybridVectors` with the question-time variant (``--late``, measured and not
    shipped): with ``text`` (sentence id → the text the model embeds) and ``late`` > 0, the
    ``late`` nearest sentences without the model's vectors are embedded by the model when a
    question finds them (kept for later questions), and their model cosines used instead of
    mapped ones."""

    def __init__(self, *args, text: Callable[[int], str] | None = None, late: int = 0, **kwargs):
        super().__init__(*args, **kwargs)  # HybridVectors's own arguments
        self.text, self.late = text, int(late) if text is not None else 0
        self._late_rows: LRU[int, np.ndarray] = LRU(LATE_KEPT)  # model vectors embedded at question time

    def nearest(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        hits = super().nearest(query_vec, k)
        if self.late:
            hits = self._embed_late(self._split(query_vec)[0], hits)
        return hits

    def _embed_late(self, qf: np.ndarray, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``hits`` with the first ``late`` sentences lacking the model's vectors scored by the
        model (embedded now, or found among those embedded for earlier questions)."""
        assert self.text is not None
        todo = [i for i, _ in hits if self._row[i] < 0][: self.late]
        new = [i for i in todo if self._late_rows.get(i) is None]
        if new:
            for i, vec in zip(new, self.embedder.passages([self.text(i) for i in new])):
                self._late_rows.put(i, np.asarray(vec, dtype=np.float32))
        rest = [i for i, _ in hits if self._row[i] < 0]  # and those embedded for earlier questions
        true = {i: float(v @ qf) for i in rest if (v := self._late_rows.get(i)) is not None}
        out = [(i, true.get(i, c)) for i, c in hits]
        out.sort(key=lambda h: (-h[1], h[0]))
        return out

    def cosines(self, query_vec: np.ndarray, sentence_ids: Iterable[int]) -> np.ndarray:
        ids = np.fromiter((int(i) for i in sentence_ids), dtype=np.int64)
        out = super().cosines(query_vec, ids)
        if self.late:
            qf, _ = self._split(query_vec)
            for j in np.flatnonzero(self._row[ids] < 0):
                if (v := self._late_rows.get(int(ids[j]))) is not None:
                    out[j] = v @ qf
        return out


def with_sample(keys: np.ndarray, cost: np.ndarray, cpu: float, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(wanted, sample): the highest ``keys`` while their cost fits ``(1 - share)`` of ``cpu``, and
    a fixed random sample of the other sentences costing up to ``share`` of it, which gives the
    quantile map sentences of the static-only ones' lengths (:func:`map_ids`)."""
    wanted = select(keys, cost, cpu * (1.0 - share))
    rest = np.flatnonzero(~wanted)
    rest = rest[np.random.default_rng(0).permutation(rest.shape[0])]
    sample = np.zeros_like(wanted)
    sample[rest[np.cumsum(cost[rest]) <= cpu * share]] = True
    return wanted | sample, sample


def map_ids(covered: np.ndarray, chars: np.ndarray, least: int) -> np.ndarray | None:
    """The sentences with the model's vectors (``covered``, a mask) no longer than the longest
    without: the quantile map's, when at least ``least`` of them (else None: all of them)."""
    if covered.all():
        return None
    ids = np.flatnonzero(covered & (chars <= chars[~covered].max()))
    return ids if ids.shape[0] >= least else None


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
    ap.add_argument("--samples", default="0", help="shares of the cost for a random sample of the other sentences")
    ap.add_argument(
        "--map-least", type=int, default=0, help="read the map on covered sentences of the static ones' lengths"
    )
    ap.add_argument("--map-shortest", default="0", help="read the map on this many shortest covered sentences")
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
    chars = sentence_chars(engine.corpus)
    cost = model_cost(chars)
    matrix = np.asarray(full.matrix, dtype=np.float32)
    for order in args.orders.split(","):
        keys = priority(engine.corpus, order)
        for fraction, share in (
            (float(f), float(s)) for f in args.fractions.split(",") for s in args.samples.split(",")
        ):
            mask, _ = with_sample(keys, cost, fraction * float(cost.sum()), share)
            head = f"{order} {fraction:.2f} cost, sample {share}"
            run_variants(args, engine, full.embedder, matrix, static, mask, chars, head, run)
    return 0


def run_variants(args, engine, embedder, matrix, static, mask: np.ndarray, chars: np.ndarray, head: str, run) -> None:
    """Every variant (``--offsets``, ``--late``, ``--map-shortest``) of the mixed vectors with the
    model's vectors (rows of ``matrix``, by ``embedder``) for the sentences ``mask``, each run and
    printed under a label opening with ``head``."""
    ids = np.flatnonzero(mask)
    for offset, late, short in (
        (float(o), int(n), int(m))
        for o in args.offsets.split(",")
        for n in args.late.split(",")
        for m in args.map_shortest.split(",")
    ):
        fit = map_ids(mask, chars, args.map_least) if args.map_least else None
        if short:
            fit = np.sort(ids[np.argsort(chars[ids], kind="stable")[:short]])
        mode = "raw" if args.raw else "quantile"
        text = model_text(engine.corpus)
        hybrid = LateHybridVectors(matrix[ids], ids, embedder, static, mode, offset, text=text, late=late, map_ids=fit)
        label = f"{head}, {hybrid.share:.2f} sentences, -{offset}, late {late}"
        run(label + (f", map on {fit.shape[0]}" if fit is not None else ""), hybrid)


if __name__ == "__main__":
    raise SystemExit(main())
