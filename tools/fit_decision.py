"""Fit the learned answer decision of ``config/decision.toml``.

For every question of the training sets, the composer ranks the candidate sentences exactly as
:meth:`Engine.answer` does and builds the decision row of the best one
(``retrieval/answer/decision.py``); the label is whether that sentence holds a gold fragment (white space
aside). Unanswerable questions are negatives. For SQuAD-layout public sets each answerable
question is also asked with its gold paragraph removed from the corpus (a realistic negative:
the best remaining sentence of the same frame).

The model is a logistic regression over standardised columns; its out-of-fold probabilities
(folds by question set and article) are calibrated by isotonic regression. ``answer_at`` is the
lowest calibrated probability at which answered precision on the report sets' out-of-fold
questions is at least ``--precision`` (0.95); ``unsure_at`` the lowest at which the first
sentence is right for at least ``--unsure-precision`` (0.5) of the questions between the two.

    python tools/fit_decision.py \\
        --train tests/data/dev.jsonl=seeds --train tests/data/blind/seeds.dev.jsonl=seeds \\
        --train tests/data/gwr.jsonl=../shared/datasets/gwr_even \\
        --train tests/data/blind/gwr.dev.jsonl=../shared/datasets/gwr_even \\
        --train tests/data/blind/real.dev.jsonl=../shared/datasets/real_reports \\
        --public ../shared/datasets/cmrc2018_trial.json --public ../shared/datasets/drcd_test.json \\
        --out config/decision.toml

Public sets are split by article (``public_split``) before anything is fitted: only the ``dev``
articles are used here; the ``test`` articles are for measuring.
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

from config import load_settings  # noqa: E402
from retrieval import Engine  # noqa: E402
from retrieval.answer.decision import COLUMNS  # noqa: E402
from bot.evaluate import holds_gold  # noqa: E402
from bot.question_sets import Item, parse_jsonl, parse_squad, write_paragraph_corpus  # noqa: E402

@dataclass
class Rows:
    """Decision rows with labels, the group (fold key) and whether they come from a report set."""

    X: list[np.ndarray] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    report: list[bool] = field(default_factory=list)

    def add(self, row: np.ndarray, label: bool, group: str, report: bool) -> None:
        self.X.append(row)
        self.y.append(int(label))
        self.group.append(group)
        self.report.append(report)


def public_split(title: str) -> str:
    """``dev`` or ``test`` for a public set's article, stable across runs and machines."""
    return "dev" if zlib.crc32(title.encode("utf-8")) % 2 == 0 else "test"


def ask(engine: Engine, item: Item, rows: Rows, group: str, report: bool,
        without: int | None = None) -> None:
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
    label = item.answerable and without is None and holds_gold(item, text)
    rows.add(composer.decision_row(r), label, group, report)


def open_engine(corpus: Path, cache: Path, semantic: str) -> Engine:
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(cache), "semantic": semantic})
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


# --- fitting -------------------------------------------------------------------------------------
def folds(groups: list[str], k: int) -> np.ndarray:
    """A fold number per row, by group (a question set's question, a public set's article)."""
    # The same question asked with and without sentence vectors stays in one fold.
    return np.array([zlib.crc32(g.replace("+vectors", "").encode()) % k for g in groups])


