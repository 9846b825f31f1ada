"""The "semantic only" row of the ablation in docs/quality.md: answer each answerable question of a
set with the 3 sentences of the corpus nearest it by cosine (no BM25, no refusal) and count how
often the gold fragment is in the first one and in the first three.

    python tools/semantic_only.py tests/data/holdout.jsonl [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.evaluate import load_questions, open_engine_for
from config import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--cache-dir", default="", help="index and vector cache (default: the setting)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/reportqa-semantic-only"))
    args = parser.parse_args(argv)
    settings = load_settings(overrides={"cache_dir": args.cache_dir or None, "semantic": "on"})
    items, contexts = load_questions(args.questions)
    engine = open_engine_for(settings, contexts, args.workdir / args.questions.stem)
    engine.wait_for_vectors()
    first = three = n = 0
    for item in items:
        if not item.answerable:
            continue
        n += 1
        texts = [engine.corpus.sentence_text(c, s) for c, s, _ in engine.nearest_sentences(item.question, 3)]
        hits = [any(g in t for g in item.answers) for t in texts]
        first += bool(hits) and hits[0]
        three += any(hits)
    print(
        f"{args.questions.name}: semantic only, first sentence {first / n:.3f}, first three {three / n:.3f} ({n} answerable)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
