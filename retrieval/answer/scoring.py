"""The scoring model: feature weights and every other tuned number of the composer, read from
``config/weights.toml`` (written by ``tools/fit_weights.py``).

``[weights]`` holds one weight per feature (:data:`~retrieval.answer.features.FEATURES`); a sentence's
score is the dot product of its feature row with them. ``[compose]`` holds the numbers of
retrieval and selection (:class:`ComposeParams`), ``[policy]`` those of the decision to answer
(:class:`~retrieval.answer.policy.AnswerPolicy`). Each number has its one default in these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from config import CONFIG_DIR, ConfigError, read_toml

from ..lang.shapes import TYPE_NAMES
from ..params import ComposeParams
from .features import FEATURES
from .policy import AnswerPolicy

WEIGHTS_FILE = CONFIG_DIR / "weights.toml"

# Fallback when config/weights.toml is absent: a hand-set, reasonable ranking.
DEFAULT_WEIGHTS: dict[str, float] = {
    "tok_cov": 3.0,
    "big_cov": 2.5,
    "ctx_cov": 0.5,
    "bm25_rel": 1.0,
    "restate": -2.0,
    "long": -1.0,
    "year_match": 0.5,
    "year_miss": -1.0,
    "type_miss": -0.8,
    **{f"type_{t}": 1.0 for t in TYPE_NAMES},
}


@dataclass(frozen=True)
class ScoringModel:
    """Feature weights (in :data:`FEATURES` order), the composer's numbers and the answer policy."""

    weights: np.ndarray
    compose: ComposeParams = field(default_factory=ComposeParams)
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)

    @classmethod
    def from_mapping(
        cls, weights: dict[str, float], compose: dict[str, Any] | None = None, policy: dict[str, Any] | None = None
    ) -> ScoringModel:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature weights: {', '.join(sorted(unknown))}")
        return cls(
            np.array([float(weights.get(f, 0.0)) for f in FEATURES]),
            ComposeParams.from_mapping(compose or {}),
            AnswerPolicy.from_mapping(policy or {}),
        )

    def as_mapping(self) -> dict[str, float]:
        return {f: float(w) for f, w in zip(FEATURES, self.weights)}

    @property
    def diversity(self) -> float:
        return self.compose.diversity


def load_model(path: Path = WEIGHTS_FILE) -> ScoringModel:
    """The model in a TOML file (``[weights]``, ``[compose]``, ``[policy]``); the defaults when
    the file is absent. Raises :class:`ConfigError` for an unusable file."""
    if not path.exists():
        return ScoringModel.from_mapping(DEFAULT_WEIGHTS)
    data = read_toml(path)
    try:
        return ScoringModel.from_mapping(data.get("weights", {}), data.get("compose", {}), data.get("policy", {}))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a usable weights file ({exc})") from None


@lru_cache(maxsize=1)
def default_model() -> ScoringModel:
    return load_model()
