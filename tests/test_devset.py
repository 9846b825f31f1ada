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
from tests.conftest import assert_floors, shown
from tests.floors import blind_sets, check_blind_floors

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


def test_dev_floors(summary, outcomes):
    """With the learned decision (config/decision.toml) lexical: 43 of 84 answered with the answer
    first, 78 of 84 shown first (answer or unsure), 81 in the first three shown, every
    unanswerable question unanswered (13 of 13), 0 of 84 answerable with nothing shown,
    answered precision 1.000; one question less each, precision at least 0.95 (the rule its
    threshold was chosen by)."""
    assert_floors(
        summary,
        answered_right=42,
        shown_right=77,
        unanswerable_held=12,
        answerable_none=3,
        outcomes=outcomes,
        shown3_right=79,
    )


def test_first_three_rate(summary, outcomes):
    missed = [o.item.qid for o in outcomes if o.item.answerable and not 1 <= o.answer_rank <= 3]
    # Measured 43 of 84 (answered questions only; unsure ones show one or two sentences, counted
    # by shown3_right in test_dev_floors). It was 63 before round eight's refit, whose precision
    # rule reads only the blind sets, and 61 before round nine's, whose rule reads round eight's
    # sets too and answers about half as many questions (41 then; 43 after round ten's refit).
    assert summary["answer_at_3"] >= 42 / 84, f"first-three rate {summary['answer_at_3']}; missed {missed}"


def test_named_report_is_cited_first(outcomes):
    """place and fact questions name their report: the first citation comes from it."""
    named = [o for o in outcomes if o.item.kind in ("place", "fact") and o.answered]
    wrong = [o.item.qid for o in named if o.report_rank != 1]
    assert len(wrong) <= len(named) * 0.05, wrong


def test_multi_report_questions_cite_several_reports(engine):
    """Questions about several places show sentences from different reports, each cited. Measured
    with the learned decision: all four come as unsure; three show two or more reports (the fourth,
    multi-03, names no place word, and the two sentences an unsure answer shows are both 怀化's)."""
    spread = []
    for row in map(json.loads, DEV.read_text(encoding="utf-8").splitlines()):
        if row["kind"] != "multi":
            continue
        answer = engine.answer(row["question"])
        assert answer.outcome != "none", row["id"]
        spread.append(len({s.citation.path for s in shown(answer)}) >= 2)
    assert sum(spread) >= 3, spread


@pytest.fixture(scope="module")
def holdout(engine):
    items, _ = ev.load_questions(HOLDOUT)
    outcomes = ev.evaluate(engine, items)
    return ev.summarize(outcomes), outcomes


def test_holdout_floors(holdout):
    """Questions written from the reports alone and never used to set anything: harder wording
    and harder unanswerable questions (a place the reports cover, a fact they do not give).
    Measured with the learned decision, lexical: 5 of 15 answered with the answer first, 15 of 15
    shown first, 15 of 15 unanswerable not answered, none of 15 answerable with nothing shown,
    answered precision 1.000; each floor allows one question less."""
    summary, outcomes = holdout
    assert_floors(summary, answered_right=4, shown_right=14, unanswerable_held=14, answerable_none=1, outcomes=outcomes)


BLIND_FLOORS = blind_sets("seeds")


@pytest.mark.parametrize("path, floors", BLIND_FLOORS)
def test_blind_dev_floors(engine, path, floors):
    """The blind seeds dev sets, rounds one and three to nine (tests/floors.py)."""
    check_blind_floors(engine, path, floors)
