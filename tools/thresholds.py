"""The decision's thresholds from out-of-fold probabilities (``tools/fit_decision.py``):
``answer_at``, the lowest probability at which answered precision holds (pooled, with a Wilson
margin, and on each corpus's sets alone), and ``unsure_at``, the highest at which few enough of
a set's answerable questions get nothing shown; both set on a value the calibration gives."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def wilson_lower(hits: int, n: int, z: float) -> float:
    """The lower end of the Wilson score interval for ``hits`` of ``n`` (one-sided, ``z``
    standard deviations; z = 0 gives the plain share)."""
    if n == 0:
        return 0.0
    share = hits / n
    if z <= 0:
        return share
    centre = share + z * z / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def lowest_threshold(p: np.ndarray, y: np.ndarray, precision: float, below: float = 1.01, z: float = 0.0) -> float:
    """The lowest probability t such that the rows with t ≤ p < ``below`` are right at least
    ``precision`` of the time (counting from the top down, so the band stays that precise; rows
    of equal probability are answered or not together). With ``z`` > 0 the precision must hold
    for the lower end of its Wilson interval, so that a band that is precise by luck on few rows
    does not set the threshold."""
    band = p < below
    values, y = p[band], y[band]
    best = below
    hits = n = 0
    for value in np.unique(values)[::-1]:
        at = values == value
        hits += int(y[at].sum())
        n += int(at.sum())
        if wilson_lower(hits, n, z) >= precision:
            best = float(value)
    return best


def answer_threshold(
    p: np.ndarray, y: np.ndarray, corpora: np.ndarray, precision: float, z: float, each: bool
) -> float:
    """:func:`lowest_threshold` over all rows given (its Wilson margin ``z``); with ``each`` also
    the plain share held for every corpus on its own (the highest of the thresholds), so that a
    pooled precision does not hide one kind of report answered less precisely. (A corpus's few
    hundred rows are too few for the margin: the pooled rule keeps it.)"""
    pooled = lowest_threshold(p, y, precision, z=z)
    if not each:
        return pooled
    return max(pooled, *(lowest_threshold(p[corpora == c], y[corpora == c], precision) for c in np.unique(corpora)))


def corpus_of(sets: np.ndarray, train: list[str]) -> np.ndarray:
    """The corpus folder each row's question set was asked over (``--train SET=CORPUS``)."""
    folders = {spec.partition("=")[0]: Path(spec.partition("=")[2] or "seeds").name for spec in train}
    return np.array([folders.get(str(s), str(s)) for s in sets])


def unsure_threshold(p: np.ndarray, answerable: np.ndarray, none_share: float, below: float) -> float:
    """The highest probability t (at most ``below``) at which no more than ``none_share`` of the
    answerable questions fall under t, i.e. get the outcome none (nothing shown)."""
    values = np.sort(p[answerable])
    k = int(np.floor(none_share * len(values)))
    return min(float(values[k]), below) if k < len(values) else below


def unsure_threshold_by_set(
    p: np.ndarray, answerable: np.ndarray, sets: np.ndarray, none_share: float, below: float
) -> float:
    """:func:`unsure_threshold` held for every question set on its own: the lowest of the sets'
    thresholds, so no set leaves more than ``none_share`` of its answerable questions with nothing."""
    return min(unsure_threshold(p[sets == s], answerable[sets == s], none_share, below) for s in np.unique(sets))


def plateau_at_or_above(threshold: float, plateaus: np.ndarray) -> float:
    """The lowest calibrated value at or above ``threshold`` (the threshold itself above them all),
    so that a threshold is a value the calibration gives, as the model file is checked for."""
    higher = plateaus[plateaus >= threshold]
    return float(higher.min()) if higher.size else threshold


def plateau_at_or_below(threshold: float, plateaus: np.ndarray) -> float:
    """The highest calibrated value at or below ``threshold`` (the threshold itself below them all):
    a floor that never lifts a threshold onto the next step above it."""
    lower = plateaus[plateaus <= threshold]
    return float(lower.max()) if lower.size else threshold


def next_step(threshold: float, plateaus: np.ndarray) -> float:
    """The lowest calibrated value above ``threshold`` (``threshold`` itself when none is):
    :func:`plateau_at_or_above`'s strict counterpart."""
    higher = plateaus[plateaus > threshold]
    return float(higher.min()) if higher.size else threshold


def unsure_and_foreign(by_set: float, floor: float, plateaus: np.ndarray) -> tuple[float, float]:
    """``unsure_at`` and ``foreign_at`` from the calibration's ``plateaus``: ``unsure_at`` the
    step at or above ``by_set`` (the per-set rule), but not below the step at or below ``floor``
    (a floor between two steps is never raised onto the upper one); ``foreign_at`` the next step
    above ``unsure_at`` or above the floor's step raised, whichever is higher."""
    unsure_at = max(plateau_at_or_above(by_set, plateaus), plateau_at_or_below(floor, plateaus))
    return unsure_at, next_step(max(unsure_at, plateau_at_or_above(floor, plateaus)), plateaus)
