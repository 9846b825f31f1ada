"""What the composer knows of the reports as a whole: the places and years each is about, its
title, which sections are plan parts, and each section's innermost label."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..dates.kinds import WORK_REPORT
from ..dates.periods import speaks_of_span
from ..dates.published import published_after
from ..dates.years import RANGE_RE, plan_part, years_in
from ..index.corpus import CorpusIndex
from ..lang.places import Coverage, Place, default_gazetteer, names_nation
from ..lang.text import bare_words, normalize
from ..types import SECTION_SEP
from .records import Question

T = TypeVar("T")

_REPORT_TITLE = re.compile(r"报告|总结|计划|要点|决议|说明|公报|预算|决算|报表")


class ReportNames:
    """What names each report (its title, file name and issuer), searchable as one text: a term
    is found in all the names at once, whatever the number of reports."""

    def __init__(self, names: list[str]):
        self.text = "\n".join(names)
        self.starts = np.cumsum([0] + [len(n) + 1 for n in names[:-1]]) if names else np.zeros(0, int)
        self.n = len(names)

    def naming(self, terms: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Each term of two or more characters found in some report's name, with the mask of
        the reports whose name holds it."""
        out = {}
        for t in dict.fromkeys(terms):
            if len(t) < 2:
                continue
            hits = []
            at = self.text.find(t)
            while at >= 0:
                hits.append(at)
                at = self.text.find(t, at + 1)
            if hits:
                mask = np.zeros(self.n, dtype=bool)
                mask[np.searchsorted(self.starts, hits, side="right") - 1] = True
                out[t] = mask
        return out


