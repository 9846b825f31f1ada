"""Quality floors on ../shared/datasets/real_reports (37 real office documents: provincial
reports, statistical communiqués, tables in .docx, .doc, .pdf and web pages) with the dev halves
of the blind sets written over them, lexical matching only. Skipped with a message where the corpus
is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import evaluate as ev
from config import load_settings
from retrieval import Engine
from tests.conftest import assert_floors

ROOT = Path(__file__).resolve().parent.parent
BLIND_REAL_DEV = ROOT / "tests" / "data" / "blind" / "real.dev.jsonl"
BLIND3_REAL_DEV = ROOT / "tests" / "data" / "blind3" / "real.dev.jsonl"
CORPUS = ROOT.parent / "shared" / "datasets" / "real_reports"


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the real documents live in ../shared/datasets)")
    settings = load_settings(
        overrides={"corpus": str(CORPUS), "semantic": "off", "cache_dir": str(tmp_path_factory.mktemp("real-cache"))}
    )
    return Engine.open(settings)


def test_blind_real_dev_floors(real_engine):
    """Written from the documents by readers who never ran the product (tests/data/README.md);
    learned decision: 59 of 128 answered with the answer first, 118 shown first (answer or
    unsure), 122 in the first three shown, 26 of 28 unanswerable not answered, none of 128 with
    nothing shown, answered precision 0.952 (59 of 62); one question less each, precision at
    least 0.9 (one more wrong answer would give 0.937)."""
    items, _ = ev.load_questions(BLIND_REAL_DEV)
    outcomes = ev.evaluate(real_engine, items)
    assert_floors(
        ev.summarize(outcomes),
        answered_right=58,
        shown_right=117,
        unanswerable_held=25,
        answerable_none=1,
        precision=0.9,
        outcomes=outcomes,
        shown3_right=121,
    )


def test_blind3_real_dev_floors(real_engine):
    """Round three's set over the real documents, dev half (tests/data/README.md), learned
    decision: 40 of 143 answered with the answer first, 130 shown first, 137 in the first three
    shown, 25 of 27 unanswerable not answered, 1 of 143 with nothing shown, answered precision
    0.952 (40 of 42; its rows are among the decision's training rows); one question less each,
    precision at least 0.9 (one more wrong answer would give 0.930)."""
    items, _ = ev.load_questions(BLIND3_REAL_DEV)
    outcomes = ev.evaluate(real_engine, items)
    assert_floors(
        ev.summarize(outcomes),
        answered_right=39,
        shown_right=129,
        unanswerable_held=24,
        answerable_none=2,
        precision=0.9,
        outcomes=outcomes,
        shown3_right=136,
    )


BLIND4_REAL_DEV = ROOT / "tests" / "data" / "blind4" / "real.dev.jsonl"


def test_blind4_real_dev_floors(real_engine):
    """Round four's set over the real documents, now dev (tests/data/README.md), lexical, learned
    decision: 32 of 145 answered with the answer first, 122 shown first, 124 in the first three
    shown, 31 of 33 unanswerable not answered, 4 of 145 with nothing shown, answered precision
    0.941 (32 of 34; its rows are among the decision's training rows); one question less each,
    precision at least 0.88 (one more wrong answer would give 0.914)."""
    items, _ = ev.load_questions(BLIND4_REAL_DEV)
    outcomes = ev.evaluate(real_engine, items)
    assert_floors(
        ev.summarize(outcomes),
        answered_right=31,
        shown_right=121,
        unanswerable_held=30,
        answerable_none=5,
        precision=0.88,
        outcomes=outcomes,
        shown3_right=123,
    )