def fit_model(X: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((X - mean) / scale, y, sample_weight=weight)
    return mean, scale, model


def out_of_fold(X: np.ndarray, y: np.ndarray, weight: np.ndarray, fold: np.ndarray, c: float) -> np.ndarray:
    raw = np.zeros(len(y))
    for f in np.unique(fold):
        test = fold == f
        mean, scale, model = fit_model(X[~test], y[~test], weight[~test], c)
        raw[test] = model.predict_proba((X[test] - mean) / scale)[:, 1]
    return raw


def lowest_threshold(p: np.ndarray, y: np.ndarray, precision: float, below: float = 1.01) -> float:
    """The lowest probability t such that the rows with t ≤ p < ``below`` are right at least
    ``precision`` of the time (counting from the top down, so the band stays that precise)."""
    order = np.argsort(-p)
    best = below
    hits = n = 0
    for i in order:
        if p[i] >= below:
            continue
        hits += y[i]
        n += 1
        if hits / n >= precision:
            best = float(p[i])
    return best


def risk_coverage(score: np.ndarray, y: np.ndarray, steps=(0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)) -> list[float]:
    """Precision of the first sentence among the ``step`` share of questions answered most
    confidently by ``score``, for each step (a risk–coverage curve: risk = 1 − precision)."""
    order = np.argsort(-score, kind="stable")
    out = []
    for step in steps:
        k = max(1, int(round(step * len(y))))
        out.append(float(y[order[:k]].mean()))
    return out


def curve_table(old: np.ndarray, new: np.ndarray, y: np.ndarray) -> str:
    steps = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    rows = ["| answered share | " + " | ".join(f"{s:.1f}" for s in steps) + " |",
            "|---|" + "---|" * len(steps)]
    for name, score in (("hand-set confidence", old), ("learned decision", new)):
        rows.append(f"| precision, {name} | " + " | ".join(f"{v:.3f}" for v in risk_coverage(score, y, steps)) + " |")
    return "\n".join(rows)


def write_toml(path: Path, mean, scale, coef, intercept, cx, cy, answer_at, unsure_at, note: str) -> None:
    def nums(values) -> str:
        return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"

    lines = ["# The learned answer decision (retrieval/answer/decision.py DecisionModel).",
             "# Fitted by: python tools/fit_decision.py (see its docstring for the command).", f"# {note}", "",
             "[decision]", "columns = [" + ", ".join(f'"{c}"' for c in COLUMNS) + "]",
             f"mean = {nums(mean)}", f"scale = {nums(scale)}", f"coef = {nums(coef)}",
             f"intercept = {float(intercept):.6g}", f"calib_x = {nums(cx)}", f"calib_y = {nums(cy)}",
             f"answer_at = {answer_at:.4f}", f"unsure_at = {unsure_at:.4f}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="append", default=[], help="QUESTIONS.jsonl=CORPUS_FOLDER")
    ap.add_argument("--public", action="append", default=[], help="a SQuAD-layout set (dev articles used)")
    ap.add_argument("--public-limit", type=int, default=None)
    ap.add_argument("--semantic", default="off", help="semantic setting for the --train sets")
    ap.add_argument("--train-vectors", action="append", default=[],
                    help="QUESTIONS.jsonl=CORPUS asked with sentence vectors (semantic = on)")
    ap.add_argument("--workdir", default="/tmp/reportqa-fit-decision")
    ap.add_argument("--rows", help="save/load the collected rows (.npz) to refit without asking again")
    ap.add_argument("--c", type=float, default=0.3, help="inverse L2 strength")
    ap.add_argument("--precision", type=float, default=0.95)
    ap.add_argument("--unsure-precision", type=float, default=0.5)
    ap.add_argument("--out", default=str(ROOT / "config" / "decision.toml"))
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.rows and Path(args.rows).exists():
        data = np.load(args.rows, allow_pickle=False)
        X, y, groups, report = data["X"], data["y"], list(data["group"]), data["report"]
    else:
        rows = Rows()
        for spec in args.train:
            collect_jsonl(spec, work / "cache", args.semantic, rows)
        for spec in args.train_vectors:
            collect_jsonl(spec, work / "cache", "on", rows, tag="+vectors")
        for pub in args.public:
            collect_public(Path(pub), work, work / "cache", rows, args.public_limit)
        X, y = np.array(rows.X), np.array(rows.y)
        groups, report = rows.group, np.array(rows.report)
        if args.rows:
            np.savez(args.rows, X=X, y=y, group=np.array(groups), report=report)
    # Report sets and public sets weigh the same in total.
    weight = np.where(report, 1.0 / max(1, report.sum()), 1.0 / max(1, (~report).sum())) * len(y) / 2
    fold = folds(groups, 5)
    raw = out_of_fold(X, y, weight, fold, args.c)
    from sklearn.isotonic import IsotonicRegression
    from sklearn.metrics import roc_auc_score

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y, sample_weight=weight)
    cal = iso.predict(raw)
    answer_at = lowest_threshold(cal[report], y[report], args.precision)
    unsure_at = lowest_threshold(cal[report], y[report], args.unsure_precision, below=answer_at)
    mean, scale, model = fit_model(X, y, weight, args.c)
    auc_r = roc_auc_score(y[report], raw[report]) if report.any() else float("nan")
    auc_p = roc_auc_score(y[~report], raw[~report]) if (~report).any() else float("nan")
    answered = cal[report] >= answer_at
    note = (f"{len(y)} rows ({int(report.sum())} from report sets); out-of-fold AUC report sets {auc_r:.3f}, "
            f"public sets {auc_p:.3f}; report-set answered share {answered.mean():.3f}, "
            f"precision {y[report][answered].mean() if answered.any() else float('nan'):.3f}; C = {args.c}")
    print(note, file=sys.stderr)
    old = X[:, COLUMNS.index("confidence_max")]
    print("Risk–coverage on the report sets (out-of-fold):", file=sys.stderr)
    print(curve_table(old[report], raw[report], y[report]), file=sys.stderr)
    for name, w in sorted(zip(COLUMNS, model.coef_[0]), key=lambda t: -abs(t[1])):
        print(f"  {name:16s} {w:+.3f}", file=sys.stderr)
    write_toml(Path(args.out), mean, scale, model.coef_[0], model.intercept_[0],
               iso.X_thresholds_, iso.y_thresholds_, answer_at, unsure_at, note)
    print(f"wrote {args.out}: answer_at {answer_at:.4f}, unsure_at {unsure_at:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
