"""The answer decision: how likely the sentence shown first answers the question, and what to do about it.

How the sentence matches what the question asks comes from :mod:`.matching` (qualifiers matched,
absent or contradicted; swapped modifiers; a table row's label and columns). Together with what
the composer's stages found (:class:`Evidence`: year, place, part and unit vetoes, coverages, the
ranking's margin), these make one row of numbers per question (:func:`decision_row`), always for
the sentence the answer shows first (the newest year's, in a multi-year corpus);
:class:`DecisionModel` turns the row into a calibrated probability that the first sentence holds
the answer, and :meth:`DecisionModel.outcome` into ``answer``, ``unsure`` or ``none``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from config import CONFIG_DIR, ConfigError

from .matching import (
    ABSENT,
    CONTEXT,
    CONTRADICTED,
    MATCHED,
    Asked,
    qualifier_counts,
    swapped_modifiers,
    table_match,
    thing_status,
)

# --- the row of numbers the model reads --------------------------------------------------------
# Each column, in order; the model file names them, so a column added here and not fitted yet
# is refused at load time rather than silently misread.
COLUMNS = (
    "confidence",  # the lexical confidence of the sentence (AnswerPolicy.confidence)
    "confidence_max",  # the best confidence among the window of top sentences
    "before_vetoes",  # the sentence's confidence before year/place/part vetoes
    "score_gap",  # its score above the best other one's (below 0: shown first for its year)
    "score_softmax",  # its share of the window's softmax of scores
    "tok_cov",
    "big_cov",
    "ctx_cov",
    "win_cov",
    "unit_missing",  # a value of the asked kind is asked and the sentence has none
    "figure",  # the sentence states a figure
    "period_other",  # the sentence is about another year than asked
    "year_missing",  # a year is asked and neither the sentence's paragraph nor report has it
    "part_other",  # a plan asked, a result given, or the reverse
    "foreign_place",  # the passage is about another place than asked
    "n_qualifiers",
    "q_matched",
    "q_context",
    "q_absent",
    "q_contradicted",
    "thing",  # thing_status
    "swapped",  # swapped_modifiers
    "cos",  # the sentence vector's cosine to the question's (0 without vectors)
    "has_vectors",
    "n_terms",  # log of the question's content terms
    "table_row",  # the sentence is a row of a table
    "table_label",  # table_match: share of the question's words in the row's label
    "table_column",  # table_match: a question word names one of the row's columns
)


def softmax_share(scores: Sequence[float]) -> float:
    """The first score's share of the softmax over ``scores``."""
    if not scores:
        return 0.0
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return exps[0] / sum(exps)


@dataclass(frozen=True)
class Evidence:
    """What the composer's stages found about the sentence shown first (its confidence and vetoes,
    coverages, cosine, whether it is a table row); the question's side is :class:`Asked`."""

    confidence: float
    confidence_max: float
    before_vetoes: float
    scores: tuple[float, ...]  # the shown sentence's score, then the window's others best first
    tok_cov: float
    big_cov: float
    ctx_cov: float
    win_cov: float
    unit_missing: bool
    figure: bool
    period_other: bool
    year_missing: bool
    part_other: bool
    foreign_place: bool
    cos: float
    has_vectors: bool
    n_terms: int
    table_row: bool = False


def decision_row(
    a: Asked,
    e: Evidence,
    sentence: str,
    context: str,
    question_words: Sequence[str] = (),
    sentence_words: Sequence[str] = (),
) -> np.ndarray:
    """The model's input row for the sentence shown first (normalised ``sentence`` and
    ``context``; the question's content words and the sentence's words in order)."""
    counts = qualifier_counts(a, sentence, context)
    label_share, column = table_match(question_words, sentence, e.table_row)
    gap = e.scores[0] - e.scores[1] if len(e.scores) > 1 else 5.0
    values = {
        "confidence": e.confidence,
        "confidence_max": e.confidence_max,
        "before_vetoes": e.before_vetoes,
        "score_gap": max(-5.0, min(gap, 5.0)),
        "score_softmax": softmax_share(e.scores),
        "tok_cov": e.tok_cov,
        "big_cov": e.big_cov,
        "ctx_cov": e.ctx_cov,
        "win_cov": e.win_cov,
        "unit_missing": float(e.unit_missing),
        "figure": float(e.figure),
        "period_other": float(e.period_other),
        "year_missing": float(e.year_missing),
        "part_other": float(e.part_other),
        "foreign_place": float(e.foreign_place),
        "n_qualifiers": float(len(a.qualifiers)),
        "q_matched": float(counts[MATCHED]),
        "q_context": float(counts[CONTEXT]),
        "q_absent": float(counts[ABSENT]),
        "q_contradicted": float(counts[CONTRADICTED]),
        "thing": thing_status(a, sentence, context),
        "swapped": float(swapped_modifiers(question_words, sentence_words, context)),
        "cos": e.cos,
        "has_vectors": float(e.has_vectors),
        "n_terms": math.log1p(e.n_terms),
        "table_row": float(e.table_row),
        "table_label": label_share,
        "table_column": column,
    }
    return np.array([values[c] for c in COLUMNS], dtype=np.float64)


