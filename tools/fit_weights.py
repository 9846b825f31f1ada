"""Fit the sentence-scoring weights of ``config/weights.toml``.

For every question of the training sets, the composer's candidate sentences and their feature
rows are collected exactly as :meth:`Engine.answer` sees them; a sentence is a positive when
it contains a gold answer verbatim. The weights maximise the (L2-regularised) listwise
likelihood that a positive sentence is ranked first. Questions whose candidates hold no
positive are left out.

    python tools/fit_weights.py --train ../shared/datasets/cmrc2018_trial.json \\
        --check ../shared/datasets/drcd_test.json --check tests/data/dev.jsonl \\
        --out config/weights.toml

JSONL sets are asked over the configured corpus (seeds/); SQuAD sets over a corpus of their
own paragraphs, built once in ``--workdir``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import load_questions, open_engine_for
from config import (
    ConfigError,
    load_settings,
)
from retrieval.answer.features import FEATURES
from retrieval.answer.scoring import DEFAULT_WEIGHTS, WEIGHTS_FILE, ScoringModel, load_model
from retrieval.lang.shapes import TYPE_NAMES

Group = tuple[np.ndarray, np.ndarray]  # (features, positive mask)


def collect(engine, items) -> list[Group]:
    """Feature rows and positive masks of the answerable questions that have a positive."""
    groups: list[Group] = []
    composer = engine.composer
    for item in items:
        if not item.answerable:
            continue
        cands = composer.candidates(item.question, vectors=engine.semantic)
        if cands is None:
            continue
        texts = [engine.corpus.sentence_text(c, s) for c, s in zip(cands.chunk, cands.sent)]
        pos = np.array([any(g in t for g in item.answers) for t in texts])
        if pos.any() and not pos.all():
            groups.append((cands.features, pos))
    return groups


def loss(w: np.ndarray, groups: list[Group], l2: float) -> tuple[float, np.ndarray]:
    """Negative log-probability that the top sentence is a positive, with its gradient."""
    total = 0.5 * l2 * float(w @ w)
    grad = l2 * w
    for X, pos in groups:
        s = X @ w
        s = s - s.max()
        e = np.exp(s)
        p_all = e / e.sum()
        p_pos = e * pos / (e * pos).sum()
        total -= float(np.log((e * pos).sum()) - np.log(e.sum()))
        grad = grad - (p_pos - p_all) @ X
    return total / len(groups), grad / len(groups)


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
    *(f"type_{t}" for t in TYPE_NAMES),
}
NEGATIVE = {"restate", "long", "year_miss", "type_miss"}


HAND_SET = "the fit keeps it"


def hand_set(notes: dict[str, str]) -> set[str]:
    """The weights a weights file marks as set by hand (its comment says ``the fit keeps it``).

    These are features the public sets cannot teach (their paragraphs have no plan sections,
    heading labels, dated sentences, companion documents or table rows): their weights are set by
    hand on the dev sets (seeds, gwr_even, real_reports) and kept as shipped. The mark in
    ``config/weights.toml`` is the one record of which they are."""
    return {name for name, comment in notes.items() if HAND_SET in comment}


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


def fit(groups: list[Group], shipped: ScoringModel, kept: set[str], l2: float = 0.0001) -> np.ndarray:
    """Weights that rank a positive first; the features in ``kept`` keep their shipped weight."""
    w0 = np.array([shipped.as_mapping()[f] if f in kept else 0.0 for f in FEATURES])
    res = minimize(loss, w0, args=(groups, l2 * len(groups)), jac=True, method="L-BFGS-B", bounds=bounds(shipped, kept))
    return res.x


def top1(w: np.ndarray, groups: list[Group]) -> float:
    return float(np.mean([pos[int(np.argmax(X @ w))] for X, pos in groups]))


def write_toml(
    path: Path,
    weights: dict[str, float],
    model: ScoringModel,
    sources: list[str],
    l2: float,
    only: set[str] | None = None,
    notes: dict[str, str] | None = None,
) -> None:
    """Write the fitted weights with the shipped [compose] and [policy] numbers (every tuned number
    of the composer lives in this one file). With ``only``, the header keeps the command that
    fitted the other weights, and ``notes`` (the shipped file's comments) stay on the lines kept."""
    command = "python tools/fit_weights.py " + " ".join(sources)
    lines = ["# Sentence-scoring weights (one per feature of retrieval/answer/features.py FEATURES)."]
    if only and path.is_file():
        lines += [line for line in path.read_text(encoding="utf-8").splitlines()[1:3] if line.startswith("# Fitted by")]
        lines.append(f"# {', '.join(sorted(only))} then fitted by: {command}")
    else:
        lines.append(f"# Fitted by: {command}")
    lines += [f"# Listwise logistic loss, L2 = {l2}. See docs/quality.md.", "", "[weights]"]
    notes = notes or {}

    def note(name: str) -> str:
        if only:
            return "" if name in only else notes.get(name, "")
        return notes.get(name, "") if name in hand_set(notes) else ""

    lines += [f"{name} = {value:.4f}{note(name)}" for name, value in weights.items()]
    lines += [
        "",
        "[compose]",
        "# Retrieval and selection (retrieval/params.py ComposeParams); diversity is the score",
        "# toll per sentence already shown from the same report (multi-report questions).",
    ]
    lines += [f"{name} = {value:.4f}" for name, value in model.compose.as_mapping().items()]
    lines += [
        "",
        "[policy]",
        "# The decision to answer (retrieval/answer/policy.py AnswerPolicy): refuse when the best sentences'",
        "# confidence is below min_confidence; a value of the asked kind multiplies it by value_evidence,",
        "# its absence by value_missing; a passage about another place or year by place_missing / year_missing.",
    ]
    lines += [
        f"{name} = {value}" if isinstance(value, int) else f"{name} = {value:.4f}"
        for name, value in model.policy.as_mapping().items()
    ]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def shipped_notes(path: Path) -> dict[str, str]:
    """The comment after each weight of a weights file (who set it and how), by feature."""
    if not path.is_file():
        return {}
    notes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, eq, rest = line.partition("=")
        if eq and "#" in rest:
            notes[name.strip()] = "  #" + rest.split("#", 1)[1]
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="append", required=True, help="question set to fit on (repeatable)")
    parser.add_argument("--check", action="append", default=[], help="held-out set to report on (repeatable)")
    parser.add_argument("--out", type=Path, help="write the weights here (TOML)")
    parser.add_argument("--l2", type=float, default=0.0001)
    parser.add_argument(
        "--only", help="fit only these features (comma-separated); the others keep their shipped weights"
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="with sentence vectors (built once per set in --workdir; minutes per "
        "thousand sentences), so that the semantic features have values",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/reportqa-fit"),
        help="where SQuAD corpora and their indexes are kept between runs",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.semantic:
        settings = settings.replace(semantic="on")
    only = set(args.only.split(",")) if args.only else None
    if only and not only <= set(FEATURES):
        parser.error(f"unknown features: {', '.join(sorted(only - set(FEATURES)))}")
    # Keep the shipped diversity toll and the hand-set weights; the fit changes the others.
    try:
        model = load_model()
    except ConfigError:  # weights of an older feature set: start afresh
        model = ScoringModel.from_mapping(DEFAULT_WEIGHTS)

    def groups_of(path_text: str) -> list[Group]:
        path = Path(path_text)
        items, contexts = load_questions(path)
        engine = open_engine_for(settings, contexts, args.workdir / path.stem)
        if args.semantic and not engine.wait_for_vectors():
            raise SystemExit(f"{path}: no sentence vectors ({engine.semantic_status.error})")
        return collect(engine, items)

    train: list[Group] = []
    for path in args.train:
        g = groups_of(path)
        print(f"{path}: {len(g)} questions with a positive candidate", file=sys.stderr)
        train += g
    kept = set(FEATURES) - only if only else hand_set(shipped_notes(WEIGHTS_FILE))
    w = fit(train, model, kept, args.l2)
    print(
        f"train top-1 among questions with a positive: {top1(w, train):.4f} "
        f"(current weights {top1(model.weights, train):.4f})"
    )
    for path in args.check:
        g = groups_of(path)
        print(f"check {path}: {top1(w, g):.4f} (current weights {top1(model.weights, g):.4f}, n={len(g)})")
    weights = {name: float(v) for name, v in zip(FEATURES, w)}
    for name, v in weights.items():
        print(f"  {name:12} {v:+.4f}")
    if args.out:
        sources = [f"--train {p}" for p in args.train] + [f"--l2 {args.l2}"]
        if only:
            sources += ["--semantic"] * args.semantic + [f"--only {args.only}"]
        write_toml(args.out, weights, model, sources, args.l2, only, shipped_notes(args.out))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
