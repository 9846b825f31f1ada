"""The hand-set decision (retrieval/answer/policy.py): answer, refuse and why, from confidences alone."""

from __future__ import annotations

import pytest

from retrieval.answer.policy import AnswerPolicy, Confidence
from retrieval.answer.refusals import Reason

POLICY = AnswerPolicy(min_confidence=0.2, window=3, closest_share=0.5, closest=2)


def test_nothing_ranked_is_no_match():
    decision = POLICY.decide([])
    assert not decision.answered and decision.refusal.reason == Reason.NO_MATCH and decision.closest == 0


def test_a_confident_sentence_in_the_window_answers_and_one_past_it_does_not():
    low, high = Confidence(0.1, 0.1), Confidence(0.25, 0.25)
    assert POLICY.decide([low, low, high]).answered
    late = POLICY.decide([low, low, low, high])
    assert not late.answered and late.refusal.reason == Reason.LOW_CONFIDENCE


def test_a_sentence_vetoed_for_its_year_or_place_names_that_reason():
    year = Confidence(0.0, 0.5, year_missing=True)
    place = Confidence(0.05, 0.3, place_missing=True)
    assert POLICY.decide([year, place]).refusal.reason == Reason.YEAR_NOT_IN_CORPUS
    assert POLICY.decide([place]).refusal.reason == Reason.PLACE_NOT_IN_CORPUS


def test_closest_sentences_are_shown_only_near_the_threshold():
    assert POLICY.decide([Confidence(0.12, 0.12)]).closest == 2  # 0.12 ≥ 0.5 × 0.2
    assert POLICY.decide([Confidence(0.05, 0.05)]).closest == 0


def test_the_refusal_carries_the_best_confidence_and_the_threshold():
    refusal = POLICY.decide([Confidence(0.15, 0.15), Confidence(0.05, 0.05)]).refusal
    assert (refusal.confidence, refusal.threshold) == (0.15, 0.2)


def test_settings_from_a_mapping_are_typed_and_checked():
    policy = AnswerPolicy.from_mapping({"window": 4.0, "min_confidence": 1})
    assert policy.window == 4 and isinstance(policy.window, int) and isinstance(policy.min_confidence, float)
    assert AnswerPolicy.from_mapping(policy.as_mapping()) == policy
    with pytest.raises(ValueError, match="unknown policy settings: windw"):
        AnswerPolicy.from_mapping({"windw": 4})
    with pytest.raises(ValueError, match="must be a number"):
        AnswerPolicy.from_mapping({"window": True})
