"""Fit the sentence-scoring weights of ``config/weights.toml``.

For every answerable question of the training sets, the candidate sentences :meth:`Composer.rank`
weighs for :meth:`Engine.answer` and their feature rows are collected (``tools/weight_rows.py``);
a sentence is a positive when it holds a gold fragment (white space aside). The weights maximise
the (L2-regularised) listwise likelihood that a positive sentence is ranked first. Questions
whose candidates hold no positive are left out. The report sets' questions together weigh
``--report-share`` (0.8) of the total and the public sets' the rest, each question of a part
alike, so that the report questions are not swamped by the public ones. The held-back sets
(``holdout.jsonl``, ``everyday.jsonl``) are not fitted on. After a refit, refit the answer
decision too (``tools/fit_decision.py``, the command in its docstring): its rows read the
ranking's scores.

    python tools/fit_weights.py \
        --train tests/data/dev.jsonl=seeds --train tests/data/blind/seeds.dev.jsonl=seeds \
        --train tests/data/blind3/seeds.dev.jsonl=seeds --train tests/data/blind4/seeds.dev.jsonl=seeds \
        --train tests/data/gwr.jsonl=../shared/datasets/gwr_even \
        --train tests/data/blind/gwr.dev.jsonl=../shared/datasets/gwr_even \
        --train tests/data/blind3/gwr.dev.jsonl=../shared/datasets/gwr_even \
        --train tests/data/blind4/gwr.dev.jsonl=../shared/datasets/gwr_even \
        --train tests/data/blind/real.dev.jsonl=../shared/datasets/real_reports \
        --train tests/data/blind3/real.dev.jsonl=../shared/datasets/real_reports \
        --train tests/data/blind4/real.dev.jsonl=../shared/datasets/real_reports \
        --train ../shared/datasets/cmrc2018_trial.json@dev --train ../shared/datasets/drcd_test.json@dev \
        --report-share 0.8 --keep-scale --rows /tmp/weight-rows.npz --cv 5 --out config/weights.toml

A JSONL set ``PATH=CORPUS`` is asked over ``CORPUS`` (seeds/ by default); a SQuAD set over a
corpus of its own paragraphs, built once in ``--workdir``; ``PATH@dev`` keeps its ``dev``
articles only (``public_split``: the ``test`` articles are for measuring). ``--rows`` keeps the
collected rows (a refit from them takes seconds). ``--cv K`` prints top-1 / top-3 by set, out of
fold (folds by question, by article for a SQuAD set), for the current weights, the refit and a
refit on the public sets alone. The weights marked ``the fit keeps it`` in the shipped file keep
their value unless named in ``--free``; ``--drop`` holds features at 0 to measure them.
``--keep-scale`` multiplies every weight by one factor so that the median lead of the first
candidate's score over the second's on the report sets is the shipped weights': the ranking is
the same, and the answer decision (which reads the scores' gap and softmax), the diversity toll
and the year margin keep the units they were set in. The factor is written in the file's header; a refit
divides the hand-set weights by it, so that they enter the fit at their value as set.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import ConfigError
from retrieval.answer.features import FEATURES
from retrieval.answer.scoring import DEFAULT_WEIGHTS, WEIGHTS_FILE, ScoringModel, load_model
from retrieval.lang.shapes import TYPE_NAMES
from tools.weight_rows import Group, collect, folds, hits, is_public, lead, load, save, top1
from tools.weights_file import hand_set, shipped_notes, shipped_scale, write_toml

# Features whose weight must not be negative (evidence for an answer) or positive (against one).
# The signs keep the model explainable and stop correlated features cancelling each other out.
POSITIVE = {
    "tok_cov",
    "best_in_chunk",
    "rank_recip",
    "big_cov",
    "ctx_cov",
    "bm25_rel",
    "year_match",
    "sent_bm25",
    "key_near",
    "focus_sent",
    "unit_match",
    "win_cov",
    "category_head",
    "value_near",
    "slot",
    "rel_cov",
    "info",
    "ctx_big",
    "type_nb",
    "defines",
    "plan",
    "period_match",
    "wants_match",
    "row_cross",
    "sem_near",
    *(f"type_{t}" for t in TYPE_NAMES),
}
NEGATIVE = {"restate", "long", "year_miss", "type_miss", "label", "period_other", "companion"}


def bounds(shipped: ScoringModel, kept: set[str]) -> list[tuple[float | None, float | None]]:
    current = shipped.as_mapping()
    return [
        (current[f], current[f])
        if f in kept
        else (0.0, None)
        if f in POSITIVE
        else (None, 0.0)
        if f in NEGATIVE
        else (None, None)
        for f in FEATURES
    ]


@dataclass
class Stack:
    """Groups stacked for a vectorised loss: rows, positives, each row's group and each group's weight."""

    X: np.ndarray
    pos: np.ndarray
    seg: np.ndarray
    starts: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, groups: list[Group], weight: np.ndarray) -> Stack:
        sizes = np.array([len(g.pos) for g in groups])
        return cls(
            np.concatenate([g.X for g in groups]),
            np.concatenate([g.pos for g in groups]).astype(np.float64),
            np.repeat(np.arange(len(groups)), sizes),
            np.concatenate([[0], np.cumsum(sizes)[:-1]]),
            weight / weight.sum(),
        )


def loss(w: np.ndarray, st: Stack, l2: float, center: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted mean negative log-probability that the top sentence is a positive, with its
    gradient; the L2 penalty pulls the weights towards ``center``."""
    s = st.X @ w
    s = s - np.maximum.reduceat(s, st.starts)[st.seg]
    e = np.exp(s)
    z = np.add.reduceat(e, st.starts)
    zp = np.add.reduceat(e * st.pos, st.starts)
    d = w - center
    total = float(st.weight @ (np.log(z) - np.log(zp))) + 0.5 * l2 * float(d @ d)
    g = st.weight[st.seg] * (e / z[st.seg] - e * st.pos / zp[st.seg])
    return total, g @ st.X + l2 * d