# --- the model -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionModel:
    """Logistic regression over standardised columns, then isotonic calibration, then thresholds.

    ``answer_at``: answer when the calibrated probability reaches it; ``unsure_at``: below that,
    show the closest sentences as possibly relevant (可能相关) when it reaches this; else none.
    ``foreign_at``: the same for a question whose words are mostly not the reports' (at least
    ``foreign_share`` of its weight: 比特币现在多少钱一个？), whose closest sentences share a
    common word with it at most.
    """

    columns: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calib_x: np.ndarray  # isotonic calibration: raw probability → calibrated, piecewise linear
    calib_y: np.ndarray
    answer_at: float
    unsure_at: float
    foreign_share: float = 0.6
    foreign_at: float = 0.03

    def raw(self, row: np.ndarray) -> float:
        z = float(((row - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def probability(self, row: np.ndarray) -> float:
        """Calibrated probability that the first sentence holds the answer."""
        p = self.raw(row)
        if len(self.calib_x) < 2:
            return p
        return float(np.interp(p, self.calib_x, self.calib_y))

    def outcome(self, probability: float, on_topic: bool = True, foreign: float = 0.0) -> str:
        """``answer``, ``unsure`` or ``none`` by the thresholds; ``none`` rather than ``unsure`` for
        a question off the reports' topic (no word of it is the reports': the closest sentences
        share a place or a time with it at most), and below ``foreign_at`` for one whose
        ``foreign`` share (of its weight, in words the reports do not use) is high."""
        if probability >= self.answer_at:
            return "answer"
        floor = max(self.foreign_at, self.unsure_at) if foreign >= self.foreign_share else self.unsure_at
        return "unsure" if probability >= floor and on_topic else "none"

    @classmethod
    def from_mapping(cls, data: Mapping) -> DecisionModel:
        """From the ``[decision]`` table of ``config/decision.toml``; ValueError when it does not
        fit the columns of this version."""
        columns = tuple(data.get("columns", ()))
        if columns != COLUMNS:
            missing = sorted(set(COLUMNS) - set(columns))
            raise ValueError(f"decision model columns do not match this version (missing: {missing})")
        n = len(columns)
        arrays = {k: np.asarray(data.get(k, ()), dtype=np.float64) for k in ("mean", "scale", "coef")}
        if any(v.shape != (n,) for v in arrays.values()):
            raise ValueError("decision model: mean, scale and coef need one number per column")
        cx = np.asarray(data.get("calib_x", ()), dtype=np.float64)
        cy = np.asarray(data.get("calib_y", ()), dtype=np.float64)
        if cx.shape != cy.shape:
            raise ValueError("decision model: calib_x and calib_y differ in length")
        answer_at, unsure_at = float(data["answer_at"]), float(data["unsure_at"])
        if not 0.0 <= unsure_at <= answer_at <= 1.0:
            raise ValueError("decision model: need 0 ≤ unsure_at ≤ answer_at ≤ 1")
        foreign_share = float(data.get("foreign_share", cls.foreign_share))
        foreign_at = float(data.get("foreign_at", cls.foreign_at))
        if not (0.0 < foreign_share <= 1.0 and 0.0 <= foreign_at <= answer_at):
            raise ValueError("decision model: need 0 < foreign_share ≤ 1 and 0 ≤ foreign_at ≤ answer_at")
        scale = np.where(arrays["scale"] > 0, arrays["scale"], 1.0)
        return cls(
            columns,
            arrays["mean"],
            scale,
            arrays["coef"],
            float(data.get("intercept", 0.0)),
            cx,
            cy,
            answer_at,
            unsure_at,
            foreign_share,
            foreign_at,
        )


DECISION_FILE = CONFIG_DIR / "decision.toml"


def load_decision(path: Path = DECISION_FILE) -> DecisionModel | None:
    """The model of a TOML file's ``[decision]`` table; None when the file is absent (the
    hand-set policy then decides). Raises :class:`ConfigError` for an unusable file."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return DecisionModel.from_mapping(data["decision"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a usable decision model ({exc})") from None


@lru_cache(maxsize=1)
def default_decision() -> DecisionModel | None:
    """The shipped decision model (read once per process)."""
    return load_decision()
