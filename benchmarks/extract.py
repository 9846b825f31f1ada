"""Extraction speed of PDF and web-page reports: characters of extracted text per CPU-second.

Builds the five seed reports as PDFs (reportlab's STSong-Light, wrapped lines, a running
header, a page footer; needs the ``test`` extra) and as GBK web pages with site chrome, then
times extraction alone (no chunking or tokenising) in this one process, ``--rounds`` times,
and reports characters per CPU-second (one core), the extraction fidelity against the .txt
(the seed's paragraphs found exactly, and the share of its characters found in order) and the
peak memory of the process.
With ``--compare``, pdfminer.six is timed on the same PDFs when it is installed.

    .venv/bin/python benchmarks/extract.py [--rounds 5] [--compare]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.ingest.formats.html import read_html  # noqa: E402
from retrieval.ingest.formats.pdf import read_pdf  # noqa: E402
from tests.htmlbuild import report_page  # noqa: E402
from tests.pdfbuild import report_pdf  # noqa: E402


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _recovered(source: str, text: str) -> tuple[int, int]:
    """(characters of the source found in order in the text, source characters), whitespace
    ignored: how much of the report an extractor gets right, before any joining of lines."""
    a, b = re.sub(r"\s+", "", source), re.sub(r"\s+", "", text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()), len(a)


def _measure(name: str, inputs: list[tuple[str, bytes]], extract, rounds: int) -> dict:
    chars = 0
    kept = total = 0
    outputs: list[tuple[str, str]] = []
    cpu = time.process_time()
    for _ in range(rounds):
        for source, data in inputs:
            text = extract(data)
            chars += len(text)
            if _ == 0:
                want = _paragraphs(source)
                got = set(_paragraphs(text))
                kept += sum(p in got for p in want)
                total += len(want)
                outputs.append((source, text))
    cpu = time.process_time() - cpu
    found = [_recovered(source, text) for source, text in outputs]
    return {"format": name, "files": len(inputs), "rounds": rounds, "chars": chars,
            "cpu_seconds": round(cpu, 3), "chars_per_cpu_second": int(chars / cpu),
            "paragraphs_exact": f"{kept}/{total}",
            "chars_recovered": round(sum(f for f, _ in found) / sum(n for _, n in found), 5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", action="store_true", help="also time pdfminer.six")
    args = parser.parse_args()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [s.read_text(encoding="utf-8") for s in seeds]
    pdfs = [(t, report_pdf(t, header="某某县教育局文件", footer="第 {page} 页 共 {pages} 页")) for t in texts]
    pages = [(t, report_page(t, charset="gbk")) for t in texts]
    results = [
        _measure("pdf (pypdf)", pdfs,
                 lambda d: read_pdf(d, max_pages=2000, max_seconds=600).text, args.rounds),
        _measure("html (lxml rule)", pages, lambda d: read_html(d).text, args.rounds),
    ]
    if args.compare:
        try:
            import io

            from pdfminer.high_level import extract_text
        except ImportError:
            print("pdfminer.six is not installed; --compare skipped", file=sys.stderr)
        else:
            results.append(_measure("pdf (pdfminer.six, raw)", pdfs,
                                    lambda d: extract_text(io.BytesIO(d)), args.rounds))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    for r in results:
        print(f"{r['format']:<24} {r['chars_per_cpu_second']:>10,} chars/CPU-s   "
              f"paragraphs exact {r['paragraphs_exact']:>7}   characters recovered {r['chars_recovered']:.2%}   "
              f"({r['chars']:,} chars, {r['cpu_seconds']} s)")
    print(f"peak memory of the process: {peak} MB")
    print(json.dumps({"results": results, "peak_rss_mb": peak}, ensure_ascii=False))


if __name__ == "__main__":
    main()
