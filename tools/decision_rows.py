"""The rows the answer decision is fitted on (``tools/fit_decision.py``): for every question of the
training sets, the decision row of the sentence the answer shows first, labelled by whether that
sentence holds a gold fragment. Public SQuAD-layout sets give their ``dev`` articles only
(:func:`public_split`), each question asked as it is and with its gold paragraph left out.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import holds_gold
from bot.question_sets import Item, parse_jsonl, parse_squad, write_paragraph_corpus
from config import load_settings
from retrieval import Engine
from retrieval.answer.decision import COLUMNS


@dataclass
class Rows:
    """Decision rows with labels, the group (fold key) and whether they come from a report set."""

    X: list[np.ndarray] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    report: list[bool] = field(default_factory=list)
    answerable: list[bool] = field(default_factory=list)

    def add(self, row: np.ndarray, label: bool, group: str, report: bool, answerable: bool) -> None:
        self.X.append(row)
        self.y.append(int(label))
        self.group.append(group)
        self.report.append(report)
        self.answerable.append(answerable)


def public_split(title: str) -> str:
    """``dev`` or ``test`` for a public set's article, stable across runs and machines."""
    return "dev" if zlib.crc32(title.encode("utf-8")) % 2 == 0 else "test"


def ask(engine: Engine, item: Item, rows: Rows, group: str, report: bool, without: int | None = None) -> None:
    """One row for ``item``, of the sentence its answer shows first (``without``: a document left
    out of the search)."""
    composer = engine.composer
    only = None
    if without is not None:
        only = np.ones(len(engine.corpus.docs), dtype=bool)
        only[without] = False
    r = composer.rank(item.question, engine.semantic, only_docs=only)
    if r.early is not None or r.cands is None:
        return
    top = r.cands.items[composer.first_shown(r)]
    text = engine.corpus.sentence_text(top.chunk, top.sent)
    answerable = item.answerable and without is None
    rows.add(composer.decision_row(r), answerable and holds_gold(item, text), group, report, answerable)


def open_engine(corpus: Path, cache: Path, semantic: str) -> Engine:
    # The rows do not depend on the decision model, so the one being replaced is not read.
    settings = load_settings(
        overrides={"corpus": str(corpus), "cache_dir": str(cache), "semantic": semantic, "answer_decision": "rules"}
    )
    return Engine.open(settings)


def collect_jsonl(spec: str, cache: Path, semantic: str, rows: Rows, tag: str = "") -> None:
    path, _, corpus = spec.partition("=")
    items = parse_jsonl(Path(path).read_text(encoding="utf-8"), path)
    engine = open_engine(Path(corpus or ROOT / "seeds"), cache, semantic)
    for item in items:
        ask(engine, item, rows, f"{path}{tag}:{item.qid}", True)
    print(f"{path}: {len(items)} questions", file=sys.stderr)


def collect_public(path: Path, work: Path, cache: Path, rows: Rows, limit: int | None) -> None:
    """The dev articles of a SQuAD-layout set: each question as is and without its paragraph."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data = {"data": [a for a in data["data"] if public_split(str(a.get("title", ""))) == "dev"]}
    contexts, items = parse_squad(data, str(path))
    folder = work / f"{path.stem}-dev"
    write_paragraph_corpus(contexts, folder)
    engine = open_engine(folder, cache, "off")
    by_path = {engine.corpus.docs[d].path: d for d in range(len(engine.corpus.docs))}
    items = items[:limit] if limit else items
    for item in items:
        doc = by_path.get(item.reports[0]) if item.reports else None
        group = f"{path.stem}:{item.reports[0] if item.reports else item.qid}"
        ask(engine, item, rows, group, False)
        if doc is not None:
            ask(engine, item, rows, group, False, without=doc)
    print(f"{path}: {len(items)} questions (dev articles)", file=sys.stderr)


def collect_rows(args: argparse.Namespace) -> dict[str, np.ndarray]:
    """The rows of every set (read from ``--rows`` when that file exists, else collected and
    saved there when given)."""
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.rows and Path(args.rows).exists():
        data = dict(np.load(args.rows, allow_pickle=False))
        if tuple(data["columns"]) != COLUMNS:
            raise SystemExit(f"{args.rows}: rows of other columns; delete it to collect them again")
        return data
    rows = Rows()
    for spec in args.train:
        collect_jsonl(spec, work / "cache", args.semantic, rows)
    for spec in args.train_vectors:
        collect_jsonl(spec, work / "cache", "on", rows, tag="+vectors")
    for pub in args.public:
        collect_public(Path(pub), work, work / "cache", rows, args.public_limit)
    data = {
        "X": np.array(rows.X),
        "y": np.array(rows.y),
        "group": np.array(rows.group),
        "report": np.array(rows.report),
        "answerable": np.array(rows.answerable),
        "columns": np.array(COLUMNS),
    }
    if args.rows:
        np.savez(args.rows, **data)
    return data
