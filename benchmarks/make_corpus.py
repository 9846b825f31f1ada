"""Generate a report-like corpus of about N chunks, deterministically, from real Chinese text.

Usage::

    python benchmarks/make_corpus.py 100000 /tmp/bench/corpus-100k [--seed 7]
    python benchmarks/make_corpus.py 200 /tmp/bench/corpus-100k --add-one [--seed 7]   # one more report

Sentences come from the bundled seed reports and, when present, the paragraphs of the public
QA sets in ``../shared/datasets`` (cmrc2018_trial.json, drcd_test.json). They are recombined
into files that look like work reports: a title naming a county and a year, outline headings
(一、 / （一） / 1.), and paragraphs of three to seven sentences, some opened with a year and a
place. Chunks are counted with the real chunker as files are written, so the corpus holds N
chunks give or take one file; a file holds about 100 to 300 of them. The same N, seed and
sources give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATASETS = ROOT.parent / "shared" / "datasets"
DATASET_FILES = ("cmrc2018_trial.json", "drcd_test.json")
REPORT_SHARE = 0.35  # share of sentences drawn from the seed reports

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]+[”’」』）)]*")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[、．.])")
PARAGRAPH_CHARS = 380  # below the default max_chunk_chars (400): one paragraph, one chunk

# Real county-level places of Hunan and Henan, where the seed reports come from.
PLACES = (
    "古丈县",
    "溆浦县",
    "长葛市",
    "怀化市",
    "沅陵县",
    "辰溪县",
    "会同县",
    "麻阳县",
    "新晃县",
    "芷江县",
    "靖州县",
    "通道县",
    "洪江市",
    "中方县",
    "鹤城区",
    "吉首市",
    "泸溪县",
    "凤凰县",
    "花垣县",
    "保靖县",
    "永顺县",
    "龙山县",
    "慈利县",
    "桑植县",
    "安化县",
    "桃江县",
    "新化县",
    "涟源市",
    "双峰县",
    "邵东市",
    "隆回县",
    "洞口县",
    "绥宁县",
    "城步县",
    "武冈市",
    "新宁县",
    "祁阳市",
    "宁远县",
    "道县",
    "江华县",
    "禹州市",
    "鄢陵县",
    "襄城县",
    "郏县",
    "宝丰县",
    "叶县",
    "鲁山县",
    "舞钢市",
    "汝州市",
    "临颍县",
)
BUREAUS = ("教育局", "教体局", "教育体育局")
KINDS = ("工作总结", "工作总结及下年工作计划", "教育工作总结", "重点工作总结", "年度工作报告")
SECTION_TOPICS = (
    "基本情况",
    "党建引领",
    "教育教学质量",
    "队伍建设",
    "办学条件",
    "安全稳定",
    "教育改革",
    "民生实事",
    "学前教育",
    "义务教育",
    "职业教育",
    "体育卫生艺术",
    "存在问题",
    "下一步工作计划",
)
SUB_TOPICS = (
    "聚焦立德树人",
    "夯实基础教育",
    "深化课程改革",
    "加强师资培训",
    "改善办学条件",
    "守牢安全底线",
    "推进均衡发展",
    "落实资助政策",
    "强化督导评估",
    "提升管理水平",
    "促进教育公平",
    "办好人民满意教育",
)
ITEM_TOPICS = (
    "抓实工作基础",
    "完善制度建设",
    "强化过程管理",
    "突出示范引领",
    "推动创新发展",
    "加强协同联动",
    "狠抓责任落实",
    "深化作风建设",
)
CN_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    return CN_NUM[n - 1] if n <= 10 else "十" + CN_NUM[n - 11]


def _sentences(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if HEADING.match(line):
            continue
        for m in SENTENCE.finditer(line):
            s = m.group(0).strip(" \t\u3000")
            if 8 <= len(s) <= 150:
                out.append(s)
    return out


def load_sentences(seeds: Path = SEEDS, datasets: Path = DATASETS) -> tuple[list[str], list[str], list[str]]:
    """Sentences of the seed reports, sentences of the dataset paragraphs, and the sources used."""
    reports: list[str] = []
    pool: list[str] = []
    used: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        reports.extend(_sentences(path.read_text(encoding="utf-8")))
        used.append(path.name)
    for name in DATASET_FILES:
        path = datasets / name
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for article in data["data"]:
            for para in article["paragraphs"]:
                pool.extend(_sentences(para["context"]))
        used.append(name)
    return list(dict.fromkeys(reports)), list(dict.fromkeys(pool)), used


def _paragraph(rng: random.Random, pools: tuple[list[str], list[str]], place: str, year: int) -> str:
    """Three to seven sentences, about a third of them from the reports."""
    parts: list[str] = []
    length = 0
    for _ in range(rng.randint(3, 7)):
        pool = pools[0] if pools[0] and (rng.random() < REPORT_SHARE or not pools[1]) else pools[1]
        s = pool[rng.randrange(len(pool))]
        if length + len(s) > PARAGRAPH_CHARS and parts:
            break
        if length + len(s) > PARAGRAPH_CHARS:
            s = s[: PARAGRAPH_CHARS - 20].rstrip("，,、") + "。"
        parts.append(s)
        length += len(s)
    if rng.random() < 0.25:
        parts[0] = f"{year}年，{place}" + parts[0]
    return "".join(parts)


def make_file(rng: random.Random, pools: tuple[list[str], list[str]], n_chunks: int) -> tuple[str, str]:
    """(relative path, text) of one report with about ``n_chunks`` chunks."""
    place = rng.choice(PLACES)
    year = rng.randint(2012, 2025)
    bureau = rng.choice(BUREAUS)
    kind = rng.choice(KINDS)
    title = f"{place}{bureau}{year}年{kind}"
    lines = [title, ""]
    opening = f"{year}年，在县委、县政府的坚强领导下，{place}{bureau}紧盯年初确立的各项目标任务，确保各项工作有效落实。"
    lines.append(opening)
    made = 1
    sections = rng.sample(SECTION_TOPICS, k=min(len(SECTION_TOPICS), max(3, n_chunks // 40 + 1)))
    per_section = max(1, (n_chunks - made) // len(sections))
    for si, topic in enumerate(sections, 1):
        lines.append(f"{_cn(si)}、{topic}")
        left = per_section if si < len(sections) else max(1, n_chunks - made)
        sub = 0
        while left > 0:
            sub += 1
            lines.append(f"（{_cn(min(sub, 20))}）{rng.choice(SUB_TOPICS)}")
            take = min(left, rng.randint(3, 12))
            for item in range(1, take + 1):
                body = _paragraph(rng, pools, place, year)
                if rng.random() < 0.4:
                    body = f"{item}.{rng.choice(ITEM_TOPICS)}。" + body
                lines.append(body)
            made += take
            left -= take
    rel = f"{year}/{year}_{place}{bureau}_{kind}_{rng.randrange(16**6):06x}.txt"
    return rel, "\n".join(lines) + "\n"


def count_chunks(rel: str, text: str, max_chunk_chars: int = 400) -> int:
    """Chunks the index will make of this file (the real chunker, no tokenising)."""
    sys.path.insert(0, str(ROOT))
    from retrieval.ingest.chunker import chunk_document
    from retrieval.ingest.documents import make_document, noise_spans

    doc = make_document(rel, rel, text)
    return len(chunk_document(doc, noise_spans(text, doc.title), max_chunk_chars))


def generate(
    n_chunks: int, out: Path, seed: int = 7, min_per_file: int = 100, max_per_file: int = 300
) -> dict[str, int]:
    """Write about ``n_chunks`` chunks of reports under ``out`` (counted with the real chunker
    at the default chunk size); returns counts."""
    reports, pool, used = load_sentences()
    if not reports and not pool:
        raise SystemExit("no source sentences found (seeds/ is empty)")
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = files = chars = 0
    while made < n_chunks:
        want = min(rng.randint(min_per_file, max_per_file), max(1, n_chunks - made))
        rel, text = make_file(rng, (reports, pool), want)
        want = count_chunks(rel, text)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        stem, n = path.stem, 1
        while path.exists():  # two files drew the same name: keep both
            path = path.with_name(f"{stem}-{n}.txt")
            n += 1
        path.write_text(text, encoding="utf-8")
        made += want
        files += 1
        chars += len(text)
    return {
        "files": files,
        "chunks": made,
        "characters": chars,
        "sentences_in_pool": len(reports) + len(pool),
        "sources": used,
    }


def replicate(n_chunks: int, out: Path, source: Path) -> dict[str, int]:
    """About ``n_chunks`` chunks made of whole copies of the files of ``source`` (each pass in
    its own folder ``copy-NN``). Copies have the content of their originals, so an index cache
    that already holds the originals' tokens builds them without tokenising again."""
    files = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix in (".txt", ".md"))
    if not files:
        raise SystemExit(f"no report files under {source}")
    counts = {p: count_chunks(str(p.relative_to(source)), p.read_text(encoding="utf-8")) for p in files}
    made = copies = 0
    out.mkdir(parents=True, exist_ok=True)
    while made < n_chunks:
        copies += 1
        for path in files:
            if made >= n_chunks:
                break
            target = out / f"copy-{copies:02d}" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            made += counts[path]
    return {"chunks": made, "copies": copies, "source": str(source), "source_files": len(files)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chunks", type=int, help="about how many chunks to generate")
    parser.add_argument("out_dir", type=Path, help="folder to write (created; must be empty or absent)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--add-one",
        action="store_true",
        help="write one more generated report of about N chunks into OUT_DIR/zz-added/",
    )
    parser.add_argument(
        "--replicate",
        type=Path,
        metavar="DIR",
        help="instead of new text, copy the files of DIR (a generated corpus) until N chunks",
    )
    args = parser.parse_args(argv)
    if args.chunks < 1:
        parser.error("chunks must be at least 1")
    if args.add_one:
        reports, pool, _ = load_sentences()
        rel, text = make_file(random.Random(args.seed), (reports, pool), args.chunks)
        added = args.out_dir / "zz-added" / Path(rel).name
        added.parent.mkdir(parents=True, exist_ok=True)
        added.write_text(text, encoding="utf-8")
        print(json.dumps({"added": str(added), "characters": len(text)}, ensure_ascii=False))
        return 0
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty")
    if args.replicate:
        stats = replicate(args.chunks, args.out_dir, args.replicate)
    else:
        stats = generate(args.chunks, args.out_dir, args.seed)
    json.dump(stats, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
