"""The dev and holdout question sets over seeds/: quality floors that `make test` guards.

The questions, gold fragments and reports are in tests/data/dev.jsonl and holdout.jsonl (see
their README). The numbers are measured with the same code path as `reportqa ask` (Engine.answer).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot import evaluate as ev

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"

DEV = ROOT / "tests" / "data" / "dev.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "holdout.jsonl"
SENTENCE_END = re.compile(r"(?<=[。！？；])")


@pytest.fixture(scope="module")
def outcomes(engine):
    items, contexts = ev.load_questions(DEV)
    assert contexts is None
    return ev.evaluate(engine, items)


@pytest.fixture(scope="module")
def summary(outcomes):
    return ev.summarize(outcomes)


def test_dev_set_shape():
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 97
    assert len({r["id"] for r in rows}) == len(rows)
    assert sum(not r["answerable"] for r in rows) == 13


def test_holdout_set_shape():
    rows = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 30
    assert len({r["id"] for r in rows}) == len(rows)
    assert sum(not r["answerable"] for r in rows) == 15
    dev_questions = {json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()}
    assert not dev_questions & {r["question"] for r in rows}


@pytest.mark.parametrize("path", [DEV, HOLDOUT], ids=["dev", "holdout"])
def test_gold_fragments_occur_in_their_reports(path):
    """Every fragment is verbatim in its report; a single-report fragment in one sentence only."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row["answerable"]:
            assert row["report"] is None and not row["answers"], row["id"]
            continue
        reports = row["report"] if isinstance(row["report"], list) else [row["report"]]
        for fragment in row["answers"]:
            holders = [name for name, text in texts.items() if fragment in text]
            assert set(holders) & set(reports), (row["id"], fragment)
            if not isinstance(row["report"], list):
                assert holders == reports, (row["id"], fragment, holders)
                sentences = [s for s in SENTENCE_END.split(texts[reports[0]]) if fragment in s]
                assert len(sentences) == 1, (row["id"], fragment)


def test_first_sentence_rate(summary, outcomes):
    missed = [o.item.qid for o in outcomes if o.item.answerable and o.answer_rank != 1]
    assert summary["answer_at_1"] >= 0.85, f"first-sentence rate {summary['answer_at_1']}; missed {missed}"


def test_first_three_rate(summary, outcomes):
    missed = [o.item.qid for o in outcomes if o.item.answerable and not 1 <= o.answer_rank <= 3]
    # Measured 0.964 (81 of 84); the target is 0.97.
    assert summary["answer_at_3"] >= 0.95, f"first-three rate {summary['answer_at_3']}; missed {missed}"


def test_unanswerable_refused(summary, outcomes):
    answered = [o.item.qid for o in outcomes if not o.item.answerable and o.answered]
    # Measured 0.923 (12 of 13); the target is 0.9, see docs/quality.md for the trade-off.
    assert summary["refused_unanswerable"] >= 0.9, f"answered: {answered}"


def test_answerable_not_refused(summary, outcomes):
    refused = [o.item.qid for o in outcomes if o.item.answerable and not o.answered]
    # Measured 0.024 (2 of 84, both colloquial paraphrases); the target is 0.03.
    assert summary["refused_answerable"] <= 0.03, f"refused: {refused}"


def test_named_report_is_cited_first(outcomes):
    """place and fact questions name their report: the first citation comes from it."""
    named = [o for o in outcomes if o.item.kind in ("place", "fact") and o.answered]
    wrong = [o.item.qid for o in named if o.report_rank != 1]
    assert len(wrong) <= len(named) * 0.05, wrong


def test_multi_report_questions_cite_several_reports(engine):
    """Questions about every place answer from different reports, each cited."""
    for row in map(json.loads, DEV.read_text(encoding="utf-8").splitlines()):
        if row["kind"] != "multi":
            continue
        answer = engine.answer(row["question"])
        assert answer.answered, row["id"]
        reports = {s.citation.path for s in answer.sentences}
        assert len(reports) >= 2, (row["id"], reports)


@pytest.fixture(scope="module")
def holdout(engine):
    items, _ = ev.load_questions(HOLDOUT)
    outcomes = ev.evaluate(engine, items)
    return ev.summarize(outcomes), outcomes


def test_holdout_floors(holdout):
    """Questions written from the reports alone and never used to set anything: harder wording
    and harder unanswerable questions (a place the reports cover, a fact they do not give).
    Measured 0.733 first sentence (11 of 15), 0.267 wrongly refused (4 of 15) and 0.467 of the
    unanswerable refused (7 of 15); each floor allows one question less."""
    summary, outcomes = holdout
    qids = lambda keep: [o.item.qid for o in outcomes if keep(o)]  # noqa: E731
    assert summary["answer_at_1"] >= 0.70, qids(lambda o: o.item.answerable and o.answer_rank != 1)
    assert summary["refused_answerable"] <= 0.30, qids(lambda o: o.item.answerable and not o.answered)
    assert summary["refused_unanswerable"] >= 0.45, qids(lambda o: not o.item.answerable and o.answered)
