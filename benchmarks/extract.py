"""Extraction speed of PDF and web-page reports: characters of extracted text per CPU-second.

Builds the five seed reports as PDFs (reportlab's STSong-Light, wrapped lines, a running
header, a page footer; needs the ``test`` extra) and as GBK web pages with site chrome, then
times extraction alone (no chunking or tokenising) in this one process, ``--rounds`` times,
and reports characters per CPU-second (one core), the extraction fidelity against the .txt
(the seed's paragraphs found exactly, and the share of its characters found in order) and the
peak memory of the process.
With ``--compare``, pdfminer.six is timed on the same PDFs when it is installed.

Then each real file in ``--real`` (default ``../shared/datasets/real_reports``, when present:
PDF, .docx, .doc, web pages) is read once as indexing reads it: characters per CPU-second and how
it reads: the share of its prose paragraphs that end a sentence (a paragraph cut mid-sentence
does not), the tables and table rows read as text, spaces left beside a lone Chinese character
(justified text read as spaced) and note marks left glued to a figure; a file that cannot be read
is listed with the reason.

    .venv/bin/python benchmarks/extract.py [--rounds 5] [--compare] [--real DIR]
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

from retrieval.ingest.formats import UnreadableFile
from retrieval.ingest.formats.html import read_html
from retrieval.ingest.formats.pdf import read_pdf
from retrieval.ingest.formats.registry import for_path
from retrieval.ingest.loader import SourceFile, read_source
from tests.htmlbuild import report_page
from tests.pdfbuild import report_pdf


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _recovered(source: str, text: str) -> tuple[int, int]:
    """(characters of the source found in order in the text, source characters), whitespace
    ignored: how much of the report an extractor gets right, before any joining of lines."""
    a, b = re.sub(r"\s+", "", source), re.sub(r"\s+", "", text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()), len(a)


FINAL = re.compile(r"(?:[。！？；：!?;:…][”’]?|[）)])$")
LONE_SPACE = re.compile(
    r"(?:(?<![\u4e00-\u9fff])[\u4e00-\u9fff] (?=[\u4e00-\u9fff]))|(?:[\u4e00-\u9fff] (?=[\u4e00-\u9fff](?![\u4e00-\u9fff])))"
)
GLUED_MARK = re.compile(r"(?<=\S)(?:\[\d{1,2}\]|［\d{1,2}］|[\u2460-\u2473])(?=\d)|[\d%‰](?:\[\d{1,2}\]|［\d{1,2}］)")


def _reading(text: str) -> tuple[int, int, int, int]:
    """(prose paragraphs, those ending a sentence, spaces beside a lone Chinese character, note
    marks glued to a figure): prose is a paragraph of 25 characters or more, mostly Chinese, with
    a comma or full stop; one that does not end with sentence-final punctuation was cut short."""
    prose = [
        p
        for p in _paragraphs(text)
        if len(p) >= 25 and re.search("[，。]", p) and len(re.findall(r"[\u4e00-\u9fff]", p)) >= 0.5 * len(p)
    ]
    return (
        len(prose),
        sum(bool(FINAL.search(p)) for p in prose),
        len(LONE_SPACE.findall(text)),
        len(GLUED_MARK.findall(text)),
    )


def _real_rows(folder: Path) -> list[dict]:
    """Each real file of ``folder`` that a format reads, read once as indexing reads it:
    characters per CPU-second, how it reads and the tables it holds."""
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        fmt = for_path(path)
        if fmt is None or fmt.read is None:
            continue
        source = SourceFile(path, path.name, path.stat().st_size, 0)
        cpu = time.process_time()
        try:
            out, _ = read_source(source, {"max_pdf_pages": 2000, "max_extract_seconds": 600})
        except UnreadableFile as exc:
            rows.append({"file": path.name, "format": fmt.name, "unread": str(exc)})
            continue
        cpu = time.process_time() - cpu
        prose, ended, spaced, marks = _reading(out.text)
        rows.append(
            {
                "file": path.name,
                "format": fmt.name,
                "pages": len(out.pages),
                "chars": len(out.text),
                "chars_per_cpu_second": int(len(out.text) / max(cpu, 1e-6)),
                "prose_paragraphs": prose,
                "ended_right": round(ended / max(1, prose), 3),
                "tables": out.notes.tables,
                "table_rows": out.notes.table_rows,
                "image_tables": out.notes.image_tables,
                "lone_spaces": spaced,
                "glued_marks": marks,
                "title": out.title,
                "pages_unread": out.meta.get("pages_unread", ""),
            }
        )
    return rows


def _print_real(folder: Path, real: list[dict]) -> None:
    print(f"\nreal files in {folder}:")
    for r in real:
        if "unread" in r:
            print(f"  {r['file'][:34]:<36} {r['format']:<5} not read: {r['unread']}")
            continue
        print(
            f"  {r['file'][:34]:<36} {r['format']:<5} {r['pages']:>4} pages {r['chars_per_cpu_second']:>10,} chars/CPU-s   "
            f"prose ending a sentence {r['ended_right']:.0%} of {r['prose_paragraphs']:>3}   "
            f"tables {r['tables']:>3} ({r['table_rows']:>4} rows)   "
            f"lone spaces {r['lone_spaces']:>3}   glued marks {r['glued_marks']}"
        )
    read = [r for r in real if "unread" not in r]
    for name in sorted({r["format"] for r in read}) + ["all"]:
        group = [r for r in read if name in ("all", r["format"])]
        prose = sum(r["prose_paragraphs"] for r in group)
        ended = sum(r["ended_right"] * r["prose_paragraphs"] for r in group)
        chars = sum(r["chars"] for r in group)
        cpu = sum(r["chars"] / max(1, r["chars_per_cpu_second"]) for r in group)
        print(
            f"  {name:<5} {len(group):>2} files: {int(chars / max(cpu, 1e-6)):,} chars/CPU-s, prose ending a "
            f"sentence {ended / max(1, prose):.1%} of {prose}, tables {sum(r['tables'] for r in group)} "
            f"({sum(r['table_rows'] for r in group)} rows), lone spaces {sum(r['lone_spaces'] for r in group)}, "
            f"glued marks {sum(r['glued_marks'] for r in group)}"
        )


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
    return {
        "format": name,
        "files": len(inputs),
        "rounds": rounds,
        "chars": chars,
        "cpu_seconds": round(cpu, 3),
        "chars_per_cpu_second": int(chars / cpu),
        "paragraphs_exact": f"{kept}/{total}",
        "chars_recovered": round(sum(f for f, _ in found) / sum(n for _, n in found), 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", action="store_true", help="also time pdfminer.six")
    parser.add_argument(
        "--real",
        type=Path,
        default=ROOT.parent / "shared/datasets/real_reports",
        help="a folder of real reports (PDF, .docx, .doc, web pages) to read once each",
    )
    args = parser.parse_args()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [s.read_text(encoding="utf-8") for s in seeds]
    pdfs = [(t, report_pdf(t, header="某某县教育局文件", footer="第 {page} 页 共 {pages} 页")) for t in texts]
    pages = [(t, report_page(t, charset="gbk")) for t in texts]
    results = [
        _measure(
            "pdf (PDFium + layout)", pdfs, lambda d: read_pdf(d, max_pages=2000, max_seconds=600).text, args.rounds
        ),
        _measure("html (lxml rule)", pages, lambda d: read_html(d).text, args.rounds),
    ]
    if args.compare:
        try:
            import io

            from pdfminer.high_level import extract_text
        except ImportError:
            print("pdfminer.six is not installed; --compare skipped", file=sys.stderr)
        else:
            results.append(
                _measure("pdf (pdfminer.six, raw)", pdfs, lambda d: extract_text(io.BytesIO(d)), args.rounds)
            )
    real = _real_rows(args.real) if args.real.is_dir() else []
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    for r in results:
        print(
            f"{r['format']:<24} {r['chars_per_cpu_second']:>10,} chars/CPU-s   "
            f"paragraphs exact {r['paragraphs_exact']:>7}   characters recovered {r['chars_recovered']:.2%}   "
            f"({r['chars']:,} chars, {r['cpu_seconds']} s)"
        )
    if real:
        _print_real(args.real, real)
    print(f"peak memory of the process: {peak} MB")
    print(json.dumps({"results": results, "real": real, "peak_rss_mb": peak}, ensure_ascii=False))


if __name__ == "__main__":
    main()
