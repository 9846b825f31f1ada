"""Selection: the answer's sentences in score order, spread across reports when the question
is about several places."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import numpy as np

from .records import Question

POOL = 60  # best sentences considered when spreading across reports


def spread(
    q: Question, named_places: AbstractSet[str], n_docs: int, any_places: bool, diversity: float, every_place: float
) -> float:
    """Score toll per sentence already picked from the same report: only when the reports are
    about different places and the question names none of them (more when it asks about every
    place)."""
    if not any_places or n_docs < 2:
        return 0.0
    if q.every_place:
        return every_place * diversity
    if named_places:
        return 0.0
    return diversity


def diversify(order: np.ndarray, scores: np.ndarray, docs: list[int], toll: float, n: int) -> list[int]:
    """Greedy pick; a further sentence from an already used report pays ``toll`` per use."""
    if toll <= 0:
        return [int(i) for i in order[:n]]
    pool = [int(i) for i in order[: max(POOL, n)]]
    out: list[int] = []
    used: dict[int, int] = {}
    while pool and len(out) < n:
        best = max(range(len(pool)), key=lambda j: scores[pool[j]] - toll * used.get(docs[pool[j]], 0))
        i = pool.pop(best)
        used[docs[i]] = used.get(docs[i], 0) + 1
        out.append(i)
    return out


def by_year(order: np.ndarray, scores: np.ndarray, cands, min_confidence: float, margin: float) -> dict[int, int]:
    """Report year → its best candidate, for candidates that answer on their own (confidence at
    least ``min_confidence``) within ``margin`` of the best score; one per year."""
    best = float(scores[order[0]])
    out: dict[int, int] = {}
    for i in order:
        i = int(i)
        if float(scores[i]) < best - margin:
            break
        c = cands.items[i]
        year = c.report.year
        if year is None or c.report.companion or year in out:
            continue
        if cands.confidences[i].value >= min_confidence:
            out[year] = i
    return out
