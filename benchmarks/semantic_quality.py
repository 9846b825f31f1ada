"""Answer quality of each sentence representation on a question set (research harness).

    python benchmarks/semantic_quality.py QUESTIONS --corpus DIR --rep e5|static|none|auto
        [--table FILE] [--cache-dir DIR]

Each representation is opened through ``Engine.open`` with its own embedder, so the composer,
features and answer policy are those of the product; the summary is ``reportqa eval``'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import by_kind, evaluate, format_table, load_questions, summarize
from config import load_settings
from retrieval import Engine


def make(rep: str, table: str | None):
    """The embedder of a representation (None: the configured full model, or none at all)."""
    if rep in ("e5", "none", "auto"):
        return None
    if rep == "static":
        from retrieval.index.static import DEFAULT_TABLE, StaticEmbedder, StaticTable

        return StaticEmbedder(StaticTable.load(table or DEFAULT_TABLE))
    raise SystemExit(f"unknown representation {rep}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", type=Path)
    ap.add_argument("--corpus", default="")
    ap.add_argument("--rep", default="e5", choices=("e5", "static", "none", "auto"))
    ap.add_argument("--table", default=None)
    ap.add_argument("--cache-dir", default="/tmp/sem/cache")
    ap.add_argument("--json", type=Path, default=None, help="write per-question outcomes here")
    args = ap.parse_args(argv)
    settings = load_settings(
        overrides={
            "corpus": args.corpus or None,
            "cache_dir": args.cache_dir,
            "semantic": {"none": "off", "e5": "on", "auto": "auto"}.get(args.rep, "static"),
        }
    )
    items, _ = load_questions(args.questions)
    start = time.perf_counter()
    static = make(args.rep, args.table)
    engine = Engine.open(settings, static_embedder=static)
    opened = time.perf_counter() - start
    outcomes = evaluate(engine, items)
    summary = summarize(outcomes)
    print(
        f"{args.rep} on {args.questions.name} ({args.corpus or 'seeds'}), opened in {opened:.1f} s, "
        f"{engine.semantic_status.embedded} sentences embedded, {engine.semantic_status.representation}"
        + (f" ({engine.semantic_status.model_sentences} with the model's vectors)" if args.rep == "auto" else "")
    )
    print(format_table(args.questions.name, summary, by_kind(outcomes)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            for o in outcomes:
                fh.write(
                    json.dumps({"id": o.item.qid, "rank": o.answer_rank, "answered": o.answered}, ensure_ascii=False)
                    + "\n"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
