"""Backtest the answer decision's precision rule on rounds it has not seen.

Each round of blind question sets (``tests/data/blind/``, ``blind3/`` … ``blind9/``, written by
readers who never ran the product) was once new. For each round R from ``--from-round`` on, this
fits the decision exactly as ``tools/fit_decision.py`` does (the same rows, folds, calibration and
``answer_at`` rule), but on the rows of the rounds before R only (with the project's own sets and
the public sets), then reads R's answered share and precision at that ``answer_at``: what the
rule promised against what a new round got. The arguments are ``fit_decision.py``'s, with the
``--rows`` file it wrote (the rows are read, not asked again)::

    python tools/backtest_decision.py --rows ROWS.npz --train … --public … --each-corpus --rule-sets /blind

(``--train`` as in the fit command, so that each set's corpus is known.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.fit_decision import balanced_weights, fit_model, folds, out_of_fold, parser, predict, set_of, threshold_of
from tools.thresholds import corpus_of

_ROUND = re.compile(r"/blind(\d*)/")


def round_of(question_set: str) -> int:
    """The round a question set was written in (``blind/`` is round one); 0 for the project's
    own sets and the public sets, which every backtest fits on."""
    m = _ROUND.search(question_set)
    return (int(m.group(1)) if m.group(1) else 1) if m else 0


def backtest(data: dict, args, first: int) -> list[str]:
    """One line per held-out round from ``first`` on: the fitted ``answer_at`` and the round's
    answered share and precision, per corpus and in all."""
    from sklearn.isotonic import IsotonicRegression

    X, y, report = data["X"], data["y"].astype(bool), data["report"]
    groups = [str(g) for g in data["group"]]
    sets = np.array([set_of(g).replace("+vectors", "") for g in groups])
    rounds = np.array([round_of(s) for s in sets])
    corpora = corpus_of(sets, args.train)
    keep = np.ones(X.shape[1], dtype=bool)
    lines = []
    for held in sorted({int(r) for r in rounds if r >= first}):
        train = rounds < held
        Xt, yt, rt = X[train], y[train], report[train]
        weight = balanced_weights(rt)
        fold = folds([g for g, t in zip(groups, train) if t], 5)
        raw = out_of_fold(Xt, yt, weight, fold, args.c, keep)
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, yt, sample_weight=weight)
        cal = iso.predict(raw)
        at = threshold_of(cal, yt, sets[train], rt, args)
        test = rounds == held
        p = iso.predict(predict(X[test], *fit_model(Xt, yt, weight, args.c, keep)))
        on = p >= at
        parts = []
        for corpus in sorted(set(corpora[test])):
            sel = corpora[test] == corpus
            parts.append(f"{corpus} {int((on & sel).sum())} of {int(sel.sum())}, {int(y[test][on & sel].sum())} right")
        precision = f"{y[test][on].mean():.3f}" if on.any() else "—"
        lines.append(
            f"round {held}: answer_at {at:.4f} from rounds before it; answered {int(on.sum())} of {int(test.sum())} "
            f"rows at precision {precision} ({'; '.join(parts)})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--from-round", type=int, default=7, help="the first round read as new")
    args = ap.parse_args(argv)
    if not args.rows or not Path(args.rows).exists():
        raise SystemExit("--rows: the rows file written by tools/fit_decision.py --rows is needed")
    data = dict(np.load(args.rows, allow_pickle=False))
    print(*backtest(data, args, args.from_round), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
