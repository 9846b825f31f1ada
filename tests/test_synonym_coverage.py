"""Synonyms in the composer, on the seed reports (the thesaurus itself is unit-tested in
tests/unit/lang/test_synonyms.py)."""

from __future__ import annotations

from retrieval.answer.compose import Composer
from retrieval.lang.synonyms import Thesaurus


def test_a_synonym_counts_towards_coverage(engine):
    """A question worded with a synonym covers the sentence, but less than the report's own word."""
    composer = engine.composer
    plain = Composer(
        engine.corpus,
        composer.tokenizer,
        retrieve_k=composer.retrieve_k,
        min_confidence=composer.min_confidence,
        model=composer.model,
        thesaurus=Thesaurus(),
    )

    def best(c: Composer, question: str) -> float:
        cands = c.candidates(question)
        texts = [engine.corpus.sentence_text(a, b) for a, b in zip(cands.chunk, cands.sent)]
        return max(cands.confidence[i] for i, t in enumerate(texts) if "周转宿舍" in t)

    worded = "溆浦县给教师建了多少套周转宿舍？"
    reworded = "溆浦县给老师建了多少套周转宿舍？"
    assert best(composer, reworded) > best(plain, reworded)
    assert best(composer, reworded) < best(composer, worded)
