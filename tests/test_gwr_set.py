"""The multi-year question set over ../shared/datasets/gwr_even (tests/data/gwr.jsonl).

Checks the set itself: its mix, its fields, and that every gold fragment is verbatim in the
report it names. The answer-quality floors on this set are measured with `reportqa eval`
(see tests/data/README.md). The fragment check is skipped with a message where the corpus
folder is absent.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GWR = ROOT / "tests" / "data" / "gwr.jsonl"
CORPUS = ROOT.parent / "shared" / "datasets" / "gwr_even"
SENTENCE_END = re.compile(r"(?<=[。！？；])")

# Smallest number of questions of each kind the set must keep.
MIN_PER_KIND = {
    "named_report": 15,
    "year_target": 15,
    "year_result": 15,
    "relative": 10,
    "everyday": 15,
    "trend": 5,
    "unanswerable": 12,
}
NEWEST_REPORT = "2024.txt"


def _rows() -> list[dict]:
    return [json.loads(line) for line in GWR.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gwr_set_shape():
    rows = _rows()
    assert len(rows) >= 90
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(rows)
    assert all(re.fullmatch(r"gw-\d{2,3}", i) for i in ids), ids
    assert len({r["question"] for r in rows}) == len(rows)
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == set(MIN_PER_KIND), kinds
    for kind, least in MIN_PER_KIND.items():
        assert kinds[kind] >= least, (kind, kinds[kind])
    for r in rows:
        assert r["year"] is None or isinstance(r["year"], int), r["id"]
        assert r["answerable"] == (r["kind"] != "unanswerable"), r["id"]
        if not r["answerable"]:
            assert r["report"] is None and r["answers"] == [], r["id"]
        elif r["kind"] == "trend":
            assert isinstance(r["report"], list) and len(r["report"]) >= 3, r["id"]
            assert len(r["answers"]) >= 3, r["id"]
        else:
            assert isinstance(r["report"], str) and re.fullmatch(r"\d{4}\.txt", r["report"]), r["id"]
            assert r["answers"], r["id"]


def test_year_questions_point_at_the_right_report():
    """A year's target is in that year's report; a year's result in the next year's review;
    relative wording is taken against the newest report."""
    for r in _rows():
        if r["kind"] == "year_target":
            assert r["report"] == f"{r['year']}.txt", r["id"]
        elif r["kind"] == "year_result":
            assert r["report"] == f"{r['year'] + 1}.txt", r["id"]
        elif r["kind"] == "relative":
            assert r["report"] == NEWEST_REPORT, r["id"]


def test_gwr_fragments_occur_in_their_reports():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found: the multi-year corpus lives in ../shared/datasets/gwr_even")
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    for r in _rows():
        if not r["answerable"]:
            continue
        reports = r["report"] if isinstance(r["report"], list) else [r["report"]]
        for name in reports:
            assert name in texts, (r["id"], name)
        for fragment in r["answers"]:
            assert any(fragment in texts[name] for name in reports), (r["id"], fragment)
            if not isinstance(r["report"], list):
                sentences = [s for s in SENTENCE_END.split(texts[reports[0]]) if fragment in s]
                assert 1 <= len(sentences) <= 2, (r["id"], fragment, len(sentences))
        if isinstance(r["report"], list):
            # Every listed report holds at least one of the fragments: one per year.
            for name in reports:
                assert any(f in texts[name] for f in r["answers"]), (r["id"], name)
