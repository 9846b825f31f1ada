"""The ranking rows ``tools/fit_weights.py`` fits on: for every answerable question of a set, its
candidate sentences' feature rows and which of them hold a gold fragment.

The candidates are those :meth:`Composer.rank` weighs for :meth:`Engine.answer` (the same report
restriction by a named year or place), so the rows do not depend on the weights being fitted.
A set is ``PATH`` or ``PATH=CORPUS``: a JSONL set is asked over ``CORPUS`` (seeds/ by default),
opened as ``tools/fit_decision.py`` opens it; a SQuAD-layout set over a corpus of its own
paragraphs, and ``PATH@dev`` asks only its ``dev`` articles (``public_split`` of
``tools/fit_decision.py``; the ``test`` articles are for measuring). Each question is a group with a fold key: the set and the question's id, or for a
SQuAD set the set and the question's article, so that a cross-validation fold never splits an
article. Rows are kept in a ``.npz`` file (no pickle) and refused when the features differ.
The measures over groups (top-1 / top-3, folds, the score lead) are here too.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.evaluate import holds_gold, load_questions
from bot.question_sets import Item, paragraph_file, write_paragraph_corpus
from retrieval.answer.features import FEATURES
from tools.decision_rows import open_engine, public_split
from tools.fit_decision import folds as key_folds

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Group:
    """One question's candidates: feature rows, positives, its set and its fold key."""

    X: np.ndarray
    pos: np.ndarray
    source: str
    key: str


def articles_of(path: Path) -> dict[str, int]:
    """Paragraph file → article index of a SQuAD-layout set (paragraphs numbered as parse_squad does)."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    out: dict[str, int] = {}
    index = 0
    for a, article in enumerate(data["data"]):
        for _ in article.get("paragraphs") or []:
            out[paragraph_file(index)] = a
            index += 1
    return out


def dev_articles(path: Path, work: Path) -> Path:
    """A copy of a SQuAD-layout set holding only its ``dev`` articles."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    data["data"] = [a for a in data["data"] if public_split(str(a.get("title", ""))) == "dev"]
    out = work / f"{path.stem}.dev.json"
    work.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def is_public(source: str) -> bool:
    """Whether a set is a SQuAD-layout public set (not one of the project's JSONL report sets)."""
    return not source.partition("=")[0].endswith(".jsonl")


def groups_of(item: Item, engine, source: str, key: str) -> Group | None:
    """The question's group, or None when it has no candidate or none holds a gold fragment."""
    r = engine.composer.rank(item.question, engine.semantic)
    if r.early is not None or r.cands is None:
        return None
    cands = r.cands
    texts = [engine.corpus.sentence_text(c.chunk, c.sent) for c in cands.items]
    pos = np.array([holds_gold(item, t) for t in texts])
    if not pos.any():
        return None
    return Group(np.asarray(cands.features, dtype=np.float64), pos, source, key)


def collect(spec: str, cache: Path, work: Path, semantic: str = "off") -> tuple[list[Group], int]:
    """The groups of one set (``PATH`` or ``PATH=CORPUS``) and its number of answerable questions."""
    path_text, _, corpus = spec.partition("=")
    source = path_text
    path = Path(path_text.removesuffix("@dev"))
    if path_text.endswith("@dev"):
        path = dev_articles(path, work)
    items, contexts = load_questions(path)
    if contexts is not None:
        folder = work / f"{path.stem}-paragraphs"
        write_paragraph_corpus(contexts, folder)
        engine = open_engine(folder, cache, "off")
        article = articles_of(path)
    else:
        engine = open_engine(Path(corpus or ROOT / "seeds"), cache, semantic)
        article = {}
    if semantic == "on" and not engine.wait_for_vectors():
        raise SystemExit(f"{path}: no sentence vectors")
    out: list[Group] = []
    answerable = [i for i in items if i.answerable]
    for item in answerable:
        key = f"{source}:{article[item.reports[0]]}" if article and item.reports else f"{source}:{item.qid}"
        g = groups_of(item, engine, source, key)
        if g is not None:
            out.append(g)
    print(f"{source}: {len(out)} of {len(answerable)} answerable questions with a positive", file=sys.stderr)
    return out, len(answerable)


def save(path: Path, groups: list[Group], answerable: dict[str, int]) -> None:
    np.savez_compressed(
        path,
        X=np.concatenate([g.X for g in groups]),
        pos=np.concatenate([g.pos for g in groups]),
        sizes=np.array([len(g.pos) for g in groups]),
        source=np.array([g.source for g in groups]),
        key=np.array([g.key for g in groups]),
        features=np.array(FEATURES),
        sets=np.array(list(answerable)),
        answerable=np.array(list(answerable.values())),
    )


def load(path: Path) -> tuple[list[Group], dict[str, int]]:
    with np.load(path, allow_pickle=False) as f:
        if tuple(str(x) for x in f["features"]) != FEATURES:
            raise SystemExit(f"{path}: rows of another feature set; collect them again")
        bounds = np.concatenate([[0], np.cumsum(f["sizes"])])
        X, pos = f["X"], f["pos"]
        groups = [
            Group(X[a:b], pos[a:b], str(s), str(k))
            for a, b, s, k in zip(bounds[:-1], bounds[1:], f["source"], f["key"])
        ]
        return groups, {str(s): int(n) for s, n in zip(f["sets"], f["answerable"])}


# --- measures over groups -------------------------------------------------------------------------
def lead(w: np.ndarray, groups: list[Group]) -> float:
    """Median lead of the best candidate's score over the second's, over the report sets' questions."""
    tops = [np.sort(g.X @ w)[-2:] for g in groups if len(g.pos) > 1 and not is_public(g.source)]
    return float(np.median([b - a for a, b in tops]))


def hits(w: np.ndarray, g: Group) -> tuple[bool, bool]:
    """Whether a positive is first, and whether one is among the first three (ties keep row order)."""
    order = np.argsort(-(g.X @ w), kind="stable")
    return bool(g.pos[order[0]]), bool(g.pos[order[:3]].any())


def top1(w: np.ndarray, groups: list[Group]) -> float:
    return float(np.mean([hits(w, g)[0] for g in groups]))


def folds(groups: list[Group], k: int) -> np.ndarray:
    """A fold per group by its key (a question, or a public set's article): stable across runs."""
    return key_folds([g.key for g in groups], k)
