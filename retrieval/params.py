"""The numbers of retrieval and selection (the ``[compose]`` table of ``config/weights.toml``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class ComposeParams:
    """Numbers of retrieval and selection."""

    diversity: float = 0.5  # score toll per sentence already picked from the same report
    every_place_spread: float = 2.0  # ... times this for a question about every place (各地)
    synonym_weight: float = 0.5  # what a synonym of a question term counts for, against the term
    exact_synonym_weight: float = 1.0  # ... an interchangeable one (config/synonyms.txt) in retrieval
    place_boost: float = 0.25  # chunk score × (1 + this × the report's place/year preference)
    named_year: float = 0.5  # preference of a report of a year the question names
    other_year: float = -0.25  # ... and of a report of other years
    time_boost: float = 1.0  # preference of a report that can hold the asked year (its own, the next)
    companion_factor: float = 0.5  # chunk score × this in a companion document (决议, 说明)
    trend_k: float = 4.0  # a trend question retrieves this many times retrieve_k chunks
    # A question naming a year of a multi-year corpus retrieves this many times retrieve_k: the
    # passages of the reports near that year all write it, so its weight ranks them by the year's
    # mentions more than by what is asked.
    year_k: float = 2.0
    year_margin: float = 2.0  # a sentence within this score of the best answers for its year too
    max_years: float = 12.0  # years shown for a trend, or under 其他年份
    semantic_k: float = 10.0  # sentences nearest the question by cosine added as candidates
    sentence_k1: float = 1.2  # BM25 of a candidate sentence against the others (feature sent_bm25)
    sentence_b: float = 0.75  # ... and its length normalisation
    row_label_share: float = 0.3  # a row × column question names at least this share of the row's label

    def retrieve_factor(self, trend: bool, dated: bool) -> int:
        """How many times ``retrieve_k`` chunks a question of a multi-year corpus retrieves: a
        trend question ``trend_k``, one naming a year ``year_k``."""
        return int(self.trend_k if trend else self.year_k if dated else 1.0)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> ComposeParams:
        names = {f.name for f in fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown compose settings: {', '.join(sorted(unknown))}")
        bad = [k for k, v in values.items() if isinstance(v, bool) or not isinstance(v, (int, float))]
        if bad:
            raise ValueError(f"compose settings must be numbers: {', '.join(bad)}")
        return cls(**{k: float(v) for k, v in values.items()})

    def as_mapping(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