def source_weights(groups: list[Group], report_share: float) -> np.ndarray:
    """Each question's weight: the report sets' questions together weigh ``report_share`` of the
    total and the public sets' the rest, each question of a part the same."""
    public = np.array([is_public(g.source) for g in groups])
    n_pub, n_rep = int(public.sum()), int((~public).sum())
    if not n_pub or not n_rep:
        return np.ones(len(groups))
    return np.where(public, (1.0 - report_share) / n_pub, report_share / n_rep)


def fit(
    groups: list[Group],
    shipped: ScoringModel,
    kept: set[str],
    l2: float = 0.0001,
    report_share: float = 0.5,
    anchored: bool = False,
) -> np.ndarray:
    """Weights that rank a positive first; the features in ``kept`` keep their shipped weight.
    ``anchored``: the penalty pulls towards the shipped weights instead of 0 (a refit that moves
    them only as far as the sets ask)."""
    w0 = np.array([shipped.as_mapping()[f] if f in kept else 0.0 for f in FEATURES])
    center = shipped.weights.copy() if anchored else np.zeros(len(FEATURES))
    if anchored:
        w0 = np.clip(
            center,
            *zip(
                *[
                    (lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
                    for lo, hi in bounds(shipped, kept)
                ]
            ),
        )
    st = Stack.of(groups, source_weights(groups, report_share))
    res = minimize(loss, w0, args=(st, l2, center), jac=True, method="L-BFGS-B", bounds=bounds(shipped, kept))
    return res.x


def cross_validate(
    groups: list[Group],
    shipped: ScoringModel,
    kept: set[str],
    k: int,
    l2: float,
    report_share: float,
    anchored: bool = False,
) -> list[tuple[bool, bool]]:
    """Out-of-fold (top-1, top-3) hits of every group."""
    fold = folds(groups, k)
    out: list[tuple[bool, bool]] = [(False, False)] * len(groups)
    for f in range(k):
        train = [g for g, x in zip(groups, fold) if x != f]
        w = fit(train, shipped, kept, l2, report_share, anchored)
        for i in np.flatnonzero(fold == f):
            out[i] = hits(w, groups[i])
    return out


def by_source(groups: list[Group], results: dict[str, list[tuple[bool, bool]]], answerable: dict[str, int]) -> None:
    """Top-1 / top-3 by set and pooled over the report sets, over the answerable questions."""
    names = list(results)
    print("set".ljust(40) + "".join(f"{n:>22}" for n in names) + "   (top-1 / top-3 of answerable)")
    sources = list(dict.fromkeys(g.source for g in groups))
    report = [s for s in sources if not is_public(s)]
    for label, members in [(s, {s}) for s in sources] + [("report sets pooled", set(report))]:
        idx = [i for i, g in enumerate(groups) if g.source in members]
        n = sum(answerable.get(s, 0) for s in members) or len(idx)
        cells = []
        for name in names:
            r = results[name]
            cells.append(f"{sum(r[i][0] for i in idx) / n:.3f} / {sum(r[i][1] for i in idx) / n:.3f}")
        print(f"{label[-40:]:40}" + "".join(f"{c:>22}" for c in cells) + f"   n={n}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="append", default=[], help="set to fit on, PATH or PATH=CORPUS (repeatable)")
    parser.add_argument("--check", action="append", default=[], help="held-out set to report on (repeatable)")
    parser.add_argument("--rows", type=Path, help="keep the collected rows here (.npz); read them if it exists")
    parser.add_argument("--out", type=Path, help="write the weights here (TOML)")
    parser.add_argument("--l2", type=float, default=0.0001)
    parser.add_argument(
        "--report-share", type=float, default=0.5, help="share of the total weight of the report sets' questions"
    )
    parser.add_argument(
        "--anchored", action="store_true", help="pull the weights towards the shipped ones, not towards 0"
    )
    parser.add_argument(
        "--keep-scale",
        action="store_true",
        help="scale every weight so that the median lead of the first candidate over the second on the report "
        "sets is the shipped weights' (the ranking stays; the decision and the diversity toll read scores)",
    )
    parser.add_argument("--cv", type=int, default=0, help="K-fold cross-validation by question or article")
    parser.add_argument("--free", default="", help="hand-set weights to fit too (comma-separated)")
    parser.add_argument("--drop", default="", help="features held at weight 0 (comma-separated), to measure them")
    parser.add_argument(
        "--only", help="fit only these features (comma-separated); the others keep their shipped weights"
    )
    parser.add_argument(
        "--semantic", action="store_true", help="with sentence vectors on the JSONL sets (the semantic features)"
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/reportqa-fit/cache"), help="index caches")
    parser.add_argument(
        "--workdir", type=Path, default=Path("/tmp/reportqa-fit"), help="where SQuAD sets' paragraph corpora are kept"
    )
    args = parser.parse_args(argv)
    names = set(args.only.split(",")) if args.only else set()
    free = set(filter(None, args.free.split(","))) | set(filter(None, args.drop.split(",")))
    if not names | free <= set(FEATURES):
        parser.error(f"unknown features: {', '.join(sorted((names | free) - set(FEATURES)))}")
    if not args.train and not (args.rows and args.rows.is_file()):
        parser.error("--train (or an existing --rows file) is needed")
    return args


def gather(specs: list[str], args: argparse.Namespace) -> tuple[list[Group], dict[str, int]]:
    groups: list[Group] = []
    answerable: dict[str, int] = {}
    for spec in specs:
        g, n = collect(spec, args.cache_dir, args.workdir, "on" if args.semantic else "off")
        groups += g
        answerable[g[0].source if g else spec] = n
    return groups, answerable


def report_cv(
    args: argparse.Namespace, train: list[Group], answerable: dict[str, int], model: ScoringModel, kept: set[str]
) -> None:
    """Top-1 / top-3 by set: the current weights, the refit out of fold, a refit on the public sets alone."""
    results = {
        "current": [hits(model.weights, g) for g in train],
        f"refit, {args.cv}-fold": cross_validate(
            train, model, kept, args.cv, args.l2, args.report_share, args.anchored
        ),
        "public only, same folds": cross_validate(train, model, kept, args.cv, args.l2, 0.0, args.anchored),
    }
    by_source(train, results, answerable)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    try:
        model = load_model()
    except ConfigError:  # weights of an older feature set: start afresh
        model = ScoringModel.from_mapping(DEFAULT_WEIGHTS)
    if args.rows and args.rows.is_file():
        train, answerable = load(args.rows)
    else:
        train, answerable = gather(args.train, args)
        if args.rows:
            save(args.rows, train, answerable)
    hand = hand_set(shipped_notes(WEIGHTS_FILE)) - set(filter(None, args.free.split(",")))
    drop = set(filter(None, args.drop.split(",")))
    if drop:
        model = replace(model, weights=np.where(np.isin(FEATURES, list(drop)), 0.0, model.weights))
    kept = (set(FEATURES) - only if only else hand) | drop
    shipped = model
    # The hand-set weights enter the fit at their value as set (the same ranking, as all weights are scaled alike).
    model = replace(model, weights=model.weights / shipped_scale(WEIGHTS_FILE))
    w = fit(train, model, kept, args.l2, args.report_share, args.anchored)
    scale = None
    if args.keep_scale:
        scale = lead(shipped.weights, train) / lead(w, train)
        print(f"scaled by {scale:.4f}: the median lead is the shipped weights' ({lead(shipped.weights, train):.3f})")
        w = w * scale
    print(
        f"in sample, top-1 among questions with a positive: {top1(w, train):.4f} (current {top1(model.weights, train):.4f})"
    )
    if args.cv:
        report_cv(args, train, answerable, model, kept)
    for spec in args.check:
        g, _ = gather([spec], args)
        print(f"check {spec}: {top1(w, g):.4f} (current {top1(model.weights, g):.4f}, n={len(g)})")
    weights = {name: float(v) for name, v in zip(FEATURES, w)}
    for name, v in weights.items():
        print(f"  {name:12} {v:+.4f}{'  (kept)' if name in kept else ''}")
    if args.out:
        sources = [f"--train {p}" for p in args.train] + [f"--l2 {args.l2}", f"--report-share {args.report_share}"]
        sources += ["--anchored"] * args.anchored + ["--keep-scale"] * args.keep_scale
        sources += [f"--free {args.free}"] * bool(args.free) + ["--semantic"] * args.semantic
        sources += [f"--only {args.only}"] * bool(only)
        write_toml(args.out, weights, model, sources, args.l2, only, shipped_notes(WEIGHTS_FILE), kept, scale)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
