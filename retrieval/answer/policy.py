"""The answer policy: whether to answer at all, and why not.

Sentences are ranked by score (``retrieval/answer/scoring.py``); whether the best of them answer
is a separate question. :class:`AnswerPolicy` holds every number of that decision (read from the
``[policy]`` table of ``config/weights.toml``): :meth:`AnswerPolicy.confidence` per sentence, and
:meth:`AnswerPolicy.decide`, the hand-set decision (``answer_decision = "rules"``) whose reason the
learned decision reuses. Every refusal and its reason is made in ``retrieval/answer/refusals.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..lang.shapes import has_quantity
from ..types import Refusal
from .records import Candidate, Question
from .refusals import Reason


@dataclass(frozen=True)
class Confidence:
    """How sure a sentence answers: ``value``, and the vetoes that lowered it."""

    value: float
    before_vetoes: float
    year_missing: bool = False
    place_missing: bool = False
    unit_missing: bool = False  # a value of the asked kind (or any figure for 多少) is missing
    period_other: bool = False  # the sentence is about another year than the one asked
    part_other: bool = False  # a result given for a target asked, or the reverse


@dataclass(frozen=True)
class Decision:
    answered: bool
    refusal: Refusal | None = None
    closest: int = 0  # how many best sentences to show as unconfirmed when refused


@dataclass(frozen=True)
class AnswerPolicy:
    """Every number of the decision to answer, each with its one default."""

    # Answer when the best sentences cover at least this share of the question (0..1).
    min_confidence: float = 0.185
    # A sentence with a value of the asked kind (多少钱 and 2.5亿元) is evidence it answers ...
    value_evidence: float = 1.4
    # ... one with none when the question asks for a value (a rate, a sum, a year), or with no figure
    # at all when it asks 多少 in no unit, is not; closeness in meaning does not make up for it.
    value_missing: float = 0.4
    # Factor for a passage lacking a place the question names (and not about it).
    place_missing: float = 0.3
    # Factor for a passage where a year the question names occurs nowhere, nor in its report's years.
    year_missing: float = 0.0
    # With sentence vectors: confidence + semantic_weight × (cosine − semantic_center), so that a
    # sentence close in meaning to a question in everyday words counts (set on the dev sets).
    semantic_weight: float = 2.0
    semantic_center: float = 0.885
    # Factor for a sentence about another year than the one asked (2024's target for 2023's).
    period_other: float = 0.3
    # Factor for a report's sentence from the part that does not hold what is asked: a review
    # (result) for a question about a target, a plan for a question about a result.
    wants_other: float = 0.35
    # The best sentences by score looked at for the confidence.
    window: int = 5
    # A refusal whose confidence reaches this share of min_confidence shows the closest sentences.
    closest_share: float = 0.5
    closest: int = 2

    @classmethod
    def from_mapping(cls, values: dict) -> AnswerPolicy:
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown policy settings: {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"policy setting {name} must be a number, got {value!r}")
            out[name] = int(value) if known[name] == "int" else float(value)
        return cls(**out)

    def as_mapping(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def confidence(self, q: Question, c: Candidate, tok_cov: float, big_cov: float) -> Confidence:
        """How much of the question sentence ``c`` covers (words and bigrams alike: its
        ``tok_cov`` and ``big_cov`` feature columns), raised by a value of the asked kind, lowered
        when it lacks one or is about another year or place."""
        value = 0.5 * tok_cov + 0.5 * big_cov
        norm, cos = c.said.norm, c.match.cos
        missing = False
        if q.unit is not None:
            if q.unit.search(norm):
                value = min(1.0, value * self.value_evidence)
            else:
                missing = True
        elif q.types and q.types[0] == "number" and not has_quantity(norm):
            missing = True
        if cos:
            value = max(0.0, value + self.semantic_weight * (cos - self.semantic_center))
        if missing:  # meaning alone does not supply a figure the sentence lacks
            value *= self.value_missing
        before = value
        year_missing = bool(q.time.years) and not c.ctx.para_year
        if year_missing:
            value *= self.year_missing
        period_other = q.time.other_period(c.said.period, c.said.span, c.report.year)
        if period_other:
            value *= self.period_other
            year_missing = True
        part_other = bool(
            q.time.wants
            and c.said.part
            and c.report.year is not None
            and (q.time.wants == "result") != (c.said.part == "review")
        )
        if part_other:
            value *= self.wants_other
        if c.ctx.foreign_place:
            value *= self.place_missing
        return Confidence(value, before, year_missing, c.ctx.foreign_place, missing, period_other, part_other)

    def decide(self, ranked: Sequence[Confidence]) -> Decision:
        """Answer or refuse, given the confidences of the candidates in score order."""
        window = list(ranked[: self.window])
        if not window:
            return Decision(False, Refusal(Reason.NO_MATCH))
        best = max(c.value for c in window)
        if best >= self.min_confidence:
            return Decision(True)
        reason = Reason.LOW_CONFIDENCE
        vetoed = [c for c in window if c.before_vetoes >= self.min_confidence]
        if vetoed:
            top = max(vetoed, key=lambda c: c.before_vetoes)
            reason = Reason.YEAR_NOT_IN_CORPUS if top.year_missing else Reason.PLACE_NOT_IN_CORPUS
        shown = self.closest if best >= self.closest_share * self.min_confidence else 0
        return Decision(False, Refusal(reason, best, self.min_confidence), shown)