class ReportFacts:
    """Per-report and per-section facts, worked out once per loaded corpus."""

    def __init__(self, corpus: CorpusIndex):
        self.corpus = corpus
        # The places each document is about (retrieval/lang/places.py), and every name of them
        # (古丈县, 古丈; 宁夏回族自治区, 宁夏).
        self.places = Coverage(default_gazetteer(), [[normalize(p) for p in meta.places] for meta in corpus.docs])
        self.doc_places: list[set[str]] = self.places.doc_forms
        self.all_places: set[str] = set().union(*self.doc_places) if self.doc_places else set()
        self.doc_years = [set(meta.years) for meta in corpus.docs]
        self.titles = [normalize(meta.title) for meta in corpus.docs]
        # What names each report: its title, file name and issuer (a question's words found here
        # choose the report; inside it they tell no passage apart).
        self.names = ReportNames(
            [normalize(" ".join((meta.title, Path(meta.path).stem, meta.issuer))) for meta in corpus.docs]
        )
        # Per section: the top-level heading of a plan part, normalised ("" for other sections).
        plan_of: dict[str, str] = {}
        self.plan_heading: list[str] = []
        for section in corpus.sections:
            raw = section.split(SECTION_SEP, 1)[0] if section else ""
            if raw not in plan_of:
                top = normalize(raw)
                plan_of[raw] = top if plan_part(top) else ""
            self.plan_heading.append(plan_of[raw])
        self._labels: dict[int, str] = {}  # per section, read when first retrieved
        self._heading_years: dict[int, frozenset[int]] = {}  # likewise
        self._span_headings: dict[int, bool] = {}  # likewise
        self._captions: dict[int, dict[str, str]] = {}  # per report, read when first retrieved
        # Report years (retrieval/dates/report.py) and companion documents (决议, 说明 about a report).
        # Only a document titled as a report (工作报告, 工作总结, 工作计划) counts as one year's
        # report: a year in the opening line of an article says nothing of what it covers.
        self.report_years: list[int | None] = [
            corpus.doc_year(d)
            if _REPORT_TITLE.search(self.titles[d]) or _REPORT_TITLE.search(Path(corpus.docs[d].path).stem)
            else None
            for d in range(len(corpus.docs))
        ]
        self.companion = corpus.companion_mask() & np.array([y is not None for y in self.report_years], dtype=bool)
        for years, year in zip(self.doc_years, self.report_years):
            if year is not None:
                years.add(year)  # a report is about its own year even when its title does not say
        self.all_years: set[int] = set().union(*self.doc_years)  # the years any report is about
        # The year each report is read in: its own, or the next for one published the year after
        # the year it covers (retrieval/dates/published.py); worked out once, not per question.
        self.read_years: list[int | None] = [
            None if y is None else y + int(published_after(title)) for y, title in zip(self.report_years, self.titles)
        ]
        # The year each report reviews: a work report the year before its own (the 2002 report
        # reviews 2001); a summary, or a report published the year after the year it is dated by
        # (a 2023年统计公报), its own year.
        self.reviewed_years: list[int | None] = [
            None if y is None else y - int(meta.style == WORK_REPORT and not published_after(title))
            for y, meta, title in zip(self.report_years, corpus.docs, self.titles)
        ]
        dated = {y for y, c in zip(self.report_years, self.companion) if y is not None and not c}
        self.newest: int | None = max(dated) if dated else None
        self.multi_year = len(dated) > 1  # several years of reports: answers may differ by year

    def naming(self, terms: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Per question term of two or more characters that names some report (is in its title,
        file name or issuer): which reports it names, as a mask."""
        return self.names.naming(terms)

    def section_label(self, section: int) -> str:
        """The innermost label of ``section`` as bare words, to tell a sentence that only repeats
        it (一是全力做好控辍保学工作。); worked out once per section, when first needed."""
        return _once(self._labels, section, self._read_label)

    def _read_label(self, section: int) -> str:
        path = self.corpus.sections[section]
        return bare_words(normalize(path.rsplit(SECTION_SEP, 1)[-1])) if path else ""

    def heading_years(self, section: int) -> frozenset[int]:
        """The years the headings of ``section`` write (一、“十四五”时期发展成就和2025年主要工作 →
        2025), not the ends of a span (过去五年（2019—2023年）), worked out once per section, when
        first needed."""
        return _once(self._heading_years, section, self._read_heading_years)

    def heading_speaks_of_span(self, section: int) -> bool:
        """Whether the headings of ``section`` speak of several years (二、“十二五”时期, 一、过去五年
        工作回顾), worked out once per section, when first needed."""
        return _once(self._span_headings, section, lambda k: speaks_of_span(self.corpus.sections[k]))

    def _read_heading_years(self, section: int) -> frozenset[int]:
        path = self.corpus.sections[section]
        spans = [m.span() for m in RANGE_RE.finditer(path)]
        return frozenset(y for start, _, y in years_in(path) if not any(a <= start < b for a, b in spans))

    def captions(self, doc: int) -> dict[str, str]:
        """Each table caption of report ``doc``, as written → normalised, worked out once per
        report, when first needed."""
        return _once(self._captions, doc, lambda d: {t[0]: normalize(t[0]) for t in self.corpus.docs[d].tables})

    def newest_of(self, docs: np.ndarray | None) -> int | None:
        """The newest report year among ``docs`` (a mask; None: all reports)."""
        years = [
            y
            for d, y in enumerate(self.report_years)
            if y is not None and not self.companion[d] and (docs is None or docs[d])
        ]
        return max(years) if years else None

    def now_of(self, docs: np.ndarray | None) -> int | None:
        """The year the newest report among ``docs`` is read in: its own, or the next for one
        published the year after the year it covers (retrieval/dates/report.py)."""
        years = [
            y
            for d, y in enumerate(self.read_years)
            if y is not None and not self.companion[d] and (docs is None or docs[d])
        ]
        return max(years) if years else None

    def near_years(self, years: tuple[int, ...]) -> set[int]:
        """Reports that can speak of ``years``: of the year before (a summary's plan part), the
        year itself, or the year after (its review)."""
        wanted = {y + d for y in years for d in (-1, 0, 1)}
        return {d for d, y in enumerate(self.report_years) if y in wanted and not self.companion[d]}

    def covers_years(self, years: tuple[int, ...]) -> bool:
        """Some report speaks of one of ``years``: it is about the year, or of a year next to it
        (:meth:`near_years`: the plan before it, the review after it); True when none is asked."""
        if not years:
            return True
        return bool(set(years) & self.all_years) or bool(self.near_years(years))

    def year_mask(self, docs: set[int]) -> np.ndarray:
        """A per-document mask of the document indexes ``docs``."""
        mask = np.zeros(len(self.report_years), dtype=bool)
        mask[list(docs)] = True
        return mask

    def where(self, q: Question) -> tuple[Place, ...]:
        """The places the question is about (read from the question when the composer has already
        worked them out)."""
        return q.where if q.where is not None else self.places.asked(q.norm, q.places)

    def _wanted(self, q: Question) -> set[str]:
        """Keys of the places the question is about that some report is about."""
        return {p.key for p in self.where(q) if any(self.places.about(p))}

    def named_places(self, q: Question) -> frozenset[str]:
        """Every name of the places the question is about that some report is about (read from
        the question when the composer has already worked them out)."""
        if q.report_places is not None:
            return q.report_places
        wanted = self._wanted(q)
        return frozenset(f for p in self.where(q) if p.key in wanted for f in self.places.names(p))

    def chosen(self, q: Question) -> np.ndarray | None:
        """Per document: a report about a place the question names, or, when it names none but
        the whole country (全国), a report about no division; None when neither tells reports
        apart."""
        wanted = self._wanted(q)
        if wanted:
            return np.array([bool(wanted & keys) for keys in self.places.keys])
        national = self.places.national() if not self.where(q) and names_nation(q.norm) else None
        return np.array(national) if national is not None else None

    def not_covered(self, q: Question, *, every_report: bool = True) -> Place | None:
        """A division the question names that no report is about, lies in or contains, when none
        of the places it names is covered (and, with ``every_report``, every report has its
        place, so that none can speak of it); else None."""
        where = self.where(q)
        if (every_report and not self.places.complete) or not where:
            return None
        if any(not p.code or self.places.related(p) for p in where):
            return None
        return where[0]

    def label(self, place: Place) -> str:
        return self.places.gaz.label(place) if place.code else place.name

    def preference(self, q: Question, named_year: float, other_year: float) -> tuple[np.ndarray, np.ndarray | None]:
        """Per document: +1 if it is the place the question names, -1 if another one is named,
        plus ``named_year`` / ``other_year`` for a report of a year the question names or not;
        and, when the question names a place some reports are about, which reports those are."""
        pref = np.zeros(len(self.corpus.docs))
        chosen = self.chosen(q)
        if chosen is not None:
            pref += np.where(chosen, 1.0, -1.0)
        if q.time.years:
            for d, years in enumerate(self.doc_years):
                if years:
                    pref[d] += named_year if set(q.time.years) & years else other_year
        return pref, chosen

    def foreign_place(self, q: Question, doc: int, para_text: str) -> bool:
        """A place the question is about that this report is not about and the passage does not
        name."""
        keys = self.places.keys[doc]
        return any(p.key not in keys and not any(f in para_text for f in self.places.names(p)) for p in self.where(q))


def _once(cache: dict[int, T], key: int, make: Callable[[int], T]) -> T:
    """``cache[key]``, made by ``make(key)`` when first asked for (the facts of a section or a
    report that only some questions need)."""
    value = cache.get(key)
    if value is None:
        value = cache[key] = make(key)
    return value
