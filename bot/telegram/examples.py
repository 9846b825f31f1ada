"""Example questions for /start and /help, built from what the loaded reports are about."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.types import Document

# Questions any work report can answer: results of the year, plans for the next, staff building.
_RESULTS = "{place}{year}年取得了哪些主要成绩？"
_PLANS = "{place}{year}年的工作计划是什么？"
_STAFF = "{place}在队伍建设方面做了哪些工作？"
_GENERIC = ("今年取得了哪些主要成绩？", "明年的工作计划是什么？", "在队伍建设方面做了哪些工作？")


def example_questions(documents: Sequence[Document], limit: int = 3) -> list[str]:
    """Up to ``limit`` questions, each about a different report (newest first), generic if none fit."""
    ranked = sorted(documents, key=lambda d: (max(d.years) if d.years else 0, d.doc_id), reverse=True)
    out: list[str] = []
    places_used: set[str] = set()
    templates = (_RESULTS, _PLANS, _STAFF)
    for doc in ranked:
        if len(out) == limit:
            break
        place = doc.places[0] if doc.places else ""
        if not place or place in places_used:
            continue
        places_used.add(place)
        template = templates[len(out) % len(templates)]
        if template is _STAFF or not doc.years:
            out.append(_STAFF.format(place=place))
        elif template is _PLANS and len(doc.years) > 1:
            out.append(template.format(place=place, year=max(doc.years)))
        elif template is _PLANS:
            out.append(_RESULTS.format(place=place, year=min(doc.years)))
        else:
            out.append(template.format(place=place, year=min(doc.years)))
    for question in _GENERIC:
        if len(out) >= limit:
            break
        if question not in out:
            out.append(question)
    return out[:limit]
