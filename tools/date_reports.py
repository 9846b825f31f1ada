"""Print the year, style and kind of every report in a folder, and sample sentence periods.

    python tools/date_reports.py ../shared/datasets/gwr_even seeds
    python tools/date_reports.py ../shared/datasets/gwr_even --sample 40 --seed 99

Per report: the year found with everything (title, file name, date line, headings), the year
found from the body alone (title line and file name removed, to see how the fallbacks fare),
the style and kind, and the share of sentences that get a period. With ``--sample N``, N
sentences drawn at random with their section's period and their own, to check by eye.
Read-only; nothing is indexed or cached. See docs/time.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.dates import report as dating_report, years as dating_years
from retrieval.ingest.chunker import chunk_document
from retrieval.ingest.documents import make_document, noise_spans
from retrieval.ingest.process import date_chunks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="sentences to draw at random")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-chunk-chars", type=int, default=400)
    args = parser.parse_args(argv)
    files = sorted(p for folder in args.folders for p in folder.glob("*.txt"))
    if not files:
        print("没有找到 .txt 报告", file=sys.stderr)
        return 1
    head_chars = dating_years.settings()["years"]["head_chars"]
    rows = []
    print(f"{'file':34} {'year':>5} {'body':>5}  {'style':11} {'kind':9} dated")
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        doc = make_document(path.name, path.name, text)
        spans = chunk_document(doc, noise_spans(text, doc.title), args.max_chunk_chars)
        dated = date_chunks(text, doc.title, path.name, spans)
        body = "\n".join(text[:head_chars].splitlines()[1:])
        body_year = dating_report.report_year("", body, "")
        periods = [p for _, _, _, ps in dated.chunks for p in ps]
        share = sum(p is not None for p in periods) / len(periods) if periods else 0.0
        print(
            f"{path.name[:34]:34} {dated.year or '-':>5} {body_year or '-':>5}  {dated.style:11} "
            f"{dated.kind:9} {share:.2f} of {len(periods)}"
        )
        for span, (period, what, _, ps) in zip(spans, dated.chunks):
            for (s, e), p in zip(span.sentences, ps):
                rows.append((path.stem, span.section[0] if span.section else "-", period, what, p, text[s:e]))
    if args.sample:
        print()
        for name, section, period, what, p, sentence in random.Random(args.seed).sample(
            rows, min(args.sample, len(rows))
        ):
            print(f"{name} [{section[:12]} | {period}, {what}] -> {p} :: {sentence[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
