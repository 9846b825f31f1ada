"""Answer time on the seeds with and without semantic matching, paired question by question.

Every question of the dev, holdout and everyday-wording sets is asked three times with a
different opening (so that the query vector is computed each time rather than cached), once by a
lexical engine and once by an engine with sentence vectors, alternately.

    python benchmarks/answer_time.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings
from retrieval import Engine

OPENINGS = ("", "请问", "我想问")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default="/tmp/reportqa-answer-time")
    args = parser.parse_args(argv)
    semantic = Engine.open(load_settings(overrides={"cache_dir": args.cache_dir, "semantic": "on"}), semantic="build")
    lexical = Engine.open(load_settings(overrides={"cache_dir": args.cache_dir, "semantic": "off"}))
    questions = [
        json.loads(line)["question"]
        for name in ("dev", "holdout", "everyday")
        for line in (ROOT / "tests" / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    for q in questions[:20]:  # warm both (jieba, the model)
        lexical.answer(q), semantic.answer(q)
    times: dict[str, list[float]] = {"lexical": [], "semantic": []}
    for opening in OPENINGS:
        for q in questions:
            for name, engine in (("lexical", lexical), ("semantic", semantic)):
                start = time.perf_counter()
                engine.answer(opening + q)
                times[name].append(time.perf_counter() - start)
    print(f"{len(questions)} questions × {len(OPENINGS)}, load average {os.getloadavg()[0]:.2f}")
    for name, values in times.items():
        values.sort()
        print(
            f"{name:9} median {statistics.median(values) * 1000:6.1f} ms   p95 {values[int(0.95 * len(values))] * 1000:6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
